package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.oracle.LossOracle;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fourteen regression losses with their gradient in one call, the mean over n F32 elements
 * without a mask (PyTorch's default reduction) and the default options (Huber's δ = 1, q = 0.5,
 * NRMSE by |mean(y)|). Each loss is a kernel named after its {@link RegressionLoss} constant in lower
 * camel case ({@code mae}, {@code logCosh}, ...). Targets and predictions come in blocks of
 * alternating distributions (see {@link Workload#floats}).
 *
 * <p>Parameter: {@code n}. Tolerances of {@code LossRegressionParityTest}: the loss rel 1e-5 (plus
 * abs 1e-6·mean|e| for MBE, whose terms cancel), the gradient rel 1e-5 + abs 1e-7·max|gradient|.
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

    /** Every loss's kernel, in the order of {@link RegressionLoss}. */
    static final List<String> KERNELS = Arrays.stream(RegressionLoss.values()).map(RegressionWorkload::kernel)
            .collect(Collectors.toList());

    /** The kernel (the {@code @Benchmark} method) of a loss: its name in lower camel case, e.g. {@code logCosh}. */
    static String kernel(RegressionLoss kind) {
        String[] words = kind.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }

    /** The loss a kernel computes. */
    static RegressionLoss kind(String kernel) {
        for (RegressionLoss kind : RegressionLoss.values()) {
            if (kernel(kind).equals(kernel)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("kernel: " + kernel);
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
    protected void fill(long seed) {
        targetArray = floats(seed, n);
        predictionArray = floats(~seed, n);
        gradArray = new float[n];
        target = placed(Tensor.of(targetArray, n));
        prediction = placed(Tensor.of(predictionArray, n));
        grad = placed(Tensor.of(gradArray, n));
    }

    void run(Backend backend, RegressionLoss kind) {
        result = backend.loss().regression(kind, target, prediction, null, null, grad, options);
    }

    @Override
    void run(Backend backend, String kernel) {
        run(backend, kind(kernel));
    }

    @Override
    Parity compare(String what, String kernel) {
        Parity parity = check(what, kind(kernel), result.value(), gradArray);
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
        double cancelling = kind == RegressionLoss.MBE
                ? LossOracle.value(LossOracle.Regression.MAE, y, p, null, params, true) : 0;
        parity.add("loss", 0, LossOracle.value(ref, y, p, null, params, true), value, RTOL, 1e-6 * cancelling);
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
