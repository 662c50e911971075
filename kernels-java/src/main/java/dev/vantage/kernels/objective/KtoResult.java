package dev.vantage.kernels.objective;

/**
 * The mean KTO loss over all rows, with the mean implicit rewards of each kind.
 *
 * @param loss              mean loss over desirable and undesirable rows together
 * @param desirableReward   mean {@code β·(S - Sref)} over desirable rows (0 when there are none)
 * @param undesirableReward mean {@code β·(S - Sref)} over undesirable rows (0 when there are none)
 * @param desirable         number of desirable rows
 * @param undesirable       number of undesirable rows
 */
public record KtoResult(double loss, double desirableReward, double undesirableReward, long desirable,
                        long undesirable) {
}
