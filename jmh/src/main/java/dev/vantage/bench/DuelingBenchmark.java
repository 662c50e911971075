package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The dueling head and its backward on every backend (see {@link DuelingWorkload}); methodology in
 * {@link Timed}. The size of issue 5: a batch of 65536 Atari states, 18 actions.
 */
public class DuelingBenchmark extends KernelBenchmark<DuelingWorkload> {
    @Param({"65536x18"})
    public String shape;

    @Param({"MEAN", "MAX"})
    public String mode;

    @Override
    protected DuelingWorkload workload() {
        return new DuelingWorkload(Map.of("shape", shape, "mode", mode));
    }

    @Benchmark
    public void forward() {
        w.run(be, "forward");
    }

    @Benchmark
    public void backward() {
        w.run(be, "backward");
    }
}
