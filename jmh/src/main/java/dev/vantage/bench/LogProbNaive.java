package dev.vantage.bench;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * Anchor for {@link LogProbBenchmark#forward}: the textbook version in plain Java. It decodes the
 * logits to float (as {@code logits.float()} would), materialises the {@code [N, V]} log-softmax,
 * gathers the label's entry, then makes a second pass over the log-softmax for the entropy. Rows run
 * in parallel on the common pool, as the kernel's do, so that the ratio shows the gain of fusion and
 * not of threads. Buffers are allocated once, which is kinder to it than a real textbook loop.
 *
 * <p>Methodology in {@link Timed}; its output is checked against the oracle too.
 */
public class LogProbNaive extends Timed {
    @Param({"2048x32000", "256x151936"})
    public String shape;

    @Param({"F32", "BF16"})
    public String dtype;

    private LogProbWorkload w;
    private float[] decoded;
    private float[] logSoftmax;
    private float[] logp;
    private float[] entropy;

    @Setup(Level.Trial)
    public void setUp() {
        w = new LogProbWorkload(Map.of("shape", shape, "dtype", dtype));
        w.generate(Workload.BENCH_SEED);
        int n = w.rows * w.vocab;
        decoded = w.dtype == DType.F32 ? null : new float[n];
        logSoftmax = new float[n];
        logp = new float[w.rows];
        entropy = new float[w.rows];
        forward();
        w.checkForward("naive forward " + w.label(), logp, entropy, null).require();
    }

    @Benchmark
    public void forward() {
        int v = w.vocab;
        double scale = 1 / w.options.temperature();
        float[] z = w.logitsF32;
        if (decoded != null) {
            IntStream.range(0, w.rows).parallel().forEach(r -> {
                for (int j = r * v; j < (r + 1) * v; j++) {
                    decoded[j] = HalfFloats.bf16ToFloat(w.logitsBf16[j]);
                }
            });
            z = decoded;
        }
        float[] x = z;
        // Pass 1: log_softmax, materialised.
        IntStream.range(0, w.rows).parallel().forEach(r -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = r * v; j < (r + 1) * v; j++) {
                max = Math.max(max, x[j] * scale);
            }
            double sum = 0;
            for (int j = r * v; j < (r + 1) * v; j++) {
                sum += Math.exp(x[j] * scale - max);
            }
            double lse = max + Math.log(sum);
            for (int j = r * v; j < (r + 1) * v; j++) {
                logSoftmax[j] = (float) (x[j] * scale - lse);
            }
        });
        // Gather.
        for (int r = 0; r < w.rows; r++) {
            int y = w.labelArray[r];
            logp[r] = y == w.options.ignoreIndex() ? 0 : logSoftmax[r * v + y];
        }
        // Pass 2: entropy = -Σ p·log p from the materialised log-softmax.
        IntStream.range(0, w.rows).parallel().forEach(r -> {
            double h = 0;
            for (int j = r * v; j < (r + 1) * v; j++) {
                double lp = logSoftmax[j];
                h -= Math.exp(lp) * lp;
            }
            entropy[r] = (float) h;
        });
    }
}
