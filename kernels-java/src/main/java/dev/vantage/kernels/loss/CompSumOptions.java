package dev.vantage.kernels.loss;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the comp-sum loss family: the exponent τ (0 sum-exponential, 1 cross-entropy, (1, 2)
 * generalized cross-entropy, 2 MAE, larger bounded losses), the ignored label, label smoothing ε
 * (the target becomes {@code (1-ε)·onehot + ε/C}), the reduction, and the upstream gradient
 * {@code gradScale} the written gradient is multiplied by.
 */
public final class CompSumOptions {
    private static final CompSumOptions DEFAULTS = new CompSumOptions(1.0, -100, 0.0, Reduction.MEAN, 1.0);

    private final double tau;
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final Reduction reduction;
    private final double gradScale;

    private CompSumOptions(double tau, int ignoreIndex, double labelSmoothing, Reduction reduction, double gradScale) {
        this.tau = tau;
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
        this.gradScale = gradScale;
    }

    /** Cross-entropy (τ = 1), ignore index -100, no smoothing, mean, gradient scale 1. */
    public static CompSumOptions defaults() {
        return DEFAULTS;
    }

    /** τ >= 0, finite. */
    public CompSumOptions tau(double tau) {
        return new CompSumOptions(Args.nonNegative("tau", tau), ignoreIndex, labelSmoothing, reduction, gradScale);
    }

    public CompSumOptions ignoreIndex(int ignoreIndex) {
        return new CompSumOptions(tau, ignoreIndex, labelSmoothing, reduction, gradScale);
    }

    /** ε in [0, 1). */
    public CompSumOptions labelSmoothing(double epsilon) {
        Args.inClosed("labelSmoothing", epsilon, 0, 1);
        if (epsilon == 1) {
            throw new IllegalArgumentException("labelSmoothing: expected a value in [0, 1), got 1.0");
        }
        return new CompSumOptions(tau, ignoreIndex, epsilon, reduction, gradScale);
    }

    public CompSumOptions reduction(Reduction reduction) {
        return new CompSumOptions(tau, ignoreIndex, labelSmoothing, Args.notNull("reduction", reduction), gradScale);
    }

    /** The upstream gradient ∂(outer loss)/∂(this loss); finite. */
    public CompSumOptions gradScale(double gradScale) {
        return new CompSumOptions(tau, ignoreIndex, labelSmoothing, reduction, Args.finite("gradScale", gradScale));
    }

    public double tau() {
        return tau;
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    public double labelSmoothing() {
        return labelSmoothing;
    }

    public Reduction reduction() {
        return reduction;
    }

    public double gradScale() {
        return gradScale;
    }

    @Override
    public String toString() {
        return "CompSumOptions[tau=" + tau + ", ignoreIndex=" + ignoreIndex + ", labelSmoothing=" + labelSmoothing
                + ", reduction=" + reduction + ", gradScale=" + gradScale + "]";
    }
}
