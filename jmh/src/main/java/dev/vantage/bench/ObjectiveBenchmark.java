package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;

/**
 * The sequence objectives, each its loss and gradient in one call, on every backend (see
 * {@link ObjectiveWorkload}); methodology in {@link Timed}. Size: 256 responses of up to 4096
 * tokens, a preference or RL batch of a 7B run.
 */
public class ObjectiveBenchmark extends KernelBenchmark {
    @Param({"256x4096"})
    public String shape;

    private ObjectiveWorkload w;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        w = prepare(new ObjectiveWorkload(Map.of("shape", shape)), params);
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
