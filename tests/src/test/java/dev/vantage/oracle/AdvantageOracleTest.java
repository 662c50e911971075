package dev.vantage.oracle;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks of {@link AdvantageOracle} itself, before any backend is compared with it: the kernel-math
 * §14 vectors, the GAE loop against the associative-scan formulation of §5 and against a
 * transcription of verl's carried loop, and the closed forms of returns and RLOO. All in float64;
 * tolerance 1e-12 relative to the row's scale (different summation orders of the same terms).
 */
class AdvantageOracleTest {
    private static final double TOL = 1e-12;

    @Test
    void gaeReferenceVector() {
        double[] r = {0, 0, 1, 0, 0.5};
        double[] v = {0.5, 0.4, 0.9, 0.2, 0.3};
        byte[] term = {0, 0, 1, 0, 0};
        double[] boot = {0, 0, 0, 0, 0.7};
        AdvantageOracle.Gae gae = AdvantageOracle.gae(r, v, null, term, null, boot, 1, 5, 0.99, 0.95);
        assertAll("A", new double[] {0.446239525, 0.58505, 0.1, 0.9368665, 0.893}, gae.advantages, 1e-9);
        assertAll("Ret", new double[] {0.946239525, 0.98505, 1.0, 1.1368665, 1.193}, gae.returns, 1e-9);
        double[] scan = AdvantageOracle.gaeScan(r, v, null, term, null, boot, 1, 5, 0.99, 0.95);
        assertAll("scan A", gae.advantages, scan, 1e-15);
    }

    @Test
    void scanFormulationReproducesTheLoop() {
        Inputs in = new Inputs(41);
        int rows = 9;
        int time = 301;
        int n = rows * time;
        double[] r = doubles(in.floats(n, Inputs.Spread.OUTLIERS));
        double[] v = doubles(in.floats(n, Inputs.Spread.NORMAL));
        double[] boot = doubles(in.floats(n, Inputs.Spread.NORMAL));
        byte[] mask = in.mask(n, 0.8);
        byte[] term = in.mask(n, 0.03);
        byte[] trunc = in.mask(n, 0.03);
        double[][] coefficients = {{0.99, 0.95}, {1, 1}, {0.9, 0}, {0, 0.7}, {1, 0.95}};
        for (double[] c : coefficients) {
            AdvantageOracle.Gae loop = AdvantageOracle.gae(r, v, mask, term, trunc, boot, rows, time, c[0], c[1]);
            double[] scan = AdvantageOracle.gaeScan(r, v, mask, term, trunc, boot, rows, time, c[0], c[1]);
            for (int i = 0; i < n; i++) {
                if (mask[i] == 0) {
                    scan[i] = 0;
                }
            }
            assertAll("scan vs loop, gamma " + c[0] + " lambda " + c[1], loop.advantages, scan, TOL);
        }
    }

    /** verl's {@code compute_gae_advantage_return} loop, as written there: masked steps carry. */
    private static double[] verlGae(double[] r, double[] v, byte[] mask, int rows, int time, double gamma,
                                    double lambda) {
        double[] adv = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            double nextValues = 0;
            double lastGaeLam = 0;
            for (int t = time - 1; t >= 0; t--) {
                int i = b * time + t;
                double delta = r[i] + gamma * nextValues - v[i];
                double lastGaeLamNew = delta + gamma * lambda * lastGaeLam;
                nextValues = v[i] * mask[i] + (1 - mask[i]) * nextValues;
                lastGaeLam = lastGaeLamNew * mask[i] + (1 - mask[i]) * lastGaeLam;
                adv[i] = lastGaeLam;
            }
        }
        return adv;
    }

    @Test
    void loopAndScanMatchVerlsCarriedRecurrence() {
        Inputs in = new Inputs(43);
        int rows = 7;
        int time = 200;
        int n = rows * time;
        double[] r = doubles(in.floats(n, Inputs.Spread.NORMAL));
        double[] v = doubles(in.floats(n, Inputs.Spread.NORMAL));
        byte[] mask = in.mask(n, 0.7);
        double[] verl = verlGae(r, v, mask, rows, time, 0.99, 0.95);
        double[] scan = AdvantageOracle.gaeScan(r, v, mask, null, null, null, rows, time, 0.99, 0.95);
        assertAll("scan vs verl, masked steps included", verl, scan, TOL);
        double[] loop = AdvantageOracle.gae(r, v, mask, null, null, null, rows, time, 0.99, 0.95).advantages;
        for (int i = 0; i < n; i++) {
            if (mask[i] == 0) {
                assertEquals(0, loop[i], "masked output " + i);
                verl[i] = 0;
            }
        }
        assertAll("loop vs verl on valid steps", verl, loop, TOL);
    }

    @Test
    void returnsAreSuffixSumsAndGaeWithZeroValues() {
        Inputs in = new Inputs(47);
        int rows = 5;
        int time = 97;
        int n = rows * time;
        double[] r = doubles(in.floats(n, Inputs.Spread.UNIFORM));
        byte[] mask = in.rightPadded(rows, time, 0);
        double[] sums = new double[n];
        for (int b = 0; b < rows; b++) {
            double suffix = 0;
            for (int t = time - 1; t >= 0; t--) {
                if (mask[b * time + t] != 0) {
                    suffix += r[b * time + t];
                    sums[b * time + t] = suffix;
                }
            }
        }
        assertAll("γ = 1 returns", sums, AdvantageOracle.returns(r, mask, null, rows, time, 1), TOL);

        byte[] term = in.mask(n, 0.05);
        double[] returns = AdvantageOracle.returns(r, mask, term, rows, time, 0.97);
        double[] gae = AdvantageOracle.gae(r, new double[n], mask, term, null, null, rows, time, 0.97, 1).advantages;
        assertAll("returns vs GAE(V = 0, λ = 1)", gae, returns, TOL);
    }

    @Test
    void groupReferenceVectors() {
        double[] scores = {1, 0, 1, 1};
        assertAll("GRPO", new double[] {0.499999, -1.499997, 0.499999, 0.499999},
                AdvantageOracle.grpo(scores, 4, true, true, 1e-6, false), 1e-6);
        assertAll("RLOO", new double[] {1 / 3.0, -1, 1 / 3.0, 1 / 3.0}, AdvantageOracle.rloo(scores, 4, false), TOL);
        double[] x = {1, 2, 0, 4, 0, 0};
        byte[] mask = {1, 1, 0, 1, 0, 0};
        AdvantageOracle.Whitened w = AdvantageOracle.whiten(x, mask, true, true, 1e-8);
        assertEquals(7 / 3.0, w.mean, TOL);
        assertEquals(7 / 3.0, w.variance, TOL);
        assertAll("whiten", new double[] {-0.87287156, -0.21821789, 0, 1.09108945, 0, 0}, w.out, 1e-8);
    }

    @Test
    void rlooIsTheScaledCenteredScore() {
        Inputs in = new Inputs(53);
        for (int k : new int[] {2, 3, 8, 17}) {
            double[] s = doubles(in.floats(k * 5, Inputs.Spread.WIDE));
            double[] expected = new double[s.length];
            for (int g = 0; g < s.length; g += k) {
                double mean = 0;
                for (int i = 0; i < k; i++) {
                    mean += s[g + i] / k;
                }
                for (int i = 0; i < k; i++) {
                    expected[g + i] = k / (k - 1.0) * (s[g + i] - mean);
                }
            }
            assertAll("RLOO K = " + k, expected, AdvantageOracle.rloo(s, k, false), TOL);
        }
    }

    private static void assertAll(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * scale, what + "[" + i + "]");
        }
    }

    private static double[] doubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
