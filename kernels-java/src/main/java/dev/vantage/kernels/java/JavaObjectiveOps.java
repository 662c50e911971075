package dev.vantage.kernels.java;

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

import static dev.vantage.kernels.java.Stable.sigmoid;
import static dev.vantage.kernels.java.Stable.softplus;

/**
 * The pure-Java sequence objectives. Each row (or pair of rows) is read once for its sums, and its
 * gradient row written straight after, while the row is still in cache.
 */
final class JavaObjectiveOps implements ObjectiveOps {
    private final Parallel parallel;

    JavaObjectiveOps(Parallel parallel) {
        this.parallel = parallel;
    }

    private static long rowGrain(long time) {
        return Math.max(1, (1 << 14) / Math.max(1, time));
    }

    @Override
    public DpoResult dpo(Tensor logp, Tensor refLogp, Tensor mask, Tensor gradLogp, long batch, long time,
                         DpoOptions options) {
        long pairs = batch / 2;
        boolean ipo = options.loss() == DpoOptions.Loss.IPO;
        double beta = options.beta();
        double eps = options.labelSmoothing();
        // loss, chosen reward, rejected reward, correct pairs, margin
        double[] sums = parallel.reduce(pairs, rowGrain(2 * time), 5, (start, end, acc, at) -> {
            SequenceRow chosen = new SequenceRow(logp, refLogp, mask, time);
            SequenceRow rejected = new SequenceRow(logp, refLogp, mask, time);
            FloatOut out = new FloatOut();
            for (long p = start; p < end; p++) {
                chosen.load(p);
                rejected.load(p + pairs);
                double chosenRatio = ipo ? mean(chosen.sum - chosen.refSum, chosen.length) : chosen.sum - chosen.refSum;
                double rejectedRatio = ipo ? mean(rejected.sum - rejected.refSum, rejected.length)
                        : rejected.sum - rejected.refSum;
                double loss;
                double gradChosen;
                if (ipo) {
                    double h = chosenRatio - rejectedRatio - 1 / (2 * beta);
                    loss = h * h;
                    gradChosen = 2 * h / pairs;
                } else {
                    double h = beta * (chosenRatio - rejectedRatio);
                    loss = (1 - eps) * softplus(-h) + eps * softplus(h);
                    gradChosen = -beta * ((1 - eps) * sigmoid(-h) - eps * sigmoid(h)) / pairs;
                }
                if (gradLogp != null) {
                    chosen.writeGradient(gradLogp, p, ipo ? mean(gradChosen, chosen.length) : gradChosen, out);
                    rejected.writeGradient(gradLogp, p + pairs, ipo ? mean(-gradChosen, rejected.length) : -gradChosen,
                            out);
                }
                double chosenReward = beta * chosenRatio;
                double rejectedReward = beta * rejectedRatio;
                acc[at] += loss;
                acc[at + 1] += chosenReward;
                acc[at + 2] += rejectedReward;
                acc[at + 3] += chosenReward > rejectedReward ? 1 : 0;
                acc[at + 4] += chosenReward - rejectedReward;
            }
        });
        if (pairs == 0) {
            return new DpoResult(0, 0, 0, 0, 0, 0);
        }
        return new DpoResult(sums[0] / pairs, sums[1] / pairs, sums[2] / pairs, sums[3] / pairs, sums[4] / pairs, pairs);
    }

    /** A per-token mean of a row with {@code length} valid tokens; 0 for an empty row. */
    private static double mean(double total, int length) {
        return length == 0 ? 0 : total / length;
    }

    @Override
    public KtoResult kto(Tensor logp, Tensor refLogp, Tensor mask, Tensor desirable, double referenceKl,
                         Tensor gradLogp, long batch, long time, KtoOptions options) {
        double z0 = Math.max(0, referenceKl);
        double beta = options.beta();
        double wD = options.desirableWeight();
        double wU = options.undesirableWeight();
        // loss, desirable reward sum, desirable count, undesirable reward sum, undesirable count
        double[] sums = parallel.reduce(batch, rowGrain(time), 5, (start, end, acc, at) -> {
            SequenceRow row = new SequenceRow(logp, refLogp, mask, time);
            MaskIn labels = new MaskIn(false).load(desirable, start, (int) (end - start));
            FloatOut out = new FloatOut();
            for (long b = start; b < end; b++) {
                row.load(b);
                double r = row.sum - row.refSum;
                double x = beta * (r - z0);
                boolean good = labels.a[labels.off + (int) (b - start)] != 0;
                // σ(-x) for desirable rows, σ(x) for undesirable ones; both derivatives are β·σ(x)·σ(-x) times ∓λ.
                double loss = good ? wD * sigmoid(-x) : wU * sigmoid(x);
                double slope = beta * sigmoid(x) * sigmoid(-x) * (good ? -wD : wU);
                if (gradLogp != null) {
                    row.writeGradient(gradLogp, b, slope / batch, out);
                }
                acc[at] += loss;
                acc[at + (good ? 1 : 3)] += beta * r;
                acc[at + (good ? 2 : 4)] += 1;
            }
        });
        double loss = batch == 0 ? 0 : sums[0] / batch;
        return new KtoResult(loss, mean(sums[1], (int) sums[2]), mean(sums[3], (int) sums[4]), (long) sums[2],
                (long) sums[4]);
    }

