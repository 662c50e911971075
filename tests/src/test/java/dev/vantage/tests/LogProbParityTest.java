package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.LogProbOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused log-softmax, gather and entropy kernel and its backward, on every backend, against
 * {@link LogProbOracle}. Tolerance: rel 1e-5 + abs 1e-5 on logp, entropy and lse (vocabulary-sized
 * reductions); on gradients rel 1e-4 + abs 1e-6·(1 + |lse|)·(1 + |gLp| + |gH|), because the backward
 * reads the fp32 lse the forward saved. Both sides see the same (decoded) input values.
 */
class LogProbParityTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;
    private static final double GRAD_RTOL = 1e-4;
    private static final double GRAD_ATOL = 1e-6;

    // ---- kernel-math.md §14.1 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        float[] logits = {1.0f, 2.0f, -1.0f, 0.5f, 3.0f, -2.0f, 0.0f, 3.0f};
        int[] labels = {1, 3};
        LogProbOptions options = LogProbOptions.defaults().temperature(0.7);
        float[] logp = new float[2];
        float[] entropy = new float[2];
        float[] lse = new float[2];
        be.logprob().forward(Tensor.of(logits, 2, 4), Tensor.of(labels, 2), Tensor.of(logp, 2),
                Tensor.of(entropy, 2), Tensor.of(lse, 2), options);
        assertClose("logp", new double[] {-0.3153463550, -0.7003979685}, logp, RTOL, ATOL);
        assertClose("entropy", new double[] {0.7915470614, 0.7324815006}, entropy, RTOL, ATOL);
        assertClose("lse", new double[] {3.172489212106065, 4.986112254190547}, lse, RTOL, ATOL);

        float[] grad = new float[8];
        be.logprob().backward(Tensor.of(logits, 2, 4), Tensor.of(labels, 2), Tensor.of(lse, 2),
                Tensor.of(entropy, 2), Tensor.of(new float[] {0.3f, -1.2f}, 2), Tensor.of(new float[] {0.5f, 0.25f}, 2),
                Tensor.of(grad, 2, 4), options);
        assertClose("dlogits", new double[] {0.0440045831, -0.1322338015, 0.0230195026, 0.0652097159,
                0.8452625622, 0.0016691660, 0.0220914239, -0.8690231521}, grad, GRAD_RTOL, GRAD_ATOL);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void negativeInfinityIsAVocabularyMask(String backend) {
        Backend be = Backends.require(backend);
        float[] logp = new float[1];
        float[] entropy = new float[1];
        be.logprob().forward(Tensor.of(new float[] {1, Float.NEGATIVE_INFINITY, 0, 2}, 1, 4), Tensor.of(new int[] {3}, 1),
                Tensor.of(logp, 1), Tensor.of(entropy, 1), null, LogProbOptions.defaults());
        assertClose("logp", -0.4076059644, logp[0], RTOL, ATOL);
        assertClose("entropy", 0.8323955818, entropy[0], RTOL, ATOL);
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        int[][] shapes = {{1, 1}, {3, 2}, {1, 7}, {13, 31}, {5, 127}, {3, 4095}, {2, 4097}, {4, 32000}, {2, 151936}};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (int[] s : shapes) {
                for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                    Inputs.Spread spread = Inputs.Spread.values()[k++ % Inputs.Spread.values().length];
                    cases.add(new Object[] {backend, s[0], s[1], dtype, spread});
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} {4}")
    @MethodSource("randomCases")
    void randomForwardAndBackward(String backend, int rows, int vocab, DType dtype, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(31L * rows + vocab);
        Logits logits = Logits.of(in.floats(rows * vocab, spread), dtype);
        int[] labels = in.labels(rows, vocab, 0.1, -100);
        double temperature = 0.5 + in.nextDouble();
        LogProbOptions options = LogProbOptions.defaults().temperature(temperature);

        float[] logp = new float[rows];
        float[] entropy = new float[rows];
        float[] lse = new float[rows];
        be.logprob().forward(logits.tensor(rows, vocab), Tensor.of(labels, rows), Tensor.of(logp, rows),
                Tensor.of(entropy, rows), Tensor.of(lse, rows), options);
        LogProbOracle.Forward ref = LogProbOracle.forward(logits.values, rows, vocab, labels, temperature, -100);
        assertClose("logp", ref.logp, logp, RTOL, ATOL);
        assertClose("entropy", ref.entropy, entropy, RTOL, ATOL);
        assertClose("lse", ref.lse, lse, RTOL, ATOL);

        float[] gLp = in.floats(rows, Inputs.Spread.NORMAL);
        float[] gH = in.floats(rows, Inputs.Spread.NORMAL);
        float[] grad = new float[rows * vocab];
        be.logprob().backward(logits.tensor(rows, vocab), Tensor.of(labels, rows), Tensor.of(lse, rows),
                Tensor.of(entropy, rows), Tensor.of(gLp, rows), Tensor.of(gH, rows), Tensor.of(grad, rows, vocab), options);
        double[] refGrad = LogProbOracle.backward(logits.values, rows, vocab, labels, temperature, -100,
                Close.toDouble(gLp), Close.toDouble(gH));
        for (int i = 0; i < rows; i++) {
            // The saved lse is fp32: log p carries an absolute error of about ulp(lse).
            double atol = GRAD_ATOL * (1 + Math.abs(ref.lse[i])) * (1 + Math.abs(gLp[i]) + Math.abs(gH[i]));
            assertClose("dlogits row " + i, Arrays.copyOfRange(refGrad, i * vocab, (i + 1) * vocab), grad, i * vocab,
                    GRAD_RTOL, atol);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int rows = 9;
        int vocab = 257;
        Inputs in = new Inputs(7);
        float[] logits = in.floats(rows * vocab, Inputs.Spread.WIDE);
        int[] labels = in.labels(rows, vocab, 0.2, -100);
        float[] logp = new float[rows];
        be.logprob().forward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(logp, rows), null, null,
                LogProbOptions.defaults());

        FloatBuffer logitBuf = DirectBuffers.bytes(rows * vocab * 4).asFloatBuffer().put(logits).flip();
        IntBuffer labelBuf = DirectBuffers.bytes(rows * 4).asIntBuffer().put(labels).flip();
        FloatBuffer logpBuf = DirectBuffers.bytes(rows * 4).asFloatBuffer();
        be.logprob().forward(Tensor.wrap(logitBuf, rows, vocab), Tensor.wrap(labelBuf, rows), Tensor.wrap(logpBuf, rows),
                null, null, LogProbOptions.defaults());
        float[] fromBuffer = new float[rows];
        logpBuf.get(0, fromBuffer);
        assertArrayEquals(logp, fromBuffer);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientCanOverwriteTheLogits(String backend) {
        Backend be = Backends.require(backend);
        int rows = 4;
        int vocab = 33;
        Inputs in = new Inputs(11);
        float[] logits = in.floats(rows * vocab, Inputs.Spread.NORMAL);
        int[] labels = in.labels(rows, vocab, 0, -100);
        float[] lse = new float[rows];
        float[] entropy = new float[rows];
        be.logprob().forward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(new float[rows], rows),
                Tensor.of(entropy, rows), Tensor.of(lse, rows), LogProbOptions.defaults());
        float[] gLp = in.floats(rows, Inputs.Spread.NORMAL);
        float[] separate = new float[rows * vocab];
        be.logprob().backward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(lse, rows), null,
                Tensor.of(gLp, rows), null, Tensor.of(separate, rows, vocab), LogProbOptions.defaults());
        Tensor inPlace = Tensor.of(logits, rows, vocab);
        be.logprob().backward(inPlace, Tensor.of(labels, rows), Tensor.of(lse, rows), null, Tensor.of(gLp, rows), null,
                inPlace, LogProbOptions.defaults());
        assertArrayEquals(separate, logits);
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void edgeRows(String backend) {
        Backend be = Backends.require(backend);
        float inf = Float.POSITIVE_INFINITY;
        float[] logits = {
            Float.NEGATIVE_INFINITY, 0, 1,              // label logit -inf: logp -inf
            -inf, -inf, -inf,                           // no finite logit: NaN
            0, inf, 1,                                  // +inf logit: NaN
            0, Float.NaN, 1,                            // NaN logit: NaN
            5, 5, 5,                                    // uniform: logp = -log 3, H = log 3
        };
        int[] labels = {0, 1, 2, 0, 2};
        float[] logp = new float[5];
        float[] entropy = new float[5];
        be.logprob().forward(Tensor.of(logits, 5, 3), Tensor.of(labels, 5), Tensor.of(logp, 5), Tensor.of(entropy, 5),
                null, LogProbOptions.defaults());
        assertEquals(Float.NEGATIVE_INFINITY, logp[0]);
        assertClose("entropy[0]", -(Math.log(1 / (1 + Math.E)) / (1 + Math.E)
                + Math.E / (1 + Math.E) * Math.log(Math.E / (1 + Math.E))), entropy[0], RTOL, ATOL);
        for (int i = 1; i <= 3; i++) {
            assertTrue(Float.isNaN(logp[i]) && Float.isNaN(entropy[i]), "row " + i + " must be NaN");
        }
        assertClose("logp[4]", -Math.log(3), logp[4], RTOL, ATOL);
        assertClose("entropy[4]", Math.log(3), entropy[4], RTOL, ATOL);

        // The gradient of a -inf label logit stays finite: gLp·(1 - 0) on the label, gLp·(-p) elsewhere.
        float[] lse = new float[1];
        float[] row = {Float.NEGATIVE_INFINITY, 0, 1};
        be.logprob().forward(Tensor.of(row, 1, 3), Tensor.of(new int[] {0}, 1), Tensor.of(new float[1], 1), null,
                Tensor.of(lse, 1), LogProbOptions.defaults());
        float[] grad = new float[3];
        be.logprob().backward(Tensor.of(row, 1, 3), Tensor.of(new int[] {0}, 1), Tensor.of(lse, 1), null,
                Tensor.of(new float[] {1}, 1), null, Tensor.of(grad, 1, 3), LogProbOptions.defaults());
        double p1 = 1 / (1 + Math.E);
        assertClose("dlogits", new double[] {1, -p1, -(1 - p1)}, grad, GRAD_RTOL, GRAD_ATOL);
    }

    /**
     * Rows wide enough for the vector loops: a class beyond e^-86 of the lse (a -inf mask, a logit
     * 100 below) gets a gradient of exactly 0 and one at e^-80 a nonzero one; a NaN logit makes the
     * row NaN but at its -inf logits, which stay 0. Into a separate output and in place.
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void wideRowsKeepExactZerosBeyondTheCeiling(String backend) {
        Backend be = Backends.require(backend);
        int vocab = 70;
        float[] logits = new Inputs(29).floats(3 * vocab, Inputs.Spread.NORMAL);
        logits[5] = Float.NEGATIVE_INFINITY;
        logits[vocab + 33] = -100;
        logits[vocab + 34] = -80;
        logits[2 * vocab + 20] = Float.NaN;
        logits[2 * vocab + 40] = Float.NEGATIVE_INFINITY;
        int[] labels = {1, 2, 3};
        float[] lse = new float[3];
        be.logprob().forward(Tensor.of(logits, 3, vocab), Tensor.of(labels, 3), Tensor.of(new float[3], 3), null,
                Tensor.of(lse, 3), LogProbOptions.defaults());
        float[] separate = new float[3 * vocab];
        be.logprob().backward(Tensor.of(logits, 3, vocab), Tensor.of(labels, 3), Tensor.of(lse, 3), null,
                Tensor.of(new float[] {1, 1, 1}, 3), null, Tensor.of(separate, 3, vocab), LogProbOptions.defaults());
        float[] inPlace = logits.clone();
        Tensor t = Tensor.of(inPlace, 3, vocab);
        be.logprob().backward(t, Tensor.of(labels, 3), Tensor.of(lse, 3), null, Tensor.of(new float[] {1, 1, 1}, 3),
                null, t, LogProbOptions.defaults());
        for (float[] grad : new float[][] {separate, inPlace}) {
            // 0 of either sign: the scalar backend's p rounds to 0 there, times a negative factor.
            assertTrue(grad[5] == 0, "a -inf logit: " + grad[5]);
            assertTrue(grad[vocab + 33] == 0, "a logit 100 below: " + grad[vocab + 33]);
            assertTrue(grad[vocab + 34] < 0, "a logit 80 below: -p");
            for (int j = 2 * vocab; j < 3 * vocab; j++) {
                // A -inf logit is a mask: 0 even in a row that a NaN makes NaN.
                assertTrue(j == 2 * vocab + 40 ? grad[j] == 0 : Float.isNaN(grad[j]),
                        "a NaN logit makes its row NaN, but at a -inf logit: " + j + " " + grad[j]);
            }
        }
        assertArrayEquals(separate, inPlace, "in place as into a separate output");
    }

    static List<Object[]> backendsAndDtypes() {
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                cases.add(new Object[] {backend, dtype});
            }
        });
        return cases;
    }

    /**
     * Rows long enough for the vector loops to go a block (2048 logits) at a time, finding the max
     * of the next block while they work on this one, with an edge in a later block: a NaN of either
     * sign (the negative one with a payload in its low bits, where fp32 has them), a {@code +inf}, a
     * block of {@code -inf} masks, the row's max, a large logit in the last, partial block; and a
     * negative NaN in the first block and in the tail.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndDtypes")
    void longRowsFindTheirEdgesInEveryBlock(String backend, DType dtype) {
        Backend be = Backends.require(backend);
        int block = 2048;
        int rows = 7;
        int vocab = 3 * block + 100;
        Logits logits = Logits.of(new Inputs(41).floats(rows * vocab, Inputs.Spread.NORMAL), dtype);
        float negativeNaN = Float.intBitsToFloat(0xffc10101);
        logits.set(2 * block + 5, Float.NaN);
        logits.set(vocab + 2 * block + 7, negativeNaN);
        logits.set(2 * vocab + 2 * block + 9, Float.POSITIVE_INFINITY);
        for (int j = block; j < 2 * block; j++) {
            logits.set(3 * vocab + j, Float.NEGATIVE_INFINITY);
        }
        logits.set(4 * vocab + 2 * block + 50, 120);
        logits.set(4 * vocab + 3 * block + 50, 119);
        logits.set(5 * vocab + 11, negativeNaN);
        logits.set(6 * vocab + vocab - 1, negativeNaN);
        int[] labels = {1, 2, 3, 4, 2 * block + 50, 5, 6};
        float[] logp = new float[rows];
        float[] entropy = new float[rows];
        float[] lse = new float[rows];
        be.logprob().forward(logits.tensor(rows, vocab), Tensor.of(labels, rows), Tensor.of(logp, rows),
                Tensor.of(entropy, rows), Tensor.of(lse, rows), LogProbOptions.defaults());
        LogProbOracle.Forward ref = LogProbOracle.forward(logits.values, rows, vocab, labels, 1, -100);
        for (int i : new int[] {0, 1, 2, 5, 6}) {
            assertTrue(Float.isNaN(logp[i]) && Float.isNaN(entropy[i]) && Float.isNaN(lse[i]),
                    "row " + i + " must be NaN: " + logp[i] + " " + entropy[i] + " " + lse[i]);
        }
        for (int i : new int[] {3, 4}) {
            assertClose("logp[" + i + "]", ref.logp[i], logp[i], RTOL, ATOL);
            assertClose("entropy[" + i + "]", ref.entropy[i], entropy[i], RTOL, ATOL);
            assertClose("lse[" + i + "]", ref.lse[i], lse[i], RTOL, ATOL);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void singleClassAndIgnoredRows(String backend) {
        Backend be = Backends.require(backend);
        float[] logp = {9, 9};
        float[] entropy = {9, 9};
        be.logprob().forward(Tensor.of(new float[] {3.5f, -2}, 2, 1), Tensor.of(new int[] {0, -100}, 2),
                Tensor.of(logp, 2), Tensor.of(entropy, 2), null, LogProbOptions.defaults());
        assertArrayEquals(new float[] {0, 0}, logp);
        assertArrayEquals(new float[] {0, 0}, entropy);

        // An ignored row takes no logp gradient, only the entropy one.
        float[] logits = {1, 2, 3};
        float[] lse = new float[1];
        float[] h = new float[1];
        Tensor ignored = Tensor.of(new int[] {-100}, 1);
        be.logprob().forward(Tensor.of(logits, 1, 3), ignored, Tensor.of(new float[1], 1), Tensor.of(h, 1),
                Tensor.of(lse, 1), LogProbOptions.defaults());
        float[] grad = new float[3];
        be.logprob().backward(Tensor.of(logits, 1, 3), ignored, Tensor.of(lse, 1), null, Tensor.of(new float[] {5}, 1),
                null, Tensor.of(grad, 1, 3), LogProbOptions.defaults());
        assertArrayEquals(new float[3], grad);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor logits = Tensor.of(new float[12], 3, 4);
        float[] logp = {7, 7, 7};
        Tensor out = Tensor.of(logp, 3);
        LogProbOptions options = LogProbOptions.defaults();

        expectMessage("labels", () -> be.logprob().forward(logits, Tensor.of(new int[] {0, 4, 1}, 3), out, null, null,
                options));
        expectMessage("labels", () -> be.logprob().forward(logits, Tensor.of(new int[] {0, -1, 1}, 3), out, null, null,
                options));
        expectMessage("labels", () -> be.logprob().forward(logits, Tensor.of(new int[] {0, 1}, 2), out, null, null,
                options));
        expectMessage("logp", () -> be.logprob().forward(logits, Tensor.of(new int[3], 3), Tensor.of(new float[4], 4),
                null, null, options));
        expectMessage("logits", () -> be.logprob().forward(Tensor.of(new float[3], 3), Tensor.of(new int[3], 3), out,
                null, null, options));
        expectMessage("logits", () -> be.logprob().forward(null, Tensor.of(new int[3], 3), out, null, null, options));
        expectMessage("labels", () -> be.logprob().forward(logits, Tensor.of(new float[3], 3), out, null, null,
                options));
        expectMessage("options", () -> be.logprob().forward(logits, Tensor.of(new int[3], 3), out, null, null, null));
        expectMessage("entropy", () -> be.logprob().backward(logits, Tensor.of(new int[3], 3), Tensor.of(new float[3], 3),
                null, null, Tensor.of(new float[3], 3), Tensor.of(new float[12], 3, 4), options));
        expectMessage("gradLogits", () -> be.logprob().backward(logits, Tensor.of(new int[3], 3),
                Tensor.of(new float[3], 3), null, Tensor.of(new float[3], 3), null, Tensor.of(new float[12], 4, 3),
                options));
        assertArrayEquals(new float[] {7, 7, 7}, logp, "nothing may be written on bad input");

        expectMessage("temperature", () -> LogProbOptions.defaults().temperature(0));
        expectMessage("temperature", () -> LogProbOptions.defaults().temperature(-1));
        expectMessage("temperature", () -> LogProbOptions.defaults().temperature(Double.NaN));
        expectMessage("data", () -> Tensor.of(new float[5], 2, 3));
        expectMessage("data", () -> Tensor.of((float[]) null, 2));
        expectMessage("shape", () -> Tensor.of(new float[5], -1));
    }

    // ---- determinism ---------------------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int rows = 301;
        int vocab = 1000;
        Inputs in = new Inputs(5);
        float[] logits = in.floats(rows * vocab, Inputs.Spread.OUTLIERS);
        int[] labels = in.labels(rows, vocab, 0.1, -100);
        float[][] results = new float[2][];
        int[] threads = {1, 3};
        for (int k = 0; k < 2; k++) {
            Backend be = Backends.java(threads[k]);
            float[] logp = new float[rows];
            float[] entropy = new float[rows];
            float[] lse = new float[rows];
            be.logprob().forward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(logp, rows),
                    Tensor.of(entropy, rows), Tensor.of(lse, rows), LogProbOptions.defaults());
            float[] grad = new float[rows * vocab];
            be.logprob().backward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(lse, rows),
                    Tensor.of(entropy, rows), Tensor.of(logp, rows), Tensor.of(entropy, rows),
                    Tensor.of(grad, rows, vocab), LogProbOptions.defaults());
            results[k] = concat(logp, entropy, lse, grad);
        }
        assertArrayEquals(results[0], results[1]);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Logits in one dtype, with the exact values the kernel sees, decoded to double for the oracle. */
    record Logits(Object storage, DType dtype, double[] values) {
        static Logits of(float[] raw, DType dtype) {
            double[] values = new double[raw.length];
            if (dtype == DType.F32) {
                for (int i = 0; i < raw.length; i++) {
                    values[i] = raw[i];
                }
                return new Logits(raw, dtype, values);
            }
            short[] bits = new short[raw.length];
            for (int i = 0; i < raw.length; i++) {
                bits[i] = dtype == DType.BF16 ? HalfFloats.floatToBf16(raw[i]) : HalfFloats.floatToF16(raw[i]);
                values[i] = dtype == DType.BF16 ? HalfFloats.bf16ToFloat(bits[i]) : HalfFloats.f16ToFloat(bits[i]);
            }
            return new Logits(bits, dtype, values);
        }

        /** Sets element i to {@code value} as this dtype holds it (a NaN keeps its sign and payload in bf16). */
        void set(int i, float value) {
            if (dtype == DType.F32) {
                ((float[]) storage)[i] = value;
                values[i] = value;
                return;
            }
            short[] bits = (short[]) storage;
            bits[i] = dtype == DType.BF16 ? (short) (Float.floatToRawIntBits(value) >>> 16) : HalfFloats.floatToF16(value);
            values[i] = dtype == DType.BF16 ? HalfFloats.bf16ToFloat(bits[i]) : HalfFloats.f16ToFloat(bits[i]);
        }

        Tensor tensor(long... shape) {
            return dtype == DType.F32 ? Tensor.of((float[]) storage, shape) : Tensor.ofHalf(dtype, (short[]) storage,
                    shape);
        }
    }

    static void expectMessage(String argument, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + ":") || e.getMessage().contains(argument),
                "message should name '" + argument + "': " + e.getMessage());
    }



}
