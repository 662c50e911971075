package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.ApaOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import dev.vantage.kernels.objective.KtoOptions;
import dev.vantage.kernels.objective.KtoResult;
import dev.vantage.kernels.spi.ObjectiveOps;

import static dev.vantage.kernels.cuda.CudaLibrary.*;

/**
 * The sequence objectives on the C ABI. A reference of rank 2 is per token, of rank 1 per
 * sequence ({@code ref_per_token}); enums pass as their ordinals, which the header mirrors.
 */
final class CudaObjectiveOps implements ObjectiveOps {
    private final Lanes lanes;

    CudaObjectiveOps(Lanes lanes) {
        this.lanes = lanes;
    }

    private static String sizes(long batch, long time) {
        return "batch=" + batch + ", time=" + time;
    }

    private static int perToken(Tensor ref) {
        return ref != null && ref.rank() == 2 ? 1 : 0;
    }

    @Override
    public DpoResult dpo(Tensor logp, Tensor refLogp, Tensor mask, Tensor gradLogp, long batch, long time,
                         DpoOptions options) {
        try (Call c = Call.open(lanes, "vantage_dpo", sizes(batch, time))) {
            long bytes = vantage_dpo_workspace_size(batch, time);
            c.run(vantage_dpo(c.in(logp), c.in(refLogp), perToken(refLogp), c.in(mask), c.out(gradLogp), batch, time,
                    options.beta(), options.labelSmoothing(), options.loss().ordinal(), c.result(),
                    c.workspace(bytes), bytes, c.stream()));
            return new DpoResult(c.result(VANTAGE_DPO_LOSS()), c.result(VANTAGE_DPO_CHOSEN_REWARD()),
                    c.result(VANTAGE_DPO_REJECTED_REWARD()), c.result(VANTAGE_DPO_ACCURACY()),
                    c.result(VANTAGE_DPO_MARGIN()), c.count(VANTAGE_DPO_PAIRS()));
        }
    }

    @Override
    public KtoResult kto(Tensor logp, Tensor refLogp, Tensor mask, Tensor desirable, double referenceKl,
                         Tensor gradLogp, long batch, long time, KtoOptions options) {
        try (Call c = Call.open(lanes, "vantage_kto", sizes(batch, time))) {
            long bytes = vantage_kto_workspace_size(batch, time);
            c.run(vantage_kto(c.in(logp), c.in(refLogp), perToken(refLogp), c.in(mask), c.in(desirable), referenceKl,
                    c.out(gradLogp), batch, time, options.beta(), options.desirableWeight(),
                    options.undesirableWeight(), c.result(), c.workspace(bytes), bytes, c.stream()));
            return new KtoResult(c.result(VANTAGE_KTO_LOSS()), c.result(VANTAGE_KTO_DESIRABLE_REWARD()),
                    c.result(VANTAGE_KTO_UNDESIRABLE_REWARD()), c.count(VANTAGE_KTO_DESIRABLE()),
                    c.count(VANTAGE_KTO_UNDESIRABLE()));
        }
    }

    @Override
    public AggregateResult apa(Tensor logp, Tensor initLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                               long batch, long time, ApaOptions options) {
        Aggregation agg = options.aggregation();
        try (Call c = Call.open(lanes, "vantage_apa", sizes(batch, time))) {
            long bytes = vantage_apa_workspace_size(batch, time);
            c.run(vantage_apa(c.in(logp), c.in(initLogp), c.in(advantages), c.in(mask), c.out(gradLogp), batch, time,
                    options.lambda(), agg.mode().ordinal(), agg.normalizer(), c.result(), c.workspace(bytes), bytes,
                    c.stream()));
            return c.aggregateResult();
        }
    }

    @Override
    public LossResult alol(Tensor logp, Tensor refLogp, Tensor mask, Tensor rewards, Tensor values, Tensor gradLogp,
                           long batch, long time, AlolOptions options) {
        try (Call c = Call.open(lanes, "vantage_alol", sizes(batch, time))) {
            long bytes = vantage_alol_workspace_size(batch, time);
            c.run(vantage_alol(c.in(logp), c.in(refLogp), perToken(refLogp), c.in(mask), c.in(rewards), c.in(values),
                    c.out(gradLogp), batch, time, options.variant().ordinal(), options.clip(), options.klBeta(),
                    c.result(), c.workspace(bytes), bytes, c.stream()));
            return c.lossResult();
        }
    }

    @Override
    public LossResult primeRewardModel(Tensor logp, Tensor refLogp, Tensor mask, Tensor outcomes, Tensor gradLogp,
                                       long batch, long time, double beta) {
        try (Call c = Call.open(lanes, "vantage_prime_reward_model", sizes(batch, time))) {
            long bytes = vantage_prime_reward_model_workspace_size(batch, time);
            c.run(vantage_prime_reward_model(c.in(logp), c.in(refLogp), perToken(refLogp), c.in(mask), c.in(outcomes),
                    c.out(gradLogp), batch, time, beta, c.result(), c.workspace(bytes), bytes, c.stream()));
            return c.lossResult();
        }
    }
}
