package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;

/**
 * The fourteen regression losses. Each is a sum {@code Σ_i term(y_i, ŷ_i)} of an elementwise term
 * (MAE, MSE or MSLE for the whole-set losses) turned into the loss by a scalar function of global
 * sums, so every gradient is {@code c · ∂term/∂ŷ_i} with one constant {@code c}:
 * elementwise kinds in one fused pass (after counting the mask); whole-set kinds in a pass for the
 * target's moments (and Σ term, but for RAE and RSE), a centered one where they divide by a spread
 * of the target, then the gradient pass, which gives RAE and RSE their Σ term. The row loops take
 * the whole vectors of each block. Sums use fixed chunks, so results do not depend on the thread
 * count.
 */
final class JavaRegression {
    /** Elements a chunk holds at least; chunks are walked in blocks so that scratch stays small. */
    private static final long GRAIN = 1 << 14;
    private static final int BLOCK = 4096;
    private static final double LOG_2 = Math.log(2);
    /** The sums of {@link #pass}: Σ term, MAPE's guards, and the target's count, Σd, Σ|d|, Σd². */
    private static final int TERM = 0;
    private static final int GUARDS = 1;
    private static final int COUNT = 2;
    private static final int SUM = 3;
    private static final int ABS = 4;
    private static final int SQUARES = 5;
    private static final int WIDTH = 6;

    private final Parallel parallel;
    private final RowLoops loops;

    JavaRegression(Parallel parallel, RowLoops loops) {
        this.parallel = parallel;
        this.loops = loops;
    }

    LossResult run(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss, Tensor grad,
                   RegressionOptions o) {
        if (!kind.elementwise()) {
            return wholeSet(kind, target, prediction, mask, grad, o);
        }
        // The moments loop counts the mask in vector lanes, reading the target too: a scalar count
        // of the bytes alone took longer than the loss itself.
        long n = mask == null ? target.numel() : (long) pass(null, 0, target, null, mask, null, null, o, 0)[COUNT];
        boolean mean = o.reduction() == Reduction.MEAN;
        double[] s = pass(kind, mean ? (n == 0 ? 0 : 1.0 / n) : 1, target, prediction, mask, loss, grad, o,
                Double.NaN);
        return new LossResult(mean && n > 0 ? s[TERM] / n : s[TERM], n, n == 0 || s[GUARDS] > 0);
    }

    /** RAE, RSE, RMSE, RMSLE, NRMSE, RRMSE: global sums first, then the value and one gradient scale. */
    private LossResult wholeSet(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor grad,
                                RegressionOptions o) {
        RegressionLoss base = kind == RegressionLoss.RAE ? RegressionLoss.MAE
                : kind == RegressionLoss.RMSLE ? RegressionLoss.MSLE : RegressionLoss.MSE;
        // RAE and RSE divide by a sum over the target alone: their Σ term can come with the gradient,
        // so that the first pass reads only the target. The others need it for the gradient's scale.
        boolean termFirst = kind != RegressionLoss.RAE && kind != RegressionLoss.RSE;
        // RMSE and RMSLE need the target's moments only for the count of a mask.
        boolean moments = mask != null || kind != RegressionLoss.RMSE && kind != RegressionLoss.RMSLE;
        double[] s = pass(termFirst ? base : null, 0, target, prediction, mask, null, null, o,
                moments ? 0 : Double.NaN);
        long n = moments ? (long) s[COUNT] : target.numel();
        if (n == 0) {
            if (grad != null) {
                pass(base, 0, target, prediction, mask, null, grad, o, Double.NaN);
            }
            return new LossResult(0, 0, true);
        }
        double sum = s[TERM];
        double meanY = s[SUM] / n;
        double eps = o.epsilon();
        double value = Double.NaN;
        double c;
        double guarded = Double.NaN;
        switch (kind) {
            case RAE:
            case RSE:
                guarded = pass(null, 0, target, null, mask, null, null, o, meanY)[
                        kind == RegressionLoss.RSE ? SQUARES : ABS];
                c = 1 / Math.max(guarded, eps);
                break;
            case RMSE:
            case RMSLE:
                value = Math.sqrt(sum / n);
                c = value == 0 ? 0 : 1 / (2 * n * value);
                break;
            case NRMSE: {
                guarded = normalizer(target, mask, n, meanY, o);
                double rmse = Math.sqrt(sum / n);
                double kappa = Math.max(guarded, eps);
                value = rmse / kappa;
                c = rmse == 0 ? 0 : 1 / (2 * n * rmse * kappa);
                break;
            }
            default: { // RRMSE
                guarded = s[SQUARES];
                double squares = Math.max(guarded, eps);
                value = Math.sqrt(sum / squares);
                c = value == 0 ? 0 : 1 / (2 * value * squares);
                break;
            }
        }
        if (grad != null || !termFirst) {
            double[] last = pass(base, c, target, prediction, mask, null, grad, o, Double.NaN);
            if (!termFirst) {
                value = last[TERM] * c;
            }
        }
        return new LossResult(value, n, guarded < eps);
    }

