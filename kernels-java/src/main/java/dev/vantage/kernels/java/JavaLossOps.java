package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.spi.LossOps;

/** The pure-Java comp-sum and regression losses. */
final class JavaLossOps implements LossOps {
    private final Parallel parallel;

    JavaLossOps(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public LossResult compSum(Tensor logits, Tensor labels, Tensor loss, Tensor gradLogits, long rows, long classes,
                              CompSumOptions options) {
        throw new UnsupportedOperationException("compSum: not implemented yet");
    }

    @Override
    public LossResult regression(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                                 Tensor gradPrediction, RegressionOptions options) {
        throw new UnsupportedOperationException("regression: not implemented yet");
    }
}
