package dev.vantage.kernels;

import java.util.List;

/**
 * A discovered backend and whether it can run here.
 *
 * @param name      the name it is selected by
 * @param priority  its rank in automatic selection (higher first)
 * @param available whether it can run here
 * @param reason    why it can or cannot
 * @param details   extra lines for diagnostics (versions, devices, settings)
 */
public record BackendStatus(String name, int priority, boolean available, String reason, List<String> details) {
}
