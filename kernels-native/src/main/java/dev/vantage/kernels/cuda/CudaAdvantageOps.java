package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.kernels.spi.AdvantageOps;

import static dev.vantage.kernels.cuda.CudaLibrary.*;

/** The advantage family on the C ABI. */
final class CudaAdvantageOps implements AdvantageOps {
    private final Lanes lanes;

    CudaAdvantageOps(Lanes lanes) {
        this.lanes = lanes;
    }

    @Override
    public void gae(Tensor rewards, Tensor values, Tensor mask, Episodes episodes, Tensor advantages, Tensor returns,
                    long batch, long time, GaeOptions options) {
        try (Call c = Call.open(lanes, "vantage_gae", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_gae_workspace_size(batch, time);
            c.run(vantage_gae(c.in(rewards), c.in(values), c.in(mask), c.in(episodes.terminated()),
                    c.in(episodes.truncated()), c.in(episodes.bootstrapValues()), c.out(advantages), c.out(returns), batch,
                    time, options.gamma(), options.lambda(), c.workspace(bytes), bytes, c.stream()));
        }
    }

    @Override
    public void returns(Tensor rewards, Tensor mask, Tensor terminated, Tensor returns, long batch, long time,
                        double gamma) {
        try (Call c = Call.open(lanes, "vantage_returns", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_gae_workspace_size(batch, time);
            c.run(vantage_returns(c.in(rewards), c.in(mask), c.in(terminated), c.out(returns), batch, time, gamma,
                    c.workspace(bytes), bytes, c.stream()));
        }
    }

    @Override
    public void grpo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        try (Call c = Call.open(lanes, "vantage_grpo", "batch=" + batch + ", groupSize=" + options.groupSize())) {
            c.run(vantage_grpo(c.in(scores), c.out(advantages), batch, options.groupSize(),
                    options.normalizeByStd() ? 1 : 0, options.unbiasedStd() ? 1 : 0, options.epsilon(),
                    options.singleton().ordinal(), c.stream()));
        }
    }

    @Override
    public void rloo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        try (Call c = Call.open(lanes, "vantage_rloo", "batch=" + batch + ", groupSize=" + options.groupSize())) {
            c.run(vantage_rloo(c.in(scores), c.out(advantages), batch, options.groupSize(), options.singleton().ordinal(),
                    c.stream()));
        }
    }

    @Override
    public void broadcast(Tensor perSequence, Tensor mask, Tensor out, long batch, long time) {
        try (Call c = Call.open(lanes, "vantage_broadcast", "batch=" + batch + ", time=" + time)) {
            c.run(vantage_broadcast(c.in(perSequence), c.in(mask), c.out(out), batch, time, c.stream()));
        }
    }

    @Override
    public WhitenResult whiten(Tensor values, Tensor mask, Tensor out, WhitenOptions options) {
        long n = values.numel();
        try (Call c = Call.open(lanes, "vantage_whiten", "n=" + n)) {
            long bytes = vantage_whiten_workspace_size(n);
            c.run(vantage_whiten(c.in(values), c.in(mask), c.out(out), n, options.shiftMean() ? 1 : 0,
                    options.unbiased() ? 1 : 0, options.epsilon(), c.result(), c.workspace(bytes), bytes, c.stream()));
            return c.whitenResult();
        }
    }

    @Override
    public WhitenResult reinforcePlusPlus(Tensor scores, Tensor mask, Tensor kl, Tensor advantages, long batch,
                                          long time, ReinforceOptions options) {
        try (Call c = Call.open(lanes, "vantage_reinforce_plus_plus", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_reinforce_plus_plus_workspace_size(batch, time);
            c.run(vantage_reinforce_plus_plus(c.in(scores), c.in(mask), c.in(kl), c.out(advantages), batch, time,
                    options.gamma(), options.klCoef(), options.baselineGroupSize(), c.result(), c.workspace(bytes), bytes,
                    c.stream()));
            return c.whitenResult();
        }
    }

    @Override
    public WhitenResult prime(Tensor processRewards, Tensor outcomes, Tensor mask, Tensor advantages, long batch,
                              long time, PrimeOptions options) {
        try (Call c = Call.open(lanes, "vantage_prime", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_prime_workspace_size(batch, time);
            c.run(vantage_prime(c.in(processRewards), c.in(outcomes), c.in(mask), c.out(advantages), batch, time,
                    options.groupSize(), options.processCoef(), options.outcomeCoef(), options.form().ordinal(),
                    c.result(), c.workspace(bytes), bytes, c.stream()));
            return c.whitenResult();
        }
    }
}
