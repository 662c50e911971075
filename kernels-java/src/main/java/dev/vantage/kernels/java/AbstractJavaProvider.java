package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.spi.AdvantageOps;
import dev.vantage.kernels.spi.BackendProvider;
import dev.vantage.kernels.spi.DuelingOps;
import dev.vantage.kernels.spi.LogProbOps;
import dev.vantage.kernels.spi.LossOps;
import dev.vantage.kernels.spi.ObjectiveOps;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What the two Java providers share: the thread setting, one pool and the family ops over the
 * provider's {@link RowLoops}. The ops are built on first use, so that a provider that cannot run
 * here never loads its loops (for {@code java-simd}: never touches {@code jdk.incubator.vector}).
 */
abstract class AbstractJavaProvider implements BackendProvider {
    private final int threads;
    private volatile Families families;

    AbstractJavaProvider(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected a value >= 1, got " + threads);
        }
        this.threads = threads;
    }

    /** The pool size from {@value JavaBackendProvider#THREADS_PROPERTY}, by default the processor count. */
    static int configuredThreads() {
        String value = System.getProperty(JavaBackendProvider.THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(JavaBackendProvider.THREADS_PROPERTY
                    + ": expected a positive integer, got '" + value + "'", e);
        }
    }

    /** The inner loops the family ops run on; called once, and only when the provider is available. */
    abstract RowLoops rowLoops();

    @Override
    public Set<Tensor.Memory> memories() {
        return EnumSet.of(Tensor.Memory.HEAP, Tensor.Memory.BUFFER);
    }

    @Override
    public List<String> details() {
        return List.of("threads: " + threads + " (" + JavaBackendProvider.THREADS_PROPERTY + ")");
    }

    @Override
    public LogProbOps logprob() {
        return families().logprob;
    }

    @Override
    public AdvantageOps advantage() {
        return families().advantage;
    }

    @Override
    public DuelingOps dueling() {
        return families().dueling;
    }

    @Override
    public LossOps loss() {
        return families().loss;
    }

    @Override
    public ObjectiveOps objective() {
        return families().objective;
    }

    private Families families() {
        Families f = families;
        if (f == null) {
            synchronized (this) {
                f = families;
                if (f == null) {
                    f = new Families(new Parallel(threads), rowLoops());
                    families = f;
                }
            }
        }
        return f;
    }

    /** The family ops over one pool and one set of loops. */
    private static final class Families {
        final JavaLogProbOps logprob;
        final JavaAdvantageOps advantage;
        final JavaDuelingOps dueling;
        final JavaLossOps loss;
        final JavaObjectiveOps objective;

        Families(Parallel parallel, RowLoops loops) {
            this.logprob = new JavaLogProbOps(parallel, loops);
            this.advantage = new JavaAdvantageOps(parallel, loops);
            this.dueling = new JavaDuelingOps(parallel, loops);
            this.loss = new JavaLossOps(parallel, loops);
            this.objective = new JavaObjectiveOps(parallel);
        }
    }
}
