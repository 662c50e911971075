package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;

/**
 * The advantage estimators on a right-padded {@code [B, T]} batch, on every backend (see
 * {@link AdvantageWorkload} for the kernels and their minimal bytes); methodology in {@link Timed}.
 * The sizes of issue 5: 64×32768 (few long rollouts), 1024×1024 and 4096×256 (many short ones).
 */
public class AdvantageBenchmark extends KernelBenchmark {
    @Param({"1024x1024"})
    public String shape;

    private AdvantageWorkload w;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        w = prepare(new AdvantageWorkload(Map.of("shape", shape)), params);
    }

    @Benchmark
    public void gae() {
        w.run(be, "gae");
    }

    @Benchmark
    public void returns() {
        w.run(be, "returns");
    }

    @Benchmark
    public void grpo() {
        w.run(be, "grpo");
    }

    @Benchmark
    public void rloo() {
        w.run(be, "rloo");
    }

    @Benchmark
    public void whiten() {
        w.run(be, "whiten");
    }
}
