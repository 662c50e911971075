package dev.vantage.kernels.java;

/** Numerically stable scalar forms ({@code kernel-math.md} §0), in double. */
final class Stable {
    private Stable() {
    }

    /** {@code log(1 + e^x)} without overflow: {@code max(x, 0) + log1p(e^{-|x|})}. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** {@code 1/(1 + e^{-x})} without overflow for either sign. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
