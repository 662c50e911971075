package dev.vantage.kernels.spi;

/** Whether a backend can run, and a one-line reason either way. */
public record Availability(boolean available, String reason) {
    public static Availability yes(String reason) {
        return new Availability(true, reason);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
