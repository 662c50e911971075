package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.loss.RegressionLoss;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The new families' workloads: their minimal bytes, and checks that catch a wrong output (each
 * workload at a size above the sampling threshold, so that the sample rows are what is compared).
 */
class WorkloadsTest {
    private final Backend java = Vantage.backend("java");

    @Test
    void trafficIsTheMinimalBytes() {
        long n = 1024L * 1024;
        AdvantageWorkload advantage = new AdvantageWorkload(Map.of("shape", "1024x1024"));
        assertEquals(new Traffic(9 * n, 8 * n), advantage.traffic("gae"));
        assertEquals(new Traffic(4 * 1024 + n, 4 * n), advantage.traffic("grpo"));
        DuelingWorkload dueling = new DuelingWorkload(Map.of("shape", "65536x18", "mode", "MAX"));
        assertEquals(new Traffic(8L * 65536 * 18, 4L * 65536 * 19), dueling.traffic("backward"));
        CompSumWorkload compSum = new CompSumWorkload(Map.of("shape", "65536x1000", "tau", "1"));
        assertEquals(new Traffic(4L * 65536 * 1001, 4L * 65536 * 1000), compSum.traffic("compSum"));
        assertEquals(new Traffic(8L << 24, 4L << 24), new RegressionWorkload(Map.of("n", "16777216")).traffic("rmse"));
        assertEquals(new Traffic(13 * n, 4 * n), new ObjectiveWorkload(Map.of("shape", "1024x1024")).traffic("apa"));
        TokenWorkload tokens = new TokenWorkload(Map.of("shape", "1024x1024"));
        assertEquals(new Traffic(13 * n, 4 * n), tokens.traffic("ppo"));
        assertEquals(new Traffic(9 * n, 8 * n), tokens.traffic("ratio"));
        assertEquals(new Traffic(9 * n, 4 * n), tokens.traffic("implicitReward"));
        assertEquals(new Traffic(5 * n, 4 * 1024), tokens.traffic("sequenceSum"));
        assertEquals(new Traffic(4 * 1024 + n, 4 * n), tokens.traffic("sequenceSumBackward"));
        assertEquals(new Traffic(4 * 1024 + n, 4 * n), advantage.traffic("broadcast"));
        assertThrows(IllegalArgumentException.class, () -> advantage.traffic("sideways"));
        assertThrows(IllegalArgumentException.class, () -> new AdvantageWorkload(Map.of("shape", "12x5")));
    }

    @Test
    void labelsTheSize() {
        assertEquals("65536x1000 τ=1.5", new CompSumWorkload(Map.of("shape", "65536x1000", "tau", "1.5")).label());
        assertEquals("16Mi", new RegressionWorkload(Map.of("n", "16777216")).label());
        assertEquals("65536x18 MEAN", new DuelingWorkload(Map.of("shape", "65536x18", "mode", "MEAN")).label());
    }

    @Test
    void aWrongGaeFailsItsCheck() {
        AdvantageWorkload w = new AdvantageWorkload(Map.of("shape", "72x40"));
        w.generate(5);
        assertTrue(w.check(java, "gae").ok());
        w.retArray[0] += 1e-3f;
        assertFails(w.checkGae("corrupted", w.outArray, w.retArray), "returns[0]");
    }

    @Test
    void aWrongReinforceOrPrimeAdvantageFailsItsCheck() {
        AdvantageWorkload w = new AdvantageWorkload(Map.of("shape", "72x40"));
        w.generate(5);
        for (String kernel : new String[] {"reinforce", "prime"}) {
            assertTrue(w.check(java, kernel).ok(), kernel);
            // Token 0 is valid: every response has at least time/8 tokens.
            w.outArray[0] += 1e-3f;
            assertFails(w.compare("corrupted", kernel), "whitened[0]");
        }
        assertEquals(new Traffic(4 * 72 + 5 * 72 * 40, 4 * 72 * 40), w.traffic("prime"));
    }

    @Test
    void aWrongDuelingHeadFailsItsCheck() {
        DuelingWorkload w = new DuelingWorkload(Map.of("shape", "100x18", "mode", "MAX"));
        w.generate(5);
        assertTrue(w.check(java, "backward").ok());
        w.gradAdvArray[99 * 18 + 17] *= 1.001f;
        assertFails(w.checkBackward("corrupted", w.gradValueArray, w.gradAdvArray), "gradAdvantage[1799]");
    }

    @Test
    void aWrongCompSumFailsItsCheck() {
        CompSumWorkload w = new CompSumWorkload(Map.of("shape", "70x300", "tau", "1.5"));
        w.generate(5);
        assertTrue(w.check(java, "compSum").ok());
        double value = w.result.value();
        assertFails(w.check("corrupted", 1.001 * value, w.gradArray), "loss");
        w.gradArray[5] *= 1.01f;
        assertFails(w.check("corrupted", value, w.gradArray), "gradLogits[5]");
    }

