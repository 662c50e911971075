package dev.vantage.kernels.objective;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.spi.ObjectiveOps;

import java.util.Arrays;

/**
 * Sequence-level training objectives on token log-prob ratios: DPO (and IPO, cDPO), KTO, APA,
 * A-LoL and PRIME's implicit reward-model loss ({@code kernel-math.md} §6.2 to §9). Each call
 * takes the policy's token log-probs {@code logp [B, T]} and returns the loss together with
 * {@code gradLogp = ∂L/∂logp} per token in one fused pass (masked tokens get 0); chain it to the
 * logits with {@link dev.vantage.kernels.logprob.LogProbKernels#backward}.
 *
 * <p>Sequence log-probs are masked sums {@code S_b = Σ_t m[b,t]·logp[b,t]}. A reference (or
 * initial) policy is given either per token, {@code [B, T]} F32 summed under the same mask, or per
 * sequence, {@code [B]} F32 sums computed once elsewhere; it is a constant (no gradient). A mask is
 * an optional BOOL {@code [B, T]}. NaN and infinity propagate; the stable forms of
 * {@code kernel-math.md} §0 keep finite inputs finite (no {@code log(sigmoid)}, no overflowing exp).
 */
public final class ObjectiveKernels {
    private final ObjectiveOps ops;
    private final Args args;

    /** Used by {@link dev.vantage.kernels.Backend}; users get an instance from a backend. */
    public ObjectiveKernels(ObjectiveOps ops, Args args) {
        this.ops = ops;
        this.args = args;
    }

    /**
     * DPO on preference pairs (see {@link DpoOptions}): rows {@code [0, P)} are the chosen responses
     * and rows {@code [P, 2P)} the rejected ones of the same prompts, in the same order (TRL's
     * concatenated layout). The loss is the mean over pairs;
     * {@code ∂L/∂S_w = -β·[(1-ε)·σ(-h) - ε·σ(h)]/P = -∂L/∂S_l} for the sigmoid loss. IPO's
     * mean log-probs divide by each row's valid-token count (a row with none counts 0).
     *
     * @param logp     F32 {@code [2P, T]}
     * @param refLogp  F32 {@code [2P, T]} or {@code [2P]}
     * @param gradLogp optional F32 output {@code [2P, T]}
     */
    public DpoResult dpo(Tensor logp, Tensor refLogp, Tensor mask, Tensor gradLogp, DpoOptions options) {
        long[] shape = tokens(logp, mask, gradLogp);
        reference("refLogp", refLogp, shape);
        if (shape[0] % 2 != 0) {
            throw new IllegalArgumentException("logp: expected an even number of rows (P chosen, then P rejected), got "
                    + shape[0]);
        }
        Args.notNull("options", options);
        return ops.dpo(logp, refLogp, mask, gradLogp, shape[0], shape[1], options);
    }

    /**
     * KTO: each row is a desirable or an undesirable example with implicit reward
     * {@code r = S - Sref}; with {@code z0 = max(0, referenceKl)} (detached),
     * <pre>
     * desirable:   l = λ_D·σ(β(z0 - r)),  ∂l/∂r = -λ_D·β·σ(β(r - z0))·σ(-β(r - z0))
     * undesirable: l = λ_U·σ(β(r - z0)),  ∂l/∂r = +λ_U·β·σ(β(z0 - r))·σ(-β(z0 - r))
     * </pre>
     * and the loss is the mean over all B rows (0 when B = 0).
     *
     * @param desirable   BOOL {@code [B]}: true for desirable rows
     * @param referenceKl the batch's KL estimate {@code mean(S' - Sref')} over mismatched pairs, finite
     */
    public KtoResult kto(Tensor logp, Tensor refLogp, Tensor mask, Tensor desirable, double referenceKl,
                         Tensor gradLogp, KtoOptions options) {
        long[] shape = tokens(logp, mask, gradLogp);
        reference("refLogp", refLogp, shape);
        args.tensor("desirable", desirable, DType.BOOL);
        Args.shape("desirable", desirable, shape[0]);
        Args.finite("referenceKl", referenceKl);
        Args.notNull("options", options);
        return ops.kto(logp, refLogp, mask, desirable, referenceKl, gradLogp, shape[0], shape[1], options);
    }

