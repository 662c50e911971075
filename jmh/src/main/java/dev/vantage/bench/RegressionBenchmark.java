package dev.vantage.bench;

import dev.vantage.kernels.loss.RegressionLoss;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Map;

/**
 * The fourteen regression losses, each with its gradient in one call, on every backend (see
 * {@link RegressionWorkload}; minimal bytes 12·n each); methodology in {@link Timed}. The size of
 * issue 5: 16M elements. The report's quick mode runs five of them, {@code --full} all.
 */
public class RegressionBenchmark extends KernelBenchmark<RegressionWorkload> {
    @Param({"16777216"})
    public String n;

    @Override
    protected RegressionWorkload workload() {
        return new RegressionWorkload(Map.of("n", n));
    }

    @Benchmark
    public void mae() {
        w.run(be, RegressionLoss.MAE);
    }

    @Benchmark
    public void mse() {
        w.run(be, RegressionLoss.MSE);
    }

    @Benchmark
    public void mbe() {
        w.run(be, RegressionLoss.MBE);
    }

    @Benchmark
    public void rae() {
        w.run(be, RegressionLoss.RAE);
    }

    @Benchmark
    public void rse() {
        w.run(be, RegressionLoss.RSE);
    }

    @Benchmark
    public void mape() {
        w.run(be, RegressionLoss.MAPE);
    }

    @Benchmark
    public void rmse() {
        w.run(be, RegressionLoss.RMSE);
    }

    @Benchmark
    public void msle() {
        w.run(be, RegressionLoss.MSLE);
    }

    @Benchmark
    public void rmsle() {
        w.run(be, RegressionLoss.RMSLE);
    }

    @Benchmark
    public void nrmse() {
        w.run(be, RegressionLoss.NRMSE);
    }

    @Benchmark
    public void rrmse() {
        w.run(be, RegressionLoss.RRMSE);
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
    public void quantile() {
        w.run(be, RegressionLoss.QUANTILE);
    }
}
