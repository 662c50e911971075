package dev.vantage.oracle;

import java.util.SplittableRandom;

/**
 * Random inputs from a fixed seed. Several distributions, so that no kernel is only ever tested on
 * well-behaved numbers: standard normal, wide normal (peaked softmax), uniform over a wide range,
 * and a heavy-tailed mix.
 */
public final class Inputs {
    /** Shapes of logits a user may produce. */
    public enum Spread {
        /** N(0, 1). */
        NORMAL,
        /** N(0, 8²): peaked softmax, large |logit|. */
        WIDE,
        /** U(-30, 30). */
        UNIFORM,
        /** Mostly N(0, 1) with 1% outliers of ±(20..60). */
        OUTLIERS
    }

    private final SplittableRandom rng;

    public Inputs(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    public float[] floats(int n, Spread spread) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) sample(spread);
        }
        return out;
    }

    /** Uniform floats in {@code [low, high)}. */
    public float[] uniform(int n, double low, double high) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (low + (high - low) * rng.nextDouble());
        }
        return out;
    }

    /** Labels uniform in {@code [0, classes)}, each replaced by {@code ignoreIndex} with probability {@code pIgnore}. */
    public int[] labels(int n, int classes, double pIgnore, int ignoreIndex) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rng.nextDouble() < pIgnore ? ignoreIndex : rng.nextInt(classes);
        }
        return out;
    }

    /** A mask with each element true with probability {@code pTrue}. */
    public byte[] mask(int n, double pTrue) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (rng.nextDouble() < pTrue ? 1 : 0);
        }
        return out;
    }

    /** A right-padded {@code [rows, cols]} mask with random lengths in {@code [minLen, cols]}. */
    public byte[] rightPadded(int rows, int cols, int minLen) {
        byte[] out = new byte[rows * cols];
        for (int r = 0; r < rows; r++) {
            int len = minLen + rng.nextInt(cols - minLen + 1);
            for (int t = 0; t < len; t++) {
                out[r * cols + t] = 1;
            }
        }
        return out;
    }

    public int nextInt(int bound) {
        return rng.nextInt(bound);
    }

    public double nextDouble() {
        return rng.nextDouble();
    }

    public double gaussian() {
        // Box-Muller; SplittableRandom has no nextGaussian before JDK 17's RandomGenerator default.
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private double sample(Spread spread) {
        switch (spread) {
            case NORMAL:
                return gaussian();
            case WIDE:
                return 8 * gaussian();
            case UNIFORM:
                return -30 + 60 * rng.nextDouble();
            default:
                if (rng.nextDouble() < 0.01) {
                    return (rng.nextBoolean() ? 1 : -1) * (20 + 40 * rng.nextDouble());
                }
                return gaussian();
        }
    }
}
