package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.TokenOracle;
import dev.vantage.tests.TokenCases.Masking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importance ratio and the PPO clipped surrogate (clip range, dual clip, log-ratio clamp, the
 * four aggregations with and without a normalizer, metrics) on every backend, against
 * {@link TokenOracle}.
 *
 * <p>Tolerances. Per-token outputs (ratio, its derivative, gradLogp) are float32 roundings of
 * values computed in double from the same float inputs: rel 1e-6 + abs 1e-12 against the oracle;
 * against central differences of the oracle's loss (h = 1e-6·max(1, |logp|), kinks excluded):
 * rel 1e-5 + abs 1e-9. The loss is a double sum taken in another order: rel 1e-10 + abs 1e-10
 * times the aggregate of |l|; clip fractions rel 1e-12; approxKl rel 1e-10 + abs 1e-12. The
 * §14.5 vectors have 9 digits and float inputs: rel 1e-6.
 */
class LogProbPpoParityTest {
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-12;
    private static final double FD_RTOL = 1e-5;
    private static final double FD_ATOL = 1e-9;
    private static final double SUM_TOL = 1e-10;
    private static final double NORMALIZER = 37.5;

    /** One set of PPO options, given to the backend and to the oracle alike. */
    record Variant(String name, double clipLow, double clipHigh, double dualClip, double clamp) {
        PpoOptions options(TokenOracle.Mode mode, double normalizer) {
            return PpoOptions.defaults().clip(clipLow, clipHigh).dualClip(dualClip).logRatioClamp(clamp)
                    .aggregation(aggregation(mode, normalizer));
        }

        TokenOracle.PpoConfig config(TokenOracle.Mode mode, double normalizer) {
            TokenOracle.PpoConfig c = new TokenOracle.PpoConfig();
            c.clipLow = clipLow;
            c.clipHigh = clipHigh;
            c.dualClip = dualClip;
            c.logRatioClamp = clamp;
            c.mode = mode;
            c.normalizer = normalizer;
            return c;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final Variant[] VARIANTS = {
        new Variant("verl defaults", 0.2, 0.2, 3, 20),
        new Variant("clip-higher", 0.2, 0.28, 3, 20),
        new Variant("no dual clip", 0.2, 0.2, Double.POSITIVE_INFINITY, 20),
        new Variant("tight clamp", 0.1, 0.5, 1.5, 0.6),
        new Variant("no clamp", 0.3, 0.1, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY),
    };

    static Aggregation aggregation(TokenOracle.Mode mode, double normalizer) {
        Aggregation a = Aggregation.of(Aggregation.Mode.valueOf(mode.name()));
        return Double.isNaN(normalizer) ? a : a.normalizer(normalizer);
    }

    /** Scale of the log-ratio per spread: typical ratios, wide ones, and outliers past the ±20 clamp. */
    static double logRatioScale(Inputs.Spread spread) {
        switch (spread) {
            case NORMAL: return 0.3;
            case WIDE: return 0.05;
            case UNIFORM: return 0.1;
            default: return 1;
        }
    }

    /** A random batch: log-probs, behaviour log-probs and advantages (5% exactly 0). */
    record Batch(float[] logp, float[] old, float[] adv, byte[] mask) {
        static Batch random(Inputs in, int batch, int time, Masking masking, Inputs.Spread spread) {
            int n = batch * time;
            float[] logp = TokenCases.logProbs(in, n);
            float[] old = TokenCases.plus(logp, TokenCases.scaled(in, n, spread, logRatioScale(spread)));
            float[] adv = in.floats(n, Inputs.Spread.NORMAL);
            for (int i = 0; i < n; i++) {
                if (in.nextDouble() < 0.05) {
                    adv[i] = 0;
                }
            }
            return new Batch(logp, old, adv, TokenCases.mask(in, batch, time, masking));
        }

        PpoResult run(Backend be, int batch, int time, float[] grad, PpoOptions options) {
            return be.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time),
                    Tensor.of(adv, batch, time), maskTensor(mask, batch, time),
                    grad == null ? null : Tensor.of(grad, batch, time), options);
        }

        TokenOracle.Ppo oracle(int batch, int time, TokenOracle.PpoConfig config) {
            return TokenOracle.ppo(toDouble(logp), toDouble(old), toDouble(adv), mask, batch, time, config);
        }
    }

