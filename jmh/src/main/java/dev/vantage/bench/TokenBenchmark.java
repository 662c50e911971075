package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The per-token kernels of the log-prob family (importance ratio, PPO, KL, implicit reward,
 * sequence sums, aggregation) on every backend (see {@link TokenWorkload}); methodology in
 * {@link Timed}. Size: 512 responses of up to 4096 tokens.
 */
public class TokenBenchmark extends KernelBenchmark<TokenWorkload> {
    @Param({"512x4096"})
    public String shape;

    @Override
    protected TokenWorkload workload() {
        return new TokenWorkload(Map.of("shape", shape));
    }

    @Benchmark
    public void ratio() {
        w.run(be, "ratio");
    }

    @Benchmark
    public void ppo() {
        w.run(be, "ppo");
    }

    @Benchmark
    public void kl() {
        w.run(be, "kl");
    }

    @Benchmark
    public void implicitReward() {
        w.run(be, "implicitReward");
    }

    @Benchmark
    public void sequenceSum() {
        w.run(be, "sequenceSum");
    }

    @Benchmark
    public void sequenceSumBackward() {
        w.run(be, "sequenceSumBackward");
    }

    @Benchmark
    public void aggregate() {
        w.run(be, "aggregate");
    }

    @Benchmark
    public void aggregateBackward() {
        w.run(be, "aggregateBackward");
    }
}
