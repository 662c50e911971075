package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.kernels.spi.AdvantageOps;

/** The pure-Java advantage estimators. */
final class JavaAdvantageOps implements AdvantageOps {
    private final Parallel parallel;

    JavaAdvantageOps(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void gae(Tensor rewards, Tensor values, Tensor mask, Episodes episodes, Tensor advantages, Tensor returns,
                    long batch, long time, GaeOptions options) {
        throw new UnsupportedOperationException("gae: not implemented yet");
    }

    @Override
    public void returns(Tensor rewards, Tensor mask, Tensor terminated, Tensor returns, long batch, long time,
                        double gamma) {
        throw new UnsupportedOperationException("returns: not implemented yet");
    }

    @Override
    public void grpo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        throw new UnsupportedOperationException("grpo: not implemented yet");
    }

    @Override
    public void rloo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        throw new UnsupportedOperationException("rloo: not implemented yet");
    }

    @Override
    public void broadcast(Tensor perSequence, Tensor mask, Tensor out, long batch, long time) {
        throw new UnsupportedOperationException("broadcast: not implemented yet");
    }

    @Override
    public WhitenResult whiten(Tensor values, Tensor mask, Tensor out, WhitenOptions options) {
        throw new UnsupportedOperationException("whiten: not implemented yet");
    }

    @Override
    public WhitenResult reinforcePlusPlus(Tensor scores, Tensor mask, Tensor kl, Tensor advantages, long batch,
                                          long time, ReinforceOptions options) {
        throw new UnsupportedOperationException("reinforcePlusPlus: not implemented yet");
    }
}
