package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The advantage estimators on a right-padded {@code [B, T]} batch, on every backend (see
 * {@link AdvantageWorkload} for the kernels and their minimal bytes); methodology in {@link Timed}.
 * The sizes of issue 5: 64×32768 (few long rollouts), 1024×1024 and 4096×256 (many short ones).
 */
public class AdvantageBenchmark extends KernelBenchmark<AdvantageWorkload> {
    @Param({"1024x1024"})
    public String shape;

    @Override
    protected AdvantageWorkload workload() {
        return new AdvantageWorkload(Map.of("shape", shape));
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
    public void broadcast() {
        w.run(be, "broadcast");
    }

    @Benchmark
    public void whiten() {
        w.run(be, "whiten");
    }

    @Benchmark
    public void reinforce() {
        w.run(be, "reinforce");
    }

    @Benchmark
    public void prime() {
        w.run(be, "prime");
    }
}