    /**
     * One parallel pass over the elements, its sums in the slots {@link #TERM} to {@link #SQUARES}.
     * With a kind: Σ term over the valid elements, and MAPE's guards, with {@code term_i} written
     * through {@code loss} and {@code gradScale · c · ∂term_i/∂ŷ_i} through {@code grad} (each
     * unless null; 0 where invalid). With a center that is not NaN: the target's moments about it.
     */
    private double[] pass(RegressionLoss kind, double c, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                          Tensor grad, RegressionOptions o, double center) {
        double scale = o.gradScale() * c;
        return parallel.reduce(target.numel(), GRAIN, WIDTH, (start, end, acc, at) ->
                blocks(start, end, target, kind == null ? null : prediction, mask, b -> {
                    byte[] valid = mask == null ? null : b.mask.a;
                    if (!Double.isNaN(center)) {
                        loops.moments(b.target.a, b.target.off, valid, b.mask.off, b.len, center, acc, at + COUNT);
                    }
                    if (kind == null) {
                        return;
                    }
                    FloatOut lossOut = loss == null ? null : b.loss.begin(loss, b.first, b.len);
                    FloatOut gradOut = grad == null ? null : b.grad.begin(grad, b.first, b.len);
                    int done = loops.regression(kind, o, b.target, b.prediction, mask == null ? null : b.mask, b.len,
                            scale, lossOut, gradOut, acc, at + TERM);
                    b.prepare(kind, loops, o, done);
                    rest(kind, b, done, o, scale, lossOut, gradOut, acc, at);
                    if (lossOut != null) {
                        lossOut.commit();
                    }
                    if (gradOut != null) {
                        gradOut.commit();
                    }
                }));
    }

    /**
     * The elements of a block from {@code from} on, one at a time in double: {@link #pass}'s term,
     * gradient and guard for the elements the row loops leave (all of them on the scalar backend).
     */
    private static void rest(RegressionLoss kind, Block b, int from, RegressionOptions o, double scale,
                             FloatOut lossOut, FloatOut gradOut, double[] acc, int at) {
        double sum = 0;
        int guards = 0;
        for (int i = from; i < b.len; i++) {
            double l = 0;
            double g = 0;
            if (b.valid(i)) {
                l = term(kind, b, i, o);
                g = scale * slope(kind, b, i, o);
                sum += l;
                guards += kind == RegressionLoss.MAPE && Math.abs(b.y(i)) < o.epsilon() ? 1 : 0;
            }
            if (lossOut != null) {
                lossOut.a[lossOut.off + i] = (float) l;
            }
            if (gradOut != null) {
                gradOut.a[gradOut.off + i] = (float) g;
            }
        }
        acc[at + TERM] += sum;
        acc[at + GUARDS] += guards;
    }

