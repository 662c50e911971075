package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.oracle.AdvantageOracle;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Masked whitening and REINFORCE++ on every backend, against {@link AdvantageOracle}. Tolerance:
 * rel 1e-5 + abs 1e-5 on the outputs (whitened values are of order 1) and on the returned mean and
 * variance (scaled by the data's magnitude: reductions over up to a million elements). REINFORCE++
 * may round its token rewards and returns to fp32 before whitening; at these scales that stays well
 * inside the same tolerance. The element count is exact.
 */
class AdvantageWhitenParityTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    // ---- kernel-math.md §14.7 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        float[] out = {9, 9, 9, 9, 9, 9};
        WhitenResult result = be.advantage().whiten(Tensor.of(new float[] {1, 2, -50, 4, 80, Float.NaN}, 2, 3),
                Tensor.ofBool(new byte[] {1, 1, 0, 1, 0, 0}, 2, 3), Tensor.of(out, 2, 3), WhitenOptions.defaults());
        assertClose("whiten", new double[] {-0.87287156, -0.21821789, 0, 1.09108945, 0, 0}, out, RTOL, ATOL);
        assertClose("mean", 7 / 3.0, result.mean(), RTOL, ATOL);
        assertClose("variance", 7 / 3.0, result.variance(), RTOL, ATOL);
        assertEquals(3, result.count());
        assertFalse(result.degenerate());
    }

    // ---- random tensors against the oracle -----------------------------------------------------

    static List<Object[]> whitenCases() {
        // shape, mask probability (1: no mask), shiftMean, unbiased, epsilon
        Object[][] specs = {
            {new long[] {1}, 1.0, true, true, 1e-8},
            {new long[] {7}, 0.5, true, false, 1e-8},
            {new long[] {13, 31}, 0.8, false, true, 1e-8},
            {new long[] {3, 4095}, 1.0, true, true, 1e-3},
            {new long[] {2, 4097}, 0.9, false, false, 1e-8},
            {new long[] {4, 5, 127}, 0.3, true, true, 1e-8},
            {new long[] {1_000_003}, 0.7, true, true, 1e-8},
        };
        return AdvantageGaeParityTest.perBackend(specs);
    }

    @ParameterizedTest(name = "{0} {1} p={2} shift={3} unbiased={4} ε={5} {6}")
    @MethodSource("whitenCases")
    void randomWhitening(String backend, long[] shape, double pValid, boolean shiftMean, boolean unbiased,
                         double epsilon, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        Inputs in = new Inputs(n + 13L);
        float[] x = in.floats(n, spread);
        for (int i = 0; i < n; i++) {
            x[i] += 3;  // a non-zero mean, so that shiftMean matters
        }
        byte[] mask = pValid == 1 ? null : in.mask(n, pValid);
        WhitenOptions options = WhitenOptions.defaults().shiftMean(shiftMean).unbiased(unbiased).epsilon(epsilon);
        float[] out = new float[n];
        WhitenResult result = be.advantage().whiten(Tensor.of(x, shape), mask == null ? null : Tensor.ofBool(mask, shape),
                Tensor.of(out, shape), options);
        AdvantageOracle.Whitened ref = AdvantageOracle.whiten(toDouble(x), mask, shiftMean, unbiased, epsilon);
        assertClose("whitened", ref.out, out, RTOL, ATOL);
        assertStats(ref, result);
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void degenerateCounts(String backend) {
        Backend be = Backends.require(backend);
        float[] x = {Float.NaN, 5, 2.5f, Float.POSITIVE_INFINITY};
        float[] out = {9, 9, 9, 9};
        WhitenResult none = be.advantage().whiten(Tensor.of(x, 4), Tensor.ofBool(new byte[4], 4), Tensor.of(out, 4),
                WhitenOptions.defaults());
        assertClose("n = 0", new double[4], out, 0, 0);
        assertEquals(new WhitenResult(0, 0, 0, true), none);

        byte[] one = {0, 0, 1, 0};
        for (boolean shift : new boolean[] {true, false}) {
            WhitenResult single = be.advantage().whiten(Tensor.of(x, 4), Tensor.ofBool(one, 4), Tensor.of(out, 4),
                    WhitenOptions.defaults().shiftMean(shift));
            assertClose("n = 1, shiftMean " + shift, new double[] {0, 0, shift ? 0 : 2.5, 0}, out, 0, 0);
            assertEquals(new WhitenResult(2.5, 0, 1, true), single);
        }

        float[] constant = new float[1001];
        Arrays.fill(constant, -1.75f);
        float[] constantOut = new float[1001];
        WhitenResult flat = be.advantage().whiten(Tensor.of(constant, 1001), null, Tensor.of(constantOut, 1001),
                WhitenOptions.defaults());
        assertClose("constant", new double[1001], constantOut, 0, 0);
        assertClose("constant mean", -1.75, flat.mean(), RTOL, 0);
        assertEquals(0, flat.variance());
        assertFalse(flat.degenerate());
        be.advantage().whiten(Tensor.of(constant, 1001), null, Tensor.of(constantOut, 1001),
                WhitenOptions.defaults().shiftMean(false));
        assertClose("constant, shiftMean off", toDouble(constant), constantOut, RTOL, 0);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPropagatesToValidElementsOnly(String backend) {
        Backend be = Backends.require(backend);
        float[] x = {1, Float.NaN, 3, 4, 5};
        byte[] mask = {1, 1, 0, 1, 1};
        float[] out = new float[5];
        WhitenResult result = be.advantage().whiten(Tensor.of(x, 5), Tensor.ofBool(mask, 5), Tensor.of(out, 5),
                WhitenOptions.defaults());
        for (int i = 0; i < 5; i++) {
            assertEquals(mask[i] != 0, Float.isNaN(out[i]), Arrays.toString(out));
        }
        assertTrue(Double.isNaN(result.mean()));
        assertEquals(4, result.count());
    }

    // ---- REINFORCE++ ---------------------------------------------------------------------------

    static List<Object[]> reinforceCases() {
        // rows, time, baseline group size, gamma, beta, interior masks
        Object[][] specs = {
            {1, 1, 0, 1.0, 0.0, false},
            {8, 33, 0, 1.0, 0.0, false},
            {8, 33, 4, 1.0, 0.0, true},
            {12, 100, 3, 0.99, 0.05, false},
            {6, 517, 0, 1.0, 0.1, true},
            {5, 3, 5, 0.5, 0.2, false},
            {7, 31, 1, 0.9, 0.3, false},
            {64, 1024, 8, 1.0, 0.01, false},
        };
        return AdvantageGaeParityTest.perBackend(specs);
    }

    @ParameterizedTest(name = "{0} {1}x{2} K={3} γ={4} β={5} interior={6} {7}")
    @MethodSource("reinforceCases")
    void randomReinforcePlusPlus(String backend, int rows, int time, int k, double gamma, double beta,
                                 boolean interior, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(17L * rows + time);
        float[] scores = in.floats(rows, spread);
        float[] kl = in.uniform(rows * time, -0.5, 2);
        byte[] mask = interior ? in.mask(rows * time, 0.7) : in.rightPadded(rows, time, 0);
        float[] adv = new float[rows * time];
        ReinforceOptions options = ReinforceOptions.defaults().gamma(gamma).klCoef(beta).baselineGroupSize(k);
        WhitenResult result = be.advantage().reinforcePlusPlus(Tensor.of(scores, rows), Tensor.ofBool(mask, rows, time),
                Tensor.of(kl, rows, time), Tensor.of(adv, rows, time), options);
        AdvantageOracle.Whitened ref = AdvantageOracle.reinforcePlusPlus(toDouble(scores), mask, toDouble(kl), rows,
                time, gamma, beta, k);
        assertClose("advantages", ref.out, adv, RTOL, ATOL);
        assertStats(ref, result);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void outcomeOnlyReturnsAreTheScoreOnEveryValidToken(String backend) {
        Backend be = Backends.require(backend);
        float[] scores = {1, 0, 0.5f, 2, -1, 3};
        byte[] mask = {1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0};
        // β = 0: the kl tensor is not read, even if it holds NaN.
        float[] kl = new float[24];
        Arrays.fill(kl, Float.NaN);
        for (int k : new int[] {0, 2}) {
            double[] g = new double[24];
            for (int i = 0; i < 24; i++) {
                int b = i / 4;
                double baseline = k == 0 ? 0 : (scores[b / k * k] + scores[b / k * k + 1]) / 2.0;
                g[i] = mask[i] != 0 ? scores[b] - baseline : 0;
            }
            AdvantageOracle.Whitened expected = AdvantageOracle.whiten(g, mask, true, true, 1e-8);
            float[] adv = new float[24];
            WhitenResult result = be.advantage().reinforcePlusPlus(Tensor.of(scores, 6), Tensor.ofBool(mask, 6, 4),
                    Tensor.of(kl, 6, 4), Tensor.of(adv, 6, 4), ReinforceOptions.defaults().baselineGroupSize(k));
            assertClose("baseline group " + k, expected.out, adv, RTOL, ATOL);
            assertStats(expected, result);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void klPenaltyDiscountsBackFromEachToken(String backend) {
        Backend be = Backends.require(backend);
        // One row, all valid: G_t = -β·Σ_{s≥t} γ^{s-t}·kl_s + γ^{T-1-t}·R.
        float[] kl = {0.2f, -0.1f, 0.4f, 0.3f};
        double beta = 0.5;
        double gamma = 0.8;
        double[] g = new double[4];
        double next = 0;
        for (int t = 3; t >= 0; t--) {
            next = -beta * kl[t] + (t == 3 ? 2.0 : 0) + gamma * next;
            g[t] = next;
        }
        float[] adv = new float[4];
        be.advantage().reinforcePlusPlus(Tensor.of(new float[] {2}, 1), null, Tensor.of(kl, 1, 4), Tensor.of(adv, 1, 4),
                ReinforceOptions.defaults().gamma(gamma).klCoef(beta));
        assertClose("advantages", AdvantageOracle.whiten(g, null, true, true, 1e-8).out, adv, RTOL, ATOL);
    }

    private static void assertStats(AdvantageOracle.Whitened expected, WhitenResult actual) {
        double scale = 1 + Math.abs(expected.mean) + Math.sqrt(Math.abs(expected.variance));
        assertClose("mean", expected.mean, actual.mean(), RTOL, ATOL * scale);
        assertClose("variance", expected.variance, actual.variance(), RTOL, ATOL * scale * scale);
        assertEquals(expected.count, actual.count(), "count");
        assertEquals(expected.count < 2, actual.degenerate(), "degenerate");
    }
}
