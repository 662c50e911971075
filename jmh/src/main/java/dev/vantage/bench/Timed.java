package dev.vantage.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * The methodology of every benchmark, which JMH reads from this superclass: the average time of one
 * call on one JMH thread (kernels and anchors use their own threads); each benchmark, backend and
 * size in a fresh JVM, so that one implementation's JIT profile cannot slow another; inputs from
 * {@link Workload#BENCH_SEED}, generated once per trial; before any timing the output is compared
 * with the float64 oracle, and a wrong result fails the trial instead of printing a time. Outputs go
 * to preallocated arrays (device buffers for the cuda backend: see {@link Placement}) that the timed
 * code must write, so nothing can be dead-code eliminated.
 * The report shortens the iterations in its quick mode.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = Forks.HEAP, jvmArgsAppend = {Forks.NATIVE_ACCESS, Forks.VECTOR})
@State(Scope.Benchmark)
public abstract class Timed {
    /** The {@code @Benchmark} method a trial runs. */
    static String method(BenchmarkParams params) {
        String benchmark = params.getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Why a trial does not run, as the report shows it (a failure whose message starts "skipped"). */
    static IllegalStateException skip(String reason) {
        return new IllegalStateException("skipped: " + reason);
    }
}
