package dev.vantage.kernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What this machine offers, for tests that need (or must not have) a GPU or the native library. */
final class Gpu {
    private Gpu() {
    }

    /** Whether the build skipped the JNI glue (no nvcc), as the POM tells surefire. */
    static boolean nativeSkipped() {
        return Boolean.parseBoolean(System.getProperty("vantage.native.skipped", "false"));
    }

    static boolean available() {
        return CudaProbe.get().availability().available();
    }

    /** Skips the calling test, with the probe's reason, unless a device can run the kernels. */
    static void require() {
        assumeTrue(available(), () -> "no usable CUDA device: " + CudaProbe.get().availability().reason());
    }

    /** Skips the calling test unless the binding is loaded (the native build ran). */
    static void requireLibrary() {
        assumeTrue(CudaProbe.get().loaded(), () -> "native library not loaded: " + CudaProbe.get().availability().reason());
    }

    /** Skips the calling test where a GPU exists (it checks the driverless error paths). */
    static void requireNoDevice() {
        requireLibrary();
        assumeFalse(available(), "a CUDA device is present: the driverless error path cannot be observed");
    }
}
