package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.kernels.spi.LogProbOps;

import static dev.vantage.kernels.cuda.CudaLibrary.*;

/** The log-prob family on the C ABI; enums pass as their ordinals, which the header mirrors. */
final class CudaLogProbOps implements LogProbOps {
    private final Lanes lanes;

    CudaLogProbOps(Lanes lanes) {
        this.lanes = lanes;
    }

    @Override
    public void forward(Tensor logits, Tensor labels, Tensor logp, Tensor entropy, Tensor lse, long rows, long vocab,
                        LogProbOptions options) {
        try (Call c = Call.open(lanes, "vantage_logprob_forward", "rows=" + rows + ", vocab=" + vocab)) {
            c.run(vantage_logprob_forward(c.in(logits), logits.dtype().ordinal(),
                    c.labels(labels, vocab, options.ignoreIndex()), c.out(logp), c.out(entropy), c.out(lse), rows, vocab,
                    options.temperature(), options.ignoreIndex(), c.status(), c.stream()));
        }
    }

    @Override
    public void backward(Tensor logits, Tensor labels, Tensor lse, Tensor entropy, Tensor gradLogp, Tensor gradEntropy,
                         Tensor gradLogits, long rows, long vocab, LogProbOptions options) {
        try (Call c = Call.open(lanes, "vantage_logprob_backward", "rows=" + rows + ", vocab=" + vocab)) {
            c.run(vantage_logprob_backward(c.in(logits), logits.dtype().ordinal(),
                    c.labels(labels, vocab, options.ignoreIndex()), c.in(lse), c.in(entropy), c.in(gradLogp),
                    c.in(gradEntropy), c.out(gradLogits), gradLogits.dtype().ordinal(), rows, vocab,
                    options.temperature(), options.ignoreIndex(), c.status(), c.stream()));
        }
    }

    @Override
    public void ratio(Tensor logp, Tensor oldLogp, Tensor mask, Tensor ratio, Tensor gradRatio, double logRatioClamp) {
        long n = logp.numel();
        try (Call c = Call.open(lanes, "vantage_ratio", "n=" + n)) {
            c.run(vantage_ratio(c.in(logp), c.in(oldLogp), c.in(mask), c.out(ratio), c.out(gradRatio), n, logRatioClamp,
                    c.stream()));
        }
    }

    @Override
    public PpoResult ppoLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, Tensor gradLogp, long batch,
                             long time, PpoOptions options) {
        Aggregation agg = options.aggregation();
        try (Call c = Call.open(lanes, "vantage_ppo_loss", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_ppo_loss_workspace_size(batch, time);
            c.run(vantage_ppo_loss(c.in(logp), c.in(oldLogp), c.in(advantages), c.in(mask), c.out(gradLogp), batch, time,
                    options.clipLow(), options.clipHigh(), options.dualClip(), options.logRatioClamp(),
                    agg.mode().ordinal(), agg.normalizer(), c.result(), c.workspace(bytes), bytes, c.stream()));
            return new PpoResult(c.result(VANTAGE_PPO_LOSS()), c.result(VANTAGE_PPO_CLIP_FRACTION()),
                    c.result(VANTAGE_PPO_CLIP_FRACTION_LOWER()), c.result(VANTAGE_PPO_APPROX_KL()),
                    c.count(VANTAGE_PPO_TOKENS()), c.flag(VANTAGE_PPO_DEGENERATE()));
        }
    }

    @Override
    public void kl(Tensor logp, Tensor refLogp, Tensor mask, Tensor kl, Tensor gradKl, KlOptions options) {
        long n = logp.numel();
        try (Call c = Call.open(lanes, "vantage_kl", "n=" + n)) {
            c.run(vantage_kl(c.in(logp), c.in(refLogp), c.in(mask), c.out(kl), c.out(gradKl), n,
                    options.estimator().ordinal(), options.verlClamp() ? 1 : 0, c.stream()));
        }
    }

    @Override
    public void implicitReward(Tensor logp, Tensor refLogp, Tensor mask, Tensor reward, double beta) {
        long n = logp.numel();
        try (Call c = Call.open(lanes, "vantage_implicit_reward", "n=" + n)) {
            c.run(vantage_implicit_reward(c.in(logp), c.in(refLogp), c.in(mask), c.out(reward), n, beta, c.stream()));
        }
    }

    @Override
    public void sequenceSum(Tensor values, Tensor mask, Tensor sums, long batch, long time) {
        try (Call c = Call.open(lanes, "vantage_sequence_sum", "batch=" + batch + ", time=" + time)) {
            c.run(vantage_sequence_sum(c.in(values), c.in(mask), c.out(sums), batch, time, c.stream()));
        }
    }

    @Override
    public void sequenceSumBackward(Tensor gradSums, Tensor mask, Tensor gradValues, long batch, long time) {
        try (Call c = Call.open(lanes, "vantage_sequence_sum_backward", "batch=" + batch + ", time=" + time)) {
            c.run(vantage_sequence_sum_backward(c.in(gradSums), c.in(mask), c.out(gradValues), batch, time, c.stream()));
        }
    }

    @Override
    public AggregateResult aggregate(Tensor values, Tensor mask, long batch, long time, Aggregation aggregation) {
        try (Call c = Call.open(lanes, "vantage_aggregate", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_aggregate_workspace_size(batch, time);
            c.run(vantage_aggregate(c.in(values), c.in(mask), batch, time, aggregation.mode().ordinal(),
                    aggregation.normalizer(), c.result(), c.workspace(bytes), bytes, c.stream()));
            return c.aggregateResult();
        }
    }

    @Override
    public void aggregateBackward(Tensor mask, double gradLoss, Tensor gradValues, long batch, long time,
                                  Aggregation aggregation) {
        try (Call c = Call.open(lanes, "vantage_aggregate_backward", "batch=" + batch + ", time=" + time)) {
            long bytes = vantage_aggregate_workspace_size(batch, time);
            c.run(vantage_aggregate_backward(c.in(mask), gradLoss, c.out(gradValues), batch, time,
                    aggregation.mode().ordinal(), aggregation.normalizer(), c.workspace(bytes), bytes, c.stream()));
        }
    }
}
