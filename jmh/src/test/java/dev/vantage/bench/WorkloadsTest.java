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
        assertEquals(new Traffic(13 * n, 4 * n), new TokenWorkload(Map.of("shape", "1024x1024")).traffic("ppo"));
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
    void aWrongRegressionGradientFailsItsCheck() {
        RegressionWorkload w = new RegressionWorkload(Map.of("n", "10007"));
        w.generate(5);
        assertTrue(w.check(java, "logCosh").ok());
        w.gradArray[10006] *= 1.001f;
        assertFails(w.check("corrupted", RegressionLoss.LOG_COSH, w.result.value(), w.gradArray),
                "gradPrediction[10006]");
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
