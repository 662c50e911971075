package dev.vantage.bench;

import dev.vantage.kernels.dueling.DuelingMode;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;

/**
 * Anchors for {@link DuelingBenchmark} in libtorch, the head as tensor ops, on the same inputs:
 * <ul>
 *   <li>{@code forward}: {@code V.unsqueeze(1) + A - A.mean(1, keepdim=True)} (or
 *       {@code A.max(1, keepdim=True).values}), on tensors autograd does not track;</li>
 *   <li>{@code backward}: autograd's gradients of V and A from {@code gradQ}
 *       ({@code torch.autograd.grad(Q, (V, A), gradQ, retain_graph=True)}) through a graph built
 *       once in the setup, so only the backward pass is timed.</li>
 * </ul>
 * Each call's temporaries are freed at its end. Methodology in {@link Timed}; the outputs are
 * checked against the oracle.
 */
@SuppressWarnings("try") // a PointerScope frees what is allocated while it is open; nothing refers to it
public class DuelingTorch extends Timed {
    @Param({"65536x18"})
    public String shape;

    @Param({"MEAN", "MAX"})
    public String mode;

    private DuelingWorkload w;
    private Tensor value;
    private Tensor advantage;
    private Tensor valueLeaf;
    private Tensor advantageLeaf;
    private Tensor q;
    private Tensor gradQ;

    @Setup(Level.Trial)
    public void setUp() {
        Torch.threads();
        w = new DuelingWorkload(Map.of("shape", shape, "mode", mode));
        w.generate(Workload.BENCH_SEED);
        value = Torch.floats(w.valueArray, w.rows);
        advantage = Torch.floats(w.advArray, w.rows, w.actions);
        gradQ = Torch.floats(w.gradQArray, w.rows, w.actions);
        valueLeaf = Torch.leaf(w.valueArray, w.rows);
        advantageLeaf = Torch.leaf(w.advArray, w.rows, w.actions);
        q = head(valueLeaf, advantageLeaf);
        int n = w.rows * w.actions;
        try (PointerScope scope = new PointerScope()) {
            w.checkForward("libtorch forward " + w.label(), Torch.array(head(value, advantage), n)).require();
            Tensor[] grads = Torch.grad(q, gradQ, true, valueLeaf, advantageLeaf);
            w.checkBackward("libtorch backward " + w.label(), Torch.array(grads[0], w.rows), Torch.array(grads[1], n))
                    .require();
        }
    }

    @Benchmark
    public float forward() {
        try (PointerScope scope = new PointerScope()) {
            return head(value, advantage).data_ptr_float().get();
        }
    }

    @Benchmark
    public float backward() {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] grads = Torch.grad(q, gradQ, true, valueLeaf, advantageLeaf);
            return grads[0].data_ptr_float().get() + grads[1].data_ptr_float().get();
        }
    }

    private Tensor head(Tensor v, Tensor a) {
        Tensor aggregate = w.mode == DuelingMode.MAX ? a.max(1, true).get0() : a.mean(new long[] {1}, true, new ScalarTypeOptional());
        return v.unsqueeze(1).add(a).sub(aggregate);
    }
}
