package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.TokenOracle;
import dev.vantage.tests.TokenCases.Masking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.toDouble;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static dev.vantage.tests.TokenCases.assertSameBits;
import static dev.vantage.tests.TokenCases.filled;
import static dev.vantage.tests.TokenCases.maskTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loss aggregation (the four modes, with and without an explicit normalizer) and masked sequence
 * sums, forward and backward, on every backend, against {@link TokenOracle}.
 *
 * <p>Tolerances. The aggregate is a double sum of float values taken in another order: rel 1e-10
 * + abs 1e-10 times the aggregate of |values|. Gradients are float32 roundings of double weights:
 * rel 1e-6 + abs 1e-12 against the oracle's weights, rel 1e-5 + abs 1e-9 against central
 * differences of the oracle's aggregate (exact up to rounding: the map is linear). Sequence sums
 * are float32 roundings of double sums: rel 1e-6 + abs 1e-12·Σ|values|.
 */
class LogProbAggregationParityTest {
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-12;
    private static final double SUM_TOL = 1e-10;
    private static final double NORMALIZER = 37.5;

    static Aggregation aggregation(TokenOracle.Mode mode, double normalizer) {
        return LogProbPpoParityTest.aggregation(mode, normalizer);
    }

    static double[] abs(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]);
        }
        return out;
    }

    // ---- definitions on a small batch ----------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void definitionsOnASmallBatch(String backend) {
        Backend be = Backends.require(backend);
        // [[1, 2, ·], [4, ·, ·], [·, ·, ·]]: Σm = 3, B' = 2, T = 3; masked slots hold NaN.
        float nan = Float.NaN;
        Tensor values = Tensor.of(new float[] {1, 2, nan, 4, nan, nan, nan, nan, nan}, 3, 3);
        Tensor mask = Tensor.ofBool(new byte[] {1, 1, 0, 1, 0, 0, 0, 0, 0}, 3, 3);
        double[] local = {7.0 / 3, (3 + 4) / 2.0, (1.5 + 4) / 2, 7.0 / 3};
        double[] normalized = {0.7, 0.7, 0.55, 0.7};
        float[][] grads = {
            {1f / 3, 1f / 3, 0, 1f / 3, 0, 0, 0, 0, 0},
            {0.5f, 0.5f, 0, 0.5f, 0, 0, 0, 0, 0},
            {0.25f, 0.25f, 0, 0.5f, 0, 0, 0, 0, 0},
            {1f / 3, 1f / 3, 0, 1f / 3, 0, 0, 0, 0, 0},
        };
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            int m = mode.ordinal();
            AggregateResult r = be.logprob().aggregate(values, mask, Aggregation.of(mode));
            assertClose(mode + " value", local[m], r.value(), 1e-15, 0);
            assertEquals(3, r.tokens());
            assertFalse(r.degenerate());
            r = be.logprob().aggregate(values, mask, Aggregation.of(mode).normalizer(10));
            assertClose(mode + " value / 10", normalized[m], r.value(), 1e-15, 0);

            float[] grad = filled(9, 7);
            be.logprob().aggregateBackward(mask, Aggregation.of(mode), 2, Tensor.of(grad, 3, 3));
            float[] expected = grads[m].clone();
            for (int i = 0; i < 9; i++) {
                expected[i] *= 2;
            }
            assertArrayEquals(expected, grad, mode + " gradient");
        }
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        int[][] shapes = {{1, 1}, {3, 7}, {13, 31}, {5, 4097}, {300, 67}};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (int[] s : shapes) {
                for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
                    for (boolean explicit : new boolean[] {false, true}) {
                        cases.add(new Object[] {backend, s[0], s[1], mode, explicit, Masking.values()[k % 3],
                                Inputs.Spread.values()[k % 4]});
                        k++;
                    }
                }
            }
        });
        return cases;
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void trainerPresets(String backend) {
        Backend be = Backends.require(backend);
        Tensor values = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor mask = Tensor.ofBool(new byte[] {1, 1, 0, 1, 0, 0}, 2, 3);
        assertEquals((1.5 + 4) / 2, be.logprob().aggregate(values, mask, Aggregation.grpo()).value(), 1e-12);
        assertEquals(7.0 / 3, be.logprob().aggregate(values, mask, Aggregation.bnpo()).value(), 1e-6);
        assertEquals(7.0 / 6, be.logprob().aggregate(values, mask, Aggregation.drGrpo(2, 3)).value(), 1e-6);
        assertEquals(0.5, be.logprob().aggregate(values, mask, Aggregation.dapo(14)).value(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Aggregation.drGrpo(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Aggregation.dapo(0));
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} normalizer={4} {5} {6}")
    @MethodSource("randomCases")
    void randomAgainstOracle(String backend, int batch, int time, TokenOracle.Mode mode, boolean explicit,
                             Masking masking, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(1009L * batch + time + 3L * mode.ordinal() + (explicit ? 1 : 0));
        int n = batch * time;
        float[] values = in.floats(n, spread);
        byte[] mask = TokenCases.mask(in, batch, time, masking);
        double normalizer = explicit ? NORMALIZER : Double.NaN;
        Aggregation aggregation = aggregation(mode, normalizer);
        AggregateResult r = be.logprob().aggregate(Tensor.of(values, batch, time), maskTensor(mask, batch, time),
                aggregation);
        double[] v = toDouble(values);
        TokenOracle.Aggregate ref = TokenOracle.aggregate(v, mask, batch, time, mode, normalizer);
        double scale = TokenOracle.aggregate(abs(v), mask, batch, time, mode, normalizer).value;
        assertClose("value", ref.value, r.value(), SUM_TOL, SUM_TOL * scale);
        assertEquals(ref.tokens, r.tokens(), "tokens");
        assertEquals(ref.degenerate, r.degenerate(), "degenerate");

        double gradLoss = -1.7;
        float[] grad = filled(n, 7);
        be.logprob().aggregateBackward(maskTensor(mask, batch, time), aggregation, gradLoss, Tensor.of(grad, batch, time));
        double[] expected = ref.weights.clone();
        for (int i = 0; i < n; i++) {
            expected[i] *= gradLoss;
        }
        assertClose("gradValues", expected, grad, RTOL, ATOL);

        float[] sums = filled(batch, 7);
        be.logprob().sequenceSum(Tensor.of(values, batch, time), maskTensor(mask, batch, time), Tensor.of(sums, batch));
        double[] refSums = TokenOracle.sequenceSum(v, mask, batch, time);
        double[] absSums = TokenOracle.sequenceSum(abs(v), mask, batch, time);
        for (int b = 0; b < batch; b++) {
            assertClose("sums[" + b + "]", refSums[b], sums[b], RTOL, ATOL * absSums[b]);
        }

        float[] gradSums = in.floats(batch, Inputs.Spread.NORMAL);
        float[] gradValues = filled(n, 7);
        be.logprob().sequenceSumBackward(Tensor.of(gradSums, batch), maskTensor(mask, batch, time),
                Tensor.of(gradValues, batch, time));
        for (int i = 0; i < n; i++) {
            float want = mask == null || mask[i] != 0 ? gradSums[i / time] : 0f;
            assertEquals(want, gradValues[i], "gradValues[" + i + "]");
        }
    }

    // ---- gradients against finite differences of the oracle ------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gradientsMatchFiniteDifferencesOfTheOracle(String backend) {
        Backend be = Backends.require(backend);
        int batch = 5;
        int time = 9;
        int n = batch * time;
        Inputs in = new Inputs(77);
        double[] values = toDouble(in.floats(n, Inputs.Spread.NORMAL));
        byte[] mask = TokenCases.mask(in, batch, time, Masking.RIGHT_PADDED);
        double gradLoss = 0.6;
        for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
            for (double normalizer : new double[] {Double.NaN, NORMALIZER}) {
                float[] grad = new float[n];
                be.logprob().aggregateBackward(Tensor.ofBool(mask, batch, time), aggregation(mode, normalizer),
                        gradLoss, Tensor.of(grad, batch, time));
                double[] fd = TokenOracle.centralDifferences(values,
                        x -> gradLoss * TokenOracle.aggregate(x, mask, batch, time, mode, normalizer).value);
                assertClose(mode + "/" + normalizer + " vs finite differences", fd, grad, 1e-5, 1e-9);
            }
        }

        // sequenceSumBackward is the vector-Jacobian product of sequenceSum: ∂(Σ_b g_b·sums_b)/∂values.
        float[] gradSums = in.floats(batch, Inputs.Spread.WIDE);
        float[] gradValues = new float[n];
        be.logprob().sequenceSumBackward(Tensor.of(gradSums, batch), Tensor.ofBool(mask, batch, time),
                Tensor.of(gradValues, batch, time));
        double[] fd = TokenOracle.centralDifferences(values, x -> {
            double[] sums = TokenOracle.sequenceSum(x, mask, batch, time);
            double dot = 0;
            for (int b = 0; b < batch; b++) {
                dot += gradSums[b] * sums[b];
            }
            return dot;
        });
        assertClose("sequenceSumBackward vs finite differences", fd, gradValues, 1e-5, 1e-8);
    }

    // ---- micro-batches -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void globalNormalizerGivesEachMicroBatchItsExactShare(String backend) {
        Backend be = Backends.require(backend);
        int batch = 12;
        int time = 19;
        int[] splits = {0, 5, 12}; // unequal micro-batches
        Inputs in = new Inputs(5);
        float[] values = in.floats(batch * time, Inputs.Spread.OUTLIERS);
        byte[] mask = TokenCases.mask(in, batch, time, Masking.RIGHT_PADDED);
        for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
            Aggregation local = aggregation(mode, Double.NaN);
            AggregateResult whole = be.logprob().aggregate(Tensor.of(values, batch, time),
                    Tensor.ofBool(mask, batch, time), local);
            float[] wholeGrad = new float[batch * time];
            be.logprob().aggregateBackward(Tensor.ofBool(mask, batch, time), local, 1, Tensor.of(wholeGrad, batch, time));

            double global = TokenOracle.aggregate(new double[batch * time], mask, batch, time, mode, Double.NaN)
                    .denominator;
            Aggregation shared = aggregation(mode, global);
            double sum = 0;
            long tokens = 0;
            float[] splitGrad = filled(batch * time, 7);
            for (int k = 0; k + 1 < splits.length; k++) {
                int at = splits[k] * time;
                long[] shape = {splits[k + 1] - splits[k], time};
                AggregateResult part = be.logprob().aggregate(Tensor.of(values, at, shape), Tensor.ofBool(mask, at, shape),
                        shared);
                sum += part.value();
                tokens += part.tokens();
                be.logprob().aggregateBackward(Tensor.ofBool(mask, at, shape), shared, 1, Tensor.of(splitGrad, at, shape));
            }
            assertClose(mode + ": sum of the micro-batch losses", whole.value(), sum, 1e-12, 1e-12);
            assertEquals(whole.tokens(), tokens);
            assertArrayEquals(wholeGrad, splitGrad, mode + ": gradients");
        }
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void emptyMasksAndNaN(String backend) {
        Backend be = Backends.require(backend);
        Tensor values = Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, Float.NaN}, 2, 3);
        Tensor none = Tensor.ofBool(new byte[6], 2, 3);
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            AggregateResult r = be.logprob().aggregate(values, none, Aggregation.of(mode));
            assertEquals(mode != Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM, r.degenerate(), mode.toString());
            assertEquals(0, r.value());
            assertEquals(0, r.tokens());
            r = be.logprob().aggregate(values, none, Aggregation.of(mode).normalizer(4));
            assertFalse(r.degenerate(), "an explicit normalizer is never 0");
            assertEquals(0, r.value());
            float[] grad = filled(6, 7);
            be.logprob().aggregateBackward(none, Aggregation.of(mode), 3, Tensor.of(grad, 2, 3));
            assertArrayEquals(new float[6], grad, mode + " gradient");

            // A NaN that is valid propagates; one that is masked stays out.
            assertTrue(Double.isNaN(be.logprob().aggregate(values, null, Aggregation.of(mode)).value()));
            Tensor clean = Tensor.ofBool(new byte[] {1, 0, 1, 1, 1, 0}, 2, 3);
            assertTrue(Double.isFinite(be.logprob().aggregate(values, clean, Aggregation.of(mode)).value()));
        }
        // Zero rows: Σm = B' = 0; zero columns: T = 0.
        assertTrue(be.logprob().aggregate(Tensor.of(new float[0], 0, 5), null, Aggregation.tokenMean()).degenerate());
        assertTrue(be.logprob().aggregate(Tensor.of(new float[0], 3, 0), null,
                Aggregation.of(Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM)).degenerate());

        float[] sums = filled(2, 7);
        be.logprob().sequenceSum(values, Tensor.ofBool(new byte[] {1, 0, 1, 0, 0, 0}, 2, 3), Tensor.of(sums, 2));
        assertArrayEquals(new float[] {4, 0}, sums, "masked NaN stays out, empty row sums to 0");
        be.logprob().sequenceSum(values, null, Tensor.of(sums, 2));
        assertTrue(Float.isNaN(sums[0]) && Float.isNaN(sums[1]));
        float[] gradValues = filled(6, 7);
        be.logprob().sequenceSumBackward(Tensor.of(new float[] {Float.NaN, 2}, 2), Tensor.ofBool(new byte[] {0, 0, 0, 1, 1, 0},
                2, 3), Tensor.of(gradValues, 2, 3));
        assertArrayEquals(new float[] {0, 0, 0, 2, 2, 0}, gradValues);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor x = Tensor.of(new float[6], 2, 3);
        Tensor mask = Tensor.ofBool(new byte[6], 2, 3);
        Aggregation agg = Aggregation.tokenMean();
        float[] out = filled(6, 7);
        Tensor o = Tensor.of(out, 2, 3);
        float[] sumsOut = filled(2, 7);
        Tensor s = Tensor.of(sumsOut, 2);

        expectMessage("values", () -> be.logprob().aggregate(null, mask, agg));
        expectMessage("values", () -> be.logprob().aggregate(Tensor.of(new float[6], 6), null, agg));
        expectMessage("values", () -> be.logprob().aggregate(Tensor.of(new float[6], 1, 2, 3), null, agg));
        expectMessage("mask", () -> be.logprob().aggregate(x, Tensor.ofBool(new byte[6], 3, 2), agg));
        expectMessage("mask", () -> be.logprob().aggregate(x, x, agg));
        expectMessage("aggregation", () -> be.logprob().aggregate(x, mask, null));

        expectMessage("gradValues", () -> be.logprob().aggregateBackward(mask, agg, 1, null));
        expectMessage("gradValues", () -> be.logprob().aggregateBackward(null, agg, 1, Tensor.of(out, 6)));
        expectMessage("mask", () -> be.logprob().aggregateBackward(Tensor.ofBool(new byte[3], 1, 3), agg, 1, o));
        expectMessage("aggregation", () -> be.logprob().aggregateBackward(mask, null, 1, o));
        expectMessage("gradLoss", () -> be.logprob().aggregateBackward(mask, agg, Double.NaN, o));
        expectMessage("gradLoss", () -> be.logprob().aggregateBackward(mask, agg, Double.NEGATIVE_INFINITY, o));

        expectMessage("sums", () -> be.logprob().sequenceSum(x, mask, Tensor.of(new float[3], 3)));
        expectMessage("values", () -> be.logprob().sequenceSum(Tensor.of(new float[2], 2), null, s));
        expectMessage("mask", () -> be.logprob().sequenceSum(x, Tensor.of(new float[6], 2, 3), s));
        expectMessage("gradSums", () -> be.logprob().sequenceSumBackward(Tensor.of(new float[3], 3), mask, o));
        expectMessage("gradValues", () -> be.logprob().sequenceSumBackward(s, mask, Tensor.of(new int[6], 2, 3)));
        assertArrayEquals(filled(6, 7), out, "nothing may be written on bad input");
        assertArrayEquals(filled(2, 7), sumsOut, "nothing may be written on bad input");

        expectMessage("normalizer", () -> agg.normalizer(0));
        expectMessage("normalizer", () -> agg.normalizer(-3));
        expectMessage("normalizer", () -> agg.normalizer(Double.NaN));
        expectMessage("normalizer", () -> agg.normalizer(Double.POSITIVE_INFINITY));
        expectMessage("mode", () -> Aggregation.of(null));
    }

    // ---- determinism and memory ----------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int batch = 2500;
        int time = 97; // 4 row chunks
        int n = batch * time;
        Inputs in = new Inputs(8);
        float[] values = in.floats(n, Inputs.Spread.OUTLIERS);
        byte[] mask = TokenCases.mask(in, batch, time, Masking.RIGHT_PADDED);
        Backend one = Backends.java(1);
        Backend three = Backends.java(3);
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            Aggregation aggregation = Aggregation.of(mode);
            AggregateResult r1 = one.logprob().aggregate(Tensor.of(values, batch, time), Tensor.ofBool(mask, batch, time),
                    aggregation);
            AggregateResult r3 = three.logprob().aggregate(Tensor.of(values, batch, time),
                    Tensor.ofBool(mask, batch, time), aggregation);
            assertSameBits(mode + " value", r1.value(), r3.value());
            assertEquals(r1, r3);
            float[][] grads = new float[2][n];
            one.logprob().aggregateBackward(Tensor.ofBool(mask, batch, time), aggregation, 1.3,
                    Tensor.of(grads[0], batch, time));
            three.logprob().aggregateBackward(Tensor.ofBool(mask, batch, time), aggregation, 1.3,
                    Tensor.of(grads[1], batch, time));
            assertArrayEquals(grads[0], grads[1], mode + " gradient");
        }
        float[][] sums = new float[2][batch];
        one.logprob().sequenceSum(Tensor.of(values, batch, time), Tensor.ofBool(mask, batch, time),
                Tensor.of(sums[0], batch));
        three.logprob().sequenceSum(Tensor.of(values, batch, time), Tensor.ofBool(mask, batch, time),
                Tensor.of(sums[1], batch));
        assertArrayEquals(sums[0], sums[1]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int batch = 7;
        int time = 41;
        int n = batch * time;
        Inputs in = new Inputs(12);
        float[] values = in.floats(n, Inputs.Spread.WIDE);
        byte[] mask = TokenCases.mask(in, batch, time, Masking.RANDOM);
        Tensor directValues = DirectBuffers.of(values, batch, time);
        Tensor directMask = DirectBuffers.ofBool(mask, batch, time);
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            Aggregation aggregation = Aggregation.of(mode);
            assertEquals(be.logprob().aggregate(Tensor.of(values, batch, time), Tensor.ofBool(mask, batch, time),
                    aggregation), be.logprob().aggregate(directValues, directMask, aggregation), mode.toString());
            float[] grad = new float[n];
            be.logprob().aggregateBackward(Tensor.ofBool(mask, batch, time), aggregation, -2, Tensor.of(grad, batch, time));
            Tensor gradBuffer = DirectBuffers.of(new float[n], batch, time);
            be.logprob().aggregateBackward(directMask, aggregation, -2, gradBuffer);
            assertArrayEquals(grad, TokenCases.read(gradBuffer), mode.toString());
        }
        float[] sums = new float[batch];
        be.logprob().sequenceSum(Tensor.of(values, batch, time), Tensor.ofBool(mask, batch, time), Tensor.of(sums, batch));
        Tensor sumsBuffer = DirectBuffers.of(new float[batch], batch);
        be.logprob().sequenceSum(directValues, directMask, sumsBuffer);
        assertArrayEquals(sums, TokenCases.read(sumsBuffer));

        float[] gradValues = new float[n];
        be.logprob().sequenceSumBackward(Tensor.of(sums, batch), Tensor.ofBool(mask, batch, time),
                Tensor.of(gradValues, batch, time));
        Tensor gradBuffer = DirectBuffers.of(new float[n], batch, time);
        be.logprob().sequenceSumBackward(DirectBuffers.of(sums, batch), directMask, gradBuffer);
        assertArrayEquals(gradValues, TokenCases.read(gradBuffer));
    }
}
