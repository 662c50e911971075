package dev.vantage.kernels.logprob;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the per-token KL kernel. With {@code verlClamp}, the K3 value is computed as verl's
 * {@code kl_penalty_forward} does it: {@code Δ} clamped to [-20, 20] before the exponential and the
 * value clamped to [-10, 10] after it, with zero K3 derivative where either clamp is active (K3_PLUS
 * keeps the unclamped K2 derivative, as in verl; K1 and K2 are never clamped). Without it,
 * infinities propagate as data errors.
 */
public final class KlOptions {
    private static final KlOptions DEFAULTS = new KlOptions(KlEstimator.K3, false);

    private final KlEstimator estimator;
    private final boolean verlClamp;

    private KlOptions(KlEstimator estimator, boolean verlClamp) {
        this.estimator = estimator;
        this.verlClamp = verlClamp;
    }

    /** K3, no clamping. */
    public static KlOptions defaults() {
        return DEFAULTS;
    }

    public KlOptions estimator(KlEstimator estimator) {
        return new KlOptions(Args.notNull("estimator", estimator), verlClamp);
    }

    public KlOptions verlClamp(boolean verlClamp) {
        return new KlOptions(estimator, verlClamp);
    }

    public KlEstimator estimator() {
        return estimator;
    }

    public boolean verlClamp() {
        return verlClamp;
    }

    @Override
    public String toString() {
        return "KlOptions[" + estimator + (verlClamp ? ", verlClamp" : "") + "]";
    }
}
