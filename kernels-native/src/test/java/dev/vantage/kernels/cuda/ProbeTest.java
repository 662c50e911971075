package dev.vantage.kernels.cuda;

import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.Vantage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The availability probe, backend selection and diagnostics, on whatever this machine has. */
class ProbeTest {
    private static BackendStatus cuda() {
        return Vantage.backends().stream().filter(b -> b.name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("ServiceLoader did not find the cuda backend"));
    }

    @Test
    void theServiceLoaderFindsTheCudaBackendFirst() {
        BackendStatus cuda = cuda();
        assertEquals(100, cuda.priority());
        assertEquals("cuda", Vantage.backends().get(0).name(), "the highest priority is listed first");
        assertEquals(CudaProbe.get().availability().reason(), cuda.reason());
    }

    @Test
    void withoutADriverTheProbeReportsTheCudaError() {
        Gpu.requireNoDevice();
        int[] count = new int[1];
        int status = CudaLibrary.vantage_device_count(count);
        String reason = CudaProbe.get().availability().reason();
        if (status != 0) {
            assertEquals(CudaLibrary.vantage_status_string(status) + " (cudaError " + status + ")", reason);
        } else {
            assertEquals("no CUDA device", reason);
        }
        if (status == 35) {
            assertEquals("CUDA driver version is insufficient for CUDA runtime version (cudaError 35)", reason);
        }
    }

    @Test
    void anUnavailableCudaBackendFallsBackAndFailsByName() {
        BackendStatus cuda = cuda();
        if (cuda.available()) {
            assertEquals("cuda", Vantage.backend().name());
            return;
        }
        assertNotEquals("cuda", Vantage.backend().name(), "selection falls back to a backend that can run");
        BackendUnavailableException named = assertThrows(BackendUnavailableException.class, () -> Vantage.backend("cuda"));
        assertEquals("backend 'cuda' is unavailable: " + cuda.reason(), named.getMessage());
        BackendUnavailableException stream = assertThrows(BackendUnavailableException.class,
                () -> CudaBackends.onStream(0L));
        assertEquals(named.getMessage(), stream.getMessage());
    }

    @Test
    void diagnosticsNameTheLibraryRuntimeAndDevices() {
        String report = Vantage.diagnostics();
        assertTrue(report.contains("cuda (priority 100): " + (Gpu.available() ? "available" : "unavailable") + " - "
                + cuda().reason()), report);
        if (CudaProbe.get().loaded()) {
            assertTrue(report.contains("libvantage_cuda 0.1.0, ABI 1; CUDA runtime "), report);
            assertTrue(report.contains("native library: "), report);
            assertTrue(report.contains(Gpu.available() ? "device 0: " : "devices: none"), report);
        } else {
            assertTrue(report.contains("native library not built") || report.contains("native library failed"), report);
        }
    }
}
