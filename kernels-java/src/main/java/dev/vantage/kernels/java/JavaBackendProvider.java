package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.spi.AdvantageOps;
import dev.vantage.kernels.spi.Availability;
import dev.vantage.kernels.spi.BackendProvider;
import dev.vantage.kernels.spi.DuelingOps;
import dev.vantage.kernels.spi.LogProbOps;
import dev.vantage.kernels.spi.LossOps;
import dev.vantage.kernels.spi.ObjectiveOps;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The pure-Java backend: runs anywhere, reads heap arrays and NIO buffers, accumulates in double,
 * and processes rows in parallel on its own pool. Results do not depend on the number of threads.
 * The pool size comes from the system property {@value #THREADS_PROPERTY} (default: the number of
 * available processors).
 */
public final class JavaBackendProvider implements BackendProvider {
    public static final String THREADS_PROPERTY = "vantage.java.threads";

    private final Parallel parallel;
    private final JavaLogProbOps logprob;
    private final JavaAdvantageOps advantage;
    private final JavaDuelingOps dueling;
    private final JavaLossOps loss;
    private final JavaObjectiveOps objective;

    /** A provider with the configured number of threads (used by {@link java.util.ServiceLoader}). */
    public JavaBackendProvider() {
        this(configuredThreads());
    }

    /** A provider with its own pool of {@code threads} threads (1: run on the calling thread). */
    public JavaBackendProvider(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected a value >= 1, got " + threads);
        }
        this.parallel = new Parallel(threads);
        this.logprob = new JavaLogProbOps(parallel);
        this.advantage = new JavaAdvantageOps(parallel);
        this.dueling = new JavaDuelingOps(parallel);
        this.loss = new JavaLossOps(parallel);
        this.objective = new JavaObjectiveOps(parallel);
    }

    private static int configuredThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": expected a positive integer, got '" + value + "'", e);
        }
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes("pure Java, always available");
    }

    @Override
    public Set<Tensor.Memory> memories() {
        return EnumSet.of(Tensor.Memory.HEAP, Tensor.Memory.BUFFER);
    }

    @Override
    public List<String> details() {
        return List.of("threads: " + parallel.threads() + " (" + THREADS_PROPERTY + ")");
    }

    @Override
    public LogProbOps logprob() {
        return logprob;
    }

    @Override
    public AdvantageOps advantage() {
        return advantage;
    }

    @Override
    public DuelingOps dueling() {
        return dueling;
    }

    @Override
    public LossOps loss() {
        return loss;
    }

    @Override
    public ObjectiveOps objective() {
        return objective;
    }
}
