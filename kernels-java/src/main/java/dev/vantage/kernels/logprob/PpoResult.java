package dev.vantage.kernels.logprob;

/**
 * The aggregated PPO loss and its metrics, all over masked tokens of the local batch.
 *
 * @param loss              the aggregated clipped surrogate loss
 * @param clipFraction      fraction of tokens where the clipped term is active ({@code l2 > l1})
 * @param clipFractionLower fraction of tokens where the dual clip is active
 * @param approxKl          mean of {@code old - logp}, after the log-ratio clamp (verl's {@code ppo_kl})
 * @param tokens            number of valid tokens ({@code Σ m})
 * @param degenerate        true when the aggregation's denominator was 0 (loss and gradient are 0)
 */
public record PpoResult(double loss, double clipFraction, double clipFractionLower, double approxKl,
                        long tokens, boolean degenerate) {
}
