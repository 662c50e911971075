package dev.vantage.oracle;

/**
 * Float64 reference for dueling-head aggregation ({@code kernel-math.md} §10) with an atom axis
 * and an invalid-action mask, written independently of every backend. Arrays are row-major:
 * value {@code [B, Z]}, advantage and Q {@code [B, A, Z]}, mask {@code [B, A]} (null: all valid).
 */
public final class DuelingOracle {
    private DuelingOracle() {
    }

    /** The three aggregations of Wang et al. 2016 (names as in the public API). */
    public enum Mode {
        NAIVE, MAX, MEAN
    }

    /** {@code Q = V + A - agg(A)}; invalid actions and rows with no valid action get -inf. */
    public static double[] forward(double[] value, double[] adv, boolean[] mask, int b, int a, int z, Mode mode) {
        double[] q = new double[b * a * z];
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < z; k++) {
                double agg = aggregate(adv, mask, r, a, z, k, mode);
                for (int i = 0; i < a; i++) {
                    int at = (r * a + i) * z + k;
                    q[at] = valid(mask, r, a, i) ? value[r * z + k] + adv[at] - agg : Double.NEGATIVE_INFINITY;
                }
            }
        }
        return q;
    }

    /**
     * Gradients {@code {dV [B, Z], dA [B, A, Z]}} of {@code L = Σ gradQ·Q} over valid actions:
     * {@code dV = Σ_a g_a}; {@code dA_b = g_b - Σ_a g_a·w_b}, w = 0, onehot(argmax) or 1/|valid|.
     */
    public static double[][] backward(double[] adv, boolean[] mask, double[] gradQ, int b, int a, int z, Mode mode) {
        double[] dv = new double[b * z];
        double[] da = new double[b * a * z];
        for (int r = 0; r < b; r++) {
            int n = 0;
            for (int i = 0; i < a; i++) {
                n += valid(mask, r, a, i) ? 1 : 0;
            }
            for (int k = 0; k < z; k++) {
                double sum = 0;
                for (int i = 0; i < a; i++) {
                    if (valid(mask, r, a, i)) {
                        sum += gradQ[(r * a + i) * z + k];
                    }
                }
                dv[r * z + k] = sum;
                int best = mode == Mode.MAX ? argmax(adv, mask, r, a, z, k) : -1;
                for (int i = 0; i < a; i++) {
                    int at = (r * a + i) * z + k;
                    if (!valid(mask, r, a, i)) {
                        continue;
                    }
                    double w = mode == Mode.NAIVE ? 0 : mode == Mode.MEAN ? 1.0 / n : (i == best ? 1 : 0);
                    da[at] = gradQ[at] - sum * w;
                }
            }
        }
        return new double[][] {dv, da};
    }

    private static double aggregate(double[] adv, boolean[] mask, int r, int a, int z, int k, Mode mode) {
        if (mode == Mode.NAIVE) {
            return 0;
        }
        if (mode == Mode.MAX) {
            int best = argmax(adv, mask, r, a, z, k);
            return best < 0 ? 0 : adv[(r * a + best) * z + k];
        }
        double sum = 0;
        int n = 0;
        for (int i = 0; i < a; i++) {
            if (valid(mask, r, a, i)) {
                sum += adv[(r * a + i) * z + k];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /** Lowest valid index holding the maximum; the first NaN if any valid advantage is NaN; -1 if none valid. */
    static int argmax(double[] adv, boolean[] mask, int r, int a, int z, int k) {
        for (int i = 0; i < a; i++) {
            if (valid(mask, r, a, i) && Double.isNaN(adv[(r * a + i) * z + k])) {
                return i;
            }
        }
        int best = -1;
        for (int i = 0; i < a; i++) {
            if (valid(mask, r, a, i) && (best < 0 || adv[(r * a + i) * z + k] > adv[(r * a + best) * z + k])) {
                best = i;
            }
        }
        return best;
    }

    private static boolean valid(boolean[] mask, int r, int a, int i) {
        return mask == null || mask[r * a + i];
    }
}
