package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.ApaOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import dev.vantage.kernels.objective.KtoOptions;
import dev.vantage.kernels.objective.KtoResult;
import dev.vantage.oracle.FiniteDifferences;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.ObjectiveOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequence objectives (DPO, IPO, cDPO, KTO, APA, A-LoL, PRIME's reward-model loss) on every
 * backend, against {@link ObjectiveOracle}: losses and metrics to rel 1e-5 + abs 1e-6; gradients
 * against central differences of the oracle's loss to rel 1e-4 + abs 1e-6 (scaled by the largest
 * gradient, since the outputs are fp32).
 */
class ObjectiveParityTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    private static final double GRAD_RTOL = 1e-4;

    // ---- kernel-math.md §14.6 and §14.9 --------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void dpoVector(String backend) {
        Backend be = Backends.require(backend);
        float[] grad = new float[2];
        DpoResult r = be.objective().dpo(Tensor.of(new float[] {-10, -12}, 2, 1), Tensor.of(new float[] {-11, -11.5f}, 2),
                null, Tensor.of(grad, 2, 1), DpoOptions.defaults());
        assertClose("loss", 0.6209570478, r.loss(), RTOL, ATOL);
        assertClose("dS", new double[] {-0.0462570155, 0.0462570155}, grad, RTOL, ATOL);
        assertClose("margin", 0.15, r.margin(), RTOL, ATOL);
        assertEquals(1.0, r.accuracy());
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void ktoVector(String backend) {
        Backend be = Backends.require(backend);
        float[] grad = new float[2];
        KtoResult r = be.objective().kto(Tensor.of(new float[] {2, 1}, 2, 1), Tensor.of(new float[2], 2), null,
                Tensor.ofBool(new byte[] {1, 0}, 2), 0.3, Tensor.of(grad, 2, 1), KtoOptions.defaults());
        assertClose("loss", (0.4576020592 + 0.5174928577) / 2, r.loss(), RTOL, ATOL);
        assertClose("dr", new double[] {-0.0248202415 / 2, 0.0249694000 / 2}, grad, RTOL, ATOL);
        assertEquals(1, r.desirable());
        assertEquals(1, r.undesirable());
        assertClose("desirable reward", 0.2, r.desirableReward(), RTOL, ATOL);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void alolVector(String backend) {
        Backend be = Backends.require(backend);
        float[] grad = new float[6];
        LossResult r = be.objective().alol(Tensor.of(new float[] {-4, -4, -4, -10, -10, -10}, 2, 3),
                Tensor.of(new float[] {-12.5f, -29}, 2), null, Tensor.of(new float[] {0.9f, 0.4f}, 2),
                Tensor.of(new float[] {0.6f, 0.7f}, 2), Tensor.of(grad, 2, 3), AlolOptions.defaults());
        assertClose("loss", 2.9676982873, r.value(), RTOL, ATOL);
        double g = -0.2473081906;
        assertClose("dS", new double[] {g, g, g, 0, 0, 0}, grad, RTOL, ATOL);
        assertEquals(1, r.count());
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void apaVector(String backend) {
        Backend be = Backends.require(backend);
        float[] grad = new float[3];
        AggregateResult r = be.objective().apa(Tensor.of(new float[] {-1, -2, -0.5f}, 1, 3),
                Tensor.of(new float[] {-1.2f, -1.5f, -0.5f}, 1, 3), Tensor.of(new float[] {0.3f, -0.2f, 0}, 1, 3),
                Tensor.ofBool(new byte[] {1, 1, 0}, 1, 3), Tensor.of(grad, 1, 3), ApaOptions.defaults());
        assertClose("loss", 5.045, r.value(), RTOL, ATOL);
        assertClose("grad", new double[] {-2.8, 1.5, 0}, grad, RTOL, ATOL);
        assertEquals(2, r.tokens());
    }

    // ---- random inputs against the oracle ------------------------------------------------------

    static List<Object[]> cases() {
        int[][] shapes = {{2, 1}, {6, 7}, {10, 33}};
        List<Object[]> out = new ArrayList<>();
        Backends.names().forEach(backend -> {
            for (int[] s : shapes) {
                out.add(new Object[] {backend, s[0], s[1], true});
                out.add(new Object[] {backend, s[0], s[1], false});
            }
        });
        return out;
    }

    /** Random [B, T] token log-probs, a reference per token or per sequence, and a right-padded mask with empty rows. */
    private static final class Batch {
        final int batch;
        final int time;
        final float[] logp;
        final float[] refTokens;
        final float[] refSums;
        final byte[] mask;
        final Inputs in;

        Batch(int batch, int time, boolean perToken, long seed) {
            this.batch = batch;
            this.time = time;
            this.in = new Inputs(seed);
            logp = in.uniform(batch * time, -3, 0);
            float[] ref = in.uniform(batch * time, -3, 0);
            mask = in.rightPadded(batch, time, 0);
            refTokens = perToken ? ref : null;
            refSums = perToken ? null : in.uniform(batch, -3 * time, 0);
        }

        Tensor logp() {
            return Tensor.of(logp, batch, time);
        }

        Tensor ref() {
            return refTokens != null ? Tensor.of(refTokens, batch, time) : Tensor.of(refSums, batch);
        }

        Tensor mask() {
            return Tensor.ofBool(mask, batch, time);
        }

        double[] refTokens() {
            return refTokens == null ? null : Close.toDouble(refTokens);
        }

        double[] refSums() {
            return refSums == null ? null : Close.toDouble(refSums);
        }

        /** Backend gradient vs central differences of the oracle loss in logp, masked tokens exactly 0. */
        void checkGradient(float[] grad, ToDoubleFunction<double[]> oracleLoss) {
            double[] expected = FiniteDifferences.gradient(oracleLoss, Close.toDouble(logp), 1e-5);
            double scale = 0;
            for (double g : expected) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertClose("gradLogp", expected, grad, GRAD_RTOL, 1e-6 + 1e-5 * scale);
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0) {
                    assertEquals(0f, grad[i], "masked token " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} perToken={3}")
    @MethodSource("cases")
    void dpoAndIpo(String backend, int batch, int time, boolean perToken) {
        Backend be = Backends.require(backend);
        Batch d = new Batch(batch, time, perToken, 100L * batch + time);
        for (DpoOptions options : new DpoOptions[] {DpoOptions.defaults(),
                DpoOptions.defaults().beta(0.5).labelSmoothing(0.1), DpoOptions.defaults().loss(DpoOptions.Loss.IPO)}) {
            boolean ipo = options.loss() == DpoOptions.Loss.IPO;
            float[] grad = new float[batch * time];
            DpoResult r = be.objective().dpo(d.logp(), d.ref(), d.mask(), Tensor.of(grad, batch, time), options);
            double[] ref = ObjectiveOracle.dpo(Close.toDouble(d.logp), d.refTokens(), d.refSums(), d.mask, batch, time,
                    options.beta(), options.labelSmoothing(), ipo);
            assertClose("loss " + options, ref[0], r.loss(), RTOL, ATOL);
            assertClose("chosen " + options, ref[1], r.chosenReward(), RTOL, ATOL);
            assertClose("rejected " + options, ref[2], r.rejectedReward(), RTOL, ATOL);
            assertClose("accuracy " + options, ref[3], r.accuracy(), RTOL, ATOL);
            assertClose("margin " + options, ref[4], r.margin(), RTOL, ATOL);
            d.checkGradient(grad, x -> ObjectiveOracle.dpo(x, d.refTokens(), d.refSums(), d.mask, batch, time,
                    options.beta(), options.labelSmoothing(), ipo)[0]);
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} perToken={3}")
    @MethodSource("cases")
    void kto(String backend, int batch, int time, boolean perToken) {
        Backend be = Backends.require(backend);
        Batch d = new Batch(batch, time, perToken, 7L * batch + time);
        byte[] desirable = d.in.mask(batch, 0.6);
        boolean[] good = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            good[b] = desirable[b] != 0;
        }
        KtoOptions options = KtoOptions.defaults().beta(0.3).weights(1.0, 1.33);
        for (double z : new double[] {-0.5, 0.7}) {
            float[] grad = new float[batch * time];
            KtoResult r = be.objective().kto(d.logp(), d.ref(), d.mask(), Tensor.ofBool(desirable, batch), z,
                    Tensor.of(grad, batch, time), options);
            ToDoubleFunction<double[]> loss = x -> ObjectiveOracle.kto(x, d.refTokens(), d.refSums(), d.mask, good, batch,
                    time, z, 0.3, 1.0, 1.33);
            assertClose("loss z=" + z, loss.applyAsDouble(Close.toDouble(d.logp)), r.loss(), RTOL, ATOL);
            d.checkGradient(grad, loss);
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} perToken={3}")
    @MethodSource("cases")
    void alol(String backend, int batch, int time, boolean perToken) {
        Backend be = Backends.require(backend);
        Batch d = new Batch(batch, time, perToken, 3L * batch + time);
        float[] rewards = d.in.uniform(batch, 0, 1);
        float[] values = d.in.uniform(batch, 0, 1);
        for (AlolOptions.Variant variant : AlolOptions.Variant.values()) {
            if (variant == AlolOptions.Variant.TOKEN && !perToken) {
                continue;
            }
            for (double eps : new double[] {0.2, 0.9, 1.5}) {
                AlolOptions options = AlolOptions.defaults().variant(variant).clip(eps).klBeta(0.05);
                float[] grad = new float[batch * time];
                LossResult r = be.objective().alol(d.logp(), d.ref(), d.mask(), Tensor.of(rewards, batch),
                        Tensor.of(values, batch), Tensor.of(grad, batch, time), options);
                double[] frozen = Close.toDouble(d.logp);
                ToDoubleFunction<double[]> loss = x -> ObjectiveOracle.alol(variant.name(), x, frozen, d.refTokens(),
                        d.refSums(), d.mask, Close.toDouble(rewards), Close.toDouble(values), batch, time, eps, 0.05);
                assertClose("loss " + options, loss.applyAsDouble(Close.toDouble(d.logp)), r.value(), RTOL, ATOL);
                d.checkGradient(grad, loss);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} perToken={3}")
    @MethodSource("cases")
    void apa(String backend, int batch, int time, boolean perToken) {
        Backend be = Backends.require(backend);
        Batch d = new Batch(batch, time, true, 5L * batch + time);
        float[] adv = d.in.floats(batch * time, Inputs.Spread.NORMAL);
        double lambda = perToken ? 0.1 : 0.7;
        float[] grad = new float[batch * time];
        AggregateResult r = be.objective().apa(d.logp(), d.ref(), Tensor.of(adv, batch, time), d.mask(),
                Tensor.of(grad, batch, time), ApaOptions.defaults().lambda(lambda));
        ToDoubleFunction<double[]> loss = x -> ObjectiveOracle.apaTokenMean(x, d.refTokens(), Close.toDouble(adv), d.mask,
                lambda);
        assertClose("loss", loss.applyAsDouble(Close.toDouble(d.logp)), r.value(), RTOL, ATOL);
        d.checkGradient(grad, loss);

        // Other aggregations weigh the same squared residuals as the aggregation kernel does.
        float[] squared = new float[batch * time];
        for (int i = 0; i < squared.length; i++) {
            double residual = (double) d.logp[i] - adv[i] / lambda - d.refTokens[i];
            squared[i] = (float) (residual * residual);
        }
        for (Aggregation.Mode mode : Aggregation.Mode.values()) {
            Aggregation aggregation = Aggregation.of(mode);
            AggregateResult apa = be.objective().apa(d.logp(), d.ref(), Tensor.of(adv, batch, time), d.mask(), null,
                    ApaOptions.defaults().lambda(lambda).aggregation(aggregation));
            AggregateResult direct = be.logprob().aggregate(Tensor.of(squared, batch, time), d.mask(), aggregation);
            assertClose("apa " + mode, direct.value(), apa.value(), RTOL, ATOL);
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} perToken={3}")
    @MethodSource("cases")
    void primeRewardModel(String backend, int batch, int time, boolean perToken) {
        Backend be = Backends.require(backend);
        Batch d = new Batch(batch, time, perToken, 11L * batch + time);
        float[] outcomes = d.in.uniform(batch, 0, 1);
        outcomes[0] = 1;
        float[] grad = new float[batch * time];
        LossResult r = be.objective().primeRewardModel(d.logp(), d.ref(), d.mask(), Tensor.of(outcomes, batch),
                Tensor.of(grad, batch, time), 0.05);
        ToDoubleFunction<double[]> loss = x -> ObjectiveOracle.primeRewardModel(x, d.refTokens(), d.refSums(), d.mask,
                Close.toDouble(outcomes), batch, time, 0.05);
        assertClose("loss", loss.applyAsDouble(Close.toDouble(d.logp)), r.value(), RTOL, ATOL);
        assertEquals(batch, r.count());
        d.checkGradient(grad, loss);
    }

    // ---- extremes and edges --------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void extremeLogRatiosStayFinite(String backend) {
        Backend be = Backends.require(backend);
        // Sequence log-ratios of ±2·10^4 nats: a naive exp or log(sigmoid) overflows or gives -inf.
        float[] grad = new float[4];
        DpoResult up = be.objective().dpo(Tensor.of(new float[] {-1, -20001}, 2, 1), Tensor.of(new float[2], 2), null,
                Tensor.of(grad, 2, 1), DpoOptions.defaults());
        assertEquals(0, up.loss(), 1e-12);
        DpoResult down = be.objective().dpo(Tensor.of(new float[] {-20001, -1}, 2, 1), Tensor.of(new float[2], 2), null,
                Tensor.of(grad, 2, 1), DpoOptions.defaults());
        assertClose("loss", 2000, down.loss(), RTOL, ATOL);
        assertClose("grad", new double[] {-0.1, 0.1}, grad, RTOL, ATOL);

        float[] alolGrad = new float[2];
        LossResult alol = be.objective().alol(Tensor.of(new float[] {-1, -1}, 1, 2), Tensor.of(new float[] {-1000}, 1),
                null, Tensor.of(new float[] {1}, 1), Tensor.of(new float[] {0}, 1), Tensor.of(alolGrad, 1, 2),
                AlolOptions.defaults());
        assertClose("A-LoL weight clipped at 1 + ε", 1.9 * 2, alol.value(), RTOL, ATOL);
        assertClose("grad", new double[] {-1.9, -1.9}, alolGrad, RTOL, ATOL);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void emptyBatchesAndNoPositiveAdvantage(String backend) {
        Backend be = Backends.require(backend);
        DpoResult none = be.objective().dpo(Tensor.of(new float[0], 0, 4), Tensor.of(new float[0], 0), null, null,
                DpoOptions.defaults());
        assertEquals(0, none.loss());
        assertEquals(0, none.pairs());
        KtoResult noKto = be.objective().kto(Tensor.of(new float[0], 0, 4), Tensor.of(new float[0], 0), null,
                Tensor.ofBool(new byte[0], 0), 0, null, KtoOptions.defaults());
        assertEquals(0, noKto.loss());

        float[] grad = {9, 9, 9, 9};
        LossResult r = be.objective().alol(Tensor.of(new float[] {-1, -2, -3, -4}, 2, 2), null, null,
                Tensor.of(new float[] {0.1f, 0.2f}, 2), Tensor.of(new float[] {0.5f, 0.5f}, 2), Tensor.of(grad, 2, 2),
                AlolOptions.defaults().variant(AlolOptions.Variant.REFERENCE_FREE));
        assertEquals(0, r.value());
        assertTrue(r.degenerate());
        assertArrayEquals(new float[4], grad);

        // IPO on an empty chosen row: its mean log-prob counts 0, and it takes no gradient.
        float[] ipoGrad = new float[4];
        DpoResult ipo = be.objective().dpo(Tensor.of(new float[] {-1, -1, -2, -3}, 2, 2), Tensor.of(new float[2], 2),
                Tensor.ofBool(new byte[] {0, 0, 1, 1}, 2, 2), Tensor.of(ipoGrad, 2, 2),
                DpoOptions.defaults().loss(DpoOptions.Loss.IPO));
        assertClose("ipo", Math.pow(0 - (-2.5) - 1 / 0.2, 2), ipo.loss(), RTOL, ATOL);
        assertFalse(Double.isNaN(ipo.loss()));
        assertEquals(0f, ipoGrad[0]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPropagates(String backend) {
        Backend be = Backends.require(backend);
        LossResult r = be.objective().alol(Tensor.of(new float[] {-1, -1}, 2, 1), Tensor.of(new float[2], 2), null,
                Tensor.of(new float[] {Float.NaN, 1}, 2), Tensor.of(new float[2], 2), null, AlolOptions.defaults());
        assertTrue(Double.isNaN(r.value()));
        DpoResult d = be.objective().dpo(Tensor.of(new float[] {Float.NaN, -1}, 2, 1), Tensor.of(new float[2], 2), null,
                null, DpoOptions.defaults());
        assertTrue(Double.isNaN(d.loss()));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void badArgumentsAreRejectedBeforeAnythingIsWritten(String backend) {
        Backend be = Backends.require(backend);
        float[] grad = {5, 5, 5, 5, 5, 5};
        Tensor out = Tensor.of(grad, 3, 2);
        Tensor logp = Tensor.of(new float[6], 3, 2);
        Tensor ref = Tensor.of(new float[3], 3);
        expectMessage("logp", () -> be.objective().dpo(logp, ref, null, out, DpoOptions.defaults()));
        expectMessage("refLogp", () -> be.objective().kto(logp, Tensor.of(new float[4], 4), null,
                Tensor.ofBool(new byte[3], 3), 0, out, KtoOptions.defaults()));
        expectMessage("refLogp", () -> be.objective().kto(logp, Tensor.of(new float[9], 3, 3), null,
                Tensor.ofBool(new byte[3], 3), 0, out, KtoOptions.defaults()));
        expectMessage("desirable", () -> be.objective().kto(logp, ref, null, Tensor.ofBool(new byte[2], 2), 0, out,
                KtoOptions.defaults()));
        expectMessage("referenceKl", () -> be.objective().kto(logp, ref, null, Tensor.ofBool(new byte[3], 3),
                Double.NaN, out, KtoOptions.defaults()));
        expectMessage("refLogp", () -> be.objective().alol(logp, ref, null, ref, ref, out,
                AlolOptions.defaults().variant(AlolOptions.Variant.TOKEN)));
        expectMessage("refLogp", () -> be.objective().alol(logp, null, null, ref, ref, out, AlolOptions.defaults()));
        expectMessage("rewards", () -> be.objective().alol(logp, ref, null, Tensor.of(new float[2], 2), ref, out,
                AlolOptions.defaults()));
        expectMessage("outcomes", () -> be.objective().primeRewardModel(logp, ref, null, null, out, 0.05));
        expectMessage("beta", () -> be.objective().primeRewardModel(logp, ref, null, ref, out, 0));
        expectMessage("gradLogp", () -> be.objective().primeRewardModel(logp, ref, null, ref, Tensor.of(grad, 6), 0.05));
        expectMessage("mask", () -> be.objective().primeRewardModel(logp, ref, Tensor.of(new float[6], 3, 2), ref, out,
                0.05));
        assertArrayEquals(new float[] {5, 5, 5, 5, 5, 5}, grad, "nothing may be written on bad input");

        expectMessage("initLogp", () -> be.objective().apa(logp, ref, logp, null, out, ApaOptions.defaults()));
        expectMessage("advantages", () -> be.objective().apa(logp, logp, null, null, out, ApaOptions.defaults()));
        assertArrayEquals(new float[] {5, 5, 5, 5, 5, 5}, grad, "nothing may be written on bad input");

        expectMessage("lambda", () -> ApaOptions.defaults().lambda(0));
        expectMessage("beta", () -> DpoOptions.defaults().beta(0));
        expectMessage("labelSmoothing", () -> DpoOptions.defaults().labelSmoothing(0.6));
        expectMessage("desirableWeight", () -> KtoOptions.defaults().weights(0, 1));
        expectMessage("clip", () -> AlolOptions.defaults().clip(-0.1));
        expectMessage("klBeta", () -> AlolOptions.defaults().klBeta(Double.NaN));
    }

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        Batch d = new Batch(600, 17, true, 99);
        float[] rewards = d.in.uniform(600, 0, 1);
        float[][] grads = new float[2][600 * 17];
        double[] losses = new double[2];
        int[] threads = {1, 3};
        for (int k = 0; k < 2; k++) {
            Backend be = Backends.java(threads[k]);
            losses[k] = be.objective().dpo(d.logp(), d.ref(), d.mask(), Tensor.of(grads[k], 600, 17),
                    DpoOptions.defaults()).loss()
                    + be.objective().primeRewardModel(d.logp(), d.ref(), d.mask(), Tensor.of(rewards, 600), null, 0.05)
                    .value();
        }
        assertEquals(losses[0], losses[1], 0.0);
        assertArrayEquals(grads[0], grads[1]);
    }
}
