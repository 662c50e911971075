package dev.vantage.tests;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Comparisons of backend results with the float64 oracle: element i passes when
 * {@code |actual - expected| <= atol + rtol·|expected|}, or both are NaN, or both are the same
 * infinity. A failure names the kernel output, the first bad index and both values.
 */
public final class Close {
    private Close() {
    }

    public static void assertClose(String what, double expected, double actual, double rtol, double atol) {
        if (!close(expected, actual, rtol, atol)) {
            fail(what + ": expected " + expected + ", got " + actual + " (|diff| " + Math.abs(actual - expected)
                    + " > atol " + atol + " + rtol " + rtol + "·|expected|)");
        }
    }

    public static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        assertClose(what, expected, actual, 0, rtol, atol);
    }

    /** Compares {@code expected[i]} with {@code actual[offset + i]}. */
    public static void assertClose(String what, double[] expected, float[] actual, int offset, double rtol,
                                   double atol) {
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[offset + i], rtol, atol)) {
                fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[offset + i] + " (|diff| "
                        + Math.abs(actual[offset + i] - expected[i]) + ", atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    public static boolean close(double expected, double actual, double rtol, double atol) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return expected == actual;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** The arrays one after the other, to compare several outputs in one call. */
    public static float[] concat(float[]... parts) {
        float[] out = new float[java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    public static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
