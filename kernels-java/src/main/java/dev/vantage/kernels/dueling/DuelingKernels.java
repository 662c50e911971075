package dev.vantage.kernels.dueling;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.spi.DuelingOps;

import java.util.Arrays;

/**
 * Dueling-head aggregation {@code Q = V + A - agg(A)} ({@code kernel-math.md} §10), with an
 * optional atom axis for distributional heads (the aggregation is per atom) and an optional
 * invalid-action mask.
 *
 * <p>Invalid actions (mask false) are left out of the mean and the max, get {@code Q = -inf} (so
 * a greedy or max over Q never picks them), and receive no gradient. A row with no valid action
 * gets {@code Q = -inf} everywhere and zero gradients. The max mode breaks ties towards the lowest
 * action index; a NaN advantage among the valid actions makes the whole row (with atoms: that
 * atom of every action) NaN in the max and mean modes. In the max mode a NaN counts as the maximum,
 * as in PyTorch, so the backward's argmax is the first valid NaN.
 */
public final class DuelingKernels {
    private final DuelingOps ops;
    private final Args args;

    /** Used by {@link dev.vantage.kernels.Backend}; users get an instance from a backend. */
    public DuelingKernels(DuelingOps ops, Args args) {
        this.ops = ops;
        this.args = args;
    }

    /**
     * @param value      F32 {@code [B]} (or {@code [B, Z]} with atoms)
     * @param advantage  F32 {@code [B, A]} (or {@code [B, A, Z]})
     * @param actionMask optional BOOL {@code [B, A]}: true for valid actions
     * @param q          F32 output, shape of advantage
     */
    public void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, DuelingMode mode) {
        long[] dims = dims(advantage);
        args.f32("value", value, valueShape(dims));
        args.optionalMask("actionMask", actionMask, dims[0], dims[1]);
        args.f32("q", q, advantage.shape());
        Args.notNull("mode", mode);
        ops.forward(value, advantage, actionMask, q, dims[0], dims[1], dims[2], mode);
    }

    /**
     * Gradients from {@code gradQ = ∂L/∂Q}: {@code ∂L/∂V = Σ_a gradQ_a} and
     * {@code ∂L/∂A_b = gradQ_b - Σ_a gradQ_a · w_b} with {@code w} = 0 (naive), the one-hot of the
     * argmax (max) or {@code 1/|valid|} (mean), sums over valid actions only.
     *
     * @param advantage     F32, the forward's advantage (the max mode needs its argmax)
     * @param gradQ         F32, shape of advantage
     * @param gradValue     F32 output, shape of the value
     * @param gradAdvantage F32 output, shape of advantage
     */
    public void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                         DuelingMode mode) {
        long[] dims = dims(advantage);
        args.optionalMask("actionMask", actionMask, dims[0], dims[1]);
        args.f32("gradQ", gradQ, advantage.shape());
        args.f32("gradValue", gradValue, valueShape(dims));
        args.f32("gradAdvantage", gradAdvantage, advantage.shape());
        Args.notNull("mode", mode);
        ops.backward(advantage, actionMask, gradQ, gradValue, gradAdvantage, dims[0], dims[1], dims[2], mode);
    }

    /** {batch, actions, atoms (1 without an atom axis), rank of the advantage}. */
    private long[] dims(Tensor advantage) {
        args.tensor("advantage", advantage, DType.F32);
        if (advantage.rank() != 2 && advantage.rank() != 3) {
            throw new IllegalArgumentException("advantage: expected rank 2 [B, A] or 3 [B, A, Z], got shape "
                    + Arrays.toString(advantage.shape()));
        }
        if (advantage.dim(1) < 1) {
            throw new IllegalArgumentException("advantage: expected at least one action, got shape "
                    + Arrays.toString(advantage.shape()));
        }
        return new long[] {advantage.dim(0), advantage.dim(1), advantage.rank() == 3 ? advantage.dim(2) : 1,
                advantage.rank()};
    }

    private static long[] valueShape(long[] dims) {
        return dims[3] == 3 ? new long[] {dims[0], dims[2]} : new long[] {dims[0]};
    }
}
