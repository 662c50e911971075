package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The sequence objectives, each its loss and gradient in one call, on every backend (see
 * {@link ObjectiveWorkload}); methodology in {@link Timed}. Size: 256 responses of up to 4096
 * tokens, a preference or RL batch of a 7B run.
 */
public class ObjectiveBenchmark extends KernelBenchmark<ObjectiveWorkload> {
    @Param({"256x4096"})
    public String shape;

    @Override
    protected ObjectiveWorkload workload() {
        return new ObjectiveWorkload(Map.of("shape", shape));
    }

    @Benchmark
    public void dpo() {
        w.run(be, "dpo");
    }

    @Benchmark
    public void kto() {
        w.run(be, "kto");
    }

    @Benchmark
    public void apa() {
        w.run(be, "apa");
    }

    @Benchmark
    public void alol() {
        w.run(be, "alol");
    }

    @Benchmark
    public void prime() {
        w.run(be, "prime");
    }
}
