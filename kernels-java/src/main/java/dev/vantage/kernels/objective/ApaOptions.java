package dev.vantage.kernels.objective;

import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.logprob.Aggregation;

/**
 * Options of APA (Zhu et al. 2023): the temperature λ of the target policy
 * {@code π* ∝ π_init·exp(A/λ)} (the reference code's {@code adv_coeff_sq = 1/λ = 10}) and the
 * aggregation of the per-token squared errors (the reference code's token mean).
 */
public final class ApaOptions {
    private static final ApaOptions DEFAULTS = new ApaOptions(0.1, Aggregation.tokenMean());

    private final double lambda;
    private final Aggregation aggregation;

    private ApaOptions(double lambda, Aggregation aggregation) {
        this.lambda = lambda;
        this.aggregation = aggregation;
    }

    /** λ = 0.1, token mean. */
    public static ApaOptions defaults() {
        return DEFAULTS;
    }

    /** λ > 0, finite. */
    public ApaOptions lambda(double lambda) {
        return new ApaOptions(Args.positive("lambda", lambda, false), aggregation);
    }

    public ApaOptions aggregation(Aggregation aggregation) {
        return new ApaOptions(lambda, Args.notNull("aggregation", aggregation));
    }

    public double lambda() {
        return lambda;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    @Override
    public String toString() {
        return "ApaOptions[lambda=" + lambda + ", aggregation=" + aggregation + "]";
    }
}
