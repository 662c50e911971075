package dev.vantage.kernels.java;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/** HotSpot VM options, read through the diagnostic MXBean; nothing on other VMs. */
final class VmOptions {
    private VmOptions() {
    }

    /**
     * The value of a VM option; empty where the VM is not HotSpot, lacks the option, or hides it
     * (experimental options are visible only after {@code -XX:+UnlockExperimentalVMOptions}, which
     * is also what changing one takes).
     */
    static Optional<String> get(String name) {
        try {
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return bean == null ? Optional.empty() : Optional.of(bean.getVMOption(name).getValue());
        } catch (IllegalArgumentException | SecurityException | LinkageError e) {
            return Optional.empty();
        }
    }

    static boolean isTrue(String name) {
        return get(name).map(Boolean::parseBoolean).orElse(false);
    }

    static boolean isFalse(String name) {
        return get(name).map("false"::equals).orElse(false);
    }
}
