package dev.vantage.bench;

import dev.vantage.kernels.dueling.DuelingMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * Anchor for {@link DuelingBenchmark#forward}: the head as two passes, the way it reads in a paper
 * or in tensor code: first the mean (or max) of every row into a {@code [B]} array, then
 * {@code Q = V + A - agg} over the whole batch. Float arithmetic; rows in parallel on the common
 * pool in both passes, as the kernel's are, so the ratio shows the gain of one pass, not of threads.
 * Methodology in {@link Timed}; checked against the oracle like the kernel.
 */
public class DuelingNaive extends Timed {
    @Param({"65536x18"})
    public String shape;

    @Param({"MEAN", "MAX"})
    public String mode;

    private DuelingWorkload w;
    private float[] aggregate;

    @Setup(Level.Trial)
    public void setUp() {
        w = new DuelingWorkload(Map.of("shape", shape, "mode", mode));
        w.generate(Workload.BENCH_SEED);
        aggregate = new float[w.rows];
        forward();
        w.checkForward("naive forward " + w.label(), w.qArray).require();
    }

    @Benchmark
    public void forward() {
        int actions = w.actions;
        float[] adv = w.advArray;
        boolean max = w.mode == DuelingMode.MAX;
        IntStream.range(0, w.rows).parallel().forEach(b -> {
            float agg = max ? Float.NEGATIVE_INFINITY : 0;
            for (int i = b * actions; i < (b + 1) * actions; i++) {
                agg = max ? Math.max(agg, adv[i]) : agg + adv[i];
            }
            aggregate[b] = max ? agg : agg / actions;
        });
        IntStream.range(0, w.rows).parallel().forEach(b -> {
            for (int i = b * actions; i < (b + 1) * actions; i++) {
                w.qArray[i] = w.valueArray[b] + adv[i] - aggregate[b];
            }
        });
    }
}
