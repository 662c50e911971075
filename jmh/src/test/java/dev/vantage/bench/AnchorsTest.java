package dev.vantage.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The anchors and baselines compute what they claim, at sizes small enough for a unit test. */
class AnchorsTest {
    @ParameterizedTest
    @ValueSource(strings = {"F32", "BF16"})
    void theNaiveAnchorPassesItsParityCheck(String dtype) {
        LogProbNaive naive = new LogProbNaive();
        naive.shape = "70x513";
        naive.dtype = dtype;
        naive.setUp(); // throws if its output disagrees with the oracle
        naive.forward();
    }

    @ParameterizedTest
    @ValueSource(strings = {"MEAN", "MAX"})
    void theNaiveDuelingHeadPassesItsParityCheck(String mode) {
        DuelingNaive naive = new DuelingNaive();
        naive.shape = "333x18";
        naive.mode = mode;
        naive.setUp();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.5"})
    void theNaiveCompSumPassesItsParityCheck(String tau) {
        CompSumNaive naive = new CompSumNaive();
        naive.shape = "70x1000";
        naive.tau = tau;
        naive.setUp();
        assertTrue(naive.compSum() > 0);
    }

    @Test
    void theNaiveGaePassesItsParityCheck() {
        AdvantageNaive naive = new AdvantageNaive();
        naive.shape = "80x301";
        naive.setUp();
    }

    /** The libtorch anchors, where the build has them (mvn -Plibtorch), at small sizes. */
    @ParameterizedTest
    @CsvSource({"AdvantageTorch, shape=64x257", "DuelingTorch, shape=100x18 mode=MAX", "CompSumTorch, shape=70x300 tau=1"})
    void theLibtorchAnchorsPassTheirParityChecks(String name, String params) throws Exception {
        Family.Anchor anchor = new Family.Anchor("dev.vantage.bench." + name, "", "", "");
        assumeTrue(anchor.present(), "built without -Plibtorch");
        Object bench = Class.forName(anchor.benchmark()).getConstructor().newInstance();
        for (String param : params.split(" ")) {
            String[] kv = param.split("=");
            bench.getClass().getField(kv[0]).set(bench, kv[1]);
        }
        bench.getClass().getMethod("setUp").invoke(bench); // throws if an output disagrees with the oracle
    }

    @Test
    void theReadPassFindsTheHalvesEqualAfterACopy() {
        Bandwidth bandwidth = new Bandwidth();
        bandwidth.mib = 1;
        bandwidth.setUp();
        bandwidth.copy();
        // Arrays.mismatch gives -1 for each of the 64 chunks.
        assertEquals(-64, bandwidth.read());
    }
}
