package dev.vantage.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
