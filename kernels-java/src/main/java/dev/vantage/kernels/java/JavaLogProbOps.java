package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.kernels.spi.LogProbOps;

/** The pure-Java token log-prob kernels: double accumulation, rows in parallel. */
final class JavaLogProbOps implements LogProbOps {
    private final Parallel parallel;

    JavaLogProbOps(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Rows a chunk must hold so that it does at least ~64K element operations. */
    static long rowGrain(long vocab) {
        return Math.max(1, (1 << 16) / Math.max(1, vocab));
    }

    @Override
    public void forward(Tensor logits, Tensor labels, Tensor logp, Tensor entropy, Tensor lse, long rows, long vocab,
                        LogProbOptions options) {
        Labels.check(labels, rows, vocab, options.ignoreIndex());
        int v = (int) vocab;
        double scale = 1.0 / options.temperature();
        int ignore = options.ignoreIndex();
        parallel.forChunks(rows, rowGrain(vocab), (chunk, start, end) -> {
            int n = (int) (end - start);
            FloatIn row = new FloatIn();
            OnlineSoftmax softmax = new OnlineSoftmax();
            FloatOut lpOut = new FloatOut().begin(logp, start, n);
            FloatOut hOut = entropy == null ? null : new FloatOut().begin(entropy, start, n);
            FloatOut lseOut = lse == null ? null : new FloatOut().begin(lse, start, n);
            for (int i = 0; i < n; i++) {
                row.load(logits, (start + i) * vocab, v);
                softmax.accumulate(row.a, row.off, v, scale);
                double rowLse = softmax.lse();
                int y = Labels.at(labels, start + i);
                lpOut.a[lpOut.off + i] = y == ignore ? 0f : (float) (row.a[row.off + y] * scale - rowLse);
                if (hOut != null) {
                    hOut.a[hOut.off + i] = (float) softmax.entropy();
                }
                if (lseOut != null) {
                    lseOut.a[lseOut.off + i] = (float) rowLse;
                }
            }
            lpOut.commit();
            if (hOut != null) {
                hOut.commit();
            }
            if (lseOut != null) {
                lseOut.commit();
            }
        });
    }

    @Override
    public void backward(Tensor logits, Tensor labels, Tensor lse, Tensor entropy, Tensor gradLogp, Tensor gradEntropy,
                         Tensor gradLogits, long rows, long vocab, LogProbOptions options) {
        Labels.check(labels, rows, vocab, options.ignoreIndex());
        int v = (int) vocab;
        double scale = 1.0 / options.temperature();
        int ignore = options.ignoreIndex();
        parallel.forChunks(rows, rowGrain(vocab), (chunk, start, end) -> {
            int n = (int) (end - start);
            FloatIn row = new FloatIn();
            FloatOut grad = new FloatOut();
            FloatIn lseIn = new FloatIn().load(lse, start, n);
            FloatIn hIn = new FloatIn().load(entropy, start, n);
            FloatIn gLpIn = new FloatIn().load(gradLogp, start, n);
            FloatIn gHIn = new FloatIn().load(gradEntropy, start, n);
            for (int i = 0; i < n; i++) {
                int y = Labels.at(labels, start + i);
                double rowLse = lseIn.a[lseIn.off + i];
                double h = hIn.a[hIn.off + i];
                double gLp = y == ignore ? 0 : gLpIn.a[gLpIn.off + i];
                double gH = gHIn.a[gHIn.off + i];
                row.load(logits, (start + i) * vocab, v);
                grad.begin(gradLogits, (start + i) * vocab, v);
                for (int j = 0; j < v; j++) {
                    double logP = row.a[row.off + j] * scale - rowLse;
                    double p = Math.exp(logP);
                    // p == 0 for -inf logits, where p·(log p + H) is 0 although 0·(-inf) is NaN.
                    double g = gLp * ((j == y ? 1 : 0) - p) - (p == 0 ? 0 : gH * p * (logP + h));
                    grad.a[grad.off + j] = (float) (g * scale);
                }
                grad.commit();
            }
        });
    }

    @Override
    public void ratio(Tensor logp, Tensor oldLogp, Tensor mask, Tensor ratio, Tensor gradRatio, double logRatioClamp) {
        throw new UnsupportedOperationException("ratio: not implemented yet");
    }

    @Override
    public PpoResult ppoLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, Tensor gradLogp, long batch,
                             long time, PpoOptions options) {
        throw new UnsupportedOperationException("ppoLoss: not implemented yet");
    }

    @Override
    public void kl(Tensor logp, Tensor refLogp, Tensor mask, Tensor kl, Tensor gradKl, KlOptions options) {
        throw new UnsupportedOperationException("kl: not implemented yet");
    }

    @Override
    public void implicitReward(Tensor logp, Tensor refLogp, Tensor mask, Tensor reward, double beta) {
        throw new UnsupportedOperationException("implicitReward: not implemented yet");
    }

    @Override
    public void sequenceSum(Tensor values, Tensor mask, Tensor sums, long batch, long time) {
        throw new UnsupportedOperationException("sequenceSum: not implemented yet");
    }

    @Override
    public void sequenceSumBackward(Tensor gradSums, Tensor mask, Tensor gradValues, long batch, long time) {
        throw new UnsupportedOperationException("sequenceSumBackward: not implemented yet");
    }

    @Override
    public AggregateResult aggregate(Tensor values, Tensor mask, long batch, long time, Aggregation aggregation) {
        throw new UnsupportedOperationException("aggregate: not implemented yet");
    }

    @Override
    public void aggregateBackward(Tensor mask, double gradLoss, Tensor gradValues, long batch, long time,
                                  Aggregation aggregation) {
        throw new UnsupportedOperationException("aggregateBackward: not implemented yet");
    }
}
