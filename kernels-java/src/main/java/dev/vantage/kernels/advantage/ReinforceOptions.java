package dev.vantage.kernels.advantage;

import dev.vantage.kernels.internal.Args;

/**
 * Options of REINFORCE++ advantages: discount γ, the KL coefficient β folded into token rewards,
 * and an optional group baseline (REINFORCE++-baseline: subtract the group mean score first).
 */
public final class ReinforceOptions {
    private static final ReinforceOptions DEFAULTS = new ReinforceOptions(1.0, 0.0, 0);

    private final double gamma;
    private final double klCoef;
    private final int baselineGroupSize;

    private ReinforceOptions(double gamma, double klCoef, int baselineGroupSize) {
        this.gamma = gamma;
        this.klCoef = klCoef;
        this.baselineGroupSize = baselineGroupSize;
    }

    /** γ = 1, β = 0, no baseline. */
    public static ReinforceOptions defaults() {
        return DEFAULTS;
    }

    public ReinforceOptions gamma(double gamma) {
        return new ReinforceOptions(Args.inClosed("gamma", gamma, 0, 1), klCoef, baselineGroupSize);
    }

    /** β >= 0: token reward {@code -β·kl[b,t]}. */
    public ReinforceOptions klCoef(double beta) {
        return new ReinforceOptions(gamma, Args.nonNegative("klCoef", beta), baselineGroupSize);
    }

    /** Subtract the mean score of each contiguous group of this size (>= 1); 0 turns the baseline off. */
    public ReinforceOptions baselineGroupSize(int groupSize) {
        if (groupSize < 0) {
            throw new IllegalArgumentException("baselineGroupSize: expected a value >= 0, got " + groupSize);
        }
        return new ReinforceOptions(gamma, klCoef, groupSize);
    }

    public double gamma() {
        return gamma;
    }

    public double klCoef() {
        return klCoef;
    }

    public int baselineGroupSize() {
        return baselineGroupSize;
    }

    @Override
    public String toString() {
        return "ReinforceOptions[gamma=" + gamma + ", klCoef=" + klCoef + ", baselineGroupSize="
                + baselineGroupSize + "]";
    }
}
