package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.LossOracle;
import dev.vantage.tests.LogProbParityTest.Logits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.DuelingParityTest.centralDifference;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comp-sum loss family and its gradient, on every backend, against {@link LossOracle}.
 * Tolerances: row losses rel 1e-5 + abs 1e-6·(1 + |lse|) (lp = h_y - lse carries an absolute error
 * of about ulp(lse) in fp32); the reduced value rel 1e-4 (a vocabulary-sized reduction per row, then
 * one over rows); gradients rel 1e-4 + abs 1e-6·max|row gradient| (+ the smallest normal float, below
 * which fp32 underflows); against central finite
 * differences of the oracle (step 1e-5) rel 1e-5 + abs 1e-7; 16-bit gradients rel 2^-7 (BF16) or
 * 2^-10 (F16) on top, plus F16's subnormal spacing.
 */
class LossCompSumParityTest {
    private static final double RTOL = 1e-5;
    private static final double VALUE_RTOL = 1e-4;
    private static final double GRAD_RTOL = 1e-4;

    // ---- kernel-math.md §14.2 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        double[] h = {0.2, -1.0, 2.5, 0.7, -0.3};
        double[] taus = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0};
        double[] losses = {12.5306285971, 5.3568005538, 2.6049559006, 1.4562853824, 0.9260936036, 0.4972689223};
        double[][] grads = {
            {-12.5306285971, 0.3011942119, 9.9741824548, 1.6487212707, 0.6065306597},
            {-3.4065429681, 0.0818818479, 2.7115543997, 0.4482169276, 0.1648897929},
            {-0.9260936036, 0.0222601788, 0.7371558818, 0.1218510477, 0.0448264953},
            {-0.2517653148, 0.0060515923, 0.2004012142, 0.0331260979, 0.0121864104},
            {-0.0684442409, 0.0016451696, 0.0544805348, 0.0090055718, 0.0033129647},
            {-0.0050584672, 0.0001215886, 0.0040264600, 0.0006655694, 0.0002448493},
        };
        float[] logits = {0.2f, -1.0f, 2.5f, 0.7f, -0.3f};
        for (int t = 0; t < taus.length; t++) {
            // The oracle reproduces the vector (through u for these moderate logits) to 1e-9.
            assertClose("oracle tau=" + taus[t], losses[t], LossOracle.compSum(h, 0, taus[t]), 1e-9, 0);
            float[] loss = new float[1];
            float[] grad = new float[5];
            LossResult r = be.loss().compSum(Tensor.of(logits, 1, 5), Tensor.of(new int[] {0}, 1), Tensor.of(loss, 1),
                    Tensor.of(grad, 1, 5), CompSumOptions.defaults().tau(taus[t]));
            assertClose("loss tau=" + taus[t], losses[t], loss[0], 1e-6, 0);
            assertClose("value tau=" + taus[t], losses[t], r.value(), 1e-6, 0);
            assertEquals(1, r.count());
            assertFalse(r.degenerate());
            assertClose("grad tau=" + taus[t], grads[t], grad, 1e-6, 1e-9);
        }
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        int[][] shapes = {{1, 1}, {3, 2}, {1, 7}, {13, 31}, {5, 127}, {7, 1000}, {3, 4095}, {2, 4097}, {4, 32000}};
        double[] taus = {0, 0.5, 1, 1.5, 1.7, 2, 3, 7};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (int[] s : shapes) {
                for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                    Inputs.Spread spread = Inputs.Spread.values()[k % Inputs.Spread.values().length];
                    Reduction reduction = Reduction.values()[k % Reduction.values().length];
                    // The oracle's smoothed loss is O(C²) a row: keep smoothing to the smaller vocabularies.
                    double smoothing = s[1] <= 1000 && k % 2 == 1 ? 0.1 : 0;
                    cases.add(new Object[] {backend, s[0], s[1], dtype, spread, taus[k % taus.length], reduction,
                            smoothing});
                    k++;
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} {4} tau={5} {6} eps={7}")
    @MethodSource("randomCases")
    void randomLossAndGradient(String backend, int rows, int classes, DType dtype, Inputs.Spread spread, double tau,
                               Reduction reduction, double smoothing) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(37L * rows + classes);
        Logits logits = Logits.of(in.floats(rows * classes, spread), dtype);
        int[] labels = in.labels(rows, classes, 0.2, -100);
        double gradScale = 0.5 + in.nextDouble();
        CompSumOptions options = CompSumOptions.defaults().tau(tau).reduction(reduction).labelSmoothing(smoothing)
                .gradScale(gradScale);
        float[] loss = new float[rows];
        float[] grad = new float[rows * classes];
        LossResult r = be.loss().compSum(logits.tensor(rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                Tensor.of(grad, rows, classes), options);
        checkAgainstOracle(logits.values(), rows, classes, labels, options, loss, grad, r, 0);
    }

    /** The gradient is that of the reduced loss, by central differences of the oracle's forward. */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientsMatchFiniteDifferencesOfTheOracle(String backend) {
        Backend be = Backends.require(backend);
        int rows = 5;
        int classes = 11;
        Inputs in = new Inputs(3);
        float[] raw = in.floats(rows * classes, Inputs.Spread.NORMAL);
        int[] labels = {3, -100, 0, 10, 7};
        double[] taus = {0, 0.5, 0.999, 1, 1.0001, 1.5, 2, 3, 10};
        int k = 0;
        for (double tau : taus) {
            for (double smoothing : new double[] {0, 0.1}) {
                Reduction reduction = Reduction.values()[k++ % Reduction.values().length];
                float[] z = raw.clone();
                if (smoothing == 0) {
                    z[2 * classes + 5] = Float.NEGATIVE_INFINITY; // a masked class in a labelled row
                }
                CompSumOptions options = CompSumOptions.defaults().tau(tau).labelSmoothing(smoothing)
                        .reduction(reduction).gradScale(0.7);
                float[] grad = new float[rows * classes];
                be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), null,
                        Tensor.of(grad, rows, classes), options);
                double[] h = Close.toDouble(z);
                double[] fd = new double[h.length];
                for (int i = 0; i < h.length; i++) {
                    fd[i] = h[i] == Double.NEGATIVE_INFINITY ? 0
                            : centralDifference(h, i, 1e-5, () -> reduced(h, rows, classes, labels, options));
                }
                assertClose("tau=" + tau + " eps=" + smoothing + " " + reduction, fd, grad, 1e-5, 1e-7);
            }
        }
    }

    // ---- τ limits ------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void continuousThroughTauOne(String backend) {
        Backend be = Backends.require(backend);
        int rows = 6;
        int classes = 40;
        Inputs in = new Inputs(13);
        float[] z = in.floats(rows * classes, Inputs.Spread.WIDE);
        int[] labels = in.labels(rows, classes, 0, -100);
        float[] atOne = new float[rows];
        float[] gradAtOne = new float[rows * classes];
        be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(atOne, rows),
                Tensor.of(gradAtOne, rows, classes), CompSumOptions.defaults().reduction(Reduction.SUM));
        for (double d : new double[] {1e-12, 1e-9, 1e-7, 1e-5, 1e-4, 1e-3}) {
            for (double tau : new double[] {1 - d, 1 + d}) {
                CompSumOptions options = CompSumOptions.defaults().tau(tau).reduction(Reduction.SUM);
                float[] loss = new float[rows];
                float[] grad = new float[rows * classes];
                LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows),
                        Tensor.of(loss, rows), Tensor.of(grad, rows, classes), options);
                checkAgainstOracle(Close.toDouble(z), rows, classes, labels, options, loss, grad, r, 0);
                double maxNll = 0;
                for (int i = 0; i < rows; i++) {
                    // At τ = 1 the loss is nll = -lp and |dl/dτ| = lp²/2, so it moves by about d·nll²/2.
                    double nll = atOne[i];
                    maxNll = Math.max(maxNll, nll);
                    assertClose("loss row " + i + " tau=" + tau, nll, loss[i], 2e-6, 1e-7 + d * nll * nll);
                }
                // The gradient is p_y^(τ-1)·(p - onehot): relative change about d·|lp|.
                assertClose("grad tau=" + tau, Close.toDouble(gradAtOne), grad, 2e-5 + 2 * d * maxNll, 1e-7);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void largeTauIsBoundedAndMatchesTheOracle(String backend) {
        Backend be = Backends.require(backend);
        int rows = 8;
        int classes = 50;
        Inputs in = new Inputs(29);
        float[] z = in.floats(rows * classes, Inputs.Spread.NORMAL);
        int[] labels = in.labels(rows, classes, 0, -100);
        for (double tau : new double[] {20, 250, 1e4}) {
            CompSumOptions options = CompSumOptions.defaults().tau(tau).reduction(Reduction.NONE);
            float[] loss = new float[rows];
            float[] grad = new float[rows * classes];
            LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                    Tensor.of(grad, rows, classes), options);
            checkAgainstOracle(Close.toDouble(z), rows, classes, labels, options, loss, grad, r, 0);
            for (float l : loss) {
                assertTrue(l >= 0 && l <= 1 / (tau - 1) * (1 + 1e-6), "loss " + l + " must lie in [0, 1/(τ-1)]");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void confidentWrongPredictionsOverflowToInfinityBelowTauOne(String backend) {
        Backend be = Backends.require(backend);
        float[] z = {-400, 400, -60, 40};
        int[] labels = {0, 0};
        float[] loss = new float[2];
        float[] grad = new float[4];
        // τ = 0: l = 1/p_y - 1 = e^800 (row 0) overflows double too; row 1: e^100 overflows only fp32.
        LossResult r = be.loss().compSum(Tensor.of(z, 2, 2), Tensor.of(labels, 2), Tensor.of(loss, 2),
                Tensor.of(grad, 2, 2), CompSumOptions.defaults().tau(0).reduction(Reduction.SUM));
        assertEquals(Float.POSITIVE_INFINITY, loss[0]);
        assertEquals(Float.POSITIVE_INFINITY, loss[1]);
        assertEquals(Double.POSITIVE_INFINITY, r.value());
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, Arrays.copyOf(grad, 2));
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, Arrays.copyOfRange(grad, 2, 4));

        // Alone, row 1's loss is finite in double: e^100 - 1.
        LossResult one = be.loss().compSum(Tensor.of(new float[] {-60, 40}, 1, 2), Tensor.of(new int[] {0}, 1), null,
                null, CompSumOptions.defaults().tau(0));
        assertClose("e^100", Math.expm1(100), one.value(), 1e-6, 0);
    }

    // ---- labels, smoothing, classes ------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void ignoredRowsAreLeftOut(String backend) {
        Backend be = Backends.require(backend);
        int rows = 6;
        int classes = 9;
        float[] z = new Inputs(41).floats(rows * classes, Inputs.Spread.NORMAL);
        int[] labels = {4, -1, 0, -1, 8, 2};
        CompSumOptions options = CompSumOptions.defaults().ignoreIndex(-1).tau(1.5).gradScale(2);
        float[] loss = new float[rows];
        float[] grad = new float[rows * classes];
        Arrays.fill(loss, 9);
        Arrays.fill(grad, 9);
        LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                Tensor.of(grad, rows, classes), options);
        assertEquals(4, r.count());
        assertEquals(0, loss[1]);
        assertEquals(0, loss[3]);
        assertArrayEquals(new float[classes], Arrays.copyOfRange(grad, classes, 2 * classes));
        checkAgainstOracle(Close.toDouble(z), rows, classes, labels, options, loss, grad, r, 0);

        // Every row ignored: 0, flagged degenerate, zeros written.
        int[] none = {-1, -1, -1, -1, -1, -1};
        for (Reduction reduction : Reduction.values()) {
            Arrays.fill(loss, 9);
            Arrays.fill(grad, 9);
            LossResult empty = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(none, rows),
                    Tensor.of(loss, rows), Tensor.of(grad, rows, classes), options.reduction(reduction));
            assertEquals(new LossResult(0, 0, true), empty);
            assertArrayEquals(new float[rows], loss);
            assertArrayEquals(new float[rows * classes], grad);
        }
        // -100 is an ordinary (out of range) label once the ignore index is -1.
        expectMessage("labels", () -> be.loss().compSum(Tensor.of(z, rows, classes),
                Tensor.of(new int[] {0, 0, -100, 0, 0, 0}, rows), null, null, options));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void labelSmoothingAtTauOneIsPyTorchs(String backend) {
        Backend be = Backends.require(backend);
        int rows = 4;
        int classes = 6;
        double eps = 0.2;
        float[] z = new Inputs(43).floats(rows * classes, Inputs.Spread.WIDE);
        int[] labels = {5, 0, -100, 2};
        float[] loss = new float[rows];
        float[] grad = new float[rows * classes];
        LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                Tensor.of(grad, rows, classes), CompSumOptions.defaults().labelSmoothing(eps));
        // torch.nn.functional.cross_entropy(label_smoothing=ε): (1-ε)·nll + ε·mean_k(-log p_k); grad (p - q)/count.
        double total = 0;
        for (int i = 0; i < rows; i++) {
            if (labels[i] == -100) {
                assertEquals(0, loss[i]);
                continue;
            }
            double[] row = Close.toDouble(Arrays.copyOfRange(z, i * classes, (i + 1) * classes));
            double lse = LossOracle.lse(row);
            double nll = lse - row[labels[i]];
            double smooth = 0;
            double[] expected = new double[classes];
            for (int k = 0; k < classes; k++) {
                smooth += (lse - row[k]) / classes;
                double q = eps / classes + (k == labels[i] ? 1 - eps : 0);
                expected[k] = (Math.exp(row[k] - lse) - q) / 3;
            }
            double l = (1 - eps) * nll + eps * smooth;
            total += l;
            assertClose("loss row " + i, l, loss[i], RTOL, 1e-6);
            assertClose("grad row " + i, expected, Arrays.copyOfRange(grad, i * classes, (i + 1) * classes), 1e-5, 1e-7);
        }
        assertClose("mean", total / 3, r.value(), RTOL, 0);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void singleClassHasZeroLossAndGradient(String backend) {
        Backend be = Backends.require(backend);
        for (double tau : new double[] {0, 0.5, 1, 2.5}) {
            for (double eps : new double[] {0, 0.3}) {
                float[] loss = {9, 9, 9};
                float[] grad = {9, 9, 9};
                LossResult r = be.loss().compSum(Tensor.of(new float[] {3, -20, 0.5f}, 3, 1),
                        Tensor.of(new int[] {0, 0, -100}, 3), Tensor.of(loss, 3), Tensor.of(grad, 3, 1),
                        CompSumOptions.defaults().tau(tau).labelSmoothing(eps));
                assertArrayEquals(new float[3], loss);
                // Smoothing computes p·S - q·p^(τ-1) with S = Σ q_k p_k^(τ-1): zero up to rounding.
                assertClose("grad tau=" + tau + " eps=" + eps, new double[3], grad, 0, eps == 0 ? 0 : 1e-15);
                assertEquals(new LossResult(0, 2, false), r);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void negativeInfinityLogits(String backend) {
        Backend be = Backends.require(backend);
        float ninf = Float.NEGATIVE_INFINITY;
        // A -inf non-label class is a vocabulary mask: same loss as without the class, zero gradient there.
        float[] masked = {0.5f, ninf, -1, 2};
        for (double tau : new double[] {0, 1, 1.7, 3}) {
            float[] loss = new float[1];
            float[] grad = new float[4];
            be.loss().compSum(Tensor.of(masked, 1, 4), Tensor.of(new int[] {2}, 1), Tensor.of(loss, 1),
                    Tensor.of(grad, 1, 4), CompSumOptions.defaults().tau(tau));
            double expected = LossOracle.compSum(new double[] {0.5, -1, 2}, 1, tau);
            assertClose("masked class, tau=" + tau, expected, loss[0], RTOL, 1e-7);
            assertEquals(0f, grad[1]);
        }
        // The same in rows wide enough for the vector loops, where a class beyond e^-86 of the max (a
        // -inf mask, a logit 100 below) must get a gradient of exactly 0, one at e^-80 a positive one.
        int classes = 70;
        float[] wide = new Inputs(17).floats(2 * classes, Inputs.Spread.NORMAL);
        wide[3] = ninf;
        wide[classes + 40] = -100;
        wide[classes + 41] = wide[classes] - 80;
        float[] wideGrad = new float[2 * classes];
        be.loss().compSum(Tensor.of(wide, 2, classes), Tensor.of(new int[] {7, 9}, 2), null,
                Tensor.of(wideGrad, 2, classes), CompSumOptions.defaults());
        assertEquals(0f, wideGrad[3], "a -inf class");
        assertEquals(0f, wideGrad[classes + 40], "a class 100 below the max");
        assertTrue(wideGrad[classes + 41] > 0, "a class 80 below the max");
        // A -inf label logit: +inf for τ ≤ 1, 1/(τ-1) with zero gradient for τ > 1, p - onehot at τ = 1.
        float[] row = {ninf, 0, 1};
        for (double tau : new double[] {0, 0.5, 1, 1.5, 4}) {
            float[] loss = new float[1];
            float[] grad = new float[3];
            be.loss().compSum(Tensor.of(row, 1, 3), Tensor.of(new int[] {0}, 1), Tensor.of(loss, 1),
                    Tensor.of(grad, 1, 3), CompSumOptions.defaults().tau(tau));
            if (tau <= 1) {
                assertEquals(Float.POSITIVE_INFINITY, loss[0], "tau=" + tau);
            } else {
                assertClose("tau=" + tau, 1 / (tau - 1), loss[0], 1e-7, 0);
                assertArrayEquals(new float[3], grad);
            }
            if (tau == 1) {
                double p1 = 1 / (1 + Math.E);
                assertClose("grad", new double[] {-1, p1, 1 - p1}, grad, 1e-6, 1e-7);
            }
        }
        // With label smoothing every class is a target: a -inf class costs +inf for τ ≤ 1, 1/(τ-1)·ε/C above.
        for (double tau : new double[] {0.5, 1, 2}) {
            float[] loss = new float[1];
            CompSumOptions options = CompSumOptions.defaults().tau(tau).labelSmoothing(0.1);
            be.loss().compSum(Tensor.of(masked, 1, 4), Tensor.of(new int[] {2}, 1), Tensor.of(loss, 1), null, options);
            double expected = LossOracle.compSumRows(Close.toDouble(masked), 1, 4, new int[] {2}, tau, -100, 0.1)[0];
            assertTrue(tau > 1 ? Double.isFinite(expected) : expected == Double.POSITIVE_INFINITY);
            assertClose("smoothed masked class, tau=" + tau, expected, loss[0], RTOL, 1e-7);
        }
        // A row with no finite logit, a NaN or a +inf propagates NaN into the reduced value.
        float[] loss = new float[3];
        LossResult r = be.loss().compSum(Tensor.of(new float[] {ninf, ninf, 0, Float.NaN, Float.POSITIVE_INFINITY, 0},
                3, 2), Tensor.of(new int[] {0, 0, 1}, 3), Tensor.of(loss, 3), null, CompSumOptions.defaults());
        assertTrue(Float.isNaN(loss[0]) && Float.isNaN(loss[1]) && Float.isNaN(loss[2]) && Double.isNaN(r.value()));
    }

    /**
     * Rows that follow each other, where the vector loops find a row's max while they work on the
     * row before: an edge anywhere in the next row's whole vectors or in its last, partial one (37
     * classes: two vectors of 16 and 5 more), a NaN of either sign (the negative one with a payload in its
     * low bits), a {@code +inf}, a large max, an ignored row; into a separate gradient and in place.
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void eachRowFindsItsEdgesWhenTheRowBeforeLooksAhead(String backend) {
        Backend be = Backends.require(backend);
        int rows = 12;
        int classes = 37;
        float[] z = new Inputs(53).floats(rows * classes, Inputs.Spread.NORMAL);
        z[2 * classes + 35] = Float.NaN;
        z[4 * classes + 5] = Float.intBitsToFloat(0xffc10101);
        z[6 * classes + 10] = Float.POSITIVE_INFINITY;
        z[8 * classes + 36] = 120;
        z[9 * classes + 3] = 120;
        for (int k = 1; k < classes; k++) {
            z[10 * classes + k] = Float.NEGATIVE_INFINITY;
        }
        // Columns 27 to 31 of a row: in its last whole vector, beside the partial one.
        z[10 * classes + 28] = 120;
        z[11 * classes + 30] = Float.NaN;
        int[] labels = {0, 1, 2, 3, 4, 5, 6, -100, 36, 8, 28, 11};
        CompSumOptions options = CompSumOptions.defaults().reduction(Reduction.SUM);
        double[] h = Close.toDouble(z);
        double[] refLoss = LossOracle.compSumRows(h, rows, classes, labels, 1, -100, 0);
        double[] refGrad = LossOracle.compSumGrad(h, rows, classes, labels, 1, -100, 0);
        float[] separate = new float[rows * classes];
        float[] inPlace = z.clone();
        Tensor t = Tensor.of(inPlace, rows, classes);
        for (Tensor grad : new Tensor[] {Tensor.of(separate, rows, classes), t}) {
            float[] loss = new float[rows];
            be.loss().compSum(grad == t ? t : Tensor.of(z, rows, classes), Tensor.of(labels, rows),
                    Tensor.of(loss, rows), grad, options);
            float[] g = grad == t ? inPlace : separate;
            for (int i = 0; i < rows; i++) {
                if (i == 2 || i == 4 || i == 6 || i == 11) {
                    assertTrue(Float.isNaN(loss[i]), "row " + i + " must be NaN: " + loss[i]);
                    for (int k = 0; k < classes; k++) {
                        assertTrue(Float.isNaN(g[i * classes + k]), "row " + i + " gradient must be NaN");
                    }
                    continue;
                }
                assertClose("loss row " + i, refLoss[i], loss[i], RTOL, 1e-6);
                assertClose("grad row " + i, Arrays.copyOfRange(refGrad, i * classes, (i + 1) * classes), g,
                        i * classes, GRAD_RTOL, 1e-7);
            }
        }
    }

    // ---- dtypes and memory ---------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void halfPrecisionLogitsAndGradients(String backend) {
        Backend be = Backends.require(backend);
        int rows = 7;
        int classes = 301;
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            Inputs in = new Inputs(dtype.ordinal());
            Logits logits = Logits.of(in.floats(rows * classes, Inputs.Spread.NORMAL), dtype);
            int[] labels = in.labels(rows, classes, 0.1, -100);
            for (double tau : new double[] {0.5, 1, 1.7}) {
                CompSumOptions options = CompSumOptions.defaults().tau(tau).labelSmoothing(tau == 1 ? 0.1 : 0)
                        .reduction(Reduction.SUM);
                short[] bits = new short[rows * classes];
                float[] loss = new float[rows];
                LossResult r = be.loss().compSum(logits.tensor(rows, classes), Tensor.of(labels, rows),
                        Tensor.of(loss, rows), Tensor.ofHalf(dtype, bits, rows, classes), options);
                float[] grad = new float[bits.length];
                for (int i = 0; i < bits.length; i++) {
                    grad[i] = dtype == DType.BF16 ? HalfFloats.bf16ToFloat(bits[i]) : HalfFloats.f16ToFloat(bits[i]);
                }
                checkAgainstOracle(logits.values(), rows, classes, labels, options, loss, grad, r,
                        dtype == DType.BF16 ? 0x1p-7 : 0x1p-10);

                // In place over the logits gives the very same bits.
                short[] inPlace = ((short[]) logits.storage()).clone();
                Tensor t = Tensor.ofHalf(dtype, inPlace, rows, classes);
                be.loss().compSum(t, Tensor.of(labels, rows), null, t, options);
                assertArrayEquals(bits, inPlace, dtype + " in place");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientCanOverwriteF32Logits(String backend) {
        Backend be = Backends.require(backend);
        int rows = 5;
        int classes = 33;
        Inputs in = new Inputs(47);
        float[] z = in.floats(rows * classes, Inputs.Spread.UNIFORM);
        int[] labels = in.labels(rows, classes, 0.2, -100);
        for (double eps : new double[] {0, 0.25}) {
            CompSumOptions options = CompSumOptions.defaults().tau(0.7).labelSmoothing(eps);
            float[] separate = new float[rows * classes];
            float[] loss = new float[rows];
            LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                    Tensor.of(separate, rows, classes), options);
            float[] inPlace = z.clone();
            float[] lossInPlace = new float[rows];
            Tensor t = Tensor.of(inPlace, rows, classes);
            LossResult r2 = be.loss().compSum(t, Tensor.of(labels, rows), Tensor.of(lossInPlace, rows), t, options);
            assertArrayEquals(separate, inPlace);
            assertArrayEquals(loss, lossInPlace);
            assertEquals(r, r2);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int rows = 9;
        int classes = 257;
        Inputs in = new Inputs(7);
        float[] z = in.floats(rows * classes, Inputs.Spread.WIDE);
        int[] labels = in.labels(rows, classes, 0.2, -100);
        CompSumOptions options = CompSumOptions.defaults().tau(1.3).labelSmoothing(0.05);
        float[] loss = new float[rows];
        float[] grad = new float[rows * classes];
        LossResult r = be.loss().compSum(Tensor.of(z, rows, classes), Tensor.of(labels, rows), Tensor.of(loss, rows),
                Tensor.of(grad, rows, classes), options);

        FloatBuffer lossBuf = DirectBuffers.bytes(rows * 4).asFloatBuffer();
        FloatBuffer gradBuf = DirectBuffers.bytes(rows * classes * 4).asFloatBuffer();
        LossResult rb = be.loss().compSum(Tensor.wrap(DirectBuffers.bytes(rows * classes * 4).asFloatBuffer().put(z).flip(),
                        rows, classes), Tensor.wrap(DirectBuffers.bytes(rows * 4).asIntBuffer().put(labels).flip(), rows),
                Tensor.wrap(lossBuf, rows), Tensor.wrap(gradBuf, rows, classes), options);
        assertEquals(r, rb);
        assertArrayEquals(loss, read(lossBuf));
        assertArrayEquals(grad, read(gradBuf));

        // BF16 logits and gradient in direct buffers.
        Logits half = Logits.of(z, DType.BF16);
        short[] bits = new short[rows * classes];
        be.loss().compSum(half.tensor(rows, classes), Tensor.of(labels, rows), null,
                Tensor.ofBf16(bits, rows, classes), options);
        ShortBuffer halfIn = DirectBuffers.bytes(rows * classes * 2).asShortBuffer().put((short[]) half.storage()).flip();
        ShortBuffer halfOut = DirectBuffers.bytes(rows * classes * 2).asShortBuffer();
        be.loss().compSum(Tensor.wrap(halfIn, DType.BF16, rows, classes), Tensor.of(labels, rows), null,
                Tensor.wrap(halfOut, DType.BF16, rows, classes), options);
        short[] fromBuffer = new short[bits.length];
        halfOut.get(0, fromBuffer);
        assertArrayEquals(bits, fromBuffer);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor logits = Tensor.of(new float[12], 3, 4);
        Tensor labels = Tensor.of(new int[3], 3);
        float[] loss = {7, 7, 7};
        float[] grad = new float[12];
        Arrays.fill(grad, 7);
        Tensor lossOut = Tensor.of(loss, 3);
        Tensor gradOut = Tensor.of(grad, 3, 4);
        CompSumOptions options = CompSumOptions.defaults();

        expectMessage("labels", () -> be.loss().compSum(logits, Tensor.of(new int[] {0, 4, 1}, 3), lossOut, gradOut,
                options));
        expectMessage("labels", () -> be.loss().compSum(logits, Tensor.of(new int[] {0, -1, 1}, 3), lossOut, gradOut,
                options));
        expectMessage("labels", () -> be.loss().compSum(logits, Tensor.of(new int[2], 2), lossOut, gradOut, options));
        expectMessage("labels", () -> be.loss().compSum(logits, Tensor.of(new float[3], 3), lossOut, gradOut, options));
        expectMessage("labels", () -> be.loss().compSum(logits, null, lossOut, gradOut, options));
        expectMessage("logits", () -> be.loss().compSum(Tensor.of(new float[3], 3), labels, lossOut, gradOut, options));
        expectMessage("logits", () -> be.loss().compSum(Tensor.of(new int[12], 3, 4), labels, lossOut, gradOut,
                options));
        expectMessage("logits", () -> be.loss().compSum(Tensor.of(new float[0], 3, 0), labels, lossOut, gradOut,
                options));
        expectMessage("loss", () -> be.loss().compSum(logits, labels, Tensor.of(new float[4], 4), gradOut, options));
        expectMessage("loss", () -> be.loss().compSum(logits, labels, Tensor.ofBf16(new short[3], 3), gradOut,
                options));
        expectMessage("gradLogits", () -> be.loss().compSum(logits, labels, lossOut, Tensor.of(new float[12], 4, 3),
                options));
        expectMessage("gradLogits", () -> be.loss().compSum(logits, labels, lossOut, Tensor.of(new int[12], 3, 4),
                options));
        expectMessage("options", () -> be.loss().compSum(logits, labels, lossOut, gradOut, null));
        assertArrayEquals(new float[] {7, 7, 7}, loss, "nothing may be written on bad input");
        float[] sevens = new float[12];
        Arrays.fill(sevens, 7);
        assertArrayEquals(sevens, grad, "nothing may be written on bad input");

        expectMessage("tau", () -> CompSumOptions.defaults().tau(-0.1));
        expectMessage("tau", () -> CompSumOptions.defaults().tau(Double.NaN));
        expectMessage("tau", () -> CompSumOptions.defaults().tau(Double.POSITIVE_INFINITY));
        expectMessage("labelSmoothing", () -> CompSumOptions.defaults().labelSmoothing(1));
        expectMessage("labelSmoothing", () -> CompSumOptions.defaults().labelSmoothing(-0.01));
        expectMessage("labelSmoothing", () -> CompSumOptions.defaults().labelSmoothing(Double.NaN));
        expectMessage("reduction", () -> CompSumOptions.defaults().reduction(null));
        expectMessage("gradScale", () -> CompSumOptions.defaults().gradScale(Double.NaN));
        expectMessage("gradScale", () -> CompSumOptions.defaults().gradScale(Double.NEGATIVE_INFINITY));
    }

    // ---- determinism ---------------------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int rows = 301;
        int classes = 1000;
        Inputs in = new Inputs(5);
        float[] z = in.floats(rows * classes, Inputs.Spread.OUTLIERS);
        int[] labels = in.labels(rows, classes, 0.1, -100);
        for (double eps : new double[] {0, 0.1}) {
            CompSumOptions options = CompSumOptions.defaults().tau(0.8).labelSmoothing(eps);
            LossResult[] results = new LossResult[2];
            float[][] outputs = new float[2][];
            int[] threads = {1, 3};
            for (int k = 0; k < 2; k++) {
                float[] loss = new float[rows];
                float[] grad = new float[rows * classes];
                results[k] = Backends.java(threads[k]).loss().compSum(Tensor.of(z, rows, classes),
                        Tensor.of(labels, rows), Tensor.of(loss, rows), Tensor.of(grad, rows, classes), options);
                outputs[k] = Arrays.copyOf(grad, grad.length + rows);
                System.arraycopy(loss, 0, outputs[k], grad.length, rows);
            }
            assertEquals(results[0], results[1]);
            assertArrayEquals(outputs[0], outputs[1]);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Checks row losses, the reduced value and the gradient against the oracle; {@code halfRtol}
     * widens the gradient tolerance for a 16-bit gradient output.
     */
    private static void checkAgainstOracle(double[] h, int rows, int classes, int[] labels, CompSumOptions o,
                                           float[] loss, float[] grad, LossResult r, double halfRtol) {
        double[] refLoss = LossOracle.compSumRows(h, rows, classes, labels, o.tau(), o.ignoreIndex(),
                o.labelSmoothing());
        double[] refGrad = LossOracle.compSumGrad(h, rows, classes, labels, o.tau(), o.ignoreIndex(),
                o.labelSmoothing());
        long count = Arrays.stream(labels).filter(y -> y != o.ignoreIndex()).count();
        double sum = Arrays.stream(refLoss).sum();
        boolean mean = o.reduction() == Reduction.MEAN;
        double factor = o.gradScale() * (mean ? (count == 0 ? 0 : 1.0 / count) : 1);
        assertEquals(count, r.count());
        assertClose("value", mean ? (count == 0 ? 0 : sum / count) : sum, r.value(), VALUE_RTOL, 0);
        for (int i = 0; i < rows; i++) {
            double[] row = Arrays.copyOfRange(h, i * classes, (i + 1) * classes);
            assertClose("loss row " + i, refLoss[i], loss[i], RTOL, 1e-6 * (1 + Math.abs(LossOracle.lse(row))));
            double[] expected = new double[classes];
            double max = 0;
            for (int k = 0; k < classes; k++) {
                expected[k] = factor * refGrad[i * classes + k];
                max = Math.max(max, Math.abs(expected[k]));
            }
            assertClose("grad row " + i, expected, grad, i * classes, GRAD_RTOL + halfRtol,
                    1e-6 * max + (halfRtol > 0 ? 1e-7 : Float.MIN_NORMAL));
        }
    }

    /** The reduced loss times gradScale, from the oracle, as a function for finite differences. */
    private static double reduced(double[] h, int rows, int classes, int[] labels, CompSumOptions o) {
        double[] rowLoss = LossOracle.compSumRows(h, rows, classes, labels, o.tau(), o.ignoreIndex(),
                o.labelSmoothing());
        long count = Arrays.stream(labels).filter(y -> y != o.ignoreIndex()).count();
        double sum = Arrays.stream(rowLoss).sum();
        return o.gradScale() * (o.reduction() == Reduction.MEAN ? sum / count : sum);
    }



    private static float[] read(FloatBuffer buffer) {
        float[] out = new float[buffer.capacity()];
        buffer.get(0, out);
        return out;
    }
}
