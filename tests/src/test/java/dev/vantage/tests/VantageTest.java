package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.spi.AdvantageOps;
import dev.vantage.kernels.spi.Availability;
import dev.vantage.kernels.spi.BackendProvider;
import dev.vantage.kernels.spi.DuelingOps;
import dev.vantage.kernels.spi.LogProbOps;
import dev.vantage.kernels.spi.LossOps;
import dev.vantage.kernels.spi.ObjectiveOps;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backend discovery, selection and diagnostics. */
class VantageTest {
    @Test
    void theJavaBackendIsAlwaysFoundAndAvailable() {
        List<BackendStatus> all = Vantage.backends();
        BackendStatus java = all.stream().filter(b -> b.name().equals("java")).findFirst().orElseThrow();
        assertTrue(java.available(), java.reason());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).priority() >= all.get(i).priority(), "backends are listed best first");
        }
        assertEquals("java", Vantage.backend("java").name());
        assertEquals("java", Vantage.backend(" JAVA ").name(), "names are trimmed and case-insensitive");
    }

    @Test
    void autoPicksTheBestAvailableBackend() {
        String best = Vantage.backends().stream().filter(BackendStatus::available).findFirst().orElseThrow().name();
        assertEquals(best, Vantage.backend("auto").name());
    }

    @Test
    void namingAnUnknownOrUnavailableBackendFailsWithTheReason() {
        BackendUnavailableException unknown = assertThrows(BackendUnavailableException.class,
                () -> Vantage.backend("tpu"));
        assertTrue(unknown.getMessage().contains("tpu") && unknown.getMessage().contains("java"), unknown.getMessage());

        for (BackendStatus b : Vantage.backends()) {
            if (!b.available()) {
                BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                        () -> Vantage.backend(b.name()));
                assertTrue(e.getMessage().contains(b.reason()), e.getMessage());
            }
        }
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backend.of(new Missing()));
        assertTrue(e.getMessage().contains("no such device here"), e.getMessage());
    }

    @Test
    void diagnosticsNameTheJvmAndEveryBackend() {
        String report = Vantage.diagnostics();
        assertTrue(report.contains(System.getProperty("java.version")), report);
        for (BackendStatus b : Vantage.backends()) {
            assertTrue(report.contains(b.name() + " (priority " + b.priority() + ")"), report);
        }
        assertTrue(report.contains("selected:"), report);
    }

    /** A provider that is never available, as a driverless CUDA backend would be. */
    private static final class Missing implements BackendProvider {
        @Override
        public String name() {
            return "missing";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public Availability availability() {
            return Availability.no("no such device here");
        }

        @Override
        public Set<Tensor.Memory> memories() {
            return Set.of();
        }

        @Override
        public LogProbOps logprob() {
            throw new AssertionError("never reached");
        }

        @Override
        public AdvantageOps advantage() {
            throw new AssertionError("never reached");
        }

        @Override
        public DuelingOps dueling() {
            throw new AssertionError("never reached");
        }

        @Override
        public LossOps loss() {
            throw new AssertionError("never reached");
        }

        @Override
        public ObjectiveOps objective() {
            throw new AssertionError("never reached");
        }
    }
}
