package dev.vantage.kernels.cuda;

import dev.vantage.kernels.java.JavaBackendProvider;
import dev.vantage.kernels.spi.BackendProvider;

import java.util.function.Function;

/**
 * The pure-Java backend, for the kernels the C ABI does not have yet (the sequence objectives and
 * PRIME advantages): device tensors are copied to the heap, the Java kernel runs, and device
 * outputs are copied back ({@link Call#hostInput}, {@link Call#hostOutput}). Host tensors are read
 * in place. Same results as the Java backend, at the cost of the copies; CUDA kernels will
 * replace this.
 */
final class JavaFallback {
    private JavaFallback() {
    }

    private static final class Holder {
        static final BackendProvider JAVA = new JavaBackendProvider();
    }

    static BackendProvider provider() {
        return Holder.JAVA;
    }

    /**
     * Runs {@code body} (a Java kernel called with {@link Call#hostInput} and {@link Call#hostOutput}
     * tensors) and copies its device outputs back; returns the kernel's result.
     */
    static <R> R run(Lanes lanes, String kernel, long batch, long time, Function<Call, R> body) {
        try (Call c = Call.open(lanes, kernel + " (Java backend on host copies)", "batch=" + batch + ", time=" + time)) {
            R result = body.apply(c);
            c.finishHost();
            return result;
        }
    }
}
