package dev.vantage.kernels.logprob;

/**
 * An aggregated scalar.
 *
 * @param value      the aggregate
 * @param tokens     number of valid tokens ({@code Σ m})
 * @param degenerate true when the denominator was 0 (value 0)
 */
public record AggregateResult(double value, long tokens, boolean degenerate) {
}
