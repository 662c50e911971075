package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;

/**
 * Backend side of {@link dev.vantage.kernels.loss.LossKernels}; arguments arrive validated, except
 * label values, which an implementation must check as {@link LogProbOps} describes.
 */
public interface LossOps {
    LossResult compSum(Tensor logits, Tensor labels, Tensor loss, Tensor gradLogits, long rows, long classes,
                       CompSumOptions options);

    LossResult regression(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                          Tensor gradPrediction, RegressionOptions options);
}
