package dev.vantage.kernels.cuda;

import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.spi.Availability;
import org.bytedeco.javacpp.Loader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Whether the CUDA backend can run here, decided once per JVM: the binding must load (it needs no
 * driver, the CUDA runtime is linked statically into {@code libvantage_cuda.so}), its ABI must
 * match, a device must exist, and a tiny kernel must run on it (which catches a driver too old for
 * the kernels' PTX or a GPU the library has no code for). Never throws; every failure becomes the
 * reason. The JavaCPP CUDA presets are never touched here.
 */
final class CudaProbe {
    private static final Logger LOG = Logger.getLogger(CudaProbe.class.getName());
    private static final String LIBRARY = "jniCudaLibrary";

    private final boolean loaded;
    private final Availability availability;
    private final List<String> details = new ArrayList<>();

    private static final class Holder {
        static final CudaProbe PROBE = new CudaProbe();
    }

    static CudaProbe get() {
        return Holder.PROBE;
    }

    private CudaProbe() {
        String failure = load();
        loaded = failure == null;
        availability = loaded ? probeDevices() : Availability.no(failure);
        if (!availability.available()) {
            LOG.fine(() -> "CUDA backend unavailable: " + availability.reason());
        }
    }

    /** Whether the binding is loaded: its host-only functions (versions, status strings, sizes) work. */
    boolean loaded() {
        return loaded;
    }

    Availability availability() {
        return availability;
    }

    List<String> details() {
        return List.copyOf(details);
    }

    /** Fails with the reason unless a device can run the kernels. */
    void requireAvailable() {
        if (!availability.available()) {
            throw new BackendUnavailableException("backend 'cuda' is unavailable: " + availability.reason());
        }
    }

    /** Fails with the reason unless the binding is loaded. */
    void requireLoaded() {
        if (!loaded) {
            throw new BackendUnavailableException("backend 'cuda' is unavailable: " + availability.reason());
        }
    }

    /** Loads the binding; returns null, or why it could not be loaded. */
    private String load() {
        String platform = Loader.getPlatform();
        String resource = "/dev/vantage/kernels/cuda/" + platform + "/lib" + LIBRARY + ".so";
        if (!platform.equals("linux-x86_64")) {
            details.add("native library: none for platform " + platform + " (kernels-native ships linux-x86_64)");
            return "no native library for platform " + platform;
        }
        if (CudaProbe.class.getResource(resource) == null) {
            details.add("native library: " + resource.substring(1) + " is not on the classpath");
            return "native library not built (no nvcc at build time), or the kernels-native " + platform
                    + " jar is missing";
        }
        try {
            String path = Loader.load(CudaLibrary.class);
            details.add("native library: " + path + " (JavaCPP " + Loader.getVersion() + ")");
            return null;
        } catch (Throwable t) {
            String message = "native library failed to load: " + t;
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                message += "; caused by " + c;
            }
            details.add(message);
            return message;
        }
    }

    private Availability probeDevices() {
        int version = CudaLibrary.vantage_version();
        int abi = CudaLibrary.vantage_abi_version();
        int[] runtime = new int[1];
        int[] driver = new int[1];
        CudaLibrary.vantage_runtime_version(runtime);
        CudaLibrary.vantage_driver_version(driver);
        details.add("libvantage_cuda " + version / 10000 + "." + version / 100 % 100 + "." + version % 100 + ", ABI " + abi
                + "; CUDA runtime " + cudaVersion(runtime[0]) + " (static), driver "
                + (driver[0] == 0 ? "none" : cudaVersion(driver[0])));
        if (abi != CudaLibrary.ABI_VERSION) {
            return Availability.no("libvantage_cuda has ABI " + abi + ", this binding needs " + CudaLibrary.ABI_VERSION);
        }
        int[] count = new int[1];
        int status = CudaLibrary.vantage_device_count(count);
        if (status != 0) {
            details.add("devices: none (" + describe(status) + ")");
            return Availability.no(describe(status));
        }
        if (count[0] == 0) {
            details.add("devices: none");
            return Availability.no("no CUDA device");
        }
        String first = null;
        for (int d = 0; d < count[0]; d++) {
            String device = device(d);
            details.add(device + (d == 0 ? " (used)" : ""));
            first = first == null ? device : first;
        }
        String failure = runSmokeKernel();
        if (failure != null) {
            return Availability.no(first + " cannot run the kernels: " + failure);
        }
        return Availability.yes(first + (count[0] > 1 ? "; " + count[0] + " devices, device 0 used" : ""));
    }

    private static String device(int d) {
        byte[] name = new byte[256];
        int[] major = new int[1];
        int[] minor = new int[1];
        long[] bytes = new long[1];
        int status = CudaLibrary.vantage_device_name(d, name, name.length);
        if (status == 0) {
            status = CudaLibrary.vantage_device_capability(d, major, minor);
        }
        if (status == 0) {
            status = CudaLibrary.vantage_device_memory(d, bytes);
        }
        if (status != 0) {
            return "device " + d + ": " + describe(status);
        }
        int length = 0;
        while (length < name.length && name[length] != 0) {
            length++;
        }
        return "device " + d + ": " + new String(name, 0, length, StandardCharsets.UTF_8) + ", compute capability "
                + major[0] + "." + minor[0] + ", " + (bytes[0] >> 20) + " MiB";
    }

    /** Runs one ratio kernel on one element of device 0; returns null, or what failed. */
    private static String runSmokeKernel() {
        long[] memory = new long[1];
        int status = CudaLibrary.vantage_malloc(memory, 256);
        if (status != 0) {
            return "vantage_malloc: " + describe(status);
        }
        long stream = CudaLibrary.STREAM_PER_THREAD;
        long p = memory[0];
        status = CudaLibrary.vantage_memset_async(p, 0, 256, stream);
        if (status == 0) {
            status = CudaLibrary.vantage_ratio(p, p + 4, 0, p + 8, p + 12, 1, 20.0, stream);
        }
        int synced = CudaLibrary.vantage_stream_synchronize(stream);
        CudaLibrary.vantage_free(p);
        status = status != 0 ? status : synced;
        return status == 0 ? null : "vantage_ratio: " + describe(status);
    }

    /** "description (cudaError N)", the form every reason and exception uses. */
    static String describe(int status) {
        return CudaLibrary.vantage_status_string(status) + " (" + (status > 0 ? "cudaError " : "vantage_status ")
                + status + ")";
    }

    private static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }
}
