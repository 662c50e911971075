package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.ApaOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import dev.vantage.kernels.objective.KtoOptions;
import dev.vantage.kernels.objective.KtoResult;
import dev.vantage.kernels.spi.ObjectiveOps;

/**
 * The sequence objectives, which the C ABI does not have yet: each runs the pure-Java kernel on
 * host copies of device tensors ({@link JavaFallback}); host tensors are read in place.
 */
final class CudaObjectiveOps implements ObjectiveOps {
    private final Lanes lanes;

    CudaObjectiveOps(Lanes lanes) {
        this.lanes = lanes;
    }

    private static ObjectiveOps java() {
        return JavaFallback.provider().objective();
    }

    @Override
    public DpoResult dpo(Tensor logp, Tensor refLogp, Tensor mask, Tensor gradLogp, long batch, long time,
                         DpoOptions options) {
        return JavaFallback.run(lanes, "dpo", batch, time, c -> java().dpo(c.hostInput(logp), c.hostInput(refLogp),
                c.hostInput(mask), c.hostOutput(gradLogp), batch, time, options));
    }

    @Override
    public KtoResult kto(Tensor logp, Tensor refLogp, Tensor mask, Tensor desirable, double referenceKl,
                         Tensor gradLogp, long batch, long time, KtoOptions options) {
        return JavaFallback.run(lanes, "kto", batch, time, c -> java().kto(c.hostInput(logp), c.hostInput(refLogp),
                c.hostInput(mask), c.hostInput(desirable), referenceKl, c.hostOutput(gradLogp), batch, time, options));
    }

    @Override
    public AggregateResult apa(Tensor logp, Tensor initLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                               long batch, long time, ApaOptions options) {
        return JavaFallback.run(lanes, "apa", batch, time, c -> java().apa(c.hostInput(logp), c.hostInput(initLogp),
                c.hostInput(advantages), c.hostInput(mask), c.hostOutput(gradLogp), batch, time, options));
    }

    @Override
    public LossResult alol(Tensor logp, Tensor refLogp, Tensor mask, Tensor rewards, Tensor values, Tensor gradLogp,
                           long batch, long time, AlolOptions options) {
        return JavaFallback.run(lanes, "alol", batch, time, c -> java().alol(c.hostInput(logp), c.hostInput(refLogp),
                c.hostInput(mask), c.hostInput(rewards), c.hostInput(values), c.hostOutput(gradLogp), batch, time,
                options));
    }

    @Override
    public LossResult primeRewardModel(Tensor logp, Tensor refLogp, Tensor mask, Tensor outcomes, Tensor gradLogp,
                                       long batch, long time, double beta) {
        return JavaFallback.run(lanes, "primeRewardModel", batch, time, c -> java().primeRewardModel(
                c.hostInput(logp), c.hostInput(refLogp), c.hostInput(mask), c.hostInput(outcomes),
                c.hostOutput(gradLogp), batch, time, beta));
    }
}
