package dev.vantage.kernels.advantage;

import dev.vantage.kernels.internal.Args;

/**
 * Options of masked whitening (verl {@code masked_whiten}): {@code out = (x - μ)/sqrt(var + epsilon)},
 * plus μ again unless {@code shiftMean}; the variance uses divisor {@code n - 1} when
 * {@code unbiased}, else {@code n}.
 */
public final class WhitenOptions {
    private static final WhitenOptions DEFAULTS = new WhitenOptions(true, true, 1e-8);

    private final boolean shiftMean;
    private final boolean unbiased;
    private final double epsilon;

    private WhitenOptions(boolean shiftMean, boolean unbiased, double epsilon) {
        this.shiftMean = shiftMean;
        this.unbiased = unbiased;
        this.epsilon = epsilon;
    }

    /** Shift the mean to 0, unbiased variance, ε = 1e-8 (verl). */
    public static WhitenOptions defaults() {
        return DEFAULTS;
    }

    public WhitenOptions shiftMean(boolean on) {
        return new WhitenOptions(on, unbiased, epsilon);
    }

    public WhitenOptions unbiased(boolean on) {
        return new WhitenOptions(shiftMean, on, epsilon);
    }

    /** Added to the variance; finite and > 0. */
    public WhitenOptions epsilon(double epsilon) {
        return new WhitenOptions(shiftMean, unbiased, Args.positive("epsilon", epsilon, false));
    }

    public boolean shiftMean() {
        return shiftMean;
    }

    public boolean unbiased() {
        return unbiased;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public String toString() {
        return "WhitenOptions[shiftMean=" + shiftMean + ", unbiased=" + unbiased + ", epsilon=" + epsilon + "]";
    }
}
