package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The fused log-softmax, gather and entropy of {@code [N, V]} logits, and its backward, on every
 * backend (see {@link LogProbWorkload}); methodology in {@link Timed}.
 *
 * <p>Run alone: {@code java -jar jmh/target/benchmarks.jar LogProbBenchmark -p shape=8192x151936
 * -jvmArgs -Xmx16g}; the sizes of issue 5 are N ∈ {512, 2048, 8192} × V ∈ {32000, 151936}
 * ({@code Report --full}).
 */
public class LogProbBenchmark extends KernelBenchmark<LogProbWorkload> {
    @Param({"2048x32000", "256x151936"})
    public String shape;

    @Param({"F32", "BF16"})
    public String dtype;

    @Override
    protected LogProbWorkload workload() {
        return new LogProbWorkload(Map.of("shape", shape, "dtype", dtype));
    }

    /** Minimal bytes: the logits and labels read, logp, entropy and lse written (N·V·s + 16·N). */
    @Benchmark
    public void forward() {
        be.logprob().forward(w.logits, w.labels, w.logp, w.entropy, w.lse, w.options);
    }

    /** Minimal bytes: the logits and five per-row vectors read, the gradient written (2·N·V·s + 20·N). */
    @Benchmark
    public void backward() {
        be.logprob().backward(w.logits, w.labels, w.lse, w.entropy, w.gradLogp, w.gradEntropy, w.gradLogits,
                w.options);
    }
}
