package dev.vantage.kernels.objective;

/**
 * The mean DPO loss over pairs, with TRL's metrics.
 *
 * @param loss           mean loss over pairs
 * @param chosenReward   mean implicit reward of the chosen responses, {@code β·(S_w - Sref_w)} (IPO: of the mean log-probs)
 * @param rejectedReward mean implicit reward of the rejected responses
 * @param accuracy       fraction of pairs whose chosen reward exceeds the rejected one
 * @param margin         mean of chosen minus rejected reward
 * @param pairs          number of pairs
 */
public record DpoResult(double loss, double chosenReward, double rejectedReward, double accuracy, double margin,
                        long pairs) {
}
