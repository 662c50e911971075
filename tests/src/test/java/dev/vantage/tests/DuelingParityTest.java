package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.oracle.DuelingOracle;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.concat;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dueling-head aggregation and its backward, on every backend, against {@link DuelingOracle}.
 * Tolerance: rel 1e-6 + abs 1e-6·(1 + max|input|) on Q and on both gradients (one fp32 sum over the
 * actions, then one subtraction); -inf and NaN must match exactly.
 */
class DuelingParityTest {
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-6;

    // ---- kernel-math.md §14.11 -----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        Tensor v = Tensor.of(new float[] {0.5f}, 1);
        Tensor adv = Tensor.of(new float[] {1, -0.5f, 2}, 1, 3);
        Tensor g = Tensor.of(new float[] {0.2f, 0, -1}, 1, 3);
        double[][] q = {{1.5, 0, 2.5}, {-0.5, -2, 0.5}, {0.6666667, -0.8333333, 1.6666667}};
        double[][] da = {{0.2, 0, -1}, {0.2, 0, -0.2}, {0.4666667, 0.2666667, -0.7333333}};
        DuelingMode[] modes = {DuelingMode.NAIVE, DuelingMode.MAX, DuelingMode.MEAN};
        for (int m = 0; m < 3; m++) {
            float[] out = new float[3];
            be.dueling().forward(v, adv, null, Tensor.of(out, 1, 3), modes[m]);
            assertClose(modes[m] + " Q", q[m], out, 1e-6, 1e-6);
            float[] dv = new float[1];
            float[] dA = new float[3];
            be.dueling().backward(adv, null, g, Tensor.of(dv, 1), Tensor.of(dA, 1, 3), modes[m]);
            assertClose(modes[m] + " dV", -0.8, dv[0], 1e-6, 1e-6);
            assertClose(modes[m] + " dA", da[m], dA, 1e-6, 1e-6);
        }
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        // {batch, actions, atoms (0: no atom axis)}
        int[][] shapes = {{1, 1, 0}, {5, 3, 0}, {7, 18, 0}, {37, 18, 0}, {19, 40, 0}, {13, 4, 51}, {3, 4097, 0},
            {257, 5, 3}, {2, 1, 7}};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (int[] s : shapes) {
                for (DuelingMode mode : DuelingMode.values()) {
                    Inputs.Spread spread = Inputs.Spread.values()[k % Inputs.Spread.values().length];
                    cases.add(new Object[] {backend, s[0], s[1], s[2], mode, spread, k++ % 2 == 0});
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} {4} {5} masked={6}")
    @MethodSource("randomCases")
    void randomForwardAndBackward(String backend, int batch, int actions, int atomAxis, DuelingMode mode,
                                  Inputs.Spread spread, boolean masked) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(101L * batch + 7L * actions + atomAxis);
        int z = Math.max(1, atomAxis);
        long[] advShape = atomAxis == 0 ? new long[] {batch, actions} : new long[] {batch, actions, z};
        long[] valueShape = atomAxis == 0 ? new long[] {batch} : new long[] {batch, z};
        Case c = new Case(in, batch, actions, z, spread, masked ? 0.6 : 1.0);

        float[] q = new float[batch * actions * z];
        be.dueling().forward(Tensor.of(c.value, valueShape), Tensor.of(c.adv, advShape), c.maskTensor(),
                Tensor.of(q, advShape), mode);
        double[] refQ = DuelingOracle.forward(Close.toDouble(c.value), Close.toDouble(c.adv), c.mask, batch, actions, z,
                oracle(mode));
        assertClose("Q", refQ, q, RTOL, c.atol);

        float[] gradQ = in.floats(q.length, Inputs.Spread.NORMAL);
        float[] dv = new float[c.value.length];
        float[] da = new float[q.length];
        be.dueling().backward(Tensor.of(c.adv, advShape), c.maskTensor(), Tensor.of(gradQ, advShape),
                Tensor.of(dv, valueShape), Tensor.of(da, advShape), mode);
        double[][] ref = DuelingOracle.backward(Close.toDouble(c.adv), c.mask, Close.toDouble(gradQ), batch, actions,
                z, oracle(mode));
        double gradAtol = ATOL * (1 + Math.sqrt(actions));
        assertClose("dV", ref[0], dv, RTOL, gradAtol);
        assertClose("dA", ref[1], da, RTOL, gradAtol);
    }

