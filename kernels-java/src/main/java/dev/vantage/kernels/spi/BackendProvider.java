package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;

import java.util.Set;

/**
 * A backend implementation, found with {@link java.util.ServiceLoader}. Implementations do no
 * argument checking of their own: the public API validates every call before it reaches them.
 * {@link #availability()} must never throw, whatever the machine lacks.
 */
public interface BackendProvider {
    /** Short name users select it by, e.g. {@code java} or {@code cuda}. */
    String name();

    /** Rank in automatic selection: the available provider with the highest priority wins. */
    int priority();

    /** Whether this backend can run here and, if not, why. Probed once and cached. */
    Availability availability();

    /** Memories this backend reads and writes. */
    Set<Tensor.Memory> memories();

    /** Lines for the diagnostics report (versions, devices, settings); may be empty. */
    default java.util.List<String> details() {
        return java.util.List.of();
    }

    LogProbOps logprob();

    AdvantageOps advantage();

    DuelingOps dueling();

    LossOps loss();

    ObjectiveOps objective();
}
