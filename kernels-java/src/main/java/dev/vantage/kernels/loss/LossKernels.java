package dev.vantage.kernels.loss;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.spi.LossOps;


/**
 * Losses with their gradients in one call: the comp-sum family Φ^τ on logits (Mao, Mohri and
 * Zhong 2023) and the fourteen regression losses ({@code kernel-math.md} §11 and §12).
 * Outputs are caller-provided and overwritten; every argument is checked before any is written.
 */
public final class LossKernels {
    private final LossOps ops;
    private final Args args;

    /** Used by {@link dev.vantage.kernels.Backend}; users get an instance from a backend. */
    public LossKernels(LossOps ops, Args args) {
        this.ops = ops;
        this.args = args;
    }

    /**
     * Comp-sum loss of each row and its gradient, fused: the logits are read once for the softmax
     * statistics and once more to write the gradient. With {@code lp = log softmax(h)[y]}:
     * <pre>
     * l^τ = -lp·φ((τ-1)·lp),  φ(t) = expm1(t)/t  (φ(0) = 1)        -- for every τ >= 0
     * ∂l^τ/∂h_k = p_y^(τ-1)·(p_k - 1{k=y})
     * </pre>
     * With label smoothing ε the row loss is {@code Σ_k q_k·l^τ(k)}, {@code q = (1-ε)·onehot(y) + ε/C}
     * (PyTorch's definition at τ = 1). Rows labelled with the ignore index have loss 0, gradient 0
     * and are left out of the mean; with no other row the value is 0 and the result is flagged
     * degenerate, whatever the reduction. A label logit of {@code -inf} gives {@code +inf} for τ ≤ 1
     * and {@code 1/(τ-1)} (zero gradient) for τ > 1; other {@code -inf} logits are vocabulary masks
     * with zero gradient, except that label smoothing makes every class a target, so with smoothing
     * they give {@code +inf} for τ ≤ 1. Below τ = 1 a confident wrong prediction overflows to
     * {@code +inf} (loss and gradient), which is propagated, not clamped. Rows with a NaN or
     * {@code +inf} logit, or no finite one, give NaN.
     *
     * @param logits     {@code [..., C]} F32, BF16 or F16
     * @param labels     I32, shape {@code logits.shape[:-1]}
     * @param loss       optional F32 output, shape of labels: each row's (unreduced) loss
     * @param gradLogits optional output, shape of logits, F32, BF16 or F16: gradient of the reduced
     *                   loss times {@code gradScale}; may be {@code logits} itself (in place)
     */
    public LossResult compSum(Tensor logits, Tensor labels, Tensor loss, Tensor gradLogits, CompSumOptions options) {
        long[] rowShape = args.logitRows("logits", logits);
        args.tensor("labels", labels, DType.I32);
        Args.shape("labels", labels, rowShape);
        args.optionalF32("loss", loss, rowShape);
        args.optional("gradLogits", gradLogits, Args.FLOATING);
        Args.shape("gradLogits", gradLogits, logits.shape());
        Args.notNull("options", options);
        return ops.compSum(logits, labels, loss, gradLogits, labels.numel(), logits.dim(-1), options);
    }

    /**
     * A regression loss (see {@link RegressionLoss}) over the valid elements, and its gradient with
     * respect to the prediction. Masked-out elements get loss 0 and gradient 0 and do not enter any
     * sum or statistic (NaN there is ignored; NaN in a valid element propagates). With no valid
     * element the loss and gradient are 0, flagged degenerate, whatever the reduction.
     *
     * @param target         F32, any shape
     * @param prediction     F32, same shape
     * @param mask           optional BOOL, same shape
     * @param loss           optional F32 output, same shape: per-element losses (elementwise kinds only)
     * @param gradPrediction optional F32 output, same shape: gradient of the reduced loss times {@code gradScale}
     */
    public LossResult regression(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                                 Tensor gradPrediction, RegressionOptions options) {
        Args.notNull("kind", kind);
        long[] shape = args.tensor("target", target, DType.F32).shape();
        args.f32("prediction", prediction, shape);
        args.optionalMask("mask", mask, shape);
        args.optionalF32("loss", loss, shape);
        args.optionalF32("gradPrediction", gradPrediction, shape);
        Args.notNull("options", options);
        if (!kind.elementwise()) {
            if (options.reduction() != Reduction.MEAN) {
                throw new IllegalArgumentException("reduction: " + kind + " is defined on the whole set and takes MEAN, got "
                        + options.reduction());
            }
            if (loss != null) {
                throw new IllegalArgumentException("loss: " + kind + " has no per-element loss; pass null");
            }
        }
        return ops.regression(kind, target, prediction, mask, loss, gradPrediction, options);
    }
}
