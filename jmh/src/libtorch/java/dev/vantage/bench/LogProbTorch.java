package dev.vantage.bench;

import dev.vantage.kernels.DType;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Map;

/**
 * Anchors for {@link LogProbBenchmark#forward} in libtorch, through the JavaCPP PyTorch presets
 * (Maven profile {@code libtorch}), on the same logits copied once into native memory:
 * <ul>
 *   <li>{@code logSoftmaxGatherEntropy}: what RL trainers write,
 *       {@code lsm = log_softmax(x, -1, float); logp = lsm.gather(-1, y); H = -(lsm.exp() * lsm).sum(-1)};</li>
 *   <li>{@code logSoftmaxGatherOut}: log_softmax and gather alone, into preallocated outputs
 *       ({@code log_softmax_out}, {@code gather_out}): libtorch's best case, without the entropy.</li>
 * </ul>
 * BF16 logits are read as BF16 and reduced in float ({@code dtype=float}), as the kernel does.
 * libtorch uses as many threads as the JVM sees processors. Each call's temporaries are freed
 * at the end of the call ({@link PointerScope}). Methodology in {@link Timed}; both
 * outputs are checked against the oracle.
 */
@SuppressWarnings("try") // a PointerScope frees what is allocated while it is open; nothing refers to it
public class LogProbTorch extends Timed {
    @Param({"2048x32000", "256x151936"})
    public String shape;

    @Param({"F32", "BF16"})
    public String dtype;

    private Pointer logitMemory;
    private Tensor logits;
    private Tensor index;
    private Tensor lsmOut;
    private Tensor logpOut;
    private final ScalarTypeOptional asFloat = new ScalarTypeOptional(ScalarType.Float);

    @Setup(Level.Trial)
    public void setUp() {
        LogProbWorkload w = new LogProbWorkload(Map.of("shape", shape, "dtype", dtype));
        // The textbook chain holds the logits and three [N, V] float temporaries (lsm, exp, product).
        Torch.requireMemory(4 * 4L * w.rows * w.vocab, w.label());
        Torch.threads();
        w.generate(Workload.BENCH_SEED);
        long[] shape2d = {w.rows, w.vocab};
        if (w.dtype == DType.F32) {
            logitMemory = new FloatPointer(w.logitsF32);
            logits = torch.from_blob(logitMemory, shape2d, new TensorOptions(ScalarType.Float));
        } else {
            logitMemory = new ShortPointer(w.logitsBf16);
            logits = torch.from_blob(logitMemory, shape2d, new TensorOptions(ScalarType.BFloat16));
        }
        index = Torch.longs(w.labelArray, w.rows, 1);
        lsmOut = torch.empty(shape2d, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
        logpOut = torch.empty(new long[] {w.rows, 1}, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());

        float[] logp = new float[w.rows];
        float[] entropy = new float[w.rows];
        try (PointerScope scope = new PointerScope()) {
            Tensor[] out = logSoftmaxGatherEntropy(logits, index);
            out[0].data_ptr_float().get(logp);
            out[1].data_ptr_float().get(entropy);
        }
        w.checkForward("libtorch lsm+gather+H " + w.label(), logp, entropy, null).require();
        logSoftmaxGatherOut();
        logpOut.data_ptr_float().get(logp);
        w.checkForward("libtorch lsm+gather (out) " + w.label(), logp, null, null).require();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        logitMemory.close();
    }

    /** Minimal bytes as {@link LogProbBenchmark#forward}; libtorch moves about seven times more. */
    @Benchmark
    public float logSoftmaxGatherEntropy() {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] out = logSoftmaxGatherEntropy(logits, index);
            return out[0].data_ptr_float().get() + out[1].data_ptr_float().get();
        }
    }

    /** log_softmax into a preallocated [N, V] float buffer, then gather into a preallocated [N, 1]. */
    @Benchmark
    public float logSoftmaxGatherOut() {
        try (PointerScope scope = new PointerScope()) {
            torch.log_softmax_out(lsmOut, logits, -1, asFloat);
            torch.gather_out(logpOut, lsmOut, -1, index);
            return logpOut.data_ptr_float().get();
        }
    }

    private Tensor[] logSoftmaxGatherEntropy(Tensor x, Tensor y) {
        Tensor lsm = torch.log_softmax(x, -1, asFloat);
        Tensor logp = lsm.gather(-1, y);
        Tensor entropy = lsm.exp().mul(lsm).sum(-1).neg();
        return new Tensor[] {logp, entropy};
    }
}
