package dev.vantage.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The anchors and baselines compute what they claim, at sizes small enough for a unit test. */
class AnchorsTest {
    /**
     * Each anchor's setup runs it once and throws if an output disagrees with the oracle; the
     * libtorch anchors where the build has them (mvn -Plibtorch).
     */
    @ParameterizedTest
    @CsvSource({
        "LogProbNaive, shape=70x513 dtype=F32", "LogProbNaive, shape=70x513 dtype=BF16",
        "AdvantageNaive, shape=80x301",
        "DuelingNaive, shape=333x18 mode=MEAN", "DuelingNaive, shape=333x18 mode=MAX",
        "CompSumNaive, shape=70x1000 tau=1", "CompSumNaive, shape=70x1000 tau=1.5",
        "LogProbTorch, shape=37x1000 dtype=BF16",
        "AdvantageTorch, shape=64x257",
        "DuelingTorch, shape=100x18 mode=MEAN", "DuelingTorch, shape=100x18 mode=MAX",
        "CompSumTorch, shape=70x300 tau=1",
    })
    void everyAnchorPassesItsParityCheck(String name, String params) throws Exception {
        Family.Anchor anchor = new Family.Anchor("dev.vantage.bench." + name, "", "", "");
        assumeTrue(anchor.present(), "built without -Plibtorch");
        Object bench = Class.forName(anchor.benchmark()).getConstructor().newInstance();
        for (String param : params.split(" ")) {
            String[] kv = param.split("=");
            bench.getClass().getField(kv[0]).set(bench, kv[1]);
        }
        bench.getClass().getMethod("setUp").invoke(bench);
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