    /**
     * APA: per token {@code l = (logp - A/λ - logpInit)²}, aggregated (token mean by default);
     * {@code ∂l/∂logp = 2·(logp - A/λ - logpInit)}.
     *
     * @param initLogp   F32 {@code [B, T]}: the initial (reference) policy's token log-probs
     * @param advantages F32 {@code [B, T]}
     */
    public AggregateResult apa(Tensor logp, Tensor initLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                               ApaOptions options) {
        long[] shape = tokens(logp, mask, gradLogp);
        args.f32("initLogp", initLogp, shape);
        args.f32("advantages", advantages, shape);
        Args.notNull("options", options);
        return ops.apa(logp, initLogp, advantages, mask, gradLogp, shape[0], shape[1], options);
    }

    /**
     * A-LoL: sequence-level advantage {@code A⁺ = max(R - V, 0)} (rows with A⁺ = 0 contribute
     * nothing), importance weights per {@link AlolOptions.Variant} computed in log space, clipped
     * and detached, loss averaged over all B rows:
     * <pre>
     * SEQUENCE:       L = mean_b[A⁺·w_b·(-S_b)],         w_b  = clip(exp(S_b - Sref_b), 1-ε, 1+ε)
     * TOKEN:          L = mean_b[A⁺·Σ_t w_bt·(-logp_bt)], w_bt = clip(exp(logp_bt - ref_bt), 1-ε, 1+ε)·m
     * REFERENCE_FREE: L = mean_b[A⁺·(-S_b)]
     * KL:             L = mean_b[A⁺·(-S_b) + β_KL·(S_b - Sref_b)]
     * </pre>
     * The result's count is the number of rows with A⁺ > 0; degenerate when it is 0 and the
     * variant has no KL term (the loss and gradient are then 0).
     *
     * @param refLogp {@code [B, T]} or {@code [B]} ({@code [B, T]} for TOKEN; may be null for REFERENCE_FREE)
     * @param rewards F32 {@code [B]} sequence rewards R
     * @param values  F32 {@code [B]} reference values V(x)
     */
    public LossResult alol(Tensor logp, Tensor refLogp, Tensor mask, Tensor rewards, Tensor values, Tensor gradLogp,
                           AlolOptions options) {
        long[] shape = tokens(logp, mask, gradLogp);
        Args.notNull("options", options);
        AlolOptions.Variant variant = options.variant();
        if (variant == AlolOptions.Variant.TOKEN) {
            args.f32("refLogp", refLogp, shape);
        } else if (variant != AlolOptions.Variant.REFERENCE_FREE || refLogp != null) {
            reference("refLogp", refLogp, shape);
        }
        args.f32("rewards", rewards, shape[0]);
        args.f32("values", values, shape[0]);
        return ops.alol(logp, refLogp, mask, rewards, values, gradLogp, shape[0], shape[1], options);
    }

    /**
     * PRIME's implicit process reward model loss: {@code s_b = β·(S_b - Sref_b)} and binary
     * cross-entropy with the outcome labels in logit form,
     * {@code L = mean_b[softplus(s_b) - r_b·s_b]}, {@code ∂L/∂logp = β·m·(σ(s_b) - r_b)/B}.
     *
     * @param logp     F32 {@code [B, T]}: the reward model's token log-probs
     * @param outcomes F32 {@code [B]}: verifier scores in [0, 1]
     * @param beta     β > 0 (PRIME: 0.05)
     */
    public LossResult primeRewardModel(Tensor logp, Tensor refLogp, Tensor mask, Tensor outcomes, Tensor gradLogp,
                                       double beta) {
        long[] shape = tokens(logp, mask, gradLogp);
        reference("refLogp", refLogp, shape);
        args.f32("outcomes", outcomes, shape[0]);
        Args.positive("beta", beta, false);
        return ops.primeRewardModel(logp, refLogp, mask, outcomes, gradLogp, shape[0], shape[1], beta);
    }

    private long[] tokens(Tensor logp, Tensor mask, Tensor gradLogp) {
        long[] shape = args.batchTime("logp", logp);
        args.optionalMask("mask", mask, shape);
        args.optionalF32("gradLogp", gradLogp, shape);
        return shape;
    }

    /** A reference given per token {@code [B, T]} or per sequence {@code [B]}. */
    private void reference(String name, Tensor ref, long[] shape) {
        args.tensor(name, ref, DType.F32);
        if (!Arrays.equals(ref.shape(), shape) && !Arrays.equals(ref.shape(), new long[] {shape[0]})) {
            throw new IllegalArgumentException(name + ": expected shape " + Arrays.toString(shape) + " (per token) or ["
                    + shape[0] + "] (per sequence), got " + Arrays.toString(ref.shape()));
        }
    }
}
