package dev.vantage.kernels.advantage;

/**
 * Statistics of a masked whitening.
 *
 * @param mean       masked mean μ
 * @param variance   masked variance used (0 when fewer than two valid elements)
 * @param count      number of valid elements n
 * @param degenerate true when n &lt; 2: the output is all zeros (n = 0) or the centered value 0 (n = 1)
 */
public record WhitenResult(double mean, double variance, long count, boolean degenerate) {
}
