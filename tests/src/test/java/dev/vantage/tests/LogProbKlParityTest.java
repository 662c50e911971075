package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.KlEstimator;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.TokenOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.toDouble;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static dev.vantage.tests.TokenCases.filled;
import static dev.vantage.tests.TokenCases.maskTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-token KL estimators (K1, K2, K3, K3_PLUS, with and without verl's clamps) and PRIME's
 * implicit reward on every backend, against {@link TokenOracle}.
 *
 * <p>Tolerances. Outputs are float32 roundings of values computed in double from the same float
 * inputs: rel 1e-6 + abs 1e-12 against the oracle. Gradients against central differences of the
 * oracle's values (h = 1e-6·max(1, |logp|), clamp kinks excluded): rel 1e-5 + abs 1e-8. The §14.4
 * vector's inputs round to float (Δ off by ~3e-8): rel 1e-6 + abs 1e-7.
 */
class LogProbKlParityTest {
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-12;
    private static final double FD_RTOL = 1e-5;
    private static final double FD_ATOL = 1e-8;

    static KlOptions options(KlEstimator estimator, boolean verlClamp) {
        return KlOptions.defaults().estimator(estimator).verlClamp(verlClamp);
    }

    static TokenOracle.Kl oracle(KlEstimator estimator) {
        return TokenOracle.Kl.valueOf(estimator.name());
    }

    // ---- kernel-math.md §14.4 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        Tensor logp = Tensor.of(new float[] {-1.2f}, 1);
        Tensor ref = Tensor.of(new float[] {-0.9f}, 1);
        double[] values = {-0.3, 0.045, 0.0498588076, 0.0498588076};
        double[] grads = {1, -0.3, -0.3498588076, -0.3};
        for (KlEstimator estimator : KlEstimator.values()) {
            for (boolean verlClamp : new boolean[] {false, true}) {
                float[] kl = {7};
                float[] grad = {7};
                be.logprob().kl(logp, ref, null, Tensor.of(kl, 1), Tensor.of(grad, 1), options(estimator, verlClamp));
                int e = estimator.ordinal();
                assertClose(estimator + " value", values[e], kl[0], RTOL, 1e-7);
                assertClose(estimator + " derivative", grads[e], grad[0], RTOL, 1e-7);
            }
        }
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        long[][] shapes = {{1}, {7}, {4097}, {3, 4095}, {2, 3, 5}};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (long[] shape : shapes) {
                for (KlEstimator estimator : KlEstimator.values()) {
                    for (boolean verlClamp : new boolean[] {false, true}) {
                        cases.add(new Object[] {backend, shape, estimator, verlClamp, Inputs.Spread.values()[k++ % 4]});
                    }
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} {2} verlClamp={3} {4}")
    @MethodSource("randomCases")
    void randomAgainstOracle(String backend, long[] shape, KlEstimator estimator, boolean verlClamp,
                             Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        Inputs in = new Inputs(n * 11L + estimator.ordinal() + (verlClamp ? 5 : 0));
        float[] logp = TokenCases.logProbs(in, n);
        // Δ = logp - ref: around 0, wide (k3 past its ±10 value clamp), uniform to ±30 and outliers past ±20.
        float[] ref = TokenCases.plus(logp, TokenCases.scaled(in, n, spread, spread == Inputs.Spread.WIDE ? 0.5 : 1));
        byte[] mask = n % 2 == 0 ? in.mask(n, 0.75) : null;
        float[] kl = filled(n, 7);
        float[] grad = filled(n, 7);
        be.logprob().kl(Tensor.of(logp, shape), Tensor.of(ref, shape), maskTensor(mask, shape), Tensor.of(kl, shape),
                Tensor.of(grad, shape), options(estimator, verlClamp));
        double[] logpD = toDouble(logp);
        double[] refD = toDouble(ref);
        assertClose("kl", TokenOracle.kl(logpD, refD, mask, oracle(estimator), verlClamp), kl, RTOL, ATOL);
        assertClose("gradKl", TokenOracle.klGradient(logpD, refD, mask, oracle(estimator), verlClamp), grad, RTOL,
                ATOL);

        float[] alone = new float[n];
        be.logprob().kl(Tensor.of(logp, shape), Tensor.of(ref, shape), maskTensor(mask, shape), Tensor.of(alone, shape),
                null, options(estimator, verlClamp));
        assertArrayEquals(kl, alone, "kl without gradKl");
    }

    // ---- gradients against finite differences of the oracle ------------------------------------

    static List<Object[]> gradientCases() {
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            for (KlEstimator estimator : KlEstimator.values()) {
                for (boolean verlClamp : new boolean[] {false, true}) {
                    cases.add(new Object[] {backend, estimator, verlClamp});
                }
            }
        });
        return cases;
    }

    /**
     * Each estimator's derivative is that of its value, except K3_PLUS whose derivative is K2's (a
     * straight-through estimator); with verl's clamps it is 0 where a clamp is active.
     */
    @ParameterizedTest(name = "{0} {1} verlClamp={2}")
    @MethodSource("gradientCases")
    void gradientMatchesFiniteDifferencesOfTheOracle(String backend, KlEstimator estimator, boolean verlClamp) {
        Backend be = Backends.require(backend);
        int n = 300;
        Inputs in = new Inputs(estimator.ordinal() * 2L + (verlClamp ? 1 : 0));
        float[] logp = TokenCases.logProbs(in, n);
        float[] ref = TokenCases.plus(logp, in.uniform(n, -25, 25));
        float[] grad = new float[n];
        be.logprob().kl(Tensor.of(logp, n), Tensor.of(ref, n), null, Tensor.of(new float[n], n), Tensor.of(grad, n),
                options(estimator, verlClamp));

        TokenOracle.Kl valueOf = estimator == KlEstimator.K3_PLUS ? TokenOracle.Kl.K2 : oracle(estimator);
        double[] refD = toDouble(ref);
        double[] logpD = toDouble(logp);
        int checked = 0;
        for (int i = 0; i < n; i++) {
            double delta = logpD[i] - refD[i];
            if (verlClamp && nearClampKink(delta)) {
                continue;
            }
            final int at = i;
            double fd = TokenOracle.centralDifferences(new double[] {logpD[i]},
                    x -> TokenOracle.kl(x, new double[] {refD[at]}, null, valueOf, verlClamp)[0])[0];
            assertClose("gradKl[" + i + "] (Δ = " + delta + ") vs finite differences", fd, grad[i], FD_RTOL,
                    FD_ATOL * (1 + Math.abs(fd)));
            checked++;
        }
        assertTrue(checked > n / 2, "too few tokens away from kinks: " + checked);
    }

    /** Near |Δ| = 20 or k3(Δ) = 10, where verl's clamps put a kink in k3. */
    static boolean nearClampKink(double delta) {
        double k3 = TokenOracle.kl(new double[] {delta}, new double[1], null, TokenOracle.Kl.K3, false)[0];
        return Math.abs(Math.abs(delta) - 20) < 1e-3 || Math.abs(k3 - 10) < 1e-2;
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void infinitiesPropagateUnlessVerlClamps(String backend) {
        Backend be = Backends.require(backend);
        // ref = -inf (token impossible under the reference): Δ = +inf; NaN logp; a masked NaN; Δ = 58;
        // logp = -inf: Δ = -inf.
        float[] logp = {-1, Float.NaN, Float.NaN, -2, Float.NEGATIVE_INFINITY};
        float[] ref = {Float.NEGATIVE_INFINITY, -1, -1, -60, -1};
        byte[] mask = {1, 1, 0, 1, 1};
        for (KlEstimator estimator : KlEstimator.values()) {
            for (boolean verlClamp : new boolean[] {false, true}) {
                float[] kl = filled(5, 7);
                float[] grad = filled(5, 7);
                be.logprob().kl(Tensor.of(logp, 5), Tensor.of(ref, 5), Tensor.ofBool(mask, 5), Tensor.of(kl, 5),
                        Tensor.of(grad, 5), options(estimator, verlClamp));
                String what = estimator + (verlClamp ? " verlClamp" : "");
                boolean k3Clamped = verlClamp && (estimator == KlEstimator.K3 || estimator == KlEstimator.K3_PLUS);
                assertEquals(k3Clamped ? 10f : Float.POSITIVE_INFINITY, kl[0], what + " at Δ = +inf");
                assertTrue(Float.isNaN(kl[1]), what + " of NaN");
                assertEquals(0f, kl[2], what + " masked");
                assertEquals(0f, grad[2], what + " masked");
                assertClose(what + " at Δ = 58", TokenOracle.kl(new double[] {-2}, new double[] {-60}, null,
                        oracle(estimator), verlClamp)[0], kl[3], RTOL, ATOL);
                if (k3Clamped) {
                    assertEquals(10f, kl[4], what + " at Δ = -inf");
                } else if (estimator != KlEstimator.K1) {
                    assertFalse(Float.isFinite(kl[4]), what + " at Δ = -inf");
                }
                if (estimator == KlEstimator.K3) {
                    assertEquals(verlClamp ? 0f : 1f, grad[0], what + " derivative at Δ = +inf");
                    assertEquals(verlClamp ? 0f : Float.NEGATIVE_INFINITY, grad[4], what + " derivative at Δ = -inf");
                    assertTrue(Float.isNaN(grad[1]), what + " derivative of NaN");
                }
                if (estimator == KlEstimator.K3_PLUS) {
                    assertEquals(Float.POSITIVE_INFINITY, grad[0], what + " keeps k2's derivative Δ");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void verlClampsSaturateWithZeroDerivative(String backend) {
        Backend be = Backends.require(backend);
        // Δ = -3: k3 = e^3 - 4 ≈ 16.1 → 10; Δ = 25: u clamped to -20, k3 = e^-20 + 19 → 10; Δ = 12: k3 = 11 → 10;
        // Δ = 1: inside both clamps.
        float[] logp = {-4, -1, -1, -1};
        float[] ref = {-1, -26, -13, -2};
        float[] kl = new float[4];
        float[] grad = new float[4];
        be.logprob().kl(Tensor.of(logp, 4), Tensor.of(ref, 4), null, Tensor.of(kl, 4), Tensor.of(grad, 4),
                options(KlEstimator.K3, true));
        assertClose("k3", new double[] {10, 10, 10, Math.expm1(-1) + 1}, kl, RTOL, 0);
        assertClose("derivative", new double[] {0, 0, 0, -Math.expm1(-1)}, grad, RTOL, 0);
        be.logprob().kl(Tensor.of(logp, 4), Tensor.of(ref, 4), null, Tensor.of(kl, 4), Tensor.of(grad, 4),
                options(KlEstimator.K3_PLUS, true));
        assertClose("k3+", new double[] {10, 10, 10, Math.expm1(-1) + 1}, kl, RTOL, 0);
        assertClose("k3+ derivative is Δ", new double[] {-3, 25, 12, 1}, grad, RTOL, 0);
        be.logprob().kl(Tensor.of(logp, 4), Tensor.of(ref, 4), null, Tensor.of(kl, 4), Tensor.of(grad, 4),
                options(KlEstimator.K2, true));
        assertClose("k2 is never clamped", new double[] {4.5, 312.5, 72, 0.5}, kl, RTOL, 0);
    }

    // ---- implicit reward -----------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void implicitRewardAgainstOracle(String backend) {
        Backend be = Backends.require(backend);
        long[][] shapes = {{1, 1}, {3, 17}, {5, 4097}, {4099}};
        double[] betas = {0.05, -2, 0};
        int k = 0;
        for (long[] shape : shapes) {
            for (double beta : betas) {
                Inputs in = new Inputs(100 + k);
                int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
                float[] logp = TokenCases.logProbs(in, n);
                float[] ref = TokenCases.plus(logp, in.floats(n, Inputs.Spread.values()[k++ % 4]));
                byte[] mask = k % 2 == 0 ? null : in.mask(n, 0.6);
                float[] reward = filled(n, 7);
                be.logprob().implicitReward(Tensor.of(logp, shape), Tensor.of(ref, shape), maskTensor(mask, shape),
                        Tensor.of(reward, shape), beta);
                assertClose("reward " + Arrays.toString(shape) + " β=" + beta,
                        TokenOracle.implicitReward(toDouble(logp), toDouble(ref), mask, beta), reward, RTOL, ATOL);
            }
        }
        // NaN propagates where valid and stays out where masked.
        float[] reward = new float[3];
        be.logprob().implicitReward(Tensor.of(new float[] {Float.NaN, Float.NaN, -1}, 3),
                Tensor.of(new float[] {-1, -1, Float.NEGATIVE_INFINITY}, 3), Tensor.ofBool(new byte[] {1, 0, 1}, 3),
                Tensor.of(reward, 3), 0.05);
        assertTrue(Float.isNaN(reward[0]));
        assertEquals(0f, reward[1]);
        assertEquals(Float.POSITIVE_INFINITY, reward[2]);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor x = Tensor.of(new float[6], 2, 3);
        float[] out = filled(6, 7);
        Tensor o = Tensor.of(out, 2, 3);
        KlOptions options = KlOptions.defaults();

        expectMessage("logp", () -> be.logprob().kl(null, x, null, o, null, options));
        expectMessage("logp", () -> be.logprob().kl(Tensor.ofBool(new byte[6], 2, 3), x, null, o, null, options));
        expectMessage("refLogp", () -> be.logprob().kl(x, Tensor.of(new float[6], 6), null, o, null, options));
        expectMessage("mask", () -> be.logprob().kl(x, x, Tensor.ofBool(new byte[6], 3, 2), o, null, options));
        expectMessage("kl", () -> be.logprob().kl(x, x, null, Tensor.of(new int[6], 2, 3), null, options));
        expectMessage("gradKl", () -> be.logprob().kl(x, x, null, o, Tensor.of(new float[7], 7), options));
        expectMessage("options", () -> be.logprob().kl(x, x, null, o, null, null));
        expectMessage("estimator", () -> options.estimator(null));

        expectMessage("beta", () -> be.logprob().implicitReward(x, x, null, o, Double.NaN));
        expectMessage("beta", () -> be.logprob().implicitReward(x, x, null, o, Double.POSITIVE_INFINITY));
        expectMessage("refLogp", () -> be.logprob().implicitReward(x, null, null, o, 0.1));
        expectMessage("mask", () -> be.logprob().implicitReward(x, x, x, o, 0.1));
        expectMessage("reward", () -> be.logprob().implicitReward(x, x, null, Tensor.of(new float[3], 3), 0.1));
        assertArrayEquals(filled(6, 7), out, "nothing may be written on bad input");
    }

    // ---- determinism and memory ----------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int n = 200_003;
        Inputs in = new Inputs(9);
        float[] logp = TokenCases.logProbs(in, n);
        float[] ref = TokenCases.plus(logp, in.floats(n, Inputs.Spread.OUTLIERS));
        byte[] mask = in.mask(n, 0.9);
        Backend[] backends = {Backends.java(1), Backends.java(3)};
        float[][] results = new float[2][3 * n];
        for (int k = 0; k < 2; k++) {
            backends[k].logprob().kl(Tensor.of(logp, n), Tensor.of(ref, n), Tensor.ofBool(mask, n),
                    Tensor.of(results[k], 0, new long[] {n}), Tensor.of(results[k], n, new long[] {n}),
                    options(KlEstimator.K3, true));
            backends[k].logprob().implicitReward(Tensor.of(logp, n), Tensor.of(ref, n), Tensor.ofBool(mask, n),
                    Tensor.of(results[k], 2 * n, new long[] {n}), 0.05);
        }
        assertArrayEquals(results[0], results[1]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int n = 5000; // more than one block of the elementwise loop
        Inputs in = new Inputs(10);
        float[] logp = TokenCases.logProbs(in, n);
        float[] ref = TokenCases.plus(logp, in.floats(n, Inputs.Spread.WIDE));
        byte[] mask = in.mask(n, 0.8);
        KlOptions options = options(KlEstimator.K3_PLUS, true);
        float[] kl = new float[n];
        float[] grad = new float[n];
        be.logprob().kl(Tensor.of(logp, n), Tensor.of(ref, n), Tensor.ofBool(mask, n), Tensor.of(kl, n),
                Tensor.of(grad, n), options);
        Tensor klBuffer = DirectBuffers.of(new float[n], n);
        Tensor gradBuffer = DirectBuffers.of(new float[n], n);
        be.logprob().kl(DirectBuffers.of(logp, n), DirectBuffers.of(ref, n), DirectBuffers.ofBool(mask, n), klBuffer,
                gradBuffer, options);
        assertArrayEquals(kl, TokenCases.read(klBuffer));
        assertArrayEquals(grad, TokenCases.read(gradBuffer));

        float[] reward = new float[n];
        be.logprob().implicitReward(Tensor.of(logp, n), Tensor.of(ref, n), Tensor.ofBool(mask, n), Tensor.of(reward, n),
                0.05);
        Tensor rewardBuffer = DirectBuffers.of(new float[n], n);
        be.logprob().implicitReward(DirectBuffers.of(logp, n), DirectBuffers.of(ref, n),
                DirectBuffers.ofBool(mask, n), rewardBuffer, 0.05);
        assertArrayEquals(reward, TokenCases.read(rewardBuffer));
    }
}
