package dev.vantage.kernels;

import java.util.List;

/** The text of {@link Vantage#diagnostics()}; {@code main} prints it for the command line. */
public final class Diagnostics {
    private Diagnostics() {
    }

    /** Prints the diagnostics report. */
    public static void main(String[] args) {
        System.out.print(Vantage.diagnostics());
    }

    static String report(List<BackendStatus> backends, String requested) {
        StringBuilder out = new StringBuilder();
        Runtime rt = Runtime.getRuntime();
        line(out, "Vantage diagnostics");
        line(out, "  java:        " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + ", " + System.getProperty("java.vendor") + ")");
        line(out, "  os:          " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        line(out, "  cpus:        " + rt.availableProcessors() + ", max heap " + (rt.maxMemory() >> 20) + " MiB");
        line(out, "  vector API:  " + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "jdk.incubator.vector readable"
                : "jdk.incubator.vector not in the module graph (add --add-modules jdk.incubator.vector)"));
        line(out, "  requested:   " + requested + " (system property " + Vantage.BACKEND_PROPERTY + ", environment "
                + Vantage.BACKEND_ENV + ")");
        String chosen = "none";
        for (BackendStatus b : backends) {
            if (b.available() && (requested.equals("auto") || requested.equals(b.name()))) {
                chosen = b.name();
                break;
            }
        }
        line(out, "  selected:    " + chosen);
        line(out, "  backends:    " + (backends.isEmpty() ? "none found on the classpath" : backends.size() + " found"));
        for (BackendStatus b : backends) {
            line(out, "    " + b.name() + " (priority " + b.priority() + "): "
                    + (b.available() ? "available" : "unavailable") + " - " + b.reason());
            for (String detail : b.details()) {
                line(out, "      " + detail);
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append(System.lineSeparator());
    }
}
