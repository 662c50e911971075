package dev.vantage.bench;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;

/**
 * Anchor for {@link CompSumBenchmark#compSum} in libtorch: {@code cross_entropy} (mean over the
 * rows not ignored, ignore index -100) forward and backward, as a training step runs them:
 * {@code loss = F.cross_entropy(logits, labels); torch.autograd.grad(loss, logits)}. libtorch has
 * only τ = 1 of the family: the trials of other τ are skipped. Each call's temporaries (the graph,
 * the softmax it saves, the gradient) are freed at its end. Methodology in {@link Timed}; the loss
 * and gradient are checked against the oracle.
 */
@SuppressWarnings("try") // a PointerScope frees what is allocated while it is open; nothing refers to it
public class CompSumTorch extends Timed {
    @Param({"65536x1000"})
    public String shape;

    @Param({"1", "1.5"})
    public String tau;

    private CompSumWorkload w;
    private Tensor logits;
    private Tensor labels;

    @Setup(Level.Trial)
    public void setUp() {
        w = new CompSumWorkload(Map.of("shape", shape, "tau", tau));
        if (w.options.tau() != 1) {
            throw skip("libtorch's cross_entropy is the τ = 1 member of the family only");
        }
        // The logits, their gradient and the saved log-softmax.
        Torch.requireMemory(3 * 4L * w.rows * w.classes, w.label());
        Torch.threads();
        w.generate(Workload.BENCH_SEED);
        logits = Torch.leaf(w.logitArray, w.rows, w.classes);
        labels = Torch.longs(w.labelArray, w.rows);
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = loss();
            Tensor grad = Torch.grad(loss, null, false, logits)[0];
            w.check("libtorch cross_entropy " + w.label(), loss.item_double(), Torch.array(grad, w.rows * w.classes))
                    .require();
        }
    }

    @Benchmark
    public float crossEntropy() {
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = loss();
            return Torch.grad(loss, null, false, logits)[0].data_ptr_float().get() + loss.item_float();
        }
    }

    private Tensor loss() {
        return torch.cross_entropy_loss(logits, labels, new TensorOptional(), Torch.MEAN, w.options.ignoreIndex(), 0.0);
    }
}
