package dev.vantage.bench;

import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device-to-device copy baseline: where CUDA cannot run, it skips with the cuda backend's reason. */
class DeviceCopyTest {
    @Test
    void copiesOnTheGpuOrSkipsWithTheReason() {
        BackendStatus cuda = Vantage.backends().stream().filter(s -> Placement.onDevice(s.name())).findFirst()
                .orElseThrow();
        DeviceCopy copy = new DeviceCopy();
        copy.mib = 1;
        if (!cuda.available()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, copy::setUp);
            assertTrue(e.getMessage().startsWith("skipped: ") && e.getMessage().contains(cuda.reason()),
                    e.getMessage());
            return;
        }
        try {
            copy.setUp();
            copy.copy();
            int[] words = new int[1 << 17];
            copy.target().copyTo(Tensor.of(words, words.length));
            assertArrayEquals(new SplittableRandom(Workload.BENCH_SEED).ints(words.length).toArray(), words);
        } finally {
            copy.tearDown();
        }
    }
}
