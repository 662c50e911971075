package dev.vantage.bench;

import dev.vantage.kernels.loss.RegressionLoss;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * Regression losses and their gradients in one call, on every backend (see
 * {@link RegressionWorkload}; minimal bytes 12·n each); methodology in {@link Timed}. The size of
 * issue 5: 16M elements.
 */
public class RegressionBenchmark extends KernelBenchmark<RegressionWorkload> {
    @Param({"16777216"})
    public String n;

    @Override
    protected RegressionWorkload workload() {
        return new RegressionWorkload(Map.of("n", n));
    }

    @Benchmark
    public void mse() {
        w.run(be, RegressionLoss.MSE);
    }

    @Benchmark
    public void mae() {
        w.run(be, RegressionLoss.MAE);
    }

    @Benchmark
    public void huber() {
        w.run(be, RegressionLoss.HUBER);
    }

    @Benchmark
    public void logCosh() {
        w.run(be, RegressionLoss.LOG_COSH);
    }

    @Benchmark
    public void rmse() {
        w.run(be, RegressionLoss.RMSE);
    }
}
