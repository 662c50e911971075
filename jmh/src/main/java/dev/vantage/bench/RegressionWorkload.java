package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.oracle.LossOracle;

import java.util.Map;

/**
 * Regression losses with their gradient in one call, the mean over n F32 elements without a mask
 * (PyTorch's default reduction): {@code mse}, {@code mae}, {@code huber} (δ = 1), {@code logCosh},
 * and {@code rmse}, a loss defined on the whole set. Targets and predictions come in blocks of
 * alternating distributions (see {@link Workload#floats}).
 *
 * <p>Parameter: {@code n}. Tolerances of {@code LossRegressionParityTest}: the mean rel 1e-5, the
 * gradient rel 1e-5 + abs 1e-7·max|gradient|.
 */
public final class RegressionWorkload extends Workload {
    static final double RTOL = 1e-5;

    final int n;
    final RegressionOptions options = RegressionOptions.defaults();

    float[] targetArray;
    float[] predictionArray;
    float[] gradArray;

    Tensor target;
    Tensor prediction;
    Tensor grad;
    LossResult result;

    public RegressionWorkload(Map<String, String> params) {
        this.n = Integer.parseInt(params.get("n"));
    }

    /** The loss a kernel (a {@code @Benchmark} method) computes. */
    static RegressionLoss kind(String kernel) {
        switch (kernel) {
            case "mse": return RegressionLoss.MSE;
            case "mae": return RegressionLoss.MAE;
            case "huber": return RegressionLoss.HUBER;
            case "logCosh": return RegressionLoss.LOG_COSH;
            case "rmse": return RegressionLoss.RMSE;
            default: throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    public String label() {
        return n >= 1 << 20 && n % (1 << 20) == 0 ? (n >> 20) + "Mi" : Integer.toString(n);
    }

    @Override
    public Traffic traffic(String kernel) {
        kind(kernel);
        return new Traffic(8L * n, 4L * n); // target and prediction in, the gradient out
    }

    @Override
    public void generate(long seed) {
        targetArray = floats(seed, n);
        predictionArray = floats(~seed, n);
        gradArray = new float[n];
        target = Tensor.of(targetArray, n);
        prediction = Tensor.of(predictionArray, n);
        grad = Tensor.of(gradArray, n);
    }

    void run(Backend backend, RegressionLoss kind) {
        result = backend.loss().regression(kind, target, prediction, null, null, grad, options);
    }

    @Override
    public Parity check(Backend backend, String kernel) {
        run(backend, kind(kernel));
        Parity parity = check(backend.name() + " " + kernel + " " + label(), kind(kernel), result.value(), gradArray);
        parity.add("count", 0, n, result.count(), 0, 0);
        return parity;
    }

    /** Compares the mean loss and every element of the gradient with the oracle. */
    Parity check(String what, RegressionLoss kind, double value, float[] gradOut) {
        LossOracle.Regression ref = LossOracle.Regression.valueOf(kind.name());
        LossOracle.Params params = new LossOracle.Params(options.delta(), options.quantile(), options.epsilon(),
                options.normalizer().name());
        double[] y = doubles(targetArray);
        double[] p = doubles(predictionArray);
        Parity parity = new Parity(what);
        parity.add("loss", 0, LossOracle.value(ref, y, p, null, params, true), value, RTOL, 0);
        double[] expected = LossOracle.gradient(ref, y, p, null, params, true);
        double max = 0;
        for (double g : expected) {
            max = Math.max(max, Math.abs(g));
        }
        for (int i = 0; i < n; i++) {
            parity.add("gradPrediction", i, expected[i], gradOut[i], RTOL, 1e-7 * max);
        }
        return parity;
    }
}
