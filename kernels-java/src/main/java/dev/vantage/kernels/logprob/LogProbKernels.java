package dev.vantage.kernels.logprob;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.spi.LogProbOps;

/**
 * Token log-prob ratio kernels: the fused log-softmax, gather and entropy of logits, importance
 * ratios, the PPO clipped surrogate, KL estimators, PRIME's implicit reward, masked sequence sums
 * and loss aggregation. Formulas are those of {@code kernel-math.md} §0 to §3 and §6.1.
 *
 * <p>Conventions shared by every method:
 * <ul>
 *   <li>Outputs are caller-provided F32 tensors and are overwritten, never accumulated into.</li>
 *   <li>A mask is an optional BOOL tensor of the same shape as the tokens (null means every token
 *       is valid). Every per-token output is 0 at masked positions, and masked tokens contribute
 *       nothing to sums, means or gradients.</li>
 *   <li>NaN and infinity in inputs propagate to the outputs they touch, except where a documented
 *       clamp applies.</li>
 *   <li>Every argument is checked before any output is written; a bad argument raises an
 *       {@link IllegalArgumentException} that names it.</li>
 * </ul>
 */
public final class LogProbKernels {
    private final LogProbOps ops;
    private final Args args;

    /** Used by {@link dev.vantage.kernels.Backend}; users get an instance from a backend. */
    public LogProbKernels(LogProbOps ops, Args args) {
        this.ops = ops;
        this.args = args;
    }

    /**
     * Fused log-softmax, gather and entropy in one pass over each row of logits, with online
     * softmax statistics (no {@code N×V} intermediate).
     *
     * <p>With {@code x = logits / temperature}: {@code lse = log Σ_j exp(x_j)},
     * {@code logp = x[label] - lse}, {@code entropy = lse - Σ_j p_j x_j}. Rows whose label is the
     * ignore index get {@code logp = 0}; their entropy and lse are still computed. {@code -inf}
     * logits are masked-out vocabulary entries (probability 0); a row with no finite logit, or
     * with a {@code +inf} or NaN logit, gives NaN.
     *
     * @param logits  {@code [..., V]} F32, BF16 or F16
     * @param labels  I32, shape {@code logits.shape[:-1]}; each in {@code [0, V)} or the ignore index
     * @param logp    F32 output, shape of labels
     * @param entropy optional F32 output, shape of labels
     * @param lse     optional F32 output, shape of labels: the log-normalizer the backward needs
     */
    public void forward(Tensor logits, Tensor labels, Tensor logp, Tensor entropy, Tensor lse,
                        LogProbOptions options) {
        long[] rowShape = args.logitRows("logits", logits);
        args.tensor("labels", labels, DType.I32);
        Args.shape("labels", labels, rowShape);
        args.f32("logp", logp, rowShape);
        args.optionalF32("entropy", entropy, rowShape);
        args.optionalF32("lse", lse, rowShape);
        Args.notNull("options", options);
        ops.forward(logits, labels, logp, entropy, lse, labels.numel(), logits.dim(-1), options);
    }

