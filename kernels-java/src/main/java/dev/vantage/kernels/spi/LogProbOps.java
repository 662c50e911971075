package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;

/**
 * Backend side of {@link dev.vantage.kernels.logprob.LogProbKernels}. Arguments arrive validated
 * (dtypes, shapes, memories, options); optional tensors may be null. Label values are the one thing
 * the API cannot check without reading data: an implementation must reject a label outside
 * {@code [0, vocab)} other than the ignore index with an {@link IllegalArgumentException} naming
 * {@code labels}, before writing any output.
 */
public interface LogProbOps {
    void forward(Tensor logits, Tensor labels, Tensor logp, Tensor entropy, Tensor lse, long rows, long vocab,
                 LogProbOptions options);

    void backward(Tensor logits, Tensor labels, Tensor lse, Tensor entropy, Tensor gradLogp, Tensor gradEntropy,
                  Tensor gradLogits, long rows, long vocab, LogProbOptions options);

    void ratio(Tensor logp, Tensor oldLogp, Tensor mask, Tensor ratio, Tensor gradRatio, double logRatioClamp);

    PpoResult ppoLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                      long batch, long time, PpoOptions options);

    void kl(Tensor logp, Tensor refLogp, Tensor mask, Tensor kl, Tensor gradKl, KlOptions options);

    void implicitReward(Tensor logp, Tensor refLogp, Tensor mask, Tensor reward, double beta);

    void sequenceSum(Tensor values, Tensor mask, Tensor sums, long batch, long time);

    void sequenceSumBackward(Tensor gradSums, Tensor mask, Tensor gradValues, long batch, long time);

    AggregateResult aggregate(Tensor values, Tensor mask, long batch, long time, Aggregation aggregation);

    void aggregateBackward(Tensor mask, double gradLoss, Tensor gradValues, long batch, long time,
                           Aggregation aggregation);
}
