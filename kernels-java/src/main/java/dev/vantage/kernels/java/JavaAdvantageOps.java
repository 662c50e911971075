package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.kernels.spi.AdvantageOps;

/**
 * The pure-Java advantage estimators: one backward pass per row with rows in parallel
 * ({@link EpisodeScan}; {@link LaneScan}, eight rows at a time, without episode flags), group
 * statistics and whitening in double, whitening sums through {@link Parallel#reduce} so that
 * results do not depend on the thread count.
 */
final class JavaAdvantageOps implements AdvantageOps {
    /** Elements a chunk must hold to be worth a task. */
    private static final long GRAIN = 1 << 15;

    private final Parallel parallel;
    private final RowLoops loops;

    JavaAdvantageOps(Parallel parallel, RowLoops loops) {
        this.parallel = parallel;
        this.loops = loops;
    }

    private static long rowGrain(long time) {
        return Math.max(1, GRAIN / Math.max(1, time));
    }

    @Override
    public void gae(Tensor rewards, Tensor values, Tensor mask, Episodes episodes, Tensor advantages, Tensor returns,
                    long batch, long time, GaeOptions options) {
        double gamma = options.gamma();
        double gammaLambda = gamma * options.lambda();
        scanRows(rewards, values, mask, episodes.terminated(), episodes.truncated(), episodes.bootstrapValues(),
                advantages, returns, batch, time, gamma, gammaLambda);
    }

    @Override
    public void returns(Tensor rewards, Tensor mask, Tensor terminated, Tensor returns, long batch, long time,
                        double gamma) {
        scanRows(rewards, null, mask, terminated, null, null, returns, null, batch, time, gamma, gamma);
    }

    private void scanRows(Tensor rewards, Tensor values, Tensor mask, Tensor terminated, Tensor truncated,
                          Tensor bootstrap, Tensor advantages, Tensor returns, long batch, long time, double gamma,
                          double gammaLambda) {
        int len = (int) time;
        if (terminated == null && truncated == null) {
            // At least four rows a lane, so that few steps run after all but one lane ran out of rows.
            long grain = Math.max(4 * LaneScan.LANES, rowGrain(time));
            parallel.forChunks(batch, grain, (chunk, start, end) -> new LaneScan(loops).run(rewards, values, mask,
                    bootstrap, advantages, returns, start, end, len, gamma, gammaLambda));
            return;
        }
        parallel.forChunks(batch, rowGrain(time), (chunk, start, end) -> {
            EpisodeScan scan = new EpisodeScan();
            FloatIn r = new FloatIn();
            FloatOut adv = new FloatOut();
            FloatOut ret = returns == null ? null : new FloatOut();
            for (long b = start; b < end; b++) {
                long at = b * time;
                scan.load(values, mask, terminated, truncated, bootstrap, at, len);
                r.load(rewards, at, len);
                adv.begin(advantages, at, len);
                if (ret != null) {
                    ret.begin(returns, at, len);
                }
                scan.run(r.a, r.off, len, gamma, gammaLambda, adv.a, adv.off, ret == null ? null : ret.a,
                        ret == null ? 0 : ret.off);
                adv.commit();
                if (ret != null) {
                    ret.commit();
                }
            }
        });
    }

    // ---- group-relative advantages -------------------------------------------------------------

    /** Writes one group's advantages {@code out[oo, oo + k)} from its scores {@code in[io, io + k)}. */
    @FunctionalInterface
    private interface GroupRule {
        void apply(float[] in, int io, float[] out, int oo, int k);
    }