    @Override
    public AggregateResult apa(Tensor logp, Tensor initLogp, Tensor advantages, Tensor mask, Tensor gradLogp,
                               long batch, long time, ApaOptions options) {
        Aggregation aggregation = options.aggregation();
        TokenAggregation weights = gradLogp == null ? null
                : TokenAggregation.count(aggregation, mask, batch, time, parallel);
        boolean perRowMean = TokenAggregation.perRowMean(aggregation);
        double invLambda = 1 / options.lambda();
        int t = (int) time;
        double[] totals = parallel.reduce(batch, rowGrain(time), TokenAggregation.WIDTH, (start, end, acc, at) -> {
            TokenLossRow row = new TokenLossRow(logp, initLogp, advantages, mask, gradLogp, weights, time);
            for (long b = start; b < end; b++) {
                row.load(b);
                double rowSum = 0;
                int rowTokens = 0;
                for (int j = 0; j < t; j++) {
                    double g = 0;
                    if (row.valid(j)) {
                        // The residual of log π_θ against the target log π* = log π_init + A/λ.
                        double residual = (double) row.logp.a[row.logp.off + j]
                                - row.advantages.a[row.advantages.off + j] * invLambda
                                - row.reference.a[row.reference.off + j];
                        rowSum += residual * residual;
                        rowTokens++;
                        g = 2 * row.weight * residual;
                    }
                    row.gradient(j, g);
                }
                TokenAggregation.addRow(acc, at, perRowMean, rowSum, rowTokens);
                row.commit();
            }
        });
        TokenAggregation result = TokenAggregation.of(aggregation, totals, time);
        return new AggregateResult(result.value(totals[0]), (long) totals[1], result.degenerate());
    }

    @Override
    public LossResult alol(Tensor logp, Tensor refLogp, Tensor mask, Tensor rewards, Tensor values, Tensor gradLogp,
                           long batch, long time, AlolOptions options) {
        AlolOptions.Variant variant = options.variant();
        double eps = options.clip();
        // Clipping the log-ratio is clipping the ratio, without exp overflowing on long sequences.
        double lowLog = eps < 1 ? Math.log1p(-eps) : Double.NEGATIVE_INFINITY;
        double highLog = Math.log1p(eps);
        double klBeta = variant == AlolOptions.Variant.KL ? options.klBeta() : 0;
        // loss, rows with a positive advantage
        double[] sums = parallel.reduce(batch, rowGrain(time), 2, (start, end, acc, at) -> {
            SequenceRow row = new SequenceRow(logp, refLogp, mask, time);
            int n = (int) (end - start);
            FloatIn r = new FloatIn().load(rewards, start, n);
            FloatIn v = new FloatIn().load(values, start, n);
            FloatOut out = new FloatOut();
            for (long b = start; b < end; b++) {
                row.load(b);
                int i = (int) (b - start);
                double advantage = (double) r.a[r.off + i] - v.a[v.off + i];
                // max(A, 0), but NaN stays NaN (a data error must reach the caller).
                double positive = advantage > 0 || Double.isNaN(advantage) ? advantage : 0;
                double loss;
                if (variant == AlolOptions.Variant.TOKEN) {
                    loss = tokenWeighted(row, positive, lowLog, highLog, gradLogp, b, batch, time, out);
                } else {
                    double weight = variant == AlolOptions.Variant.SEQUENCE
                            ? Math.exp(Math.min(Math.max(row.sum - row.refSum, lowLog), highLog)) : 1;
                    loss = -positive * weight * row.sum + klBeta * (row.sum - row.refSum);
                    if (gradLogp != null) {
                        row.writeGradient(gradLogp, b, (-positive * weight + klBeta) / batch, out);
                    }
                }
                acc[at] += loss;
                acc[at + 1] += positive > 0 ? 1 : 0;
            }
        });
        long positives = (long) sums[1];
        boolean degenerate = batch == 0 || (positives == 0 && klBeta == 0);
        return new LossResult(batch == 0 ? 0 : sums[0] / batch, positives, degenerate);
    }

    /** A-LoL seq: per-token clipped weights; returns the row's loss and writes its gradient. */
    private static double tokenWeighted(SequenceRow row, double positive, double lowLog, double highLog, Tensor grad,
                                        long b, long batch, long time, FloatOut out) {
        if (grad != null) {
            out.begin(grad, b * time, (int) time);
        }
        double loss = 0;
        for (int t = 0; t < time; t++) {
            double g = 0;
            if (row.mask.a[row.mask.off + t] != 0) {
                double lp = row.logp.a[row.logp.off + t];
                double weight = Math.exp(Math.min(Math.max(lp - row.ref.a[row.ref.off + t], lowLog), highLog));
                loss -= positive * weight * lp;
                g = -positive * weight / batch;
            }
            if (grad != null) {
                out.a[out.off + t] = (float) g;
            }
        }
        if (grad != null) {
            out.commit();
        }
        return loss;
    }

    @Override
    public LossResult primeRewardModel(Tensor logp, Tensor refLogp, Tensor mask, Tensor outcomes, Tensor gradLogp,
                                       long batch, long time, double beta) {
        double[] sums = parallel.reduce(batch, rowGrain(time), 1, (start, end, acc, at) -> {
            SequenceRow row = new SequenceRow(logp, refLogp, mask, time);
            FloatIn y = new FloatIn().load(outcomes, start, (int) (end - start));
            FloatOut out = new FloatOut();
            for (long b = start; b < end; b++) {
                row.load(b);
                double s = beta * (row.sum - row.refSum);
                double label = y.a[y.off + (int) (b - start)];
                // Binary cross-entropy on the logit s: softplus(s) - y·s, gradient σ(s) - y.
                acc[at] += softplus(s) - label * s;
                if (gradLogp != null) {
                    row.writeGradient(gradLogp, b, beta * (sigmoid(s) - label) / batch, out);
                }
            }
        });
        return new LossResult(batch == 0 ? 0 : sums[0] / batch, batch, batch == 0);
    }
}
