package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.Vantage;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A family's kernels on every backend: the {@code backend} {@code @Param} and the trial setup every
 * kernel benchmark shares. Subclasses add their size {@code @Param}s, build their workload from
 * them, and have one {@code @Benchmark} per kernel, named as in {@link Registry}.
 *
 * @param <W> the family's workload
 */
public abstract class KernelBenchmark<W extends Workload> extends Timed {
    /**
     * Every backend the project has. One that cannot run in the fork (not built, or its guards
     * failed) skips its trials with the reason; the report passes only those available.
     */
    @Param({"java", "java-simd", "cuda"})
    public String backend;

    protected Backend be;
    protected W w;

    /** The workload of this trial's size, from the subclass's size {@code @Param}s. */
    protected abstract W workload();

    /**
     * Opens the backend, generates the workload's inputs (on the GPU for the cuda backend: see
     * {@link Placement}) and checks the kernel this trial times against the oracle; throws (failing
     * the trial) if it disagrees.
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        be = open(backend);
        w = workload();
        w.generate(Workload.BENCH_SEED, Placement.of(be));
        w.check(be, method(params)).require(); // the method is named after its kernel
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (w != null) {
            w.close();
        }
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
