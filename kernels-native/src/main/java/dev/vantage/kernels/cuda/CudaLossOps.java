package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.spi.LossOps;

import static dev.vantage.kernels.cuda.CudaLibrary.*;

/** The loss family on the C ABI. */
final class CudaLossOps implements LossOps {
    private final Lanes lanes;

    CudaLossOps(Lanes lanes) {
        this.lanes = lanes;
    }

    @Override
    public LossResult compSum(Tensor logits, Tensor labels, Tensor loss, Tensor gradLogits, long rows, long classes,
                              CompSumOptions options) {
        // Without a gradient output its dtype is not read; pass the logits' so the launcher accepts it.
        int gradDtype = (gradLogits != null ? gradLogits : logits).dtype().ordinal();
        try (Call c = Call.open(lanes, "vantage_comp_sum", "rows=" + rows + ", classes=" + classes)) {
            long bytes = vantage_comp_sum_workspace_size(rows, classes);
            c.run(vantage_comp_sum(c.in(logits), logits.dtype().ordinal(),
                    c.labels(labels, classes, options.ignoreIndex()), c.out(loss), c.out(gradLogits), gradDtype, rows,
                    classes, options.tau(), options.ignoreIndex(), options.labelSmoothing(),
                    options.reduction().ordinal(), options.gradScale(), c.result(), c.status(), c.workspace(bytes), bytes,
                    c.stream()));
            return c.lossResult();
        }
    }

    @Override
    public LossResult regression(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                                 Tensor gradPrediction, RegressionOptions options) {
        long n = target.numel();
        try (Call c = Call.open(lanes, "vantage_regression", "kind=" + kind + ", n=" + n)) {
            long bytes = vantage_regression_workspace_size(n);
            c.run(vantage_regression(kind.ordinal(), c.in(target), c.in(prediction), c.in(mask), c.out(loss),
                    c.out(gradPrediction), n, options.reduction().ordinal(), options.delta(), options.quantile(),
                    options.epsilon(), options.normalizer().ordinal(), options.gradScale(), c.result(),
                    c.workspace(bytes), bytes, c.stream()));
            return c.lossResult();
        }
    }
}
