package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

/**
 * One row of a per-token loss over {@code [B, T]} that reads the policy's log-probs, a reference
 * log-prob (PPO's behaviour policy, APA's initial policy) and advantages under a mask, and writes
 * {@code ∂L/∂logp}: the views of row b and its aggregation weight {@code ∂L/∂l}. A chunk of rows
 * owns one instance; {@link #load} moves it to a row, {@link #commit} writes the gradient out.
 */
final class TokenLossRow {
    final FloatIn logp = new FloatIn();
    final FloatIn reference = new FloatIn();
    final FloatIn advantages = new FloatIn();
    final MaskIn mask = new MaskIn(true);
    /** Null when no gradient is asked for. */
    final FloatOut grad;
    /** The aggregation weight of this row's valid tokens (0 without a gradient). */
    double weight;

    private final Tensor logpTensor;
    private final Tensor referenceTensor;
    private final Tensor advantageTensor;
    private final Tensor maskTensor;
    private final Tensor gradTensor;
    private final TokenAggregation weights;
    private final int time;

    TokenLossRow(Tensor logp, Tensor reference, Tensor advantages, Tensor mask, Tensor grad,
                 TokenAggregation weights, long time) {
        this.logpTensor = logp;
        this.referenceTensor = reference;
        this.advantageTensor = advantages;
        this.maskTensor = mask;
        this.gradTensor = grad;
        this.weights = weights;
        this.time = (int) time;
        this.grad = grad == null ? null : new FloatOut();
    }

    TokenLossRow load(long b) {
        long base = b * time;
        logp.load(logpTensor, base, time);
        reference.load(referenceTensor, base, time);
        advantages.load(advantageTensor, base, time);
        mask.load(maskTensor, base, time);
        if (grad != null) {
            grad.begin(gradTensor, base, time);
            weight = weights.rowWeight(mask, time);
        }
        return this;
    }

    boolean valid(int t) {
        return mask.a[mask.off + t] != 0;
    }

    /** Writes the gradient of token t (when one is asked for). */
    void gradient(int t, double value) {
        if (grad != null) {
            grad.a[grad.off + t] = (float) value;
        }
    }

    void commit() {
        if (grad != null) {
            grad.commit();
        }
    }
}
