package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The comp-sum loss and its gradient in one call, on every backend (see {@link CompSumWorkload});
 * methodology in {@link Timed}. The size of issue 5: 65536 rows of 1000 classes (an ImageNet-sized
 * head); τ = 1 (cross-entropy) and τ = 1.5 (a generalized cross-entropy, bounded).
 */
public class CompSumBenchmark extends KernelBenchmark<CompSumWorkload> {
    @Param({"65536x1000"})
    public String shape;

    @Param({"1", "1.5"})
    public String tau;

    @Override
    protected CompSumWorkload workload() {
        return new CompSumWorkload(Map.of("shape", shape, "tau", tau));
    }

    /** Minimal bytes: the logits and labels read, the gradient written (2·N·C·4 + 4·N). */
    @Benchmark
    public void compSum() {
        w.run(be, "compSum");
    }
}
