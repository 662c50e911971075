package dev.vantage.bench;

import dev.vantage.kernels.loss.RegressionLoss;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;

/**
 * Regression losses and their gradients in one call, on every backend (see
 * {@link RegressionWorkload}; minimal bytes 12·n each); methodology in {@link Timed}. The size of
 * issue 5: 16M elements.
 */
public class RegressionBenchmark extends KernelBenchmark {
    @Param({"16777216"})
    public String n;

    private RegressionWorkload w;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        w = prepare(new RegressionWorkload(Map.of("n", n)), params);
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
