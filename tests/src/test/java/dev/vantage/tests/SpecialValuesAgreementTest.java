package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.Reduction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax row kernels on random rows with special values at random places (NaN of either sign
 * and with payloads, {@code ±inf}, runs of {@code -inf} masks, logits 90 to 150 from the rest),
 * widths from 1 to 5000 and fp32 or bf16 logits: every backend against the scalar {@code java}
 * backend, which the oracle suites pin. Which outputs are NaN must agree exactly; the others to
 * the suites' tolerances. The vector loops reach these values through paths (a max found ahead,
 * fix-up passes, partial vectors) that the oracle suites place by hand; here they land anywhere.
 * It finds, each checked by putting it back: an invalid row's gradient at its {@code -inf} logits
 * (0 in the scalar backend, NaN in java-simd's vector path; fixed in {@code b9f9798}), and the
 * comp-sum read-ahead that missed part of the next row ({@code d79b1e6}).
 */
class SpecialValuesAgreementTest {
    private static final int TRIALS = 150;

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void logProbAndCompSumAgreeWithTheScalarBackend(String backend) {
        Backend be = Backends.require(backend);
        Backend reference = Backends.java(1);
        SplittableRandom random = new SplittableRandom(97);
        for (int trial = 0; trial < TRIALS; trial++) {
            int rows = 1 + random.nextInt(6);
            int width = 1 + (random.nextBoolean() ? random.nextInt(80) : random.nextInt(5000));
            float[] z = logits(random, rows, width);
            boolean bf16 = random.nextInt(3) == 0;
            short[] bits = null;
            if (bf16) {
                bits = new short[z.length];
                for (int i = 0; i < z.length; i++) {
                    bits[i] = (short) (Float.floatToRawIntBits(z[i]) >>> 16);
                    z[i] = Float.intBitsToFloat(bits[i] << 16);
                }
            }
            Tensor logits = bf16 ? Tensor.ofBf16(bits, rows, width) : Tensor.of(z, rows, width);
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = random.nextInt(8) == 0 ? -100 : random.nextInt(width);
            }
            float[] gLp = new float[rows];
            float[] gH = new float[rows];
            for (int i = 0; i < rows; i++) {
                gLp[i] = (float) random.nextDouble(-1, 1);
                gH[i] = (float) random.nextDouble(-1, 1);
            }
            String where = "trial " + trial + " (" + rows + "x" + width + (bf16 ? " bf16" : "") + ")";
            float[][] forward = new float[2][];
            float[][] backward = new float[2][];
            Backend[] both = {reference, be};
            for (int k = 0; k < 2; k++) {
                float[] logp = new float[rows];
                float[] entropy = new float[rows];
                float[] lse = new float[rows];
                both[k].logprob().forward(logits, Tensor.of(y, rows), Tensor.of(logp, rows), Tensor.of(entropy, rows),
                        Tensor.of(lse, rows), LogProbOptions.defaults());
                forward[k] = concat(logp, entropy, lse);
                backward[k] = new float[z.length];
                // Each from the reference's lse and entropy, so that only the backward differs.
                both[k].logprob().backward(logits, Tensor.of(y, rows), Tensor.of(Arrays.copyOfRange(forward[0],
                                2 * rows, 3 * rows), rows), Tensor.of(Arrays.copyOfRange(forward[0], rows, 2 * rows), rows),
                        Tensor.of(gLp, rows), Tensor.of(gH, rows), Tensor.of(backward[k], rows, width),
                        LogProbOptions.defaults());
            }
            agree("log-prob forward, " + where, forward[0], forward[1], 1e-5, 1e-5);
            agree("log-prob backward, " + where, backward[0], backward[1], 1e-4, 1e-6);
            if (!bf16) {
                float[][] loss = new float[2][rows];
                float[][] grad = new float[2][];
                boolean inPlace = random.nextBoolean();
                for (int k = 0; k < 2; k++) {
                    float[] own = z.clone();
                    grad[k] = inPlace ? own : new float[z.length];
                    Tensor t = Tensor.of(own, rows, width);
                    both[k].loss().compSum(t, Tensor.of(y, rows), Tensor.of(loss[k], rows),
                            inPlace ? t : Tensor.of(grad[k], rows, width), CompSumOptions.defaults().reduction(Reduction.SUM));
                }
                agree("comp-sum loss, " + where, loss[0], loss[1], 1e-5, 1e-5);
                agree("comp-sum gradient" + (inPlace ? " in place, " : ", ") + where, grad[0], grad[1], 1e-4, 1e-6);
            }
        }
    }

    private static float[] logits(SplittableRandom random, int rows, int width) {
        float spread = (float) Math.exp(random.nextDouble(-1, 3));
        float[] z = new float[rows * width];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (random.nextDouble(-3, 3) * spread);
        }
        for (int k = random.nextInt(4); k > 0; k--) {
            z[random.nextInt(z.length)] = special(random);
        }
        if (random.nextInt(5) == 0) {
            int row = random.nextInt(rows);
            int from = random.nextInt(width);
            Arrays.fill(z, row * width + from, row * width + from + random.nextInt(width - from + 1),
                    Float.NEGATIVE_INFINITY);
        }
        return z;
    }

    private static float special(SplittableRandom random) {
        switch (random.nextInt(6)) {
            case 0:
                return Float.NaN;
            case 1:
                return Float.intBitsToFloat(0xffc00000 | random.nextInt(1 << 22));
            case 2:
                return Float.POSITIVE_INFINITY;
            case 3:
                return Float.NEGATIVE_INFINITY;
            case 4:
                return 90 + random.nextInt(60);
            default:
                return -90 - random.nextInt(60);
        }
    }

    /** NaN exactly where the reference has NaN, infinities equal, the rest within the tolerances. */
    private static void agree(String what, float[] expected, float[] actual, double rtol, double atol) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) ? a == e : Math.abs(a - e) <= atol + rtol * Math.abs(e);
            int at = i;
            assertTrue(ok, () -> what + ": element " + at + " expected " + e + ", got " + a);
        }
    }

    private static float[] concat(float[]... parts) {
        float[] out = new float[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