    /** NRMSE's κ: |mean y|, range of y or population std of y, over valid elements. */
    private double normalizer(Tensor target, Tensor mask, long n, double meanY, RegressionOptions o) {
        switch (o.normalizer()) {
            case MEAN:
                return Math.abs(meanY);
            case STD:
                return Math.sqrt(pass(null, 0, target, null, mask, null, null, o, meanY)[SQUARES] / n);
            default: {
                // Min and max are exact in any order; one slot pair per chunk keeps the pass parallel.
                long numel = target.numel();
                double[] extremes = new double[2 * Parallel.chunkCount(numel, GRAIN)];
                parallel.forChunks(numel, GRAIN, (chunk, start, end) -> {
                    double[] lowHigh = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
                    blocks(start, end, target, null, mask, b -> {
                        for (int i = 0; i < b.len; i++) {
                            if (b.valid(i)) {
                                lowHigh[0] = Math.min(lowHigh[0], b.y(i));
                                lowHigh[1] = Math.max(lowHigh[1], b.y(i));
                            }
                        }
                    });
                    extremes[2 * chunk] = lowHigh[0];
                    extremes[2 * chunk + 1] = lowHigh[1];
                });
                double low = Double.POSITIVE_INFINITY;
                double high = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < extremes.length; i += 2) {
                    low = Math.min(low, extremes[i]);
                    high = Math.max(high, extremes[i + 1]);
                }
                return high - low;
            }
        }
    }

    /** The elementwise term of element {@code i} of a block (for a whole-set kind, of its base). */
    static double term(RegressionLoss kind, Block b, int i, RegressionOptions o) {
        double y = b.y(i);
        double e = y - b.p(i);
        switch (kind) {
            case MAE:
                return Math.abs(e);
            case MSE:
                return e * e;
            case MBE:
                return e;
            case MAPE:
                return 100 * Math.abs(e) / Math.max(Math.abs(y), o.epsilon());
            case MSLE: {
                double d = b.u[i] - b.v[i];
                return d * d;
            }
            case HUBER: {
                double a = Math.abs(e);
                return a <= o.delta() ? 0.5 * e * e : o.delta() * (a - 0.5 * o.delta());
            }
            case LOG_COSH:
                // log cosh x = |x| + log1p(e^{-2|x|}) - log 2: no overflow where cosh would.
                return Math.abs(e) + b.v[i] - LOG_2;
            case QUANTILE:
                return e >= 0 ? o.quantile() * e : (o.quantile() - 1) * e;
            default:
                throw new IllegalStateException(kind + " has no elementwise term");
        }
    }

    /** {@code ∂term/∂ŷ} of element {@code i} of a block, with sign(0) = 0 and the clamps' zero slopes. */
    static double slope(RegressionLoss kind, Block b, int i, RegressionOptions o) {
        double p = b.p(i);
        double e = b.y(i) - p;
        switch (kind) {
            case MAE:
                return -Math.signum(e);
            case MSE:
                return -2 * e;
            case MBE:
                return -1;
            case MAPE:
                return -100 * Math.signum(e) / Math.max(Math.abs(b.y(i)), o.epsilon());
            case MSLE:
                if (!(p > o.epsilon())) {
                    return p != p ? Double.NaN : 0;
                }
                return 2 * (b.u[i] - b.v[i]) / (1 + p);
            case HUBER:
                return Math.abs(e) <= o.delta() ? -e : -o.delta() * Math.signum(e);
            case LOG_COSH: {
                // tanh(-e) = sign(e)·m/(2 + m) with m = expm1(-2|e|), exact to the last bits for small |e|.
                double m = b.u[i];
                return Math.signum(e) * (m / (2 + m));
            }
            case QUANTILE:
                return e > 0 ? -o.quantile() : e < 0 ? 1 - o.quantile() : 0 * e;
            default:
                throw new IllegalStateException(kind + " has no elementwise term");
        }
    }

    /**
     * One block of a chunk: the target, prediction and mask views, output views to reuse, and the
     * transcendental parts of the terms ({@code u}, {@code v}) for the elements the loops leave.
     */
    private static final class Block {
        final FloatIn target = new FloatIn();
        final FloatIn prediction = new FloatIn();
        final MaskIn mask = new MaskIn(true);
        final FloatOut loss = new FloatOut();
        final FloatOut grad = new FloatOut();
        double[] u;
        double[] v;
        long first;
        int len;

        /**
         * From element {@code from} on, MSLE: {@code u = log1p(max(ŷ, ε))}, {@code v = log1p(max(y, ε))};
         * log-cosh: {@code u = expm1(-2|y - ŷ|)}, {@code v = log1p(1 + u) = log1p(e^{-2|y - ŷ|})}.
         */
        void prepare(RegressionLoss kind, RowLoops loops, RegressionOptions o, int from) {
            if (kind != RegressionLoss.MSLE && kind != RegressionLoss.LOG_COSH || from == len) {
                return;
            }
            if (u == null) {
                u = new double[BLOCK];
                v = new double[BLOCK];
            }
            if (kind == RegressionLoss.MSLE) {
                for (int i = from; i < len; i++) {
                    u[i] = Math.max(p(i), o.epsilon());
                    v[i] = Math.max(y(i), o.epsilon());
                }
                loops.apply(RowLoops.Fn.LOG1P, u, from, len);
                loops.apply(RowLoops.Fn.LOG1P, v, from, len);
            } else {
                for (int i = from; i < len; i++) {
                    u[i] = -2 * Math.abs(y(i) - p(i));
                }
                loops.apply(RowLoops.Fn.EXPM1, u, from, len);
                for (int i = from; i < len; i++) {
                    v[i] = 1 + u[i];
                }
                loops.apply(RowLoops.Fn.LOG1P, v, from, len);
            }
        }

        boolean valid(int i) {
            return mask.a[mask.off + i] != 0;
        }

        double y(int i) {
            return target.a[target.off + i];
        }

        double p(int i) {
            return prediction.a[prediction.off + i];
        }
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(Block block);
    }

    /**
     * Walks {@code [start, end)} in blocks of at most {@link #BLOCK} elements, loading the tensors
     * that are not null; one set of views per chunk, so buffer scratch stays at one block.
     */
    private static void blocks(long start, long end, Tensor target, Tensor prediction, Tensor mask, BlockBody body) {
        Block b = new Block();
        for (b.first = start; b.first < end; b.first += BLOCK) {
            b.len = (int) Math.min(BLOCK, end - b.first);
            if (target != null) {
                b.target.load(target, b.first, b.len);
            }
            if (prediction != null) {
                b.prediction.load(prediction, b.first, b.len);
            }
            b.mask.load(mask, b.first, b.len);
            body.run(b);
        }
    }
}
