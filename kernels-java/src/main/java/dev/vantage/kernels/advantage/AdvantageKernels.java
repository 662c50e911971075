package dev.vantage.kernels.advantage;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.spi.AdvantageOps;

/**
 * Advantage estimators: GAE, discounted returns, group-relative advantages (GRPO, RLOO),
 * REINFORCE++ and masked whitening ({@code kernel-math.md} §4 and §5). Their outputs are
 * training targets, treated as constants, so there is no backward.
 *
 * <p>Token tensors are {@code [B, T]}, right-padded or with interior masked steps; a mask is an
 * optional BOOL {@code [B, T]} (null: all valid). Masked steps are skipped by the recurrences (the
 * next valid step's values carry across them, as verl does) and their outputs are 0. Outputs are
 * caller-provided F32 tensors and may be the same tensor as an input of the same shape.
 */
public final class AdvantageKernels {
    private final AdvantageOps ops;
    private final Args args;

    /** Used by {@link dev.vantage.kernels.Backend}; users get an instance from a backend. */
    public AdvantageKernels(AdvantageOps ops, Args args) {
        this.ops = ops;
        this.args = args;
    }

    /**
     * Generalized advantage estimation with terminal and truncated episode ends. Walking each row
     * backwards over its valid steps, with {@code next} the next valid step of the row:
     * <pre>
     * Vnext_t = bootstrapValues[t]  if truncated[t] or t is the row's last valid step
     *         = values[next]        otherwise
     * δ_t     = rewards[t] + γ·(1 - terminated[t])·Vnext_t - values[t]
     * A_t     = δ_t + γλ·(1 - done_t)·A_next      (done = terminated or truncated; A after the last = 0)
     * returns = A + values
     * </pre>
     * Only valid steps are read: the rewards, values, flags and bootstrap values of masked steps are
     * ignored. The episode ends are cuts, not factors of 0: the value after a terminal step and the
     * advantage after any episode end are never read, so a NaN or infinity, which otherwise
     * propagates backwards through the arithmetic (also where γ or λ is 0), stays in its episode.
     *
     * @param rewards    F32 {@code [B, T]}
     * @param values     F32 {@code [B, T]} value estimates V(s_t)
     * @param mask       optional BOOL {@code [B, T]}
     * @param episodes   episode ends (see {@link Episodes}); {@link Episodes#NONE} for LLM responses
     * @param advantages F32 output {@code [B, T]}
     * @param returns    optional F32 output {@code [B, T]}
     */
    public void gae(Tensor rewards, Tensor values, Tensor mask, Episodes episodes, Tensor advantages,
                    Tensor returns, GaeOptions options) {
        long[] shape = args.batchTime("rewards", rewards);
        args.f32("values", values, shape);
        args.optionalMask("mask", mask, shape);
        Args.notNull("episodes", episodes);
        args.optionalMask("terminated", episodes.terminated(), shape);
        args.optionalMask("truncated", episodes.truncated(), shape);
        args.optionalF32("bootstrapValues", episodes.bootstrapValues(), shape);
        args.f32("advantages", advantages, shape);
        args.optionalF32("returns", returns, shape);
        Args.notNull("options", options);
        ops.gae(rewards, values, mask, episodes, advantages, returns, shape[0], shape[1], options);
    }

    /**
     * Discounted returns {@code G_t = rewards[t] + γ·(1 - terminated[t])·G_next} over each row's
     * valid steps, with {@code G} after the last valid step 0: GAE with values 0 and λ = 1. A terminal
     * step does not read {@code G_next} (a NaN after it stays in its episode); masked steps are
     * skipped and get 0.
     *
     * @param terminated optional BOOL {@code [B, T]}
     * @param gamma      in [0, 1]
     */
    public void returns(Tensor rewards, Tensor mask, Tensor terminated, Tensor returns, double gamma) {
        long[] shape = args.batchTime("rewards", rewards);
        args.optionalMask("mask", mask, shape);
        args.optionalMask("terminated", terminated, shape);
        args.f32("returns", returns, shape);
        Args.inClosed("gamma", gamma, 0, 1);
        ops.returns(rewards, mask, terminated, returns, shape[0], shape[1], gamma);
    }

    /**
     * GRPO group-normalized advantages per sequence: within each contiguous group of K scores,
     * {@code a_i = (R_i - mean) / (std + ε)}, or {@code R_i - mean} without std normalization.
     * A group whose scores are all equal gets 0 (also with ε = 0); a group of one gets what
     * {@link GroupOptions#singleton()} says; a NaN or infinite score makes its group's advantages
     * NaN or infinite.
     *
     * @param scores     F32 {@code [B]}, B a multiple of the group size
     * @param advantages F32 output {@code [B]}
     */
    public void grpo(Tensor scores, Tensor advantages, GroupOptions options) {
        long batch = groups(scores, advantages, options);
        ops.grpo(scores, advantages, batch, options);
    }

    /**
     * RLOO leave-one-out advantages: {@code a_i = R_i - mean_{j≠i} R_j = K/(K-1)·(R_i - mean)}
     * within each contiguous group of K scores. Of the options only the group size and the singleton
     * policy apply (K = 1, where no other sample exists: 0 or the score itself).
     *
     * @param scores     F32 {@code [B]}, B a multiple of the group size
     * @param advantages F32 output {@code [B]}
     */
    public void rloo(Tensor scores, Tensor advantages, GroupOptions options) {
        long batch = groups(scores, advantages, options);
        ops.rloo(scores, advantages, batch, options);
    }