    static void assertResult(TokenOracle.Ppo ref, PpoResult r) {
        assertClose("loss", ref.loss, r.loss(), SUM_TOL, SUM_TOL * ref.absLoss);
        assertClose("clipFraction", ref.clipFraction, r.clipFraction(), 1e-12, 0);
        assertClose("clipFractionLower", ref.clipFractionLower, r.clipFractionLower(), 1e-12, 0);
        assertClose("approxKl", ref.approxKl, r.approxKl(), SUM_TOL, 1e-12);
        assertEquals(ref.tokens, r.tokens(), "tokens");
        assertEquals(ref.degenerate, r.degenerate(), "degenerate");
    }

    // ---- kernel-math.md §14.5 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVectors(String backend) {
        Backend be = Backends.require(backend);
        float[] logRatio = {0.1f, 0.5f, -0.5f, 0.1f, -0.5f, 1.5f};
        float[] adv = {1, 1, 1, -1, -1, -1};
        double[] loss = {-1.10517092, -1.28, -0.60653066, 1.10517092, 0.8, 3.0};
        double[] grad = {-1.10517092, 0, -0.60653066, 1.10517092, 0, 0};
        PpoOptions options = PpoOptions.defaults().clip(0.2, 0.28).dualClip(3);
        for (int i = 0; i < 6; i++) {
            float[] g = {7};
            PpoResult r = be.logprob().ppoLoss(Tensor.of(new float[] {logRatio[i]}, 1, 1),
                    Tensor.of(new float[1], 1, 1), Tensor.of(new float[] {adv[i]}, 1, 1), null, Tensor.of(g, 1, 1),
                    options);
            assertClose("loss " + i, loss[i], r.loss(), RTOL, 0);
            assertClose("gradLogp " + i, grad[i], g[0], RTOL, 0);
        }