    /**
     * Gradient of a loss {@code L(logp, entropy)} with respect to the logits, from the upstream
     * gradients {@code gradLogp = ∂L/∂logp} and {@code gradEntropy = ∂L/∂entropy}, recomputing the
     * softmax from the logits and the saved {@code lse}:
     * <pre>∂L/∂z_j = (1/T)·[gradLogp·(1{j=label} - p_j) - gradEntropy·p_j·(log p_j + H)]</pre>
     * Ignored rows get no log-prob gradient; their entropy gradient still follows
     * {@code gradEntropy}. {@code gradLogits} may be {@code logits} itself (same tensor, in place).
     *
     * @param lse         F32 {@code lse} saved by {@link #forward}
     * @param entropy     F32 entropy from {@link #forward}; required when {@code gradEntropy} is given
     * @param gradLogp    optional F32 upstream gradient of logp (null: zero)
     * @param gradEntropy optional F32 upstream gradient of entropy (null: zero)
     * @param gradLogits  output, shape of logits, F32, BF16 or F16
     */
    public void backward(Tensor logits, Tensor labels, Tensor lse, Tensor entropy, Tensor gradLogp,
                         Tensor gradEntropy, Tensor gradLogits, LogProbOptions options) {
        long[] rowShape = args.logitRows("logits", logits);
        args.tensor("labels", labels, DType.I32);
        Args.shape("labels", labels, rowShape);
        args.f32("lse", lse, rowShape);
        args.optionalF32("gradLogp", gradLogp, rowShape);
        args.optionalF32("gradEntropy", gradEntropy, rowShape);
        if (gradEntropy != null) {
            args.tensor("entropy", entropy, DType.F32);
        } else {
            args.optional("entropy", entropy, DType.F32);
        }
        Args.shape("entropy", entropy, rowShape);
        args.tensor("gradLogits", gradLogits, Args.FLOATING);
        Args.shape("gradLogits", gradLogits, logits.shape());
        Args.notNull("options", options);
        ops.backward(logits, labels, lse, entropy, gradLogp, gradEntropy, gradLogits, labels.numel(),
                logits.dim(-1), options);
    }

    /**
     * Importance ratio {@code ρ = exp(clamp(logp - old, -c, c))} and its derivative
     * {@code ∂ρ/∂logp = ρ} where the clamp is inactive ({@code |logp - old| <= c}), 0 where it is.
     *
     * @param mask      optional BOOL, same shape
     * @param ratio     F32 output, same shape as logp
     * @param gradRatio optional F32 output: {@code ∂ρ/∂logp}
     * @param logRatioClamp the clamp {@code c > 0}; infinity disables it
     */
    public void ratio(Tensor logp, Tensor oldLogp, Tensor mask, Tensor ratio, Tensor gradRatio,
                      double logRatioClamp) {
        long[] shape = args.tensor("logp", logp, DType.F32).shape();
        args.f32("oldLogp", oldLogp, shape);
        args.optionalMask("mask", mask, shape);
        args.f32("ratio", ratio, shape);
        args.optionalF32("gradRatio", gradRatio, shape);
        Args.positive("logRatioClamp", logRatioClamp, true);
        ops.ratio(logp, oldLogp, mask, ratio, gradRatio, logRatioClamp);
    }

