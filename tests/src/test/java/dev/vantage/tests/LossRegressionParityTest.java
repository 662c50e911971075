package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.loss.RegressionOptions.Normalizer;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.LossOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.DuelingParityTest.centralDifference;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fourteen regression losses and their gradients, on every backend, against {@link LossOracle}.
 * Tolerances: the reduced value rel 1e-5 (a sum over all elements), plus abs 1e-6·Σ|e| (or its
 * mean) for MBE, whose terms cancel; per-element losses rel 1e-5 + abs 1e-7;
 * gradients rel 1e-5 + abs 1e-7·max|gradient|; against central finite differences of the oracle
 * (relative step 1e-6) rel 1e-5 + abs 1e-6·max|gradient|.
 */
class LossRegressionParityTest {
    private static final double RTOL = 1e-5;

    // ---- kernel-math.md §14.12 -----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        float[] y = {3, -0.5f, 2, 7};
        float[] p = {2.5f, 0, 2, 8};
        RegressionOptions mean = RegressionOptions.defaults();
        // The "repo" variants of §14.12 (NRMSE by the std of ŷ, 0.2064673689; RRMSE over Σŷ², 0.1421338109)
        // are the survey code's deviations from the standard forms and are not implemented.
        Object[][] expected = {
            {RegressionLoss.MAE, 0.5, mean},
            {RegressionLoss.MSE, 0.375, mean},
            {RegressionLoss.MBE, -0.25, mean},
            {RegressionLoss.RAE, 0.2352941176, mean},
            {RegressionLoss.RSE, 0.0513918630, mean},
            {RegressionLoss.MAPE, 32.7380952381, mean},
            {RegressionLoss.RMSE, 0.6123724357, mean},
            {RegressionLoss.MSLE, 0.0079258691, mean},
            {RegressionLoss.RMSLE, 0.0890273502, mean},
            {RegressionLoss.NRMSE, 0.2129991081, mean.normalizer(Normalizer.MEAN)},
            {RegressionLoss.HUBER, 0.15625, mean.delta(0.5)},
            {RegressionLoss.LOG_COSH, 0.1685024611, mean},
        };
        for (Object[] e : expected) {
            RegressionLoss kind = (RegressionLoss) e[0];
            RegressionOptions o = (RegressionOptions) e[2];
            LossResult r = be.loss().regression(kind, Tensor.of(y, 4), Tensor.of(p, 4), null, null, null, o);
            assertClose(kind.toString(), (double) e[1], r.value(), 1e-8, 1e-10);
            assertEquals(new LossResult(r.value(), 4, false), r);
            assertClose("oracle " + kind, (double) e[1], LossOracle.value(oracle(kind), Close.toDouble(y),
                    Close.toDouble(p), null, params(o), true), 1e-9, 1e-10);
        }
        // Quantile: summed over elements and over q in {0.1, 0.5, 0.9}.
        double quantiles = 0;
        for (double q : new double[] {0.1, 0.5, 0.9}) {
            quantiles += be.loss().regression(RegressionLoss.QUANTILE, Tensor.of(y, 4), Tensor.of(p, 4), null, null,
                    null, mean.quantile(q).reduction(Reduction.SUM)).value();
        }
        assertClose("quantile", 3.0, quantiles, 1e-12, 0);
        // The other NRMSE normalizers, from their definitions: range 7.5, population std sqrt(29.1875/4).
        assertClose("NRMSE range", 0.6123724357 / 7.5, be.loss().regression(RegressionLoss.NRMSE, Tensor.of(y, 4),
                Tensor.of(p, 4), null, null, null, mean.normalizer(Normalizer.RANGE)).value(), 1e-8, 0);
        assertClose("NRMSE std", 0.6123724357 / Math.sqrt(29.1875 / 4), be.loss().regression(RegressionLoss.NRMSE,
                Tensor.of(y, 4), Tensor.of(p, 4), null, null, null, mean.normalizer(Normalizer.STD)).value(), 1e-8, 0);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void logCoshIsStableForLargeDifferences(String backend) {
        Backend be = Backends.require(backend);
        float[] p = {800, -800, 1e-4f, 0};
        float[] loss = new float[4];
        float[] grad = new float[4];
        be.loss().regression(RegressionLoss.LOG_COSH, Tensor.of(new float[4], 4), Tensor.of(p, 4), null,
                Tensor.of(loss, 4), Tensor.of(grad, 4), RegressionOptions.defaults().reduction(Reduction.NONE));
        assertClose("x = 800", 799.3068528194, loss[0], 1e-7, 0);
        assertClose("x = -800", 799.3068528194, loss[1], 1e-7, 0);
        for (float x : new float[] {800, -800}) {
            LossResult r = be.loss().regression(RegressionLoss.LOG_COSH, Tensor.of(new float[1], 1),
                    Tensor.of(new float[] {x}, 1), null, null, null, RegressionOptions.defaults());
            assertClose("value at x = " + x, 799.3068528194, r.value(), 1e-12, 0);
        }
        assertClose("x = 1e-4", 5.0e-9, loss[2], 1e-6, 0);
        assertEquals(0f, loss[3]);
        assertClose("tanh", new double[] {1, -1, Math.tanh(1e-4f), 0}, grad, 1e-7, 0);
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        int[] sizes = {1, 7, 4097, 40009};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (RegressionLoss kind : RegressionLoss.values()) {
                for (int n : sizes) {
                    Inputs.Spread spread = Inputs.Spread.values()[k % Inputs.Spread.values().length];
                    Reduction reduction = kind.elementwise() ? Reduction.values()[k % 3] : Reduction.MEAN;
                    cases.add(new Object[] {backend, kind, n, spread, reduction, k % 2 == 0});
                    k++;
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} n={2} {3} {4} masked={5}")
    @MethodSource("randomCases")
    void randomLossAndGradient(String backend, RegressionLoss kind, int n, Inputs.Spread spread, Reduction reduction,
                               boolean masked) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(kind.ordinal() * 1000L + n);
        Data d = Data.random(in, n, spread, masked);
        RegressionOptions o = randomOptions(in, kind, reduction);
        float[] loss = kind.elementwise() ? new float[n] : null;
        float[] grad = new float[n];
        LossResult r = be.loss().regression(kind, Tensor.of(d.y, n), Tensor.of(d.p, n), d.maskTensor(),
                loss == null ? null : Tensor.of(loss, n), Tensor.of(grad, n), o);
        check(kind, d, o, r, loss, grad);
    }

    /** Every gradient is that of the reduced loss, by central differences of the oracle's value. */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientsMatchFiniteDifferencesOfTheOracle(String backend) {
        Backend be = Backends.require(backend);
        int n = 13;
        for (RegressionLoss kind : RegressionLoss.values()) {
            for (Reduction reduction : kind.elementwise() ? Reduction.values() : new Reduction[] {Reduction.MEAN}) {
                Inputs in = new Inputs(kind.ordinal() * 10L + reduction.ordinal());
                Data d = Data.random(in, n, Inputs.Spread.NORMAL, true);
                RegressionOptions o = randomOptions(in, kind, reduction).gradScale(-1.3);
                float[] grad = new float[n];
                be.loss().regression(kind, Tensor.of(d.y, n), Tensor.of(d.p, n), d.maskTensor(), null,
                        Tensor.of(grad, n), o);
                double[] y = Close.toDouble(d.y);
                double[] p = Close.toDouble(d.p);
                double[] fd = new double[n];
                double max = 0;
                for (int i = 0; i < n; i++) {
                    fd[i] = centralDifference(p, i, 1e-6 * Math.max(1, Math.abs(p[i])), () -> o.gradScale()
                            * LossOracle.value(oracle(kind), y, p, d.mask, params(o), reduction == Reduction.MEAN));
                    max = Math.max(max, Math.abs(fd[i]));
                }
                assertClose(kind + " " + reduction, fd, grad, 1e-5, 1e-6 * max);
            }
        }
    }

    // ---- masks, empty sets, guards -------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nothingValidGivesZeroFlaggedDegenerate(String backend) {
        Backend be = Backends.require(backend);
        float[] y = {1, Float.NaN, 3};
        float[] p = {2, 5, Float.NaN};
        Tensor none = Tensor.ofBool(new byte[3], 3);
        for (RegressionLoss kind : RegressionLoss.values()) {
            for (Reduction reduction : kind.elementwise() ? Reduction.values() : new Reduction[] {Reduction.MEAN}) {
                RegressionOptions o = RegressionOptions.defaults().reduction(reduction);
                float[] loss = {9, 9, 9};
                float[] grad = {9, 9, 9};
                LossResult r = be.loss().regression(kind, Tensor.of(y, 3), Tensor.of(p, 3), none,
                        kind.elementwise() ? Tensor.of(loss, 3) : null, Tensor.of(grad, 3), o);
                assertEquals(new LossResult(0, 0, true), r, kind + " " + reduction);
                assertArrayEquals(new float[3], grad);
                if (kind.elementwise()) {
                    assertArrayEquals(new float[3], loss);
                }
                LossResult empty = be.loss().regression(kind, Tensor.of(new float[0], 0, 3),
                        Tensor.of(new float[0], 0, 3), null, null, null, o);
                assertEquals(new LossResult(0, 0, true), empty, kind + " on an empty tensor");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPropagatesFromValidElementsOnly(String backend) {
        Backend be = Backends.require(backend);
        float[] y = {1, Float.NaN, 3, 0.5f};
        float[] p = {2, 5, 2.5f, Float.NaN};
        byte[] skipNan = {1, 0, 1, 0};
        for (RegressionLoss kind : RegressionLoss.values()) {
            RegressionOptions o = RegressionOptions.defaults();
            float[] grad = new float[4];
            LossResult r = be.loss().regression(kind, Tensor.of(y, 4), Tensor.of(p, 4), Tensor.ofBool(skipNan, 4), null,
                    Tensor.of(grad, 4), o);
            boolean[] mask = {true, false, true, false};
            assertClose(kind + " masked NaN", LossOracle.value(oracle(kind), Close.toDouble(y), Close.toDouble(p),
                    mask, params(o), true), r.value(), RTOL, 1e-12);
            assertEquals(0f, grad[1]);
            assertEquals(0f, grad[3]);
            LossResult all = be.loss().regression(kind, Tensor.of(y, 4), Tensor.of(p, 4), null, null, null, o);
            assertTrue(Double.isNaN(all.value()), kind + " must propagate NaN, got " + all.value());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void epsilonGuardsFlagTheResult(String backend) {
        Backend be = Backends.require(backend);
        RegressionOptions o = RegressionOptions.defaults().epsilon(1e-3);
        float[] constant = {2.5f, 2.5f, 2.5f, 2.5f};
        float[] centred = {1, -1, 2, -2};
        float[] zeros = new float[4];
        float[] withZero = {1, 0, 2, -2};
        float[] p = {2, 3, -1, 0.5f};
        Object[][] fires = {
            {RegressionLoss.RAE, constant, o},
            {RegressionLoss.RSE, constant, o},
            {RegressionLoss.NRMSE, centred, o.normalizer(Normalizer.MEAN)},
            {RegressionLoss.NRMSE, constant, o.normalizer(Normalizer.RANGE)},
            {RegressionLoss.NRMSE, constant, o.normalizer(Normalizer.STD)},
            {RegressionLoss.RRMSE, zeros, o},
            {RegressionLoss.MAPE, withZero, o},
        };
        for (Object[] f : fires) {
            RegressionLoss kind = (RegressionLoss) f[0];
            float[] y = (float[]) f[1];
            RegressionOptions opt = (RegressionOptions) f[2];
            float[] grad = new float[4];
            LossResult r = be.loss().regression(kind, Tensor.of(y, 4), Tensor.of(p, 4), null, null, Tensor.of(grad, 4),
                    opt);
            assertTrue(r.degenerate(), kind + " " + opt.normalizer() + ": the guard fired");
            Data d = new Data(y, p, null);
            check(kind, d, opt, r, null, grad);
            // The same loss on data that keeps the denominator away from ε is not degenerate.
            LossResult fine = be.loss().regression(kind, Tensor.of(new float[] {1, 4, 2, -3}, 4), Tensor.of(p, 4), null,
                    null, null, opt);
            assertFalse(fine.degenerate(), kind + " " + opt.normalizer());
        }
    }

    // ---- memory --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int n = 5003;
        Data d = Data.random(new Inputs(61), n, Inputs.Spread.NORMAL, true);
        for (RegressionLoss kind : new RegressionLoss[] {RegressionLoss.HUBER, RegressionLoss.MSLE, RegressionLoss.RAE,
                RegressionLoss.NRMSE}) {
            RegressionOptions o = RegressionOptions.defaults().normalizer(Normalizer.RANGE).gradScale(0.5);
            boolean perElement = kind.elementwise();
            float[] loss = new float[n];
            float[] grad = new float[n];
            LossResult r = be.loss().regression(kind, Tensor.of(d.y, n), Tensor.of(d.p, n), d.maskTensor(),
                    perElement ? Tensor.of(loss, n) : null, Tensor.of(grad, n), o);

            FloatBuffer lossBuf = DirectBuffers.floats(n);
            FloatBuffer gradBuf = DirectBuffers.floats(n);
            ByteBuffer maskBuf = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()).put(d.maskBytes).flip();
            LossResult rb = be.loss().regression(kind, Tensor.wrap(DirectBuffers.floats(n).put(d.y).flip(), n),
                    Tensor.wrap(DirectBuffers.floats(n).put(d.p).flip(), n), Tensor.wrap(maskBuf, DType.BOOL, n),
                    perElement ? Tensor.wrap(lossBuf, n) : null, Tensor.wrap(gradBuf, n), o);
            assertEquals(r, rb, kind.toString());
            float[] fromBuffer = new float[n];
            gradBuf.get(0, fromBuffer);
            assertArrayEquals(grad, fromBuffer, kind + " gradient");
            lossBuf.get(0, fromBuffer);
            assertArrayEquals(perElement ? loss : new float[n], fromBuffer, kind + " loss");
        }
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor y = Tensor.of(new float[6], 2, 3);
        Tensor p = Tensor.of(new float[6], 2, 3);
        float[] loss = {7, 7, 7, 7, 7, 7};
        float[] grad = {7, 7, 7, 7, 7, 7};
        Tensor lossOut = Tensor.of(loss, 2, 3);
        Tensor gradOut = Tensor.of(grad, 2, 3);
        RegressionOptions o = RegressionOptions.defaults();
        RegressionLoss mse = RegressionLoss.MSE;

        expectMessage("kind", () -> be.loss().regression(null, y, p, null, lossOut, gradOut, o));
        expectMessage("target", () -> be.loss().regression(mse, null, p, null, lossOut, gradOut, o));
        expectMessage("target", () -> be.loss().regression(mse, Tensor.ofBf16(new short[6], 2, 3), p, null, lossOut,
                gradOut, o));
        expectMessage("prediction", () -> be.loss().regression(mse, y, Tensor.of(new float[6], 3, 2), null, lossOut,
                gradOut, o));
        expectMessage("prediction", () -> be.loss().regression(mse, y, Tensor.of(new float[6], 6), null, lossOut,
                gradOut, o));
        expectMessage("mask", () -> be.loss().regression(mse, y, p, Tensor.ofBool(new byte[5], 5), lossOut, gradOut, o));
        expectMessage("mask", () -> be.loss().regression(mse, y, p, Tensor.of(new float[6], 2, 3), lossOut, gradOut,
                o));
        expectMessage("loss", () -> be.loss().regression(mse, y, p, null, Tensor.of(new float[6], 6), gradOut, o));
        expectMessage("gradPrediction", () -> be.loss().regression(mse, y, p, null, lossOut,
                Tensor.of(new float[7], 7), o));
        expectMessage("options", () -> be.loss().regression(mse, y, p, null, lossOut, gradOut, null));
        for (RegressionLoss kind : RegressionLoss.values()) {
            if (!kind.elementwise()) {
                for (Reduction reduction : new Reduction[] {Reduction.SUM, Reduction.NONE}) {
                    expectMessage("reduction", () -> be.loss().regression(kind, y, p, null, null, gradOut,
                            o.reduction(reduction)));
                }
                expectMessage("loss", () -> be.loss().regression(kind, y, p, null, lossOut, gradOut, o));
            }
        }
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, loss, "nothing may be written on bad input");
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, grad, "nothing may be written on bad input");

        for (double delta : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            expectMessage("delta", () -> o.delta(delta));
        }
        for (double q : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            expectMessage("quantile", () -> o.quantile(q));
        }
        for (double eps : new double[] {0, -1e-7, Double.NaN}) {
            expectMessage("epsilon", () -> o.epsilon(eps));
        }
        expectMessage("reduction", () -> o.reduction(null));
        expectMessage("normalizer", () -> o.normalizer(null));
        expectMessage("gradScale", () -> o.gradScale(Double.NaN));
    }

    // ---- determinism ---------------------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int n = 100_003;
        Data d = Data.random(new Inputs(5), n, Inputs.Spread.OUTLIERS, true);
        for (RegressionLoss kind : RegressionLoss.values()) {
            RegressionOptions o = RegressionOptions.defaults().normalizer(Normalizer.STD);
            LossResult[] results = new LossResult[2];
            float[][] outputs = new float[2][];
            int[] threads = {1, 3};
            for (int k = 0; k < 2; k++) {
                float[] loss = new float[n];
                float[] grad = new float[n];
                results[k] = Backends.java(threads[k]).loss().regression(kind, Tensor.of(d.y, n), Tensor.of(d.p, n),
                        d.maskTensor(), kind.elementwise() ? Tensor.of(loss, n) : null, Tensor.of(grad, n), o);
                outputs[k] = Arrays.copyOf(grad, 2 * n);
                System.arraycopy(loss, 0, outputs[k], n, n);
            }
            assertEquals(results[0], results[1], kind.toString());
            assertArrayEquals(outputs[0], outputs[1], kind.toString());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Targets, predictions near them, and an optional mask. */
    private record Data(float[] y, float[] p, byte[] maskBytes, boolean[] mask) {
        Data(float[] y, float[] p, byte[] maskBytes) {
            this(y, p, maskBytes, toBooleans(maskBytes));
        }

        static Data random(Inputs in, int n, Inputs.Spread spread, boolean masked) {
            float[] y = in.floats(n, spread);
            float[] noise = in.floats(n, Inputs.Spread.NORMAL);
            float[] p = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = y[i] + noise[i];
            }
            return new Data(y, p, masked ? in.mask(n, 0.7) : null);
        }

        Tensor maskTensor() {
            return maskBytes == null ? null : Tensor.ofBool(maskBytes, maskBytes.length);
        }

        private static boolean[] toBooleans(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            boolean[] out = new boolean[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = bytes[i] != 0;
            }
            return out;
        }
    }

    private static RegressionOptions randomOptions(Inputs in, RegressionLoss kind, Reduction reduction) {
        return RegressionOptions.defaults().reduction(reduction).delta(0.2 + 2 * in.nextDouble())
                .quantile(0.05 + 0.9 * in.nextDouble()).normalizer(Normalizer.values()[kind.ordinal() % 3])
                .gradScale(0.5 + in.nextDouble());
    }

    /** Value, count, per-element losses and gradient against the oracle. */
    private static void check(RegressionLoss kind, Data d, RegressionOptions o, LossResult r, float[] loss,
                              float[] grad) {
        double[] y = Close.toDouble(d.y);
        double[] p = Close.toDouble(d.p);
        boolean mean = o.reduction() == Reduction.MEAN;
        LossOracle.Regression k = oracle(kind);
        LossOracle.Params params = params(o);
        long n = d.mask == null ? y.length : IntStream.range(0, y.length).filter(i -> d.mask[i]).count();
        assertEquals(n, r.count());
        // MBE's terms cancel: bound its error by the same sum of |e|.
        double cancelling = kind == RegressionLoss.MBE
                ? LossOracle.value(LossOracle.Regression.MAE, y, p, d.mask, params, mean) : 0;
        assertClose("value", LossOracle.value(k, y, p, d.mask, params, mean), r.value(), RTOL,
                1e-6 * cancelling + 1e-12);
        if (loss != null) {
            double[] element = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                element[i] = d.mask == null || d.mask[i] ? LossOracle.element(k, y[i], p[i], params) : 0;
            }
            assertClose("loss", element, loss, RTOL, 1e-7);
        }
        double[] g = LossOracle.gradient(k, y, p, d.mask, params, mean);
        double max = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] *= o.gradScale();
            max = Math.max(max, Math.abs(g[i]));
        }
        assertClose("gradient", g, grad, RTOL, 1e-7 * max);
    }

    private static LossOracle.Regression oracle(RegressionLoss kind) {
        return LossOracle.Regression.valueOf(kind.name());
    }

    private static LossOracle.Params params(RegressionOptions o) {
        return new LossOracle.Params(o.delta(), o.quantile(), o.epsilon(), o.normalizer().name());
    }

}
