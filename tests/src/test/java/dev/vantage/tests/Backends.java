package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.java.JavaBackendProvider;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backends a parity test runs on: every one {@link java.util.ServiceLoader} finds, available or
 * not. A test on a backend that cannot run here is skipped with the backend's own reason, never
 * turned into a pass.
 */
public final class Backends {
    private Backends() {
    }

    /** Names of all discovered backends, for {@code @MethodSource}. */
    public static Stream<String> names() {
        return Vantage.backends().stream().map(BackendStatus::name);
    }

    /** The named backend; skips the calling test, with the reason, when it cannot run here. */
    public static Backend require(String name) {
        List<BackendStatus> all = Vantage.backends();
        BackendStatus status = all.stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("backend " + name + " is not on the classpath"));
        assumeTrue(status.available(), () -> name + " backend unavailable: " + status.reason());
        return Vantage.backend(name);
    }

    /** The Java backend with its own pool of {@code threads} threads. */
    public static Backend java(int threads) {
        return Backend.of(new JavaBackendProvider(threads));
    }
}
