package dev.vantage.kernels.loss;

/** How per-element losses become the returned value and which loss the gradient is of. */
public enum Reduction {
    /** No reduction: the gradient of each element is that of its own loss; the returned value is the sum. */
    NONE,
    /** Sum over valid elements. */
    SUM,
    /** Mean over valid elements (0 when there are none, flagged degenerate). */
    MEAN
}
