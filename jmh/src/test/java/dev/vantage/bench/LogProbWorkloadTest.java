package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Vantage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogProbWorkloadTest {
    @Test
    void trafficIsTheMinimalBytes() {
        LogProbWorkload f32 = new LogProbWorkload(Map.of("shape", "2048x32000", "dtype", "F32"));
        assertEquals(new Traffic(2048L * 32000 * 4 + 2048 * 4, 2048 * 12), f32.traffic("forward"));
        assertEquals(new Traffic(2048L * 32000 * 4 + 2048 * 20, 2048L * 32000 * 4), f32.traffic("backward"));
        LogProbWorkload bf16 = new LogProbWorkload(Map.of("shape", "256x151936", "dtype", "BF16"));
        assertEquals(256L * 151936 * 2, bf16.traffic("backward").written());
        assertThrows(IllegalArgumentException.class, () -> bf16.traffic("sideways"));
    }

    @ParameterizedTest
    @CsvSource({"forward, F32", "forward, BF16", "backward, F32", "backward, BF16"})
    void theJavaBackendPassesOnEveryRow(String kernel, String dtype) {
        LogProbWorkload w = new LogProbWorkload(Map.of("shape", "67x1000", "dtype", dtype, "temperature", "0.7",
                "ignored", "0.1"));
        w.generate(1);
        Parity parity = w.check(Vantage.backend("java"), kernel);
        assertTrue(parity.ok(), parity::toString);
        // 67 rows is above the sample threshold: 16 rows are compared.
        assertEquals(kernel.equals("forward") ? 16 * 3 : 16 * 1000, parity.checked());
    }

    @Test
    void aWrongResultFailsTheCheck() {
        LogProbWorkload w = new LogProbWorkload(Map.of("shape", "5x300", "dtype", "F32"));
        w.generate(2);
        Backend java = Vantage.backend("java");
        assertTrue(w.check(java, "forward").ok());
        w.entropyArray[3] *= 1.001f;
        Parity parity = w.checkForward("corrupted", w.logpArray, w.entropyArray, w.lseArray);
        assertFalse(parity.ok());
        IllegalStateException e = assertThrows(IllegalStateException.class, parity::require);
        assertTrue(e.getMessage().contains("entropy[3]"), e.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameInputs() {
        LogProbWorkload a = new LogProbWorkload(Map.of("shape", "9x500", "dtype", "BF16"));
        LogProbWorkload b = new LogProbWorkload(Map.of("shape", "9x500", "dtype", "BF16"));
        a.generate(3);
        b.generate(3);
        assertArrayEquals(a.logitsBf16, b.logitsBf16);
        assertArrayEquals(a.labelArray, b.labelArray);
        b.generate(4);
        assertFalse(java.util.Arrays.equals(a.logitsBf16, b.logitsBf16));
    }

    @Test
    void labelsTheSize() {
        assertEquals("2048x32000 F32", new LogProbWorkload(Map.of("shape", "2048x32000", "dtype", "F32")).label());
        assertEquals("3x7 BF16 T=0.7 10% ignored", new LogProbWorkload(Map.of("shape", "3x7", "dtype", "BF16",
                "temperature", "0.7", "ignored", "0.1")).label());
        assertThrows(IllegalArgumentException.class,
                () -> new LogProbWorkload(Map.of("shape", "3x7", "dtype", "F16")));
    }
}
