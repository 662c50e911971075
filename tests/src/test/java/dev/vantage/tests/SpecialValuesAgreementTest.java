package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.vantage.tests.Close.concat;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every backend against the scalar {@code java} backend, which the oracle suites pin, on random
 * inputs with special values at random places: NaN of either sign and with payloads, {@code ±inf},
 * {@code -0}, and for the softmax kernels runs of {@code -inf} masks and logits 90 to 150 from the
 * rest (widths from 1 to 5000, fp32 or bf16). Which outputs are NaN must agree exactly; the others
 * to the suites' tolerances. The vector loops reach these values through paths (a max found ahead,
 * fix-up passes, partial vectors, lanes of rows) that the oracle suites place by hand; here they
 * land anywhere. It finds, each checked by putting it back: an invalid row's gradient at its
 * {@code -inf} logits (0 in the scalar backend, NaN in java-simd's vector path; fixed in
 * {@code b9f9798}), the comp-sum read-ahead that missed part of the next row ({@code d79b1e6}), and
 * a masked regression gradient of {@code 0·NaN} ({@code b63aac1}).
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

    /**
     * The regression losses (every kind, with and without a mask) and the dueling head (every mode,
     * forward and backward) the same way, on values in [-3, 3) with NaN, {@code ±inf} and
     * {@code -0} at random places. Not here: finite values beyond 1e19, whose squares overflow
     * java-simd's float lanes (the scalar backend squares in double; see the README).
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void regressionAndDuelingAgreeWithTheScalarBackend(String backend) {
        Backend be = Backends.require(backend);
        Backend[] both = {Backends.java(1), be};
        SplittableRandom random = new SplittableRandom(89);
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = 1 + (random.nextBoolean() ? random.nextInt(100) : random.nextInt(5000));
            float[] y = values(random, n);
            float[] p = values(random, n);
            byte[] mask = null;
            if (random.nextBoolean()) {
                mask = new byte[n];
                for (int i = 0; i < n; i++) {
                    mask[i] = (byte) (random.nextInt(5) == 0 ? 0 : 1);
                }
            }
            for (RegressionLoss kind : RegressionLoss.values()) {
                float[][] loss = new float[2][];
                float[][] grad = new float[2][n];
                float[][] value = new float[2][1];
                for (int k = 0; k < 2; k++) {
                    loss[k] = kind.elementwise() ? new float[n] : null;
                    value[k][0] = (float) both[k].loss().regression(kind, Tensor.of(y, n), Tensor.of(p, n),
                            mask == null ? null : Tensor.ofBool(mask, n), loss[k] == null ? null : Tensor.of(loss[k], n),
                            Tensor.of(grad[k], n), RegressionOptions.defaults()).value();
                }
                String where = kind + ", trial " + trial + " (" + n + (mask == null ? "" : ", masked") + ")";
                if (loss[0] != null) {
                    agree("loss " + where, loss[0], loss[1], 1e-4, 1e-6);
                }
                agree("gradient " + where, grad[0], grad[1], 1e-4, 1e-6);
                agree("value " + where, value[0], value[1], 1e-4, 1e-6);
            }
            int rows = 1 + random.nextInt(40);
            int actions = 1 + random.nextInt(40);
            float[] advantage = values(random, rows * actions);
            float[] v = values(random, rows);
            float[] gradQ = values(random, rows * actions);
            for (DuelingMode mode : DuelingMode.values()) {
                float[][] out = new float[2][];
                for (int k = 0; k < 2; k++) {
                    float[] q = new float[rows * actions];
                    float[] gradV = new float[rows];
                    float[] gradA = new float[rows * actions];
                    both[k].dueling().forward(Tensor.of(v, rows), Tensor.of(advantage, rows, actions), null,
                            Tensor.of(q, rows, actions), mode);
                    both[k].dueling().backward(Tensor.of(advantage, rows, actions), null, Tensor.of(gradQ, rows, actions),
                            Tensor.of(gradV, rows), Tensor.of(gradA, rows, actions), mode);
                    out[k] = concat(q, gradV, gradA);
                }
                // DuelingParityTest's tolerance: one fp32 sum over a row of values up to 3 in magnitude.
                agree("dueling " + mode + ", trial " + trial + " (" + rows + "x" + actions + ")", out[0], out[1], 1e-6,
                        1e-6 * 4 * (1 + Math.sqrt(actions)));
            }
        }
    }

    /**
     * GAE and discounted returns the same way: rewards and values with NaN, {@code ±inf} and
     * {@code -0} at random places, no mask, a right-padding mask or a scattered one (the vector lanes
     * take the first two, the row scan the last).
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void advantagesAgreeWithTheScalarBackend(String backend) {
        Backend be = Backends.require(backend);
        Backend[] both = {Backends.java(1), be};
        SplittableRandom random = new SplittableRandom(83);
        for (int trial = 0; trial < TRIALS; trial++) {
            int rows = 1 + random.nextInt(40);
            int steps = 1 + (random.nextBoolean() ? random.nextInt(40) : random.nextInt(2000));
            int n = rows * steps;
            float[] rewards = values(random, n);
            float[] v = values(random, n);
            int layout = random.nextInt(3);
            byte[] mask = new byte[n];
            for (int row = 0; row < rows; row++) {
                int valid = random.nextInt(steps + 1);
                for (int t = 0; t < steps; t++) {
                    mask[row * steps + t] = (byte) (layout == 1 ? (t < valid ? 1 : 0) : random.nextInt(4) == 0 ? 0 : 1);
                }
            }
            Tensor m = layout == 0 ? null : Tensor.ofBool(mask, rows, steps);
            float[][] out = new float[2][];
            for (int k = 0; k < 2; k++) {
                float[] advantages = new float[n];
                float[] returns = new float[n];
                float[] discounted = new float[n];
                both[k].advantage().gae(Tensor.of(rewards, rows, steps), Tensor.of(v, rows, steps), m, Episodes.NONE,
                        Tensor.of(advantages, rows, steps), Tensor.of(returns, rows, steps), GaeOptions.of(0.99, 0.95));
                both[k].advantage().returns(Tensor.of(rewards, rows, steps), m, null, Tensor.of(discounted, rows, steps),
                        0.99);
                out[k] = concat(advantages, returns, discounted);
            }
            agree("GAE and returns, trial " + trial + " (" + rows + "x" + steps + ", mask " + layout + ")", out[0], out[1],
                    1e-5, 1e-5);
        }
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-3, 3);
        }
        for (int k = random.nextInt(4); k > 0; k--) {
            x[random.nextInt(n)] = special(random, false);
        }
        return x;
    }

    private static float[] logits(SplittableRandom random, int rows, int width) {
        float spread = (float) Math.exp(random.nextDouble(-1, 3));
        float[] z = new float[rows * width];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (random.nextDouble(-3, 3) * spread);
        }
        for (int k = random.nextInt(4); k > 0; k--) {
            z[random.nextInt(z.length)] = special(random, true);
        }
        if (random.nextInt(5) == 0) {
            int row = random.nextInt(rows);
            int from = random.nextInt(width);
            Arrays.fill(z, row * width + from, row * width + from + random.nextInt(width - from + 1),
                    Float.NEGATIVE_INFINITY);
        }
        return z;
    }

    /** A NaN (either sign, with a payload), {@code ±inf}, or else a logit 90 to 150 from 0 ({@code far}) or {@code -0}. */
    private static float special(SplittableRandom random, boolean far) {
        switch (random.nextInt(5)) {
            case 0:
                return Float.NaN;
            case 1:
                return Float.intBitsToFloat(0xffc00000 | random.nextInt(1 << 22));
            case 2:
                return Float.POSITIVE_INFINITY;
            case 3:
                return Float.NEGATIVE_INFINITY;
            default:
                return far ? (random.nextBoolean() ? 1 : -1) * (90 + random.nextInt(60)) : -0f;
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

}
