package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.spi.LossOps;

import java.util.Arrays;

/**
 * The pure-Java comp-sum and regression losses. Comp-sum rows run in parallel: one pass over a
 * row for the softmax statistics, one more for label smoothing's sums, one to write the gradient.
 * Row losses are summed per fixed chunk, so the reduced value does not depend on the thread count.
 */
final class JavaLossOps implements LossOps {
    /** Below this |t|, φ(t) = expm1(t)/t loses digits to the division; its series is exact to ~t³/24. */
    private static final double PHI_SERIES_BELOW = 1e-4;

    private final Parallel parallel;
    private final RowLoops loops;
    private final JavaRegression regression;

    JavaLossOps(Parallel parallel, RowLoops loops) {
        this.parallel = parallel;
        this.loops = loops;
        this.regression = new JavaRegression(parallel, loops);
    }

    @Override
    public LossResult compSum(Tensor logits, Tensor labels, Tensor loss, Tensor gradLogits, long rows, long classes,
                              CompSumOptions options) {
        int ignore = options.ignoreIndex();
        Labels.check(labels, rows, classes, ignore);
        long count = 0;
        for (long r = 0; r < rows; r++) {
            count += Labels.at(labels, r) == ignore ? 0 : 1;
        }
        boolean mean = options.reduction() == Reduction.MEAN;
        double gradFactor = options.gradScale() * (mean ? (count == 0 ? 0 : 1.0 / count) : 1);
        RowKernel kernel = new RowKernel(loops, (int) classes, options.tau(), options.labelSmoothing(), gradFactor);
        // The smoothed gradient p_k·S - (ε/C)·p_k^(τ-1) cancels when p_y is small, which would magnify
        // an fp32 lse error (the vector loops'); its rows are bound by their scalar passes anyway.
        RowLoops statistics = options.labelSmoothing() > 0 ? ScalarRowLoops.INSTANCE : loops;
        double total = parallel.reduce(rows, JavaLogProbOps.rowGrain(classes), 1, (start, end, acc, at) -> {
            int n = (int) (end - start);
            FloatIn row = FloatIn.rowView(loops);
            OnlineSoftmax softmax = new OnlineSoftmax();
            if (FloatIn.inPlace(logits)) {
                // The rows follow each other in the array: the loops may find the next row's max ahead.
                softmax.aheadEnd = logits.arrayOffset() + (int) (end * classes);
            }
            FloatOut grad = FloatOut.rowView(loops);
            FloatOut lossOut = loss == null ? null : new FloatOut().begin(loss, start, n);
            // The unsmoothed gradient is a multiple of the softmax: the loops may keep its exponentials.
            float[] exps = gradLogits != null && options.labelSmoothing() == 0 ? new float[kernel.c] : null;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int y = Labels.at(labels, start + i);
                long base = (start + i) * classes;
                double rowLoss = 0;
                if (y == ignore) {
                    if (gradLogits != null) {
                        grad.begin(gradLogits, base, kernel.c);
                        Arrays.fill(grad.a, grad.off, grad.off + kernel.c, 0f);
                        grad.commit();
                    }
                } else {
                    row.load(logits, base, kernel.c);
                    boolean kept = exps != null
                            && statistics.softmaxKeeping(row.a, row.off, kernel.c, softmax.reset(1.0), exps);
                    if (exps == null) {
                        statistics.softmax(row.a, row.off, kernel.c, softmax.reset(1.0));
                    }
                    rowLoss = kernel.run(row, y, softmax, kept ? exps : null, gradLogits == null ? null
                            : grad.begin(gradLogits, base, kernel.c));
                    sum += rowLoss;
                }
                if (lossOut != null) {
                    lossOut.a[lossOut.off + i] = (float) rowLoss;
                }
            }
            if (lossOut != null) {
                lossOut.commit();
            }
            acc[at] += sum;
        })[0];
        double value = mean ? (count == 0 ? 0 : total / count) : total;
        return new LossResult(value, count, count == 0);
    }

    @Override
    public LossResult regression(RegressionLoss kind, Tensor target, Tensor prediction, Tensor mask, Tensor loss,
                                 Tensor gradPrediction, RegressionOptions options) {
        return regression.run(kind, target, prediction, mask, loss, gradPrediction, options);
    }

    /** {@code l^τ = -lp·φ((τ-1)·lp)}, with the limits of a {@code -inf} label logit. */
    static double compSumLoss(double lp, double tau) {
        if (lp == Double.NEGATIVE_INFINITY) {
            return tau > 1 ? 1 / (tau - 1) : Double.POSITIVE_INFINITY;
        }
        double t = (tau - 1) * lp;
        double phi = Math.abs(t) < PHI_SERIES_BELOW ? 1 + t * (0.5 + t / 6) : Math.expm1(t) / t;
        // (0 - lp) rather than -lp: a certain prediction (lp = 0) gives +0, not -0.
        return (0.0 - lp) * phi;
    }

    /** {@code p^(τ-1) = exp((τ-1)·lp)}, exactly 1 at τ = 1 even for {@code lp = -inf}. */
    static double weight(double lp, double tau) {
        return tau == 1 ? 1 : Math.exp((tau - 1) * lp);
    }

    /** One labelled row: its loss and, when asked, its gradient times the reduction's factor. */
    private static final class RowKernel {
        final RowLoops loops;
        final int c;
        final double tau;
        final double smoothing;
        final double gradFactor;

        RowKernel(RowLoops loops, int classes, double tau, double smoothing, double gradFactor) {
            this.loops = loops;
            this.c = classes;
            this.tau = tau;
            this.smoothing = smoothing;
            this.gradFactor = gradFactor;
        }

        /**
         * Writes the gradient through {@code grad} (committing it) unless null; returns the row loss.
         * {@code exps}, unless null, are the row's exponentials relative to its max (see
         * {@link RowLoops#softmaxKeeping}).
         */
        double run(FloatIn row, int y, OnlineSoftmax softmax, float[] exps, FloatOut grad) {
            double lse = softmax.lse();
            // Read before the gradient is written: it may overwrite the logits.
            float labelLogit = row.a[row.off + y];
            double lpY = labelLogit - lse;
            double wY = weight(lpY, tau);
            if (smoothing == 0) {
                if (grad != null) {
                    // ∂l/∂h_k = p_y^(τ-1)·(p_k - 1{k=y}); exp(t + log p_k) keeps p_y^(τ-1)·p_k finite when
                    // p_y^(τ-1) alone would overflow.
                    double t = tau == 1 ? 0 : (tau - 1) * lpY;
                    if (exps != null && t <= 0) {
                        // p_k = exps_k/Σ exps. Not for t > 0: the factor would magnify the
                        // exponentials that the loops flushed to 0 below e^-86.
                        float factor = (float) (gradFactor * (t == 0 ? 1 : Math.exp(t)) / softmax.sum);
                        for (int k = 0; k < c; k++) {
                            grad.a[grad.off + k] = factor * exps[k];
                        }
                    } else {
                        // p_y^(τ-1) beyond e^80 (τ < 1, a far-off label) would overflow a float exp on the way.
                        RowLoops rowLoops = t > RowLoops.FLOAT_EXP_SAFE ? ScalarRowLoops.INSTANCE : loops;
                        rowLoops.softmaxGradient(row.a, row.off, c, 1, lse - t, gradFactor, 0, grad.a, grad.off);
                    }
                    double gY = labelLogit == Float.NEGATIVE_INFINITY ? 0 : Math.exp(t + lpY);
                    grad.a[grad.off + y] = (float) (gradFactor * (gY - wY));
                    grad.commit();
                }
                return compSumLoss(lpY, tau);
            }
            // With q = (1-ε)·onehot + ε/C the loss is Σ_k q_k·l(k) and its gradient
            // p_j·S - q_j·p_j^(τ-1), where S = Σ_k q_k·p_k^(τ-1).
            double uniform = smoothing / c;
            double lossSum = 0;
            double weightSum = 0;
            for (int k = 0; k < c; k++) {
                double lp = row.a[row.off + k] - lse;
                lossSum += compSumLoss(lp, tau);
                weightSum += weight(lp, tau);
            }
            if (grad != null) {
                double s = (1 - smoothing) * wY + uniform * weightSum;
                for (int k = 0; k < c; k++) {
                    double lp = row.a[row.off + k] - lse;
                    double p = Math.exp(lp);
                    // p = 0 (a -inf logit) contributes nothing even where S is infinite.
                    double g = (p == 0 ? 0 : p * s) - uniform * weight(lp, tau) - (k == y ? (1 - smoothing) * wY : 0);
                    grad.a[grad.off + k] = (float) (gradFactor * g);
                }
                grad.commit();
            }
            return (1 - smoothing) * compSumLoss(lpY, tau) + uniform * lossSum;
        }
    }
}
