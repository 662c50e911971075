package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.LossOracle;

import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The comp-sum loss of {@code [N, C]} F32 logits with its gradient, fused in one call
 * ({@code compSum}): the mean over the rows whose label is not ignored (5% are), the gradient of
 * that mean written over the logits' shape. τ = 1 is cross-entropy.
 *
 * <p>Parameters: {@code shape} ({@code NxC}) and {@code tau}. The logits are {@link #row}s.
 * Tolerances of {@code LossCompSumParityTest}: the mean rel 1e-4; the gradient rel 1e-4 + abs
 * 1e-6·max|row gradient| (+ the smallest normal float, below which fp32 underflows).
 */
public final class CompSumWorkload extends Workload {
    static final double VALUE_RTOL = 1e-4;
    static final double GRAD_RTOL = 1e-4;
    static final double IGNORED = 0.05;

    final int rows;
    final int classes;
    final CompSumOptions options;

    float[] logitArray;
    int[] labelArray;
    float[] gradArray;
    /** Rows that count in the mean. */
    long count;

    Tensor logits;
    Tensor labels;
    Tensor grad;
    LossResult result;

    public CompSumWorkload(Map<String, String> params) {
        int[] shape = dims(params.get("shape"));
        this.rows = shape[0];
        this.classes = shape[1];
        this.options = CompSumOptions.defaults().tau(Double.parseDouble(params.get("tau")));
    }

    @Override
    public String label() {
        return String.format(Locale.ROOT, "%dx%d τ=%s", rows, classes, Findings.significant(options.tau(), 3));
    }

    @Override
    public Traffic traffic(String kernel) {
        requireKernel(kernel);
        long logitBytes = 4L * rows * classes;
        return new Traffic(logitBytes + 4L * rows, logitBytes); // logits and labels in, the gradient out
    }

    @Override
    protected void fill(long seed) {
        logitArray = rows(seed, rows, classes);
        labelArray = new Inputs(seed).labels(rows, classes, IGNORED, options.ignoreIndex());
        count = IntStream.of(labelArray).filter(y -> y != options.ignoreIndex()).count();
        gradArray = new float[rows * classes];
        logits = placed(Tensor.of(logitArray, rows, classes));
        labels = placed(Tensor.of(labelArray, rows));
        grad = placed(Tensor.of(gradArray, rows, classes));
    }

    @Override
    void run(Backend backend, String kernel) {
        requireKernel(kernel);
        result = backend.loss().compSum(logits, labels, null, grad, options);
    }

    @Override
    Parity compare(String what, String kernel) {
        Parity parity = check(what, result.value(), gradArray);
        parity.add("count", 0, count, result.count(), 0, 0);
        return parity;
    }

    /** Compares the mean loss with the oracle's over every row, and the gradient on the sample rows. */
    Parity check(String what, double value, float[] gradOut) {
        Parity parity = new Parity(what);
        double[] rowLoss = IntStream.range(0, rows).parallel().mapToDouble(r -> LossOracle.compSumRows(oracleRow(r), 1,
                classes, new int[] {labelArray[r]}, options.tau(), options.ignoreIndex(), 0)[0]).toArray();
        double sum = 0;
        for (double l : rowLoss) {
            sum += l;
        }
        parity.add("loss", 0, sum / count, value, VALUE_RTOL, 0);
        for (int r : sampleRows(rows)) {
            double[] expected = LossOracle.compSumGrad(oracleRow(r), 1, classes, new int[] {labelArray[r]},
                    options.tau(), options.ignoreIndex(), 0);
            double max = 0;
            for (int k = 0; k < classes; k++) {
                expected[k] /= count;
                max = Math.max(max, Math.abs(expected[k]));
            }
            for (int k = 0; k < classes; k++) {
                parity.add("gradLogits", (long) r * classes + k, expected[k], gradOut[r * classes + k], GRAD_RTOL,
                        1e-6 * max + Float.MIN_NORMAL);
            }
        }
        return parity;
    }

    private static void requireKernel(String kernel) {
        if (!kernel.equals("compSum")) {
            throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    double[] oracleRow(int r) {
        return doubles(logitArray, r * classes, (r + 1) * classes);
    }
}
