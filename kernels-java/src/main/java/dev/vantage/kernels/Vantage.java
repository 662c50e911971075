package dev.vantage.kernels;

import dev.vantage.kernels.spi.Availability;
import dev.vantage.kernels.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Entry point: finds backends with {@link ServiceLoader} and picks one.
 *
 * <p>{@link #backend()} honours the system property {@value #BACKEND_PROPERTY}, then the
 * environment variable {@value #BACKEND_ENV}; {@code auto} (or neither set) picks the available
 * backend with the highest priority (cuda, then java-simd, then java). Naming a backend that cannot
 * run here fails with the reason; there is no silent fallback.
 */
public final class Vantage {
    public static final String BACKEND_PROPERTY = "vantage.backend";
    public static final String BACKEND_ENV = "VANTAGE_BACKEND";

    private static final Logger LOG = Logger.getLogger(Vantage.class.getName());

    private Vantage() {
    }

    /** Providers in decreasing priority, discovered once (holder idiom: no class-init deadlock). */
    private static final class Providers {
        static final List<BackendProvider> ALL = discover();

        private static List<BackendProvider> discover() {
            List<BackendProvider> found = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class, Vantage.class.getClassLoader()).forEach(found::add);
            found.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
            return List.copyOf(found);
        }
    }

    private static final class Default {
        static final Backend BACKEND = select(requested());
    }

    /** The backend selected by property, environment or priority; chosen once per JVM. */
    public static Backend backend() {
        return Default.BACKEND;
    }

    /**
     * The named backend, or the best available one for {@code auto}.
     *
     * @throws BackendUnavailableException if no backend has that name or it cannot run here
     */
    public static Backend backend(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name: must not be null");
        }
        return select(name.trim().toLowerCase(Locale.ROOT));
    }

    /** Every backend found, best first, with whether it can run here and why. */
    public static List<BackendStatus> backends() {
        List<BackendStatus> out = new ArrayList<>();
        for (BackendProvider p : Providers.ALL) {
            Availability a = p.availability();
            out.add(new BackendStatus(p.name(), p.priority(), a.available(), a.reason(), p.details()));
        }
        return out;
    }

    /** The environment report: JVM, selection settings, and every backend with its status. */
    public static String diagnostics() {
        return Diagnostics.report(backends(), requested());
    }

    static String requested() {
        String name = System.getProperty(BACKEND_PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(BACKEND_ENV);
        }
        return name == null || name.isBlank() ? "auto" : name.trim().toLowerCase(Locale.ROOT);
    }

    private static Backend select(String name) {
        StringBuilder reasons = new StringBuilder();
        for (BackendProvider p : Providers.ALL) {
            boolean wanted = name.equals("auto") || p.name().equals(name);
            if (!wanted) {
                continue;
            }
            Availability a = p.availability();
            if (a.available()) {
                LOG.fine(() -> "Vantage backend: " + p.name() + " (" + a.reason() + ")");
                return Backend.of(p);
            }
            if (!name.equals("auto")) {
                throw new BackendUnavailableException("backend '" + name + "' is unavailable: " + a.reason());
            }
            reasons.append("\n  ").append(p.name()).append(": ").append(a.reason());
        }
        if (name.equals("auto")) {
            throw new BackendUnavailableException("no Vantage backend can run here:" + reasons);
        }
        List<String> names = new ArrayList<>();
        Providers.ALL.forEach(p -> names.add(p.name()));
        throw new BackendUnavailableException("no backend named '" + name + "'; found " + names
                + " (add kernels-native to the classpath for cuda)");
    }
}
