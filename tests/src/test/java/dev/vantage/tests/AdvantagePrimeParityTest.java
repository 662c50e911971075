package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.oracle.AdvantageOracle;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.toDouble;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PRIME advantages (paper and code forms) on every backend against
 * {@link AdvantageOracle#primeReturns} followed by the oracle's whitening: rel 1e-5, abs 1e-5.
 */
class AdvantagePrimeParityTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    /** kernel-math.md §14.8: K = 3, β = 0.05, rewards β·q, outcomes [1, 0, 1]. */
    private static final float[] Q = {0.4f, -0.2f, 1.0f, 0, -0.6f, 0.2f, 0, 0, 0.1f, 0.1f, -0.3f, 0.5f};
    private static final byte[] MASK = {1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1};

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        float[] rewards = new float[12];
        for (int i = 0; i < 12; i++) {
            rewards[i] = 0.05f * Q[i];
        }
        Tensor outcomes = Tensor.of(new float[] {1, 0, 1}, 3);
        double[] paper = {0.0675, 0.045, 0.0525, 0, -0.045, -0.0025, 0, 0, 0, 0, 0, 0.02};
        double[] code = {0.0675, 0.045, 0.0675, 0, -0.045, 0.0075, 0, 0, 0, 0, 0, 0.03};
        double[] outcome = {0.5, 0.5, 0.5, 0, -1, -1, 0, 0, 0.5, 0.5, 0.5, 0.5};
        Object[][] cases = {
            {PrimeOptions.of(3).coefficients(1, 0), paper},
            {PrimeOptions.of(3).coefficients(1, 0).form(PrimeOptions.Form.CODE), code},
            {PrimeOptions.of(3).coefficients(0, 1), outcome},
        };
        for (Object[] c : cases) {
            float[] adv = new float[12];
            WhitenResult result = be.advantage().prime(Tensor.of(rewards, 3, 4), outcomes, Tensor.ofBool(MASK, 3, 4),
                    Tensor.of(adv, 3, 4), (PrimeOptions) c[0]);
            AdvantageOracle.Whitened expected = AdvantageOracle.whiten((double[]) c[1], MASK, true, true, 1e-8);
            assertClose(c[0] + "", expected.out, adv, RTOL, ATOL);
            assertClose("mean", expected.mean, result.mean(), RTOL, ATOL);
            assertEquals(9, result.count());
        }
    }

    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        Backends.names().forEach(backend -> {
            out.add(new Object[] {backend, 2, 4, 9, false});
            out.add(new Object[] {backend, 4, 3, 33, true});
            out.add(new Object[] {backend, 5, 7, 4097, false});
        });
        return out;
    }

    @ParameterizedTest(name = "{0} K={1} groups={2} T={3} interior={4}")
    @MethodSource("cases")
    void randomAgainstOracle(String backend, int k, int groups, int time, boolean interior) {
        Backend be = Backends.require(backend);
        int rows = k * groups;
        Inputs in = new Inputs(31L * k + time);
        float[] rewards = in.floats(rows * time, Inputs.Spread.NORMAL);
        float[] outcomes = in.uniform(rows, 0, 1);
        byte[] mask = interior ? in.mask(rows * time, 0.6) : in.rightPadded(rows, time, 0);
        for (PrimeOptions.Form form : PrimeOptions.Form.values()) {
            PrimeOptions options = PrimeOptions.of(k).coefficients(5, 2).form(form);
            float[] adv = new float[rows * time];
            be.advantage().prime(Tensor.of(rewards, rows, time), Tensor.of(outcomes, rows), Tensor.ofBool(mask, rows, time),
                    Tensor.of(adv, rows, time), options);
            double[] g = AdvantageOracle.primeReturns(toDouble(rewards), toDouble(outcomes), mask, rows, time, k, 5, 2,
                    form == PrimeOptions.Form.CODE);
            assertClose(form + "", AdvantageOracle.whiten(g, mask, true, true, 1e-8).out, adv, RTOL, ATOL);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void emptyResponsesCountZeroInTheBaseline(String backend) {
        Backend be = Backends.require(backend);
        float[] rewards = {0.3f, 0.1f, 9, 9, -0.2f, 0.4f};
        byte[] mask = {1, 1, 0, 0, 1, 1};
        float[] outcomes = {1, 0, 0};
        float[] adv = new float[6];
        be.advantage().prime(Tensor.of(rewards, 3, 2), Tensor.of(outcomes, 3), Tensor.ofBool(mask, 3, 2),
                Tensor.of(adv, 3, 2), PrimeOptions.of(3));
        double[] g = AdvantageOracle.primeReturns(toDouble(rewards), toDouble(outcomes), mask, 3, 2, 3, 1, 1, false);
        assertClose("advantages", AdvantageOracle.whiten(g, mask, true, true, 1e-8).out, adv, RTOL, ATOL);
        assertEquals(0f, adv[2]);
        assertEquals(0f, adv[3]);
    }

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        Inputs in = new Inputs(8);
        int rows = 4 * 300;
        int time = 40;
        float[] rewards = in.floats(rows * time, Inputs.Spread.WIDE);
        float[] outcomes = in.uniform(rows, 0, 1);
        byte[] mask = in.rightPadded(rows, time, 1);
        float[][] adv = new float[2][rows * time];
        int[] threads = {1, 3};
        for (int i = 0; i < 2; i++) {
            Backends.java(threads[i]).advantage().prime(Tensor.of(rewards, rows, time), Tensor.of(outcomes, rows),
                    Tensor.ofBool(mask, rows, time), Tensor.of(adv[i], rows, time), PrimeOptions.of(4));
        }
        assertArrayEquals(adv[0], adv[1]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        float[] out = {7, 7, 7, 7, 7, 7};
        Tensor adv = Tensor.of(out, 3, 2);
        Tensor rewards = Tensor.of(new float[6], 3, 2);
        Tensor outcomes = Tensor.of(new float[3], 3);
        expectMessage("processRewards", () -> be.advantage().prime(rewards, outcomes, null, adv, PrimeOptions.of(2)));
        expectMessage("outcomes", () -> be.advantage().prime(rewards, Tensor.of(new float[2], 2), null, adv,
                PrimeOptions.of(3)));
        expectMessage("advantages", () -> be.advantage().prime(rewards, outcomes, null, Tensor.of(out, 6),
                PrimeOptions.of(3)));
        expectMessage("options", () -> be.advantage().prime(rewards, outcomes, null, adv, null));
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, out);
        expectMessage("groupSize", () -> PrimeOptions.of(1));
        expectMessage("processCoef", () -> PrimeOptions.of(2).coefficients(Double.NaN, 1));
    }
}