    /** The gradients are those of {@code L = Σ_valid gradQ·Q}, by central differences of the oracle. */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientsMatchFiniteDifferencesOfTheOracle(String backend) {
        Backend be = Backends.require(backend);
        int b = 4;
        int a = 6;
        int z = 3;
        Inputs in = new Inputs(17);
        Case c = new Case(in, b, a, z, Inputs.Spread.NORMAL, 0.7);
        float[] gradQ = in.floats(b * a * z, Inputs.Spread.NORMAL);
        for (DuelingMode mode : DuelingMode.values()) {
            float[] dv = new float[b * z];
            float[] da = new float[b * a * z];
            be.dueling().backward(Tensor.of(c.adv, b, a, z), c.maskTensor(), Tensor.of(gradQ, b, a, z),
                    Tensor.of(dv, b, z), Tensor.of(da, b, a, z), mode);
            double[] v = Close.toDouble(c.value);
            double[] adv = Close.toDouble(c.adv);
            double[] fdV = new double[v.length];
            double[] fdA = new double[adv.length];
            double h = 1e-6;
            for (int i = 0; i < v.length; i++) {
                fdV[i] = centralDifference(v, i, h, () -> objective(v, adv, c.mask, gradQ, b, a, z, mode));
            }
            for (int i = 0; i < adv.length; i++) {
                fdA[i] = centralDifference(adv, i, h, () -> objective(v, adv, c.mask, gradQ, b, a, z, mode));
            }
            assertClose(mode + " dV vs finite differences", fdV, dv, 1e-5, 1e-6);
            assertClose(mode + " dA vs finite differences", fdA, da, 1e-5, 1e-6);
        }
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void masksTiesNanAndEmptyRows(String backend) {
        Backend be = Backends.require(backend);
        float nan = Float.NaN;
        float ninf = Float.NEGATIVE_INFINITY;
        float[] adv = {
            2, 2, 1, 9,      // tie between actions 0 and 1: the max is action 0; action 3 is masked out
            1, nan, 3, 0,    // NaN among the valid actions
            1, 2, 3, 4,      // no valid action
            5, 1, nan, 2,    // NaN on a masked action: ignored
        };
        byte[] mask = {1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1};
        float[] value = {0.5f, 1, 2, -1};
        float[] g = {1, 2, 3, 4, 1, 1, 1, 1, 5, 5, 5, 5, 1, -1, 7, 2};
        Tensor a = Tensor.of(adv, 4, 4);
        Tensor m = Tensor.ofBool(mask, 4, 4);

        float[] q = new float[16];
        be.dueling().forward(Tensor.of(value, 4), a, m, Tensor.of(q, 4, 4), DuelingMode.MAX);
        assertArrayEquals(new float[] {0.5f, 0.5f, -0.5f, ninf}, Arrays.copyOfRange(q, 0, 4));
        for (int i = 4; i < 8; i++) {
            assertTrue(Float.isNaN(q[i]), "a NaN advantage makes the whole row NaN in max mode");
        }
        assertArrayEquals(new float[] {ninf, ninf, ninf, ninf}, Arrays.copyOfRange(q, 8, 12));
        assertArrayEquals(new float[] {-1, -5, ninf, -4}, Arrays.copyOfRange(q, 12, 16));

        be.dueling().forward(Tensor.of(value, 4), a, m, Tensor.of(q, 4, 4), DuelingMode.MEAN);
        assertClose("mean Q row 0", new double[] {0.5 + 2 - 5 / 3.0, 0.5 + 2 - 5 / 3.0, 0.5 + 1 - 5 / 3.0}, q, 1e-6,
                1e-6);
        assertEquals(ninf, q[3]);
        for (int i = 4; i < 8; i++) {
            assertTrue(Float.isNaN(q[i]), "a NaN advantage makes the whole row NaN in mean mode");
        }
        assertClose("mean Q row 3", new double[] {-1 + 5 - 8 / 3.0, -1 + 1 - 8 / 3.0}, q, 12, 1e-6, 1e-6);

        float[] dv = new float[4];
        float[] da = new float[16];
        be.dueling().backward(a, m, Tensor.of(g, 4, 4), Tensor.of(dv, 4), Tensor.of(da, 4, 4), DuelingMode.MAX);
        assertArrayEquals(new float[] {6, 4, 0, 2}, dv);
        // The tie goes to the lowest index; the first NaN is the argmax, as in PyTorch.
        assertArrayEquals(new float[] {-5, 2, 3, 0, 1, -3, 1, 1, 0, 0, 0, 0, -1, -1, 0, 2}, da);

        be.dueling().backward(a, m, Tensor.of(g, 4, 4), Tensor.of(dv, 4), Tensor.of(da, 4, 4), DuelingMode.NAIVE);
        assertArrayEquals(new float[] {1, 2, 3, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, -1, 0, 2}, da);
    }

    /**
     * Unmasked rows longer than a vector (the SIMD backend's vector path; 18 actions also leave a
     * partial last vector): the max rule is exact there too, in the forward and in the backward.
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void longRowsKeepTheMaxRule(String backend) {
        Backend be = Backends.require(backend);
        float nan = Float.NaN;
        for (int a : new int[] {16, 18, 32, 35}) {
            int rows = 5;
            float[] adv = new float[rows * a];
            for (int i = 0; i < adv.length; i++) {
                adv[i] = -1 - (i * 37 % 11);
            }
            adv[3] = 4;                    // row 0: a tie between action 3 and the last action
            adv[a - 1] = 4;
            adv[a + 2] = -0f;              // row 1: -0 before +0, both the max: the max is the -0
            adv[2 * a - 1] = 0f;
            adv[2 * a + a - 2] = nan;      // row 2: a NaN among the last actions
            adv[3 * a + a - 1] = 7;        // row 3: the max is the last action
            Arrays.fill(adv, 4 * a, 5 * a, Float.NEGATIVE_INFINITY);
            float[] value = {0.5f, -0f, 1, 2, 3};
            float[] q = new float[rows * a];
            be.dueling().forward(Tensor.of(value, rows), Tensor.of(adv, rows, a), null, Tensor.of(q, rows, a),
                    DuelingMode.MAX);
            float[] maxima = {4, -0f, nan, 7, Float.NEGATIVE_INFINITY};
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < a; i++) {
                    float expected = value[r] + (adv[r * a + i] - maxima[r]);
                    assertEquals(expected, q[r * a + i], a + " actions, Q[" + r + ", " + i + "]");
                }
            }

            float[] g = new Inputs(a).floats(rows * a, Inputs.Spread.NORMAL);
            float[] dv = new float[rows];
            float[] da = new float[rows * a];
            be.dueling().backward(Tensor.of(adv, rows, a), null, Tensor.of(g, rows, a), Tensor.of(dv, rows),
                    Tensor.of(da, rows, a), DuelingMode.MAX);
            int[] argmax = {3, 2, a - 2, a - 1, 0};
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < a; i++) {
                    float expected = i == argmax[r] ? g[r * a + i] - dv[r] : g[r * a + i];
                    assertEquals(expected, da[r * a + i], a + " actions, dA[" + r + ", " + i + "]");
                }
            }
        }
    }

    /**
     * A row's results do not depend on where it sits: the SIMD backend sums 16 rows at a time and
     * the rest one by one, in the same order. Row 35 (one of the last three) repeats row 5.
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void aRowGetsTheSameBitsWhereverItIs(String backend) {
        Backend be = Backends.require(backend);
        int rows = 35;
        for (int a : new int[] {18, 40}) {
            float[] adv = new Inputs(a).floats(rows * a, Inputs.Spread.WIDE);
            float[] g = new Inputs(a + 1).floats(rows * a, Inputs.Spread.NORMAL);
            float[] value = new Inputs(a + 2).floats(rows, Inputs.Spread.NORMAL);
            System.arraycopy(adv, 5 * a, adv, 34 * a, a);
            System.arraycopy(g, 5 * a, g, 34 * a, a);
            value[34] = value[5];
            for (DuelingMode mode : DuelingMode.values()) {
                float[] q = new float[rows * a];
                float[] dv = new float[rows];
                float[] da = new float[rows * a];
                be.dueling().forward(Tensor.of(value, rows), Tensor.of(adv, rows, a), null, Tensor.of(q, rows, a), mode);
                be.dueling().backward(Tensor.of(adv, rows, a), null, Tensor.of(g, rows, a), Tensor.of(dv, rows),
                        Tensor.of(da, rows, a), mode);
                String what = a + " actions, " + mode;
                assertArrayEquals(Arrays.copyOfRange(q, 5 * a, 6 * a), Arrays.copyOfRange(q, 34 * a, 35 * a), what);
                assertEquals(dv[5], dv[34], what);
                assertArrayEquals(Arrays.copyOfRange(da, 5 * a, 6 * a), Arrays.copyOfRange(da, 34 * a, 35 * a), what);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void singleActionGivesQEqualToV(String backend) {
        Backend be = Backends.require(backend);
        Tensor adv = Tensor.of(new float[] {3, -7}, 2, 1);
        for (DuelingMode mode : new DuelingMode[] {DuelingMode.MAX, DuelingMode.MEAN}) {
            float[] q = new float[2];
            be.dueling().forward(Tensor.of(new float[] {0.25f, -1}, 2), adv, null, Tensor.of(q, 2, 1), mode);
            assertArrayEquals(new float[] {0.25f, -1}, q);
            float[] dv = new float[2];
            float[] da = {9, 9};
            be.dueling().backward(adv, null, Tensor.of(new float[] {1.5f, -2}, 2, 1), Tensor.of(dv, 2),
                    Tensor.of(da, 2, 1), mode);
            assertArrayEquals(new float[] {1.5f, -2}, dv);
            assertArrayEquals(new float[] {0, 0}, da);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int b = 9;
        int a = 5;
        int z = 4;
        Case c = new Case(new Inputs(23), b, a, z, Inputs.Spread.WIDE, 0.7);
        float[] gradQ = new Inputs(24).floats(b * a * z, Inputs.Spread.NORMAL);
        for (DuelingMode mode : DuelingMode.values()) {
            float[] q = new float[b * a * z];
            float[] dv = new float[b * z];
            float[] da = new float[b * a * z];
            runBoth(be, c, gradQ, z, mode, q, dv, da);

            FloatBuffer qBuf = DirectBuffers.floats(q.length);
            FloatBuffer dvBuf = DirectBuffers.floats(dv.length);
            FloatBuffer daBuf = DirectBuffers.floats(da.length);
            Tensor maskBuf = Tensor.wrap(ByteBuffer.allocateDirect(c.maskBytes.length).order(ByteOrder.nativeOrder()).put(c.maskBytes).flip(),
                    DType.BOOL, b, a);
            be.dueling().forward(Tensor.wrap(DirectBuffers.floats(c.value), b, z), Tensor.wrap(DirectBuffers.floats(c.adv), b, a, z), maskBuf,
                    Tensor.wrap(qBuf, b, a, z), mode);
            be.dueling().backward(Tensor.wrap(DirectBuffers.floats(c.adv), b, a, z), maskBuf, Tensor.wrap(DirectBuffers.floats(gradQ), b, a, z),
                    Tensor.wrap(dvBuf, b, z), Tensor.wrap(daBuf, b, a, z), mode);
            assertArrayEquals(q, read(qBuf), mode + " Q");
            assertArrayEquals(dv, read(dvBuf), mode + " dV");
            assertArrayEquals(da, read(daBuf), mode + " dA");
        }
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor v = Tensor.of(new float[3], 3);
        Tensor adv = Tensor.of(new float[12], 3, 4);
        float[] q = new float[12];
        Arrays.fill(q, 7);
        Tensor out = Tensor.of(q, 3, 4);
        DuelingMode mode = DuelingMode.MEAN;

        expectMessage("value", () -> be.dueling().forward(Tensor.of(new float[4], 4), adv, null, out, mode));
        expectMessage("value", () -> be.dueling().forward(Tensor.of(new float[3], 3, 1), adv, null, out, mode));
        expectMessage("value", () -> be.dueling().forward(null, adv, null, out, mode));
        expectMessage("advantage", () -> be.dueling().forward(v, Tensor.of(new float[3], 3), null, out, mode));
        expectMessage("advantage", () -> be.dueling().forward(v, Tensor.of(new float[0], 3, 0), null, out, mode));
        expectMessage("advantage", () -> be.dueling().forward(v, Tensor.of(new float[24], 3, 4, 2, 1), null, out, mode));
        expectMessage("actionMask", () -> be.dueling().forward(v, adv, Tensor.ofBool(new byte[12], 4, 3), out, mode));
        expectMessage("actionMask", () -> be.dueling().forward(v, adv, Tensor.of(new float[12], 3, 4), out, mode));
        expectMessage("q", () -> be.dueling().forward(v, adv, null, Tensor.of(new float[12], 12), mode));
        expectMessage("mode", () -> be.dueling().forward(v, adv, null, out, null));
        // With atoms the value is [B, Z].
        expectMessage("value", () -> be.dueling().forward(v, Tensor.of(new float[24], 3, 4, 2), null,
                Tensor.of(new float[24], 3, 4, 2), mode));
        assertTrue(allEqual(q, 7), "nothing may be written on bad input");

        float[] dv = {7, 7, 7};
        float[] da = new float[12];
        Arrays.fill(da, 7);
        Tensor g = Tensor.of(new float[12], 3, 4);
        expectMessage("gradQ", () -> be.dueling().backward(adv, null, Tensor.of(new float[12], 4, 3), Tensor.of(dv, 3),
                Tensor.of(da, 3, 4), mode));
        expectMessage("gradValue", () -> be.dueling().backward(adv, null, g, Tensor.of(new float[2], 2),
                Tensor.of(da, 3, 4), mode));
        expectMessage("gradAdvantage", () -> be.dueling().backward(adv, null, g, Tensor.of(dv, 3),
                Tensor.of(new float[12], 3, 2, 2), mode));
        expectMessage("actionMask", () -> be.dueling().backward(adv, Tensor.ofBool(new byte[3], 3), g, Tensor.of(dv, 3),
                Tensor.of(da, 3, 4), mode));
        expectMessage("mode", () -> be.dueling().backward(adv, null, g, Tensor.of(dv, 3), Tensor.of(da, 3, 4), null));
        assertTrue(allEqual(dv, 7) && allEqual(da, 7), "nothing may be written on bad input");
    }

    // ---- determinism ---------------------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int b = 3001;
        int a = 7;
        int z = 3;
        Case c = new Case(new Inputs(5), b, a, z, Inputs.Spread.OUTLIERS, 0.8);
        float[] gradQ = new Inputs(6).floats(b * a * z, Inputs.Spread.NORMAL);
        for (DuelingMode mode : DuelingMode.values()) {
            float[][] results = new float[2][];
            int[] threads = {1, 3};
            for (int k = 0; k < 2; k++) {
                float[] q = new float[b * a * z];
                float[] dv = new float[b * z];
                float[] da = new float[b * a * z];
                runBoth(Backends.java(threads[k]), c, gradQ, z, mode, q, dv, da);
                results[k] = concat(q, dv, da);
            }
            assertArrayEquals(results[0], results[1], mode.toString());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Random values, advantages and mask; some rows have no valid action when masked. */
    private static final class Case {
        final float[] value;
        final float[] adv;
        final byte[] maskBytes;
        final boolean[] mask;
        final double atol;
        final int batch;
        final int actions;

        Case(Inputs in, int b, int a, int z, Inputs.Spread spread, double pValid) {
            batch = b;
            actions = a;
            value = in.floats(b * z, spread);
            adv = in.floats(b * a * z, spread);
            maskBytes = pValid < 1 ? in.mask(b * a, pValid) : null;
            if (maskBytes != null && b > 1) {
                Arrays.fill(maskBytes, a, 2 * a, (byte) 0);
            }
            mask = maskBytes == null ? null : new boolean[b * a];
            for (int i = 0; mask != null && i < mask.length; i++) {
                mask[i] = maskBytes[i] != 0;
            }
            double max = 0;
            for (float x : adv) {
                max = Math.max(max, Math.abs(x));
            }
            for (float x : value) {
                max = Math.max(max, Math.abs(x));
            }
            atol = ATOL * (1 + max);
        }

        Tensor maskTensor() {
            return maskBytes == null ? null : Tensor.ofBool(maskBytes, batch, actions);
        }
    }

    /** Forward into {@code q}, backward into {@code dv} and {@code da}, over heap arrays with an atom axis. */
    private static void runBoth(Backend be, Case c, float[] gradQ, int z, DuelingMode mode, float[] q, float[] dv,
                                float[] da) {
        int b = c.batch;
        int a = c.actions;
        be.dueling().forward(Tensor.of(c.value, b, z), Tensor.of(c.adv, b, a, z), c.maskTensor(), Tensor.of(q, b, a, z),
                mode);
        be.dueling().backward(Tensor.of(c.adv, b, a, z), c.maskTensor(), Tensor.of(gradQ, b, a, z), Tensor.of(dv, b, z),
                Tensor.of(da, b, a, z), mode);
    }

    private static DuelingOracle.Mode oracle(DuelingMode mode) {
        return DuelingOracle.Mode.valueOf(mode.name());
    }

    private static double objective(double[] v, double[] adv, boolean[] mask, float[] gradQ, int b, int a, int z,
                                    DuelingMode mode) {
        double[] q = DuelingOracle.forward(v, adv, mask, b, a, z, oracle(mode));
        double sum = 0;
        for (int i = 0; i < q.length; i++) {
            if (q[i] != Double.NEGATIVE_INFINITY) {
                sum += gradQ[i] * q[i];
            }
        }
        return sum;
    }

    static double centralDifference(double[] x, int i, double h, DoubleSupplier f) {
        double saved = x[i];
        x[i] = saved + h;
        double up = f.getAsDouble();
        x[i] = saved - h;
        double down = f.getAsDouble();
        x[i] = saved;
        return (up - down) / (2 * h);
    }

    private static float[] read(FloatBuffer buffer) {
        float[] out = new float[buffer.capacity()];
        buffer.get(0, out);
        return out;
    }

    private static boolean allEqual(float[] values, float expected) {
        for (float x : values) {
            if (x != expected) {
                return false;
            }
        }
        return true;
    }

}
