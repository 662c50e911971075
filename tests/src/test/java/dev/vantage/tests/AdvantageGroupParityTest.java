package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.oracle.AdvantageOracle;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GRPO, RLOO and the per-sequence broadcast on every backend, against {@link AdvantageOracle}.
 * Tolerance: rel 1e-5 + abs 1e-5 (group statistics over at most a few hundred scores; outputs are
 * of order 1, or the scores' own scale without std normalization, which the relative part covers).
 */
class AdvantageGroupParityTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    // ---- kernel-math.md §14.7 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVectors(String backend) {
        Backend be = Backends.require(backend);
        Tensor scores = Tensor.of(new float[] {1, 0, 1, 1}, 4);
        float[] grpo = new float[4];
        be.advantage().grpo(scores, Tensor.of(grpo, 4), GroupOptions.of(4));
        assertClose("GRPO", new double[] {0.499999, -1.499997, 0.499999, 0.499999}, grpo, RTOL, ATOL);
        float[] rloo = new float[4];
        be.advantage().rloo(scores, Tensor.of(rloo, 4), GroupOptions.of(4));
        assertClose("RLOO", new double[] {0.3333333333, -1.0, 0.3333333333, 0.3333333333}, rloo, RTOL, ATOL);
    }

    // ---- random groups against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        // group size, groups, std normalization, unbiased std, epsilon, singleton
        Object[][] specs = {
            {1, 5, true, true, 1e-6, GroupOptions.Singleton.ZERO},
            {1, 5, true, true, 1e-6, GroupOptions.Singleton.SCORE},
            {1, 3, false, true, 1e-6, GroupOptions.Singleton.SCORE},
            {2, 7, true, true, 1e-6, GroupOptions.Singleton.ZERO},
            {3, 11, true, false, 1e-9, GroupOptions.Singleton.ZERO},
            {4, 1, false, true, 1e-6, GroupOptions.Singleton.ZERO},
            {5, 13, true, true, 0.0, GroupOptions.Singleton.ZERO},
            {8, 64, true, false, 1e-6, GroupOptions.Singleton.ZERO},
            {16, 9, false, false, 1e-6, GroupOptions.Singleton.ZERO},
            {64, 33, true, true, 1e-6, GroupOptions.Singleton.SCORE},
            {127, 3, true, true, 0.1, GroupOptions.Singleton.ZERO},
        };
        return AdvantageGaeParityTest.perBackend(specs);
    }

    @ParameterizedTest(name = "{0} K={1} groups={2} std={3} unbiased={4} ε={5} {6} {7}")
    @MethodSource("randomCases")
    void randomGroups(String backend, int k, int groups, boolean byStd, boolean unbiased, double epsilon,
                      GroupOptions.Singleton singleton, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        int n = k * groups;
        float[] scores = new Inputs(101L * k + groups).floats(n, spread);
        GroupOptions options = GroupOptions.of(k).normalizeByStd(byStd).unbiasedStd(unbiased).epsilon(epsilon)
                .singleton(singleton);
        boolean score = singleton == GroupOptions.Singleton.SCORE;
        float[] grpo = new float[n];
        be.advantage().grpo(Tensor.of(scores, n), Tensor.of(grpo, n), options);
        assertClose("GRPO", AdvantageOracle.grpo(toDouble(scores), k, byStd, unbiased, epsilon, score), grpo, RTOL,
                ATOL);
        float[] rloo = new float[n];
        be.advantage().rloo(Tensor.of(scores, n), Tensor.of(rloo, n), options);
        assertClose("RLOO", AdvantageOracle.rloo(toDouble(scores), k, score), rloo, RTOL, ATOL);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void unbiasedAndPopulationStdDifferBySqrtKOverKMinusOne(String backend) {
        Backend be = Backends.require(backend);
        float[] scores = {0.3f, -1.2f, 2.5f, 0.9f, 0.1f};
        GroupOptions options = GroupOptions.of(5).epsilon(0);
        float[] unbiased = new float[5];
        float[] population = new float[5];
        be.advantage().grpo(Tensor.of(scores, 5), Tensor.of(unbiased, 5), options);
        be.advantage().grpo(Tensor.of(scores, 5), Tensor.of(population, 5), options.unbiasedStd(false));
        for (int i = 0; i < 5; i++) {
            assertClose("population / unbiased [" + i + "]", Math.sqrt(5.0 / 4), population[i] / (double) unbiased[i],
                    RTOL, 0);
        }
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void equalScoresGiveZeroEvenWithoutEpsilon(String backend) {
        Backend be = Backends.require(backend);
        float[] scores = {2, 2, 2, 2, -1, 3, 0.5f, 7};
        for (GroupOptions options : new GroupOptions[] {GroupOptions.of(4), GroupOptions.of(4).epsilon(0),
            GroupOptions.of(4).epsilon(0).unbiasedStd(false), GroupOptions.of(4).normalizeByStd(false)}) {
            float[] grpo = {9, 9, 9, 9, 9, 9, 9, 9};
            be.advantage().grpo(Tensor.of(scores, 8), Tensor.of(grpo, 8), options);
            for (int i = 0; i < 4; i++) {
                assertEquals(0f, grpo[i], 0f, options + " [" + i + "]");
            }
            assertTrue(Math.abs(grpo[7]) > 0.5, options + ": the second group has signal");
            float[] rloo = {9, 9, 9, 9, 9, 9, 9, 9};
            be.advantage().rloo(Tensor.of(scores, 8), Tensor.of(rloo, 8), options);
            assertClose("RLOO equal group", new double[] {0, 0, 0, 0}, rloo, 0, 0);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void groupsOfOneFollowTheSingletonPolicy(String backend) {
        Backend be = Backends.require(backend);
        float[] scores = {1.5f, -2, 0};
        double eps = 1e-3;
        GroupOptions zero = GroupOptions.of(1).epsilon(eps);
        GroupOptions score = zero.singleton(GroupOptions.Singleton.SCORE);
        assertClose("GRPO ZERO", new double[] {0, 0, 0}, grpo(be, scores, zero), 0, 0);
        assertClose("RLOO ZERO", new double[] {0, 0, 0}, rloo(be, scores, zero), 0, 0);
        assertClose("GRPO SCORE", new double[] {1.5 / (1 + eps), -2 / (1 + eps), 0}, grpo(be, scores, score), RTOL,
                ATOL);
        assertClose("GRPO SCORE without std", new double[] {1.5, -2, 0}, grpo(be, scores, score.normalizeByStd(false)),
                RTOL, ATOL);
        assertClose("RLOO SCORE", new double[] {1.5, -2, 0}, rloo(be, scores, score), RTOL, ATOL);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPoisonsOnlyItsGroup(String backend) {
        Backend be = Backends.require(backend);
        float[] scores = {0.5f, Float.NaN, 1, 0.2f, 0.7f, -0.3f};
        for (float[] out : new float[][] {grpo(be, scores, GroupOptions.of(3)), rloo(be, scores, GroupOptions.of(3))}) {
            for (int i = 0; i < 6; i++) {
                assertEquals(i < 3, Float.isNaN(out[i]), "element " + i);
            }
        }
        float[] single = grpo(be, new float[] {Float.NaN, 1}, GroupOptions.of(1));
        assertTrue(Float.isNaN(single[0]) && single[1] == 0, "ZERO singleton of NaN is NaN");
    }

    // ---- broadcast -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void broadcastSpreadsOverValidTokens(String backend) {
        Backend be = Backends.require(backend);
        int rows = 7;
        int time = 129;
        Inputs in = new Inputs(71);
        float[] perSequence = in.floats(rows, Inputs.Spread.WIDE);
        perSequence[3] = Float.NaN;
        byte[] mask = in.mask(rows * time, 0.7);
        float[] out = new float[rows * time];
        Arrays.fill(out, 9);
        be.advantage().broadcast(Tensor.of(perSequence, rows), Tensor.ofBool(mask, rows, time),
                Tensor.of(out, rows, time));
        double[] expected = new double[rows * time];
        for (int i = 0; i < rows * time; i++) {
            expected[i] = mask[i] != 0 ? perSequence[i / time] : 0;
        }
        assertClose("broadcast", expected, out, 0, 0);

        be.advantage().broadcast(Tensor.of(perSequence, rows), null, Tensor.of(out, rows, time));
        for (int i = 0; i < rows * time; i++) {
            expected[i] = perSequence[i / time];
        }
        assertClose("broadcast, no mask", expected, out, 0, 0);
    }

    static float[] grpo(Backend be, float[] scores, GroupOptions options) {
        float[] out = new float[scores.length];
        be.advantage().grpo(Tensor.of(scores, scores.length), Tensor.of(out, scores.length), options);
        return out;
    }

    static float[] rloo(Backend be, float[] scores, GroupOptions options) {
        float[] out = new float[scores.length];
        be.advantage().rloo(Tensor.of(scores, scores.length), Tensor.of(out, scores.length), options);
        return out;
    }
}
