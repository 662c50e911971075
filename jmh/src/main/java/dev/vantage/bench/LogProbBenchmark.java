package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Vantage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fused log-softmax, gather and entropy of {@code [N, V]} logits, and its backward, on every
 * backend (see {@link LogProbWorkload}).
 *
 * <p>Methodology: average time of one call on one JMH thread (the backend uses its own threads);
 * each backend and size in a fresh JVM, so one backend's JIT profile cannot slow another; inputs
 * from {@link Workload#BENCH_SEED}, generated once per trial; before any timing the kernel's output
 * is compared with the float64 oracle, and a wrong kernel fails the trial instead of printing a time.
 * Outputs go to preallocated arrays, which the kernel must write, so nothing can be dead-code
 * eliminated.
 *
 * <p>Run alone: {@code java -jar jmh/target/benchmarks.jar LogProbBenchmark -p shape=8192x151936
 * -jvmArgs -Xmx16g}; the sizes of issue 5 are N ∈ {512, 2048, 8192} × V ∈ {32000, 151936}
 * ({@code Report --full}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = Forks.HEAP, jvmArgsAppend = {Forks.NATIVE_ACCESS, Forks.VECTOR})
@State(Scope.Benchmark)
public class LogProbBenchmark {
    @Param({"java"})
    public String backend;

    @Param({"2048x32000", "256x151936"})
    public String shape;

    @Param({"F32", "BF16"})
    public String dtype;

    private Backend be;
    private LogProbWorkload w;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        be = Vantage.backend(backend);
        w = new LogProbWorkload(Map.of("shape", shape, "dtype", dtype));
        w.generate(Workload.BENCH_SEED);
        String benchmark = params.getBenchmark();
        w.check(be, benchmark.substring(benchmark.lastIndexOf('.') + 1)).require();
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