    /**
     * Spreads per-sequence values over valid tokens: {@code out[b,t] = perSequence[b]} where
     * {@code m[b,t]}, else 0 (also for a NaN value).
     *
     * @param perSequence F32 {@code [B]}
     * @param out         F32 output {@code [B, T]}
     */
    public void broadcast(Tensor perSequence, Tensor mask, Tensor out) {
        long[] shape = args.batchTime("out", out);
        args.f32("perSequence", perSequence, shape[0]);
        args.optionalMask("mask", mask, shape);
        ops.broadcast(perSequence, mask, out, shape[0], shape[1]);
    }

    /**
     * Masked whitening over all valid elements of a tensor of any shape (see {@link WhitenOptions});
     * masked elements of the output are 0. With one valid element the variance is taken as 0 (the
     * output is 0, or the element itself without {@code shiftMean}); with none the output is all
     * zeros and the mean 0; both are flagged degenerate. Constant input gives 0 (or the constant).
     *
     * @param values F32, any shape
     * @param mask   optional BOOL, same shape
     * @param out    F32 output, same shape (may be {@code values})
     */
    public WhitenResult whiten(Tensor values, Tensor mask, Tensor out, WhitenOptions options) {
        long[] shape = args.tensor("values", values, DType.F32).shape();
        args.optionalMask("mask", mask, shape);
        args.f32("out", out, shape);
        Args.notNull("options", options);
        return ops.whiten(values, mask, out, options);
    }

    /**
     * REINFORCE++ advantages (Hu 2025): the score sits on each row's last valid token, the KL
     * penalty on every token, the discounted return is taken, and the returns are whitened over
     * the whole batch:
     * <pre>
     * R_b      = scores[b] - groupMean(scores)[b]   (only with a baseline group size)
     * r[b,t]   = -β·kl[b,t] + (t is b's last valid step ? R_b : 0)
     * G        = discounted returns of r with γ (see {@link #returns})
     * A        = masked whitening of G ({@link WhitenOptions#defaults()})
     * </pre>
     * The group mean is over all scores of the group, whatever the masks; {@code kl} is not read when
     * β = 0; a row without valid steps adds nothing and gets 0.
     *
     * @param scores     F32 {@code [B]} sequence scores
     * @param mask       optional BOOL {@code [B, T]}
     * @param kl         optional F32 {@code [B, T]} per-token KL (required when β > 0)
     * @param advantages F32 output {@code [B, T]}
     * @return the statistics of the whitening
     */
    public WhitenResult reinforcePlusPlus(Tensor scores, Tensor mask, Tensor kl, Tensor advantages,
                                          ReinforceOptions options) {
        long[] shape = args.batchTime("advantages", advantages);
        args.f32("scores", scores, shape[0]);
        args.optionalMask("mask", mask, shape);
        Args.notNull("options", options);
        if (options.klCoef() > 0) {
            args.tensor("kl", kl, DType.F32);
        } else {
            args.optional("kl", kl, DType.F32);
        }
        Args.shape("kl", kl, shape);
        int k = options.baselineGroupSize();
        if (k > 0 && shape[0] % k != 0) {
            throw new IllegalArgumentException("scores: B = " + shape[0] + " is not a multiple of the baseline group size "
                    + k);
        }
        return ops.reinforcePlusPlus(scores, mask, kl, advantages, shape[0], shape[1], options);
    }

    /**
     * PRIME advantages: leave-one-out baselines on the implicit process rewards and on the outcome
     * scores within each contiguous group of K responses, summed into γ = 1 returns and whitened
     * over the batch:
     * <pre>
     * r̄_j       = mean of response j's process rewards over its valid tokens (0 if it has none)
     * proc[i,t] = see {@link PrimeOptions.Form} (the paper's or the code's baseline)
     * out_i     = R_i - Σ_{j≠i} R_j / (K-1), placed on response i's last valid token
     * G[i,t]    = Σ_{s≥t, valid} (c_p·proc[i,s] + c_o·out_i·1{s last})
     * A         = masked whitening of G ({@link WhitenOptions#defaults()})
     * </pre>
     *
     * @param processRewards F32 {@code [B, T]}: {@code β·(logp - ref)} from {@link
     *                       dev.vantage.kernels.logprob.LogProbKernels#implicitReward}
     * @param outcomes       F32 {@code [B]}: verifier scores
     * @param mask           optional BOOL {@code [B, T]}
     * @param advantages     F32 output {@code [B, T]}
     * @return the statistics of the whitening
     */
    public WhitenResult prime(Tensor processRewards, Tensor outcomes, Tensor mask, Tensor advantages,
                              PrimeOptions options) {
        long[] shape = args.batchTime("processRewards", processRewards);
        args.f32("outcomes", outcomes, shape[0]);
        args.optionalMask("mask", mask, shape);
        args.f32("advantages", advantages, shape);
        Args.notNull("options", options);
        if (shape[0] % options.groupSize() != 0) {
            throw new IllegalArgumentException("processRewards: B = " + shape[0] + " is not a multiple of the group size "
                    + options.groupSize());
        }
        return ops.prime(processRewards, outcomes, mask, advantages, shape[0], shape[1], options);
    }

    private long groups(Tensor scores, Tensor advantages, GroupOptions options) {
        args.tensor("scores", scores, DType.F32);
        Args.rank("scores", scores, 1, "[B]");
        args.f32("advantages", advantages, scores.shape());
        Args.notNull("options", options);
        long batch = scores.dim(0);
        if (batch % options.groupSize() != 0) {
            throw new IllegalArgumentException("scores: B = " + batch + " is not a multiple of the group size "
                    + options.groupSize());
        }
        return batch;
    }
}