    @Override
    public void grpo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        boolean byStd = options.normalizeByStd();
        double epsilon = options.epsilon();
        eachGroup(scores, advantages, batch, options, (in, io, out, oo, k) -> {
            if (k == 1) {
                // ZERO: R - R, so a non-finite score still propagates; SCORE: verl's mean 0 and std 1.
                out[oo] = options.singleton() == GroupOptions.Singleton.ZERO ? in[io] - in[io]
                        : (float) (byStd ? in[io] / (1 + epsilon) : in[io]);
                return;
            }
            double mean = mean(in, io, k);
            double squares = 0;
            for (int i = 0; i < k; i++) {
                double d = in[io + i] - mean;
                squares += d * d;
            }
            double scale = byStd ? 1 / (Math.sqrt(squares / (options.unbiasedStd() ? k - 1 : k)) + epsilon) : 1;
            for (int i = 0; i < k; i++) {
                // Equal scores give 0 even with epsilon 0, where the scale is infinite.
                out[oo + i] = squares == 0 ? 0 : (float) ((in[io + i] - mean) * scale);
            }
        });
    }

    @Override
    public void rloo(Tensor scores, Tensor advantages, long batch, GroupOptions options) {
        eachGroup(scores, advantages, batch, options, (in, io, out, oo, k) -> {
            if (k == 1) {
                out[oo] = options.singleton() == GroupOptions.Singleton.ZERO ? in[io] - in[io] : in[io];
                return;
            }
            double mean = mean(in, io, k);
            double scale = (double) k / (k - 1);
            for (int i = 0; i < k; i++) {
                out[oo + i] = (float) (scale * (in[io + i] - mean));
            }
        });
    }

    private void eachGroup(Tensor scores, Tensor advantages, long batch, GroupOptions options, GroupRule rule) {
        int k = options.groupSize();
        parallel.forChunks(batch / k, rowGrain(k), (chunk, start, end) -> {
            int n = (int) ((end - start) * k);
            FloatIn in = new FloatIn().load(scores, start * k, n);
            FloatOut out = new FloatOut().begin(advantages, start * k, n);
            for (int g = 0; g < n; g += k) {
                rule.apply(in.a, in.off + g, out.a, out.off + g, k);
            }
            out.commit();
        });
    }

    private static double mean(float[] a, int off, int k) {
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += a[off + i];
        }
        return sum / k;
    }

    @Override
    public void broadcast(Tensor perSequence, Tensor mask, Tensor out, long batch, long time) {
        int len = (int) time;
        parallel.forChunks(batch, rowGrain(time), (chunk, start, end) -> {
            FloatIn value = new FloatIn().load(perSequence, start, (int) (end - start));
            MaskIn m = new MaskIn(true);
            FloatOut row = new FloatOut();
            for (long b = start; b < end; b++) {
                float v = value.a[value.off + (int) (b - start)];
                m.load(mask, b * time, len);
                row.begin(out, b * time, len);
                for (int t = 0; t < len; t++) {
                    row.a[row.off + t] = m.a[m.off + t] != 0 ? v : 0f;
                }
                row.commit();
            }
        });
    }

    // ---- whitening -----------------------------------------------------------------------------

    @Override
    public WhitenResult whiten(Tensor values, Tensor mask, Tensor out, WhitenOptions options) {
        double[] sums = parallel.reduce(values.numel(), GRAIN, 2, (start, end, acc, at) -> {
            int len = (int) (end - start);
            FloatIn x = new FloatIn().load(values, start, len);
            MaskIn m = new MaskIn(true).load(mask, start, len);
            double sum = 0;
            long count = 0;
            for (int i = 0; i < len; i++) {
                if (m.a[m.off + i] != 0) {
                    sum += x.a[x.off + i];
                    count++;
                }
            }
            acc[at] += sum;
            acc[at + 1] += count;
        });
        return finishWhiten(values, mask, out, sums[0], (long) sums[1], options);
    }

    /** Passes two (centered variance) and three (output) of whitening, given the masked sum and count. */
    private WhitenResult finishWhiten(Tensor values, Tensor mask, Tensor out, double sum, long count,
                                      WhitenOptions options) {
        long n = values.numel();
        double mean = count == 0 ? 0 : sum / count;
        double variance = 0;
        if (count >= 2) {
            double squares = parallel.reduce(n, GRAIN, 1, (start, end, acc, at) -> {
                int len = (int) (end - start);
                FloatIn x = new FloatIn().load(values, start, len);
                MaskIn m = new MaskIn(true).load(mask, start, len);
                double s = 0;
                for (int i = 0; i < len; i++) {
                    if (m.a[m.off + i] != 0) {
                        double d = x.a[x.off + i] - mean;
                        s += d * d;
                    }
                }
                acc[at] += s;
            })[0];
            variance = squares / (options.unbiased() ? count - 1 : count);
        }
        double scale = 1 / Math.sqrt(variance + options.epsilon());
        double shift = options.shiftMean() ? 0 : mean;
        parallel.forChunks(n, GRAIN, (chunk, start, end) -> {
            int len = (int) (end - start);
            FloatIn x = new FloatIn().load(values, start, len);
            MaskIn m = new MaskIn(true).load(mask, start, len);
            FloatOut o = new FloatOut().begin(out, start, len);
            for (int i = 0; i < len; i++) {
                o.a[o.off + i] = m.a[m.off + i] != 0 ? (float) ((x.a[x.off + i] - mean) * scale + shift) : 0f;
            }
            o.commit();
        });
        return new WhitenResult(mean, variance, count, count < 2);
    }

    // ---- REINFORCE++ ---------------------------------------------------------------------------

    @Override
    public WhitenResult reinforcePlusPlus(Tensor scores, Tensor mask, Tensor kl, Tensor advantages, long batch,
                                          long time, ReinforceOptions options) {
        int len = (int) time;
        int k = options.baselineGroupSize();
        double beta = options.klCoef();
        double gamma = options.gamma();
        Tensor klRead = beta == 0 ? null : kl;
        // Pass one writes the returns G into the output and sums them for the whitening that follows.
        double[] sums = parallel.reduce(batch, rowGrain(time), 2, (start, end, acc, at) -> {
            FloatIn score = new FloatIn().load(scores, start, (int) (end - start));
            FloatIn group = new FloatIn();
            long cachedGroup = -1;
            double baseline = 0;
            EpisodeScan scan = new EpisodeScan();
            MaskIn m = new MaskIn(true);
            FloatIn klRow = new FloatIn();
            FloatOut g = new FloatOut();
            for (long b = start; b < end; b++) {
                if (k > 0 && b / k != cachedGroup) {
                    cachedGroup = b / k;
                    group.load(scores, cachedGroup * k, k);
                    baseline = mean(group.a, group.off, k);
                }
                double outcome = score.a[score.off + (int) (b - start)] - baseline;
                long row = b * time;
                scan.load(null, mask, null, null, null, row, len);
                m.load(mask, row, len);
                klRow.load(klRead, row, len);
                g.begin(advantages, row, len);
                // Token rewards first (the outcome on the last valid step), then their returns in place.
                boolean last = true;
                for (int t = len - 1; t >= 0; t--) {
                    boolean valid = m.a[m.off + t] != 0;
                    g.a[g.off + t] = valid ? (float) (-beta * klRow.a[klRow.off + t] + (last ? outcome : 0)) : 0f;
                    last &= !valid;
                }
                returnsInPlace(scan, g, m, len, gamma, acc, at);
                g.commit();
            }
        });
        return finishWhiten(advantages, mask, advantages, sums[0], (long) sums[1], WhitenOptions.defaults());
    }

    /**
     * Turns the token rewards of the row loaded in {@code scan} (held in {@code g}) into their
     * γ-discounted returns, in place, and adds their masked sum and count to {@code acc[at]} and
     * {@code acc[at + 1]} for the whitening that follows.
     */
    private static void returnsInPlace(EpisodeScan scan, FloatOut g, MaskIn m, int len, double gamma, double[] acc,
                                       int at) {
        scan.run(g.a, g.off, len, gamma, gamma, g.a, g.off, null, 0);
        for (int t = 0; t < len; t++) {
            if (m.a[m.off + t] != 0) {
                acc[at] += g.a[g.off + t];
                acc[at + 1]++;
            }
        }
    }

    // ---- PRIME ---------------------------------------------------------------------------------

    @Override
    public WhitenResult prime(Tensor processRewards, Tensor outcomes, Tensor mask, Tensor advantages, long batch,
                              long time, PrimeOptions options) {
        int len = (int) time;
        int k = options.groupSize();
        boolean paper = options.form() == PrimeOptions.Form.PAPER;
        double cp = options.processCoef();
        double co = options.outcomeCoef();
        // Pass one writes the returns G into the output, group by group, and sums them for the whitening.
        double[] sums = parallel.reduce(batch / k, rowGrain(time * k), 2, (start, end, acc, at) -> {
            double[] meanReward = new double[k];
            FloatIn r = new FloatIn();
            FloatIn outcome = new FloatIn();
            MaskIn m = new MaskIn(true);
            EpisodeScan scan = new EpisodeScan();
            FloatOut g = new FloatOut();
            for (long group = start; group < end; group++) {
                long first = group * k;
                outcome.load(outcomes, first, k);
                double meanSum = 0;
                double outcomeSum = 0;
                for (int j = 0; j < k; j++) {
                    r.load(processRewards, (first + j) * time, len);
                    m.load(mask, (first + j) * time, len);
                    double total = 0;
                    int valid = 0;
                    for (int t = 0; t < len; t++) {
                        if (m.a[m.off + t] != 0) {
                            total += r.a[r.off + t];
                            valid++;
                        }
                    }
                    meanReward[j] = valid == 0 ? 0 : total / valid;
                    meanSum += meanReward[j];
                    outcomeSum += outcome.a[outcome.off + j];
                }
                for (int i = 0; i < k; i++) {
                    long row = (first + i) * time;
                    double o = outcome.a[outcome.off + i];
                    double outcomeAdvantage = o - (outcomeSum - o) / (k - 1);
                    // Token reward = scale·r - shift: the paper subtracts the others' mean, the code rescales.
                    double scale = paper ? 1 : (double) k / (k - 1);
                    double shift = paper ? (meanSum - meanReward[i]) / (k - 1) : meanSum / (k - 1);
                    r.load(processRewards, row, len);
                    m.load(mask, row, len);
                    scan.load(null, mask, null, null, null, row, len);
                    g.begin(advantages, row, len);
                    boolean last = true;
                    for (int t = len - 1; t >= 0; t--) {
                        boolean valid = m.a[m.off + t] != 0;
                        double reward = cp * (scale * r.a[r.off + t] - shift) + (last ? co * outcomeAdvantage : 0);
                        g.a[g.off + t] = valid ? (float) reward : 0f;
                        last &= !valid;
                    }
                    returnsInPlace(scan, g, m, len, 1, acc, at);
                    g.commit();
                }
            }
        });
        return finishWhiten(advantages, mask, advantages, sums[0], (long) sums[1], WhitenOptions.defaults());
    }
}