    @Test
    void aWrongRegressionLossOrGradientFailsItsCheck() {
        RegressionWorkload w = new RegressionWorkload(Map.of("n", "10007"));
        w.generate(5);
        for (RegressionLoss kind : RegressionLoss.values()) {
            String kernel = RegressionWorkload.kernel(kind);
            assertTrue(w.check(java, kernel).ok(), kernel);
            double value = w.result.value();
            assertFails(w.check("corrupted", kind, value + 1e-3 * (1 + Math.abs(value)), w.gradArray), "loss");
            float[] grad = w.gradArray.clone();
            float max = 0;
            for (float g : grad) {
                max = Math.max(max, Math.abs(g));
            }
            grad[10006] += 1e-3f * max; // the tolerance has a part in max|gradient|: MAPE's is large
            assertFails(w.check("corrupted", kind, value, grad), "gradPrediction[10006]");
        }
    }

    @Test
    void regressionKernelsAreTheLossesInLowerCamelCase() {
        assertEquals(14, RegressionWorkload.KERNELS.size());
        assertEquals("logCosh", RegressionWorkload.kernel(RegressionLoss.LOG_COSH));
        assertEquals("mae", RegressionWorkload.KERNELS.get(0));
        assertEquals(RegressionLoss.RMSLE, RegressionWorkload.kind("rmsle"));
        assertThrows(IllegalArgumentException.class, () -> RegressionWorkload.kind("log_cosh"));
    }

    @Test
    void aWrongObjectiveGradientFailsItsCheck() {
        ObjectiveWorkload w = new ObjectiveWorkload(Map.of("shape", "80x50"));
        w.generate(5);
        for (String kernel : new String[] {"dpo", "kto", "apa", "alol", "prime"}) {
            assertTrue(w.check(java, kernel).ok(), kernel);
        }
        w.run(java, "dpo");
        w.gradArray[0] *= 1.001f; // row 0, token 0: a sample row's first token
        assertFails(w.compare("corrupted", "dpo"), "gradLogp[0]");
    }

    @Test
    void aWrongTokenKernelFailsItsCheck() {
        TokenWorkload w = new TokenWorkload(Map.of("shape", "70x33"));
        w.generate(5);
        w.run(java, "kl");
        assertTrue(w.compare("kl", "kl").ok());
        w.outArray[69 * 33] += 1e-6f;
        assertFails(w.compare("corrupted", "kl"), "kl[2277]");
    }

    @Test
    void aWrongRatioRewardOrSequenceSumFailsItsCheck() {
        TokenWorkload w = new TokenWorkload(Map.of("shape", "70x33"));
        w.generate(5);
        int last = 69 * 33; // row 69, token 0: a sample row's first token, always valid
        String[][] cases = {{"ratio", "ratio"}, {"implicitReward", "reward"}, {"sequenceSumBackward", "gradValues"}};
        for (String[] c : cases) {
            w.run(java, c[0]);
            assertTrue(w.compare(c[0], c[0]).ok(), c[0]);
            float[] out = c[0].equals("sequenceSumBackward") ? w.gradArray : w.outArray;
            out[last] *= 1.001f;
            assertFails(w.compare("corrupted", c[0]), c[1] + "[" + last + "]");
        }
        w.run(java, "ratio");
        w.gradArray[last] *= 1.001f;
        assertFails(w.compare("corrupted", "ratio"), "gradRatio[" + last + "]");
        w.run(java, "sequenceSum");
        assertTrue(w.compare("sequenceSum", "sequenceSum").ok());
        w.sumsArray[69] *= 1.0001f;
        assertFails(w.compare("corrupted", "sequenceSum"), "sums[69]");
    }

    @Test
    void aWrongBroadcastFailsItsCheck() {
        AdvantageWorkload w = new AdvantageWorkload(Map.of("shape", "72x40"));
        w.generate(5);
        assertTrue(w.check(java, "broadcast").ok());
        w.outArray[71 * 40] += 1e-3f;
        assertFails(w.compare("corrupted", "broadcast"), "advantages[2840]");
    }

    @Test
    void copyAndReadSizesArePowersOfTwo() {
        assertEquals(1, Findings.mib(1000));
        assertEquals(256, Findings.mib(250L << 20));
        assertEquals(256, Findings.mib(192L << 20)); // log2(192) = 7.58
        assertEquals(128, Findings.mib(150L << 20));
    }

    private static void assertFails(Parity parity, String firstBad) {
        assertFalse(parity.ok(), parity::toString);
        assertTrue(parity.toString().contains(firstBad), parity::toString);
    }
}
