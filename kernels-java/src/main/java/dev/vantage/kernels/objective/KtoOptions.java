package dev.vantage.kernels.objective;

import dev.vantage.kernels.internal.Args;

/**
 * Options of KTO (Ethayarajh et al. 2024): β and the weights λ_D, λ_U of desirable and undesirable
 * examples. TRL warns unless {@code λ_D·n_D / (λ_U·n_U)} lies in [1, 4/3].
 */
public final class KtoOptions {
    private static final KtoOptions DEFAULTS = new KtoOptions(0.1, 1.0, 1.0);

    private final double beta;
    private final double desirableWeight;
    private final double undesirableWeight;

    private KtoOptions(double beta, double desirableWeight, double undesirableWeight) {
        this.beta = beta;
        this.desirableWeight = desirableWeight;
        this.undesirableWeight = undesirableWeight;
    }

    /** β = 0.1, λ_D = λ_U = 1 (HALOs). */
    public static KtoOptions defaults() {
        return DEFAULTS;
    }

    /** β > 0, finite. */
    public KtoOptions beta(double beta) {
        return new KtoOptions(Args.positive("beta", beta, false), desirableWeight, undesirableWeight);
    }

    /** λ_D, λ_U > 0, finite. */
    public KtoOptions weights(double desirable, double undesirable) {
        return new KtoOptions(beta, Args.positive("desirableWeight", desirable, false),
                Args.positive("undesirableWeight", undesirable, false));
    }

    public double beta() {
        return beta;
    }

    public double desirableWeight() {
        return desirableWeight;
    }

    public double undesirableWeight() {
        return undesirableWeight;
    }

    @Override
    public String toString() {
        return "KtoOptions[beta=" + beta + ", desirableWeight=" + desirableWeight + ", undesirableWeight="
                + undesirableWeight + "]";
    }
}