        // All six in one row, token mean: the mean loss, each gradient over 6, and the metrics.
        float[] g = new float[6];
        PpoResult r = be.logprob().ppoLoss(Tensor.of(logRatio, 1, 6), Tensor.of(new float[6], 1, 6),
                Tensor.of(adv, 1, 6), null, Tensor.of(g, 1, 6), options);
        assertClose("mean loss", Arrays.stream(loss).sum() / 6, r.loss(), RTOL, 0);
        assertClose("gradLogp", Arrays.stream(grad).map(x -> x / 6).toArray(), g, RTOL, 0);
        assertClose("clipFraction", 2.0 / 6, r.clipFraction(), 1e-12, 0);       // tokens 1 and 4
        assertClose("clipFractionLower", 1.0 / 6, r.clipFractionLower(), 1e-12, 0); // token 5
        assertClose("approxKl", -1.2 / 6, r.approxKl(), RTOL, 0);
        assertEquals(6, r.tokens());
        assertFalse(r.degenerate());
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> randomCases() {
        int[][] shapes = {{1, 1}, {3, 7}, {17, 31}, {5, 4097}, {64, 257}};
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            int k = 0;
            for (int[] s : shapes) {
                for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
                    for (boolean explicit : new boolean[] {false, true}) {
                        cases.add(new Object[] {backend, s[0], s[1], mode, explicit, VARIANTS[k % VARIANTS.length],
                                Masking.values()[k % 3], Inputs.Spread.values()[k % 4]});
                        k++;
                    }
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}x{2} {3} normalizer={4} {5} {6} {7}")
    @MethodSource("randomCases")
    void randomAgainstOracle(String backend, int batch, int time, TokenOracle.Mode mode, boolean explicit,
                             Variant variant, Masking masking, Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(977L * batch + 31L * time + 7L * mode.ordinal() + (explicit ? 1 : 0));
        Batch data = Batch.random(in, batch, time, masking, spread);
        double normalizer = explicit ? NORMALIZER : Double.NaN;
        float[] grad = filled(batch * time, 7);
        PpoResult r = data.run(be, batch, time, grad, variant.options(mode, normalizer));
        TokenOracle.Ppo ref = data.oracle(batch, time, variant.config(mode, normalizer));
        assertResult(ref, r);
        assertClose("gradLogp", ref.grad, grad, RTOL, ATOL);

        // Without a gradient output the loss and metrics are the same.
        assertResult(ref, data.run(be, batch, time, null, variant.options(mode, normalizer)));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void ratioAgainstOracle(String backend) {
        Backend be = Backends.require(backend);
        long[][] shapes = {{1}, {4097}, {2, 4095}, {3, 5, 7}};
        double[] clamps = {20, 0.5, Double.POSITIVE_INFINITY};
        int k = 0;
        for (long[] shape : shapes) {
            for (double clamp : clamps) {
                Inputs in = new Inputs(k);
                int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
                Inputs.Spread spread = Inputs.Spread.values()[k++ % 4];
                float[] logp = TokenCases.logProbs(in, n);
                float[] old = TokenCases.plus(logp, TokenCases.scaled(in, n, spread, logRatioScale(spread)));
                byte[] mask = k % 2 == 0 ? null : in.mask(n, 0.8);
                float[] ratio = filled(n, 7);
                float[] gradRatio = filled(n, 7);
                be.logprob().ratio(Tensor.of(logp, shape), Tensor.of(old, shape), maskTensor(mask, shape),
                        Tensor.of(ratio, shape), Tensor.of(gradRatio, shape), clamp);
                String what = Arrays.toString(shape) + " clamp " + clamp;
                assertClose("ratio " + what, TokenOracle.ratio(toDouble(logp), toDouble(old), mask, clamp), ratio,
                        RTOL, ATOL);
                assertClose("gradRatio " + what, TokenOracle.ratioGradient(toDouble(logp), toDouble(old), mask, clamp),
                        gradRatio, RTOL, ATOL);
                float[] alone = new float[n];
                be.logprob().ratio(Tensor.of(logp, shape), Tensor.of(old, shape), maskTensor(mask, shape),
                        Tensor.of(alone, shape), null, clamp);
                assertArrayEquals(ratio, alone, "ratio without gradRatio");
            }
        }
    }

    // ---- gradients against finite differences of the oracle ------------------------------------

    static List<Object[]> gradientCases() {
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
                for (boolean explicit : new boolean[] {false, true}) {
                    for (Variant v : VARIANTS) {
                        cases.add(new Object[] {backend, mode, explicit, v});
                    }
                }
            }
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1} normalizer={2} {3}")
    @MethodSource("gradientCases")
    void gradientMatchesFiniteDifferencesOfTheOracle(String backend, TokenOracle.Mode mode, boolean explicit,
                                                      Variant variant) {
        Backend be = Backends.require(backend);
        int batch = 6;
        int time = 11;
        Inputs in = new Inputs(13L * mode.ordinal() + variant.name().hashCode() + (explicit ? 1 : 0));
        float[] logp = TokenCases.logProbs(in, batch * time);
        float[] old = TokenCases.plus(logp, TokenCases.scaled(in, batch * time, Inputs.Spread.NORMAL, 0.6));
        float[] adv = in.floats(batch * time, Inputs.Spread.NORMAL);
        byte[] mask = TokenCases.mask(in, batch, time, Masking.RIGHT_PADDED);
        double normalizer = explicit ? NORMALIZER : Double.NaN;
        float[] grad = new float[batch * time];
        be.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time), Tensor.of(adv, batch, time),
                maskTensor(mask, batch, time), Tensor.of(grad, batch, time), variant.options(mode, normalizer));

