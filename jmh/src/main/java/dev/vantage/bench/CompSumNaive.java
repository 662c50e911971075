package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * Anchor for {@link CompSumBenchmark#compSum}: the textbook version in plain Java. It materialises
 * the {@code [N, C]} log-softmax (its log form, so that a far-off label does not underflow to a
 * probability of 0), takes each row's loss from its label's entry, then makes a second pass over
 * the log-softmax for the gradient {@code p_y^(τ-1)·(p_k - 1{k=y}) / count}. Rows run in parallel
 * on the common pool, as the kernel's do, so the ratio shows the gain of fusion, not of threads.
 * Methodology in {@link Timed}; checked against the oracle like the kernel.
 */
public class CompSumNaive extends Timed {
    @Param({"65536x1000"})
    public String shape;

    @Param({"1", "1.5"})
    public String tau;

    private CompSumWorkload w;
    private float[] logSoftmax;
    private double[] rowLoss;
    private double value;

    @Setup(Level.Trial)
    public void setUp() {
        w = new CompSumWorkload(Map.of("shape", shape, "tau", tau));
        w.generate(Workload.BENCH_SEED);
        logSoftmax = new float[w.rows * w.classes];
        rowLoss = new double[w.rows];
        compSum();
        w.check("naive compSum " + w.label(), value, w.gradArray).require();
    }

    @Benchmark
    public double compSum() {
        int c = w.classes;
        float[] x = w.logitArray;
        double t = w.options.tau() - 1;
        int ignore = w.options.ignoreIndex();
        // Pass 1: log_softmax, materialised.
        IntStream.range(0, w.rows).parallel().forEach(r -> {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = r * c; j < (r + 1) * c; j++) {
                max = Math.max(max, x[j]);
            }
            double sum = 0;
            for (int j = r * c; j < (r + 1) * c; j++) {
                sum += Math.exp(x[j] - max);
            }
            double lse = max + Math.log(sum);
            for (int j = r * c; j < (r + 1) * c; j++) {
                logSoftmax[j] = (float) (x[j] - lse);
            }
        });
        // Pass 2: each row's loss from its label's log-probability, then the mean.
        long count = 0;
        double total = 0;
        for (int r = 0; r < w.rows; r++) {
            int y = w.labelArray[r];
            double lp = y == ignore ? 0 : logSoftmax[r * c + y];
            rowLoss[r] = t == 0 ? -lp : -Math.expm1(t * lp) / t;
            total += rowLoss[r];
            count += y == ignore ? 0 : 1;
        }
        double scale = 1.0 / count;
        // Pass 3: the gradient of the mean from the materialised log-softmax.
        IntStream.range(0, w.rows).parallel().forEach(r -> {
            int y = w.labelArray[r];
            double weight = y == ignore ? 0 : Math.exp(t * logSoftmax[r * c + y]) * scale;
            for (int k = 0; k < c; k++) {
                int j = r * c + k;
                w.gradArray[j] = (float) (weight * (Math.exp(logSoftmax[j]) - (k == y ? 1 : 0)));
            }
        });
        value = total / count;
        return value;
    }
}
