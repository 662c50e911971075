package dev.vantage.kernels.advantage;

import dev.vantage.kernels.internal.Args;

/**
 * Options of group-relative advantages (GRPO, RLOO): rows come in contiguous groups of
 * {@code groupSize} samples of the same prompt.
 *
 * <ul>
 *   <li>{@code normalizeByStd}: GRPO divides by {@code std + epsilon} (off: Dr. GRPO, mean only).</li>
 *   <li>{@code unbiasedStd}: the group std uses divisor {@code K - 1} (verl, torch.std) or {@code K}.</li>
 *   <li>{@code epsilon}: added to the std (verl 1e-6).</li>
 *   <li>{@code singleton}: what a group of one sample gets.</li>
 * </ul>
 */
public final class GroupOptions {
    /** What a group of a single sample gets, where a baseline from the other samples does not exist. */
    public enum Singleton {
        /** Advantage 0: no baseline, no signal (NaN for a NaN or infinite score, which propagates). */
        ZERO,
        /**
         * verl's behaviour: no baseline, so the score itself (GRPO with std normalization divides it
         * by {@code 1 + epsilon}, taking mean 0 and std 1).
         */
        SCORE
    }

    private final int groupSize;
    private final boolean normalizeByStd;
    private final boolean unbiasedStd;
    private final double epsilon;
    private final Singleton singleton;

    private GroupOptions(int groupSize, boolean normalizeByStd, boolean unbiasedStd, double epsilon,
                         Singleton singleton) {
        this.groupSize = groupSize;
        this.normalizeByStd = normalizeByStd;
        this.unbiasedStd = unbiasedStd;
        this.epsilon = epsilon;
        this.singleton = singleton;
    }

    /** Groups of {@code groupSize >= 1}; std normalization with the unbiased std, ε = 1e-6, singleton ZERO. */
    public static GroupOptions of(int groupSize) {
        if (groupSize < 1) {
            throw new IllegalArgumentException("groupSize: expected a value >= 1, got " + groupSize);
        }
        return new GroupOptions(groupSize, true, true, 1e-6, Singleton.ZERO);
    }

    public GroupOptions normalizeByStd(boolean on) {
        return new GroupOptions(groupSize, on, unbiasedStd, epsilon, singleton);
    }

    public GroupOptions unbiasedStd(boolean on) {
        return new GroupOptions(groupSize, normalizeByStd, on, epsilon, singleton);
    }

    /** Added to the group std before dividing; finite and >= 0. */
    public GroupOptions epsilon(double epsilon) {
        return new GroupOptions(groupSize, normalizeByStd, unbiasedStd, Args.nonNegative("epsilon", epsilon), singleton);
    }

    public GroupOptions singleton(Singleton singleton) {
        return new GroupOptions(groupSize, normalizeByStd, unbiasedStd, epsilon, Args.notNull("singleton", singleton));
    }

    public int groupSize() {
        return groupSize;
    }

    public boolean normalizeByStd() {
        return normalizeByStd;
    }

    public boolean unbiasedStd() {
        return unbiasedStd;
    }

    public double epsilon() {
        return epsilon;
    }

    public Singleton singleton() {
        return singleton;
    }

    @Override
    public String toString() {
        return "GroupOptions[groupSize=" + groupSize + ", normalizeByStd=" + normalizeByStd + ", unbiasedStd="
                + unbiasedStd + ", epsilon=" + epsilon + ", singleton=" + singleton + "]";
    }
}