    /**
     * The PPO clipped surrogate with dual clip, aggregated, with its gradient. Per token, with
     * {@code ρ = exp(clamp(logp - old, ±clamp))}:
     * <pre>
     * l1 = -A·ρ,  l2 = -A·clip(ρ, 1 - εlow, 1 + εhigh),  lc = max(l1, l2)
     * l  = A &lt; 0 ? min(lc, -A·c) : lc
     * ∂l/∂logp = -A·ρ if (A &gt;= 0 and ρ &lt;= 1 + εhigh) or (A &lt; 0 and 1 - εlow &lt;= ρ &lt;= c), else 0
     *            (and 0 where the log-ratio clamp is active)
     * </pre>
     * then {@code L = aggregate(l)} and {@code gradLogp = ∂L/∂logp}.
     *
     * @param logp       F32 {@code [B, T]} current policy log-probs
     * @param oldLogp    F32 {@code [B, T]} behaviour policy log-probs
     * @param advantages F32 {@code [B, T]}
     * @param mask       optional BOOL {@code [B, T]}
     * @param gradLogp   optional F32 output {@code [B, T]}: {@code ∂L/∂logp}
     */
    public PpoResult ppoLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                             PpoOptions options) {
        long[] shape = args.batchTime("logp", logp);
        args.f32("oldLogp", oldLogp, shape);
        args.f32("advantages", advantages, shape);
        args.optionalMask("mask", mask, shape);
        args.optionalF32("gradLogp", gradLogp, shape);
        Args.notNull("options", options);
        return ops.ppoLoss(logp, oldLogp, advantages, mask, gradLogp, shape[0], shape[1], options);
    }

    /**
     * Per-token KL estimate of KL(π_θ ‖ π_ref) (see {@link KlEstimator}) and its derivative with
     * respect to {@code logp}.
     *
     * @param kl     F32 output, same shape as logp
     * @param gradKl optional F32 output: {@code ∂kl/∂logp}
     */
    public void kl(Tensor logp, Tensor refLogp, Tensor mask, Tensor kl, Tensor gradKl, KlOptions options) {
        long[] shape = args.tensor("logp", logp, DType.F32).shape();
        args.f32("refLogp", refLogp, shape);
        args.optionalMask("mask", mask, shape);
        args.f32("kl", kl, shape);
        args.optionalF32("gradKl", gradKl, shape);
        Args.notNull("options", options);
        ops.kl(logp, refLogp, mask, kl, gradKl, options);
    }

    /**
     * PRIME's implicit process reward {@code r = β·(logp - ref)·m} (its derivative with respect to
     * logp is the constant {@code β·m}).
     *
     * @param beta finite
     */
    public void implicitReward(Tensor logp, Tensor refLogp, Tensor mask, Tensor reward, double beta) {
        long[] shape = args.tensor("logp", logp, DType.F32).shape();
        args.f32("refLogp", refLogp, shape);
        args.optionalMask("mask", mask, shape);
        args.f32("reward", reward, shape);
        Args.finite("beta", beta);
        ops.implicitReward(logp, refLogp, mask, reward, beta);
    }

    /**
     * Masked sums per row: {@code sums[b] = Σ_t m[b,t]·values[b,t]} (a sequence log-prob from
     * token log-probs).
     *
     * @param values F32 {@code [B, T]}
     * @param sums   F32 output {@code [B]}
     */
    public void sequenceSum(Tensor values, Tensor mask, Tensor sums) {
        long[] shape = args.batchTime("values", values);
        args.optionalMask("mask", mask, shape);
        args.f32("sums", sums, shape[0]);
        ops.sequenceSum(values, mask, sums, shape[0], shape[1]);
    }

    /**
     * Backward of {@link #sequenceSum}: {@code gradValues[b,t] = gradSums[b]·m[b,t]}.
     *
     * @param gradSums   F32 {@code [B]}
     * @param gradValues F32 output {@code [B, T]}
     */
    public void sequenceSumBackward(Tensor gradSums, Tensor mask, Tensor gradValues) {
        long[] shape = args.batchTime("gradValues", gradValues);
        args.f32("gradSums", gradSums, shape[0]);
        args.optionalMask("mask", mask, shape);
        ops.sequenceSumBackward(gradSums, mask, gradValues, shape[0], shape[1]);
    }

    /**
     * Aggregates per-token values into one scalar (see {@link Aggregation}).
     *
     * @param values F32 {@code [B, T]}
     */
    public AggregateResult aggregate(Tensor values, Tensor mask, Aggregation aggregation) {
        long[] shape = args.batchTime("values", values);
        args.optionalMask("mask", mask, shape);
        Args.notNull("aggregation", aggregation);
        return ops.aggregate(values, mask, shape[0], shape[1], aggregation);
    }

    /**
     * Backward of {@link #aggregate}: {@code gradValues[b,t] = gradLoss·∂L/∂values[b,t]}, which is
     * {@code gradLoss·m/D} (or {@code gradLoss·m/(L_b·D)} for {@code SEQ_MEAN_TOKEN_MEAN}); all zero
     * when the denominator is 0.
     *
     * @param gradValues F32 output {@code [B, T]}
     */
    public void aggregateBackward(Tensor mask, Aggregation aggregation, double gradLoss, Tensor gradValues) {
        long[] shape = args.batchTime("gradValues", gradValues);
        args.optionalMask("mask", mask, shape);
        Args.notNull("aggregation", aggregation);
        Args.finite("gradLoss", gradLoss);
        ops.aggregateBackward(mask, gradLoss, gradValues, shape[0], shape[1], aggregation);
    }
}
