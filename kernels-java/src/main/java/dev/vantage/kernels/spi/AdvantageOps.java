package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;

/** Backend side of {@link dev.vantage.kernels.advantage.AdvantageKernels}; arguments arrive validated. */
public interface AdvantageOps {
    void gae(Tensor rewards, Tensor values, Tensor mask, Episodes episodes, Tensor advantages, Tensor returns,
             long batch, long time, GaeOptions options);

    void returns(Tensor rewards, Tensor mask, Tensor terminated, Tensor returns, long batch, long time, double gamma);

    void grpo(Tensor scores, Tensor advantages, long batch, GroupOptions options);

    void rloo(Tensor scores, Tensor advantages, long batch, GroupOptions options);

    void broadcast(Tensor perSequence, Tensor mask, Tensor out, long batch, long time);

    WhitenResult whiten(Tensor values, Tensor mask, Tensor out, WhitenOptions options);

    WhitenResult reinforcePlusPlus(Tensor scores, Tensor mask, Tensor kl, Tensor advantages, long batch, long time,
                                   ReinforceOptions options);

    WhitenResult prime(Tensor processRewards, Tensor outcomes, Tensor mask, Tensor advantages, long batch, long time,
                       PrimeOptions options);
}
