package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.ApaOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import dev.vantage.kernels.objective.KtoOptions;
import dev.vantage.kernels.objective.KtoResult;

/**
 * Backend side of {@link dev.vantage.kernels.objective.ObjectiveKernels}; arguments arrive
 * validated. A reference of rank 1 ({@code [B]}) holds sequence sums; of rank 2 ({@code [B, T]})
 * token log-probs to sum under the mask.
 */
public interface ObjectiveOps {
    DpoResult dpo(Tensor logp, Tensor refLogp, Tensor mask, Tensor gradLogp, long batch, long time,
                  DpoOptions options);

    KtoResult kto(Tensor logp, Tensor refLogp, Tensor mask, Tensor desirable, double referenceKl, Tensor gradLogp,
                  long batch, long time, KtoOptions options);

    AggregateResult apa(Tensor logp, Tensor initLogp, Tensor advantages, Tensor mask, Tensor gradLogp, long batch,
                        long time, ApaOptions options);

    LossResult alol(Tensor logp, Tensor refLogp, Tensor mask, Tensor rewards, Tensor values, Tensor gradLogp,
                    long batch, long time, AlolOptions options);

    LossResult primeRewardModel(Tensor logp, Tensor refLogp, Tensor mask, Tensor outcomes, Tensor gradLogp,
                                long batch, long time, double beta);
}
