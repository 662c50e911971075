package dev.vantage.kernels.java;

import dev.vantage.kernels.spi.Availability;

/**
 * The pure-Java backend: runs anywhere, reads heap arrays and NIO buffers, accumulates in double,
 * and processes rows in parallel on its own pool. Results do not depend on the number of threads.
 * The pool size comes from the system property {@value #THREADS_PROPERTY} (default: the number of
 * available processors). It is also the fallback of {@link SimdBackendProvider} on JVMs where the
 * Vector API would not pay.
 */
public final class JavaBackendProvider extends AbstractJavaProvider {
    public static final String THREADS_PROPERTY = "vantage.java.threads";

    /** A provider with the configured number of threads (used by {@link java.util.ServiceLoader}). */
    public JavaBackendProvider() {
        this(configuredThreads());
    }

    /** A provider with its own pool of {@code threads} threads (1: run on the calling thread). */
    public JavaBackendProvider(int threads) {
        super(threads);
    }

    @Override
    RowLoops rowLoops() {
        return ScalarRowLoops.INSTANCE;
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
}
