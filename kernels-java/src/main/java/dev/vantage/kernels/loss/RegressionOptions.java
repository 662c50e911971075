package dev.vantage.kernels.loss;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the regression losses: reduction, Huber's δ, the quantile q, the ε guarding
 * data-dependent denominators (Keras's 1e-7), NRMSE's normalizer and the upstream gradient
 * {@code gradScale} the written gradient is multiplied by.
 */
public final class RegressionOptions {
    /** The target statistic NRMSE divides by. */
    public enum Normalizer {
        /** {@code |mean(y)|}. */
        MEAN,
        /** {@code max(y) - min(y)}. */
        RANGE,
        /** Population standard deviation of y. */
        STD
    }

    private static final RegressionOptions DEFAULTS =
            new RegressionOptions(Reduction.MEAN, 1.0, 0.5, 1e-7, Normalizer.MEAN, 1.0);

    private final Reduction reduction;
    private final double delta;
    private final double quantile;
    private final double epsilon;
    private final Normalizer normalizer;
    private final double gradScale;

    private RegressionOptions(Reduction reduction, double delta, double quantile, double epsilon,
                              Normalizer normalizer, double gradScale) {
        this.reduction = reduction;
        this.delta = delta;
        this.quantile = quantile;
        this.epsilon = epsilon;
        this.normalizer = normalizer;
        this.gradScale = gradScale;
    }

    /** Mean, δ = 1, q = 0.5, ε = 1e-7, NRMSE by |mean|, gradient scale 1. */
    public static RegressionOptions defaults() {
        return DEFAULTS;
    }

    public RegressionOptions reduction(Reduction reduction) {
        return new RegressionOptions(Args.notNull("reduction", reduction), delta, quantile, epsilon, normalizer,
                gradScale);
    }

    /** Huber threshold δ > 0, finite. */
    public RegressionOptions delta(double delta) {
        return new RegressionOptions(reduction, Args.positive("delta", delta, false), quantile, epsilon, normalizer,
                gradScale);
    }

    /** Quantile q in (0, 1). */
    public RegressionOptions quantile(double q) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("quantile: expected a value in (0, 1), got " + q);
        }
        return new RegressionOptions(reduction, delta, q, epsilon, normalizer, gradScale);
    }

    /** Denominator guard ε > 0, finite. */
    public RegressionOptions epsilon(double epsilon) {
        return new RegressionOptions(reduction, delta, quantile, Args.positive("epsilon", epsilon, false), normalizer,
                gradScale);
    }

    public RegressionOptions normalizer(Normalizer normalizer) {
        return new RegressionOptions(reduction, delta, quantile, epsilon, Args.notNull("normalizer", normalizer),
                gradScale);
    }

    /** The upstream gradient ∂(outer loss)/∂(this loss); finite. */
    public RegressionOptions gradScale(double gradScale) {
        return new RegressionOptions(reduction, delta, quantile, epsilon, normalizer,
                Args.finite("gradScale", gradScale));
    }

    public Reduction reduction() {
        return reduction;
    }

    public double delta() {
        return delta;
    }

    public double quantile() {
        return quantile;
    }

    public double epsilon() {
        return epsilon;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public double gradScale() {
        return gradScale;
    }

    @Override
    public String toString() {
        return "RegressionOptions[reduction=" + reduction + ", delta=" + delta + ", quantile=" + quantile
                + ", epsilon=" + epsilon + ", normalizer=" + normalizer + ", gradScale=" + gradScale + "]";
    }
}
