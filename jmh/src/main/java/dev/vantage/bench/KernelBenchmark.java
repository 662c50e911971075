package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.Vantage;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A family's kernels on every backend: the {@code backend} {@code @Param} and the setup every
 * kernel benchmark shares. Subclasses add their size {@code @Param}s, one {@code @Benchmark} per
 * kernel named as in {@link Registry}, and a trial setup that calls {@link #prepare}.
 */
public abstract class KernelBenchmark extends Timed {
    /**
     * Every backend the project has. One that cannot run in the fork (not built, or its guards
     * failed) skips its trials with the reason; the report passes only those available.
     */
    @Param({"java", "java-simd"})
    public String backend;

    protected Backend be;

    /**
     * Opens the backend, generates the workload's inputs and checks the kernel this trial times
     * against the oracle; throws (failing the trial) if it disagrees.
     */
    protected <W extends Workload> W prepare(W workload, BenchmarkParams params) {
        be = open(backend);
        workload.generate(Workload.BENCH_SEED);
        workload.check(be, method(params)).require(); // the method is named after its kernel
        return workload;
    }

    /** The backend, or a skip that says why it cannot run in this JVM. */
    static Backend open(String name) {
        try {
            return Vantage.backend(name);
        } catch (BackendUnavailableException e) {
            throw skip(e.getMessage());
        }
    }
}
