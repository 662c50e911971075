package dev.vantage.kernels.java;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlEstimator;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.kernels.spi.LogProbOps;

/** The pure-Java token log-prob kernels: double accumulation, rows in parallel. */
final class JavaLogProbOps implements LogProbOps {
    /** verl's {@code kl_penalty_forward} clamps: the log-ratio before exp, and the k3 value. */
    private static final double VERL_LOG_RATIO_CLAMP = 20;
    private static final double VERL_KL_CLAMP = 10;

    /** Elements an elementwise chunk holds at least, and the most its views load at once. */
    private static final long ELEMENT_GRAIN = 1 << 16;
    private static final int BLOCK = 4096;
    /** Logits a row view loads at once: a decoded (16-bit or buffer) segment stays in L1. */
    private static final int ROW_BLOCK = 4096;

    private final Parallel parallel;
    private final RowLoops loops;

    JavaLogProbOps(Parallel parallel, RowLoops loops) {
        this.parallel = parallel;
        this.loops = loops;
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
            FloatIn row = FloatIn.rowView(loops);
            // Rows read in place go whole to the loops; others a segment at a time through a view.
            short[] bf16 = logits.memory() == Tensor.Memory.HEAP && logits.dtype() == DType.BF16
                    ? (short[]) logits.array() : null;
            int segment = FloatIn.inPlace(logits) ? v : ROW_BLOCK;
            OnlineSoftmax softmax = new OnlineSoftmax();
            FloatOut lpOut = new FloatOut().begin(logp, start, n);
            FloatOut hOut = entropy == null ? null : new FloatOut().begin(entropy, start, n);
            FloatOut lseOut = lse == null ? null : new FloatOut().begin(lse, start, n);
            for (int i = 0; i < n; i++) {
                int y = Labels.at(labels, start + i);
                float labelLogit = 0;
                softmax.reset(scale);
                if (bf16 != null) {
                    int base = logits.arrayOffset() + (int) ((start + i) * vocab);
                    loops.softmaxBf16(bf16, base, v, softmax);
                    if (y >= 0 && y < v) {
                        labelLogit = HalfFloats.bf16ToFloat(bf16[base + y]);
                    }
                } else {
                    for (int at = 0; at < v; at += segment) {
                        int len = Math.min(segment, v - at);
                        row.load(logits, (start + i) * vocab + at, len);
                        loops.softmax(row.a, row.off, len, softmax);
                        if (y - at >= 0 && y - at < len) {
                            labelLogit = row.a[row.off + y - at];
                        }
                    }
                }
                double rowLse = softmax.lse();
                lpOut.a[lpOut.off + i] = y == ignore ? 0f : (float) (labelLogit * scale - rowLse);
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
            FloatIn row = FloatIn.rowView(loops);
            FloatOut grad = FloatOut.rowView(loops);
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
                for (int at = 0; at < v; at += ROW_BLOCK) {
                    int len = Math.min(ROW_BLOCK, v - at);
                    row.load(logits, (start + i) * vocab + at, len);
                    grad.begin(gradLogits, (start + i) * vocab + at, len);
                    int label = y != ignore && y - at >= 0 && y - at < len ? y - at : -1;
                    // Read before the block is written: the gradient may overwrite the logits.
                    double labelLogit = label >= 0 ? row.a[row.off + label] : 0;
                    // Off the label, ∂L/∂z_j = -(1/T)·p_j·(gLp + gH·(log p_j + H)).
                    loops.softmaxGradient(row.a, row.off, len, scale, rowLse, -scale * (gLp + gH * h), -scale * gH,
                            grad.a, grad.off);
                    if (label >= 0) {
                        double logP = labelLogit * scale - rowLse;
                        double p = Math.exp(logP);
                        // p == 0 for a -inf label logit, where p·(log p + H) is 0 although 0·(-inf) is NaN.
                        double g = gLp * (1 - p) - (p == 0 ? 0 : gH * p * (logP + h));
                        grad.a[grad.off + label] = (float) (g * scale);
                    }
                    grad.commit();
                }
            }
        });
    }

    @Override
    public void ratio(Tensor logp, Tensor oldLogp, Tensor mask, Tensor ratio, Tensor gradRatio, double logRatioClamp) {
        elementwise(logp, oldLogp, mask, ratio, gradRatio, (lp, old, m, out, grad, work, len) -> {
            transcendental(RowLoops.Fn.EXP, lp, old, 1, logRatioClamp, work, len);
            for (int i = 0; i < len; i++) {
                double rho = 0;
                double dRho = 0;
                if (m.a[m.off + i] != 0) {
                    double d = (double) lp.a[lp.off + i] - old.a[old.off + i];
                    rho = work[i];
                    dRho = Math.abs(d) > logRatioClamp ? 0 : rho;
                }
                out.a[out.off + i] = (float) rho;
                if (grad != null) {
                    grad.a[grad.off + i] = (float) dRho;
                }
            }
        });
    }

    @Override
    public PpoResult ppoLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, Tensor gradLogp, long batch,
                             long time, PpoOptions options) {
        Aggregation aggregation = options.aggregation();
        TokenAggregation weights = gradLogp == null ? null
                : TokenAggregation.count(aggregation, mask, batch, time, parallel);
        boolean perRowMean = TokenAggregation.perRowMean(aggregation);
        double low = 1 - options.clipLow();
        double high = 1 + options.clipHigh();
        double dual = options.dualClip();
        double clampBound = options.logRatioClamp();
        int t = (int) time;
        int width = TokenAggregation.WIDTH;
        // Totals: the aggregation's, then clipped tokens, dual-clipped tokens and Σ (old - logp).
        double[] totals = parallel.reduce(batch, rowGrain(time), width + 3, (start, end, acc, at) -> {
            TokenLossRow row = new TokenLossRow(logp, oldLogp, advantages, mask, gradLogp, weights, time);
            double[] ratios = new double[t];
            for (long b = start; b < end; b++) {
                row.load(b);
                transcendental(RowLoops.Fn.EXP, row.logp, row.reference, 1, clampBound, ratios, t);
                double rowSum = 0;
                int rowTokens = 0;
                int clipped = 0;
                int dualClipped = 0;
                double approxKl = 0;
                for (int j = 0; j < t; j++) {
                    if (!row.valid(j)) {
                        row.gradient(j, 0);
                        continue;
                    }
                    double a = row.advantages.a[row.advantages.off + j];
                    double d = (double) row.logp.a[row.logp.off + j] - row.reference.a[row.reference.off + j];
                    double logRatio = clamp(d, clampBound);
                    double rho = ratios[j];
                    double l1 = -a * rho;
                    double l2 = -a * Math.max(low, Math.min(high, rho));
                    double lc = Math.max(l1, l2);
                    double dualBound = -a * dual;
                    rowSum += a < 0 ? Math.min(lc, dualBound) : lc;
                    rowTokens++;
                    if (l2 > l1) {
                        clipped++;
                    }
                    if (a < 0 && lc > dualBound) {
                        dualClipped++;
                    }
                    approxKl -= logRatio;
                    // Written so that comparisons with NaN fail: a NaN ratio or advantage keeps the
                    // -A·ρ branch and its gradient stays NaN.
                    boolean flat = a >= 0 ? rho > high : a < 0 && (rho < low || rho > dual);
                    double dRho = Math.abs(d) > clampBound ? 0 : rho;
                    row.gradient(j, flat ? 0 : row.weight * -a * dRho);
                }
                TokenAggregation.addRow(acc, at, perRowMean, rowSum, rowTokens);
                acc[at + width] += clipped;
                acc[at + width + 1] += dualClipped;
                acc[at + width + 2] += approxKl;
                row.commit();
            }
        });
        TokenAggregation result = TokenAggregation.of(aggregation, totals, time);
        double tokens = totals[1];
        double perToken = tokens > 0 ? 1 / tokens : 0;
        return new PpoResult(result.value(totals[0]), totals[width] * perToken, totals[width + 1] * perToken,
                totals[width + 2] * perToken, (long) tokens, result.degenerate());
    }

    @Override
    public void kl(Tensor logp, Tensor refLogp, Tensor mask, Tensor kl, Tensor gradKl, KlOptions options) {
        KlEstimator estimator = options.estimator();
        boolean verlClamp = options.verlClamp();
        boolean k3 = estimator != KlEstimator.K1 && estimator != KlEstimator.K2;
        double bound = verlClamp ? VERL_LOG_RATIO_CLAMP : Double.POSITIVE_INFINITY;
        elementwise(logp, refLogp, mask, kl, gradKl, (lp, ref, m, out, grad, work, len) -> {
            if (k3) {
                transcendental(RowLoops.Fn.EXPM1, lp, ref, -1, bound, work, len);
            }
            for (int i = 0; i < len; i++) {
                double value = 0;
                double dValue = 0;
                if (m.a[m.off + i] != 0) {
                    double d = (double) lp.a[lp.off + i] - ref.a[ref.off + i];
                    if (estimator == KlEstimator.K1) {
                        value = d;
                        dValue = 1;
                    } else if (estimator == KlEstimator.K2) {
                        value = 0.5 * d * d;
                        dValue = d;
                    } else {
                        // k3 in terms of u = ref - logp: expm1(u) - u keeps its precision for small u.
                        double expm1 = work[i];
                        double k3Value = expm1 - clamp(-d, bound);
                        value = verlClamp ? clamp(k3Value, VERL_KL_CLAMP) : k3Value;
                        boolean clamped = verlClamp
                                && (Math.abs(d) > VERL_LOG_RATIO_CLAMP || Math.abs(k3Value) > VERL_KL_CLAMP);
                        dValue = estimator == KlEstimator.K3_PLUS ? d : clamped ? 0 : -expm1;
                    }
                }
                out.a[out.off + i] = (float) value;
                if (grad != null) {
                    grad.a[grad.off + i] = (float) dValue;
                }
            }
        });
    }

    @Override
    public void implicitReward(Tensor logp, Tensor refLogp, Tensor mask, Tensor reward, double beta) {
        elementwise(logp, refLogp, mask, reward, null, (lp, ref, m, out, unused, work, len) -> {
            for (int i = 0; i < len; i++) {
                out.a[out.off + i] = m.a[m.off + i] == 0 ? 0f
                        : (float) (beta * ((double) lp.a[lp.off + i] - ref.a[ref.off + i]));
            }
        });
    }

    @Override
    public void sequenceSum(Tensor values, Tensor mask, Tensor sums, long batch, long time) {
        int t = (int) time;
        parallel.forChunks(batch, rowGrain(time), (chunk, start, end) -> {
            int n = (int) (end - start);
            FloatIn v = new FloatIn();
            MaskIn m = new MaskIn(true);
            FloatOut out = new FloatOut().begin(sums, start, n);
            for (int i = 0; i < n; i++) {
                v.load(values, (start + i) * time, t);
                m.load(mask, (start + i) * time, t);
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    if (m.a[m.off + j] != 0) {
                        sum += v.a[v.off + j];
                    }
                }
                out.a[out.off + i] = (float) sum;
            }
            out.commit();
        });
    }

    @Override
    public void sequenceSumBackward(Tensor gradSums, Tensor mask, Tensor gradValues, long batch, long time) {
        int t = (int) time;
        parallel.forChunks(batch, rowGrain(time), (chunk, start, end) -> {
            int n = (int) (end - start);
            FloatIn g = new FloatIn().load(gradSums, start, n);
            MaskIn m = new MaskIn(true);
            FloatOut out = new FloatOut();
            for (int i = 0; i < n; i++) {
                m.load(mask, (start + i) * time, t);
                out.begin(gradValues, (start + i) * time, t);
                float rowGrad = g.a[g.off + i];
                for (int j = 0; j < t; j++) {
                    out.a[out.off + j] = m.a[m.off + j] != 0 ? rowGrad : 0f;
                }
                out.commit();
            }
        });
    }

    @Override
    public AggregateResult aggregate(Tensor values, Tensor mask, long batch, long time, Aggregation aggregation) {
        boolean perRowMean = TokenAggregation.perRowMean(aggregation);
        int t = (int) time;
        double[] totals = parallel.reduce(batch, rowGrain(time), TokenAggregation.WIDTH, (start, end, acc, at) -> {
            FloatIn v = new FloatIn();
            MaskIn m = new MaskIn(true);
            for (long b = start; b < end; b++) {
                v.load(values, b * time, t);
                m.load(mask, b * time, t);
                double rowSum = 0;
                int rowTokens = 0;
                for (int j = 0; j < t; j++) {
                    if (m.a[m.off + j] != 0) {
                        rowSum += v.a[v.off + j];
                        rowTokens++;
                    }
                }
                TokenAggregation.addRow(acc, at, perRowMean, rowSum, rowTokens);
            }
        });
        TokenAggregation result = TokenAggregation.of(aggregation, totals, time);
        return new AggregateResult(result.value(totals[0]), (long) totals[1], result.degenerate());
    }

    @Override
    public void aggregateBackward(Tensor mask, double gradLoss, Tensor gradValues, long batch, long time,
                                  Aggregation aggregation) {
        TokenAggregation weights = TokenAggregation.count(aggregation, mask, batch, time, parallel);
        int t = (int) time;
        parallel.forChunks(batch, rowGrain(time), (chunk, start, end) -> {
            MaskIn m = new MaskIn(true);
            FloatOut out = new FloatOut();
            for (long b = start; b < end; b++) {
                m.load(mask, b * time, t);
                out.begin(gradValues, b * time, t);
                float g = (float) (gradLoss * weights.rowWeight(m, t));
                for (int j = 0; j < t; j++) {
                    out.a[out.off + j] = m.a[m.off + j] != 0 ? g : 0f;
                }
                out.commit();
            }
        });
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** {@code x} clamped to {@code [-bound, bound]}; NaN stays NaN. */
    private static double clamp(double x, double bound) {
        return Math.max(-bound, Math.min(bound, x));
    }

    /**
     * {@code work[i] = fn(clamp(sign·(x_i - y_i), ±bound))} for {@code i < len}: the one
     * transcendental of a token kernel, taken through the row loops in a block.
     */
    private void transcendental(RowLoops.Fn fn, FloatIn x, FloatIn y, double sign, double bound, double[] work,
                                int len) {
        for (int i = 0; i < len; i++) {
            work[i] = clamp(sign * ((double) x.a[x.off + i] - y.a[y.off + i]), bound);
        }
        loops.apply(fn, work, 0, len);
    }

    /** The inner loop of an elementwise kernel over one block of {@code len} elements, with scratch. */
    @FunctionalInterface
    private interface Block {
        void run(FloatIn x, FloatIn y, MaskIn m, FloatOut out, FloatOut grad, double[] work, int len);
    }

    /**
     * Runs {@code block} over every element of {@code x}, {@code y} and the optional mask, in
     * blocks that bound the scratch a buffer or half-precision view needs, writing {@code out}
     * and the optional {@code grad}.
     */
    private void elementwise(Tensor x, Tensor y, Tensor mask, Tensor out, Tensor grad, Block block) {
        parallel.forChunks(x.numel(), ELEMENT_GRAIN, (chunk, start, end) -> {
            FloatIn xIn = new FloatIn();
            FloatIn yIn = new FloatIn();
            MaskIn m = new MaskIn(true);
            FloatOut o = new FloatOut();
            FloatOut g = grad == null ? null : new FloatOut();
            double[] work = new double[(int) Math.min(BLOCK, end - start)];
            for (long at = start; at < end; at += BLOCK) {
                int len = (int) Math.min(BLOCK, end - at);
                xIn.load(x, at, len);
                yIn.load(y, at, len);
                m.load(mask, at, len);
                o.begin(out, at, len);
                if (g != null) {
                    g.begin(grad, at, len);
                }
                block.run(xIn, yIn, m, o, g, work, len);
                o.commit();
                if (g != null) {
                    g.commit();
                }
            }
        });
    }
}
