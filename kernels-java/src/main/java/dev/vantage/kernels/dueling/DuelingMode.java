package dev.vantage.kernels.dueling;

/** How a dueling head combines V and A into Q (Wang et al. 2016). */
public enum DuelingMode {
    /** {@code Q = V + A} (unidentifiable: V and A can trade a constant). */
    NAIVE,
    /** {@code Q = V + A - max_a A} (the greedy action's advantage is 0). */
    MAX,
    /** {@code Q = V + A - mean_a A} (the paper's stable choice). */
    MEAN
}
