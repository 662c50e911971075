package dev.vantage.bench;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.cuda.DeviceBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;

/**
 * The GPU's practical memory bandwidth, the yardstick of the {@value Placement#DEVICE_BACKEND}
 * rows' "% of copy": a device-to-device copy that moves {@code mib} MiB (reads half, writes half)
 * with {@link DeviceBuffer#copyFrom}, which, like a call of the synchronous cuda backend, returns
 * when the GPU is done. Skips with the reason where the cuda backend cannot run. Methodology in
 * {@link Timed}.
 */
public class DeviceCopy extends Timed {
    /** Bytes moved by one call, in MiB. */
    @Param({"256"})
    public int mib;

    private DeviceBuffer source;
    private DeviceBuffer target;
    private Tensor sourceWords;

    @Setup(Level.Trial)
    public void setUp() {
        KernelBenchmark.open(Placement.DEVICE_BACKEND);
        int words = mib << 17; // 4-byte words in half of mib MiB
        int[] host = new SplittableRandom(Workload.BENCH_SEED).ints(words).toArray();
        source = DeviceBuffer.allocate(DType.I32, words);
        target = DeviceBuffer.allocate(DType.I32, words);
        sourceWords = source.copyFrom(Tensor.of(host, words)).tensor(DType.I32, words);
    }

    @Benchmark
    public void copy() {
        target.copyFrom(sourceWords);
    }

    /** The copy's destination, for a test on a GPU. */
    DeviceBuffer target() {
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }
}