        double[] oldD = toDouble(old);
        double[] advD = toDouble(adv);
        TokenOracle.PpoConfig config = variant.config(mode, normalizer);
        double[] fd = TokenOracle.centralDifferences(toDouble(logp),
                x -> TokenOracle.ppo(x, oldD, advD, mask, batch, time, config).loss);
        int checked = 0;
        for (int i = 0; i < fd.length; i++) {
            if (nearKink((double) logp[i] - old[i], variant)) {
                continue;
            }
            assertClose("gradLogp[" + i + "] vs finite differences", fd[i], grad[i], FD_RTOL, FD_ATOL);
            checked++;
        }
        assertTrue(checked > fd.length / 2, "too few tokens away from kinks: " + checked);
    }

    /** Whether the loss has a kink within reach of the finite differences at this log-ratio. */
    static boolean nearKink(double logRatio, Variant v) {
        double rho = Math.exp(logRatio);
        return near(rho, 1 - v.clipLow()) || near(rho, 1 + v.clipHigh()) || near(rho, v.dualClip())
                || near(Math.abs(logRatio), v.clamp());
    }

    private static boolean near(double x, double kink) {
        return Double.isFinite(kink) && Math.abs(x - kink) < 1e-4 * Math.max(1, kink);
    }

    // ---- clip, dual clip and clamp cases -------------------------------------------------------

    /** One token with loss and gradient both summed (normalizer 1), so both are the token's own. */
    static PpoResult oneToken(Backend be, double logRatio, double adv, float[] grad, PpoOptions options) {
        Aggregation sum = Aggregation.of(Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM).normalizer(1);
        return be.logprob().ppoLoss(Tensor.of(new float[] {(float) logRatio}, 1, 1), Tensor.of(new float[1], 1, 1),
                Tensor.of(new float[] {(float) adv}, 1, 1), null, Tensor.of(grad, 1, 1), options.aggregation(sum));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void dualClipAndAsymmetricClip(String backend) {
        Backend be = Backends.require(backend);
        float[] g = new float[1];
        PpoOptions base = PpoOptions.defaults();

        // A < 0, ρ = e^1.5 ≈ 4.48 > c = 3: the dual clip flattens the loss at -A·c.
        PpoResult r = oneToken(be, 1.5, -1, g, base.dualClip(3));
        assertClose("dual clip loss", 3, r.loss(), RTOL, 0);
        assertEquals(0f, g[0]);
        assertEquals(1, r.clipFractionLower());
        assertEquals(0, r.clipFraction());
        r = oneToken(be, 1.5, -1, g, base.dualClip(Double.POSITIVE_INFINITY));
        double rho = Math.exp((float) 1.5);
        assertClose("no dual clip loss", rho, r.loss(), RTOL, 0);
        assertClose("no dual clip grad", rho, g[0], RTOL, 0);
        assertEquals(0, r.clipFractionLower());

        // A > 0, ρ = 1.29: clipped with ε_high = 0.28, not with 0.3.
        double up = Math.log(1.29);
        r = oneToken(be, up, 1, g, base.clip(0.2, 0.28));
        assertClose("clip-higher loss", -1.28, r.loss(), RTOL, 0);
        assertEquals(0f, g[0]);
        assertEquals(1, r.clipFraction());
        r = oneToken(be, up, 1, g, base.clip(0.2, 0.3));
        assertClose("unclipped loss", -1.29, r.loss(), RTOL, 0);
        assertClose("unclipped grad", -1.29, g[0], RTOL, 0);
        assertEquals(0, r.clipFraction());

        // A < 0, ρ = 0.79: clipped with ε_low = 0.2, not with 0.25.
        double down = Math.log(0.79);
        r = oneToken(be, down, -1, g, base.clip(0.2, 0.2));
        assertClose("clip-lower loss", 0.8, r.loss(), RTOL, 0);
        assertEquals(0f, g[0]);
        assertEquals(1, r.clipFraction());
        r = oneToken(be, down, -1, g, base.clip(0.25, 0.2));
        assertClose("unclipped loss", 0.79, r.loss(), RTOL, 0);
        assertClose("unclipped grad", 0.79, g[0], RTOL, 0);

        // A = 0: no loss, no gradient, nothing clipped.
        r = oneToken(be, 0.7, 0, g, base);
        assertEquals(0, r.loss());
        assertEquals(0f, g[0]);
        assertEquals(0, r.clipFraction() + r.clipFractionLower());
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void logRatioClampZeroesTheGradient(String backend) {
        Backend be = Backends.require(backend);
        float[] logp = {-30, 0, 25, -1.4f};
        float[] old = {0, -30, 0, -1.5f};
        float[] adv = {1, -1, -1, 2};
        double d3 = (double) logp[3] - old[3];
        Aggregation sum = Aggregation.of(Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM).normalizer(1);
        PpoOptions options = PpoOptions.defaults().dualClip(Double.POSITIVE_INFINITY).aggregation(sum);
        float[] g = new float[4];
        PpoResult r = be.logprob().ppoLoss(Tensor.of(logp, 1, 4), Tensor.of(old, 1, 4), Tensor.of(adv, 1, 4), null,
                Tensor.of(g, 1, 4), options);
        // Tokens 0-2 sit past the ±20 clamp: ρ = e^∓20 and no gradient; token 3 is inside.
        assertClose("loss", -Math.exp(-20) + 2 * Math.exp(20) - 2 * Math.exp(d3), r.loss(), 1e-12, 0);
        assertClose("gradLogp", new double[] {0, 0, 0, -2 * Math.exp(d3)}, g, RTOL, 0);
        assertClose("approxKl uses the clamped log-ratio", (20 - 20 - 20 - d3) / 4, r.approxKl(), 1e-12, 0);

        r = be.logprob().ppoLoss(Tensor.of(logp, 1, 4), Tensor.of(old, 1, 4), Tensor.of(adv, 1, 4), null,
                Tensor.of(g, 1, 4), options.logRatioClamp(Double.POSITIVE_INFINITY));
        assertClose("unclamped loss", -Math.exp(-30) + Math.exp(30) + Math.exp(25) - 2 * Math.exp(d3), r.loss(),
                1e-12, 0);
        assertClose("unclamped gradLogp", new double[] {-Math.exp(-30), Math.exp(30), Math.exp(25),
                -2 * Math.exp(d3)}, g, RTOL, 0);

        float[] ratio = new float[4];
        float[] gradRatio = new float[4];
        be.logprob().ratio(Tensor.of(logp, 4), Tensor.of(old, 4), null, Tensor.of(ratio, 4), Tensor.of(gradRatio, 4),
                20);
        assertClose("ratio", new double[] {Math.exp(-20), Math.exp(20), Math.exp(20), Math.exp(d3)}, ratio, RTOL, 0);
        assertClose("gradRatio", new double[] {0, 0, 0, Math.exp(d3)}, gradRatio, RTOL, 0);
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void emptyMasksAreDegenerate(String backend) {
        Backend be = Backends.require(backend);
        int batch = 3;
        int time = 4;
        Inputs in = new Inputs(3);
        float[] logp = TokenCases.logProbs(in, batch * time);
        logp[5] = Float.NaN; // masked garbage must not leak
        float[] old = TokenCases.logProbs(in, batch * time);
        float[] adv = in.floats(batch * time, Inputs.Spread.NORMAL);
        Tensor none = Tensor.ofBool(new byte[batch * time], batch, time);
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            for (boolean explicit : new boolean[] {false, true}) {
                Aggregation aggregation = explicit ? Aggregation.of(mode).normalizer(5) : Aggregation.of(mode);
                float[] g = filled(batch * time, 7);
                PpoResult r = be.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time),
                        Tensor.of(adv, batch, time), none, Tensor.of(g, batch, time),
                        PpoOptions.defaults().aggregation(aggregation));
                String what = aggregation.toString();
                // Only a denominator of 0 is degenerate; T (SEQ_MEAN_TOKEN_SUM_NORM) and normalizers are not.
                assertEquals(!explicit && mode != Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM, r.degenerate(), what);
                assertEquals(0, r.loss(), what);
                assertEquals(0, r.tokens(), what);
                assertEquals(0, r.clipFraction() + r.clipFractionLower() + r.approxKl(), what);
                assertArrayEquals(new float[batch * time], g, what);
            }
        }

        // Empty shapes: no rows (D = Σm = 0), and no columns (D = T = 0).
        PpoResult r = be.logprob().ppoLoss(Tensor.of(new float[0], 0, 4), Tensor.of(new float[0], 0, 4),
                Tensor.of(new float[0], 0, 4), null, Tensor.of(new float[0], 0, 4), PpoOptions.defaults());
        assertTrue(r.degenerate());
        assertEquals(0, r.loss());
        r = be.logprob().ppoLoss(Tensor.of(new float[0], 2, 0), Tensor.of(new float[0], 2, 0),
                Tensor.of(new float[0], 2, 0), null, null,
                PpoOptions.defaults().aggregation(Aggregation.of(Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM)));
        assertTrue(r.degenerate());
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void allMaskedRowsAreLeftOut(String backend) {
        Backend be = Backends.require(backend);
        int batch = 4;
        int time = 5;
        Inputs in = new Inputs(17);
        Batch data = Batch.random(in, batch, time, Masking.NONE, Inputs.Spread.NORMAL);
        byte[] mask = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
        data = new Batch(data.logp(), data.old(), data.adv(), mask);
        for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
            float[] g = filled(batch * time, 7);
            PpoResult r = data.run(be, batch, time, g, VARIANTS[0].options(mode, Double.NaN));
            TokenOracle.Ppo ref = data.oracle(batch, time, VARIANTS[0].config(mode, Double.NaN));
            assertResult(ref, r);
            assertClose("gradLogp " + mode, ref.grad, g, RTOL, ATOL);
            for (int i = 0; i < g.length; i++) {
                if (mask[i] == 0) {
                    assertEquals(0f, g[i], "masked gradient " + i);
                }
            }
        }
        // Two non-empty rows: B' = 2 for the sequence means.
        TokenOracle.Ppo oneRow = TokenOracle.ppo(toDouble(Arrays.copyOf(data.logp(), 5)),
                toDouble(Arrays.copyOf(data.old(), 5)), toDouble(Arrays.copyOf(data.adv(), 5)),
                Arrays.copyOf(mask, 5), 1, 5, VARIANTS[0].config(TokenOracle.Mode.SEQ_MEAN_TOKEN_SUM, Double.NaN));
        TokenOracle.Ppo lastRows = TokenOracle.ppo(toDouble(Arrays.copyOfRange(data.logp(), 5, 20)),
                toDouble(Arrays.copyOfRange(data.old(), 5, 20)), toDouble(Arrays.copyOfRange(data.adv(), 5, 20)),
                Arrays.copyOfRange(mask, 5, 20), 3, 5, VARIANTS[0].config(TokenOracle.Mode.SEQ_MEAN_TOKEN_SUM,
                        Double.NaN));
        PpoResult whole = data.run(be, batch, time, null, VARIANTS[0].options(TokenOracle.Mode.SEQ_MEAN_TOKEN_SUM,
                Double.NaN));
        assertClose("seq-mean-token-sum over the two non-empty rows", (oneRow.loss + lastRows.loss) / 2, whole.loss(),
                1e-12, 1e-12);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPropagatesWhereTheTokenIsValid(String backend) {
        Backend be = Backends.require(backend);
        int batch = 2;
        int time = 3;
        float[] logp = {-1, Float.NaN, -0.5f, -2, -0.3f, Float.NaN};
        float[] old = {-1.1f, -1, -0.6f, -1.9f, -0.2f, -1};
        float[] adv = {0.5f, 1, -1, 2, Float.NaN, 1};
        byte[] mask = {1, 1, 1, 1, 1, 0};
        float[] g = new float[6];
        PpoResult r = be.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time),
                Tensor.of(adv, batch, time), Tensor.ofBool(mask, batch, time), Tensor.of(g, batch, time),
                PpoOptions.defaults());
        assertTrue(Double.isNaN(r.loss()), "loss");
        assertTrue(Double.isNaN(r.approxKl()), "approxKl");
        assertTrue(Float.isNaN(g[1]) && Float.isNaN(g[4]), "NaN logp and NaN advantage give NaN gradients");
        TokenOracle.Ppo ref = TokenOracle.ppo(toDouble(logp), toDouble(old), toDouble(adv), mask, batch, time,
                new TokenOracle.PpoConfig());
        assertClose("gradLogp", ref.grad, g, RTOL, ATOL);
        assertEquals(0f, g[5], "a masked NaN stays out");

        // Masking the NaN tokens makes everything finite again.
        byte[] clean = {1, 0, 1, 1, 0, 0};
        r = be.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time), Tensor.of(adv, batch, time),
                Tensor.ofBool(clean, batch, time), Tensor.of(g, batch, time), PpoOptions.defaults());
        assertTrue(Double.isFinite(r.loss()) && Double.isFinite(r.approxKl()));
        for (float x : g) {
            assertTrue(Float.isFinite(x));
        }

        float[] ratio = new float[6];
        float[] gradRatio = new float[6];
        be.logprob().ratio(Tensor.of(logp, 6), Tensor.of(old, 6), Tensor.ofBool(mask, 6), Tensor.of(ratio, 6),
                Tensor.of(gradRatio, 6), 20);
        assertTrue(Float.isNaN(ratio[1]) && Float.isNaN(gradRatio[1]));
        assertEquals(0f, ratio[5]);
        assertEquals(0f, gradRatio[5]);
    }

    // ---- micro-batches -------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void globalNormalizerSplitsTheLossIntoExactShares(String backend) {
        Backend be = Backends.require(backend);
        int batch = 10;
        int time = 23;
        int half = batch / 2;
        Inputs in = new Inputs(23);
        Batch data = Batch.random(in, batch, time, Masking.RIGHT_PADDED, Inputs.Spread.OUTLIERS);
        for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
            float[] wholeGrad = new float[batch * time];
            PpoResult whole = data.run(be, batch, time, wholeGrad, VARIANTS[1].options(mode, Double.NaN));
            double global = TokenOracle.aggregate(new double[batch * time], data.mask(), batch, time, mode,
                    Double.NaN).denominator;
            float[] splitGrad = filled(batch * time, 7);
            double splitLoss = 0;
            for (int start : new int[] {0, half}) {
                int at = start * time;
                long[] shape = {half, time};
                splitLoss += be.logprob().ppoLoss(Tensor.of(data.logp(), at, shape), Tensor.of(data.old(), at, shape),
                        Tensor.of(data.adv(), at, shape), Tensor.ofBool(data.mask(), at, shape),
                        Tensor.of(splitGrad, at, shape), VARIANTS[1].options(mode, global)).loss();
            }
            assertClose("sum of the halves' losses, " + mode, whole.loss(), splitLoss, 1e-12, 1e-12);
            assertArrayEquals(wholeGrad, splitGrad, "gradients, " + mode);
        }
    }

    // ---- bad input -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        Tensor x = Tensor.of(new float[6], 2, 3);
        Tensor mask = Tensor.ofBool(new byte[6], 2, 3);
        float[] grad = filled(6, 7);
        Tensor out = Tensor.of(grad, 2, 3);
        PpoOptions options = PpoOptions.defaults();

        expectMessage("logp", () -> be.logprob().ppoLoss(null, x, x, mask, out, options));
        expectMessage("logp", () -> be.logprob().ppoLoss(Tensor.of(new float[6], 6), x, x, null, out, options));
        expectMessage("logp", () -> be.logprob().ppoLoss(Tensor.of(new int[6], 2, 3), x, x, null, out, options));
        expectMessage("oldLogp", () -> be.logprob().ppoLoss(x, Tensor.of(new float[6], 3, 2), x, null, out, options));
        expectMessage("advantages", () -> be.logprob().ppoLoss(x, x, Tensor.of(new float[3], 1, 3), null, out,
                options));
        expectMessage("advantages", () -> be.logprob().ppoLoss(x, x, null, null, out, options));
        expectMessage("mask", () -> be.logprob().ppoLoss(x, x, x, x, out, options));
        expectMessage("mask", () -> be.logprob().ppoLoss(x, x, x, Tensor.ofBool(new byte[3], 3), out, options));
        expectMessage("gradLogp", () -> be.logprob().ppoLoss(x, x, x, mask, Tensor.of(grad, 6), options));
        expectMessage("options", () -> be.logprob().ppoLoss(x, x, x, mask, out, null));
        assertArrayEquals(filled(6, 7), grad, "nothing may be written on bad input");

        float[] ratio = filled(6, 7);
        Tensor ratioOut = Tensor.of(ratio, 2, 3);
        expectMessage("logRatioClamp", () -> be.logprob().ratio(x, x, null, ratioOut, null, 0));
        expectMessage("logRatioClamp", () -> be.logprob().ratio(x, x, null, ratioOut, null, -1));
        expectMessage("logRatioClamp", () -> be.logprob().ratio(x, x, null, ratioOut, null, Double.NaN));
        expectMessage("oldLogp", () -> be.logprob().ratio(x, Tensor.of(new float[6], 6), null, ratioOut, null, 20));
        expectMessage("ratio", () -> be.logprob().ratio(x, x, null, Tensor.of(new float[6], 3, 2), null, 20));
        expectMessage("ratio", () -> be.logprob().ratio(x, x, null, null, null, 20));
        expectMessage("gradRatio", () -> be.logprob().ratio(x, x, null, ratioOut, Tensor.of(new float[5], 5), 20));
        expectMessage("mask", () -> be.logprob().ratio(x, x, Tensor.ofBool(new byte[6], 6), ratioOut, null, 20));
        assertArrayEquals(filled(6, 7), ratio, "nothing may be written on bad input");

        expectMessage("clipLow", () -> options.clip(-0.1));
        expectMessage("clipLow", () -> options.clip(1.0, 0.2));
        expectMessage("clipLow", () -> options.clip(Double.NaN, 0.2));
        expectMessage("clipHigh", () -> options.clip(0.2, -0.1));
        expectMessage("clipHigh", () -> options.clip(0.2, Double.POSITIVE_INFINITY));
        expectMessage("dualClip", () -> options.dualClip(1));
        expectMessage("dualClip", () -> options.dualClip(Double.NaN));
        expectMessage("logRatioClamp", () -> options.logRatioClamp(0));
        expectMessage("aggregation", () -> options.aggregation(null));
    }

    // ---- determinism and memory ----------------------------------------------------------------

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        int batch = 1500;
        int time = 131; // 3 row chunks, 3 element chunks
        Batch data = Batch.random(new Inputs(41), batch, time, Masking.RIGHT_PADDED, Inputs.Spread.OUTLIERS);
        Backend one = Backends.java(1);
        Backend three = Backends.java(3);
        for (TokenOracle.Mode mode : TokenOracle.Mode.values()) {
            PpoOptions options = VARIANTS[1].options(mode, Double.NaN);
            float[] g1 = new float[batch * time];
            float[] g3 = new float[batch * time];
            PpoResult r1 = data.run(one, batch, time, g1, options);
            PpoResult r3 = data.run(three, batch, time, g3, options);
            assertSameBits("loss " + mode, r1.loss(), r3.loss());
            assertSameBits("approxKl " + mode, r1.approxKl(), r3.approxKl());
            assertEquals(r1, r3, mode.toString());
            assertArrayEquals(g1, g3, "gradLogp " + mode);
        }
        float[][] ratios = new float[2][batch * time];
        Backend[] backends = {one, three};
        for (int k = 0; k < 2; k++) {
            backends[k].logprob().ratio(Tensor.of(data.logp(), batch, time), Tensor.of(data.old(), batch, time),
                    Tensor.ofBool(data.mask(), batch, time), Tensor.of(ratios[k], batch, time), null, 20);
        }
        assertArrayEquals(ratios[0], ratios[1]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        int batch = 9;
        int time = 37;
        int n = batch * time;
        Batch data = Batch.random(new Inputs(43), batch, time, Masking.RANDOM, Inputs.Spread.UNIFORM);
        PpoOptions options = VARIANTS[3].options(TokenOracle.Mode.SEQ_MEAN_TOKEN_MEAN, Double.NaN);
        float[] grad = new float[n];
        PpoResult heap = data.run(be, batch, time, grad, options);

        Tensor gradBuffer = DirectBuffers.of(filled(n, 7), batch, time);
        PpoResult direct = be.logprob().ppoLoss(DirectBuffers.of(data.logp(), batch, time),
                DirectBuffers.of(data.old(), batch, time), DirectBuffers.of(data.adv(), batch, time),
                DirectBuffers.ofBool(data.mask(), batch, time), gradBuffer, options);
        assertEquals(heap, direct);
        assertArrayEquals(grad, TokenCases.read(gradBuffer));

        float[] ratio = new float[n];
        float[] gradRatio = new float[n];
        be.logprob().ratio(Tensor.of(data.logp(), n), Tensor.of(data.old(), n), Tensor.ofBool(data.mask(), n),
                Tensor.of(ratio, n), Tensor.of(gradRatio, n), 0.6);
        Tensor ratioBuffer = DirectBuffers.of(new float[n], n);
        Tensor gradRatioBuffer = DirectBuffers.of(new float[n], n);
        be.logprob().ratio(DirectBuffers.of(data.logp(), n), DirectBuffers.of(data.old(), n),
                DirectBuffers.ofBool(data.mask(), n), ratioBuffer, gradRatioBuffer, 0.6);
        assertArrayEquals(ratio, TokenCases.read(ratioBuffer));
        assertArrayEquals(gradRatio, TokenCases.read(gradRatioBuffer));
    }
}
