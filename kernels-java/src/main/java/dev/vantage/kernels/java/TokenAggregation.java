package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.Aggregation;

/**
 * The denominator {@code D} of an {@link Aggregation} over one {@code [B, T]} batch, and the weight
 * {@code ∂L/∂l} it gives each valid token. Every kernel that aggregates per-token terms takes its
 * weights from here, so a loss and {@code aggregateBackward} cannot disagree.
 *
 * <p>A row-parallel pass accumulates three totals with {@link #addRow}: the numerator (row sums, or
 * row means for {@code SEQ_MEAN_TOKEN_MEAN}), the valid tokens and the non-empty rows.
 */
final class TokenAggregation {
    /** Number of totals {@link #addRow} accumulates. */
    static final int WIDTH = 3;

    private final boolean perRowMean;
    private final double denominator;

    private TokenAggregation(Aggregation aggregation, double tokens, double rows, long time) {
        this.perRowMean = aggregation.mode() == Aggregation.Mode.SEQ_MEAN_TOKEN_MEAN;
        if (aggregation.hasNormalizer()) {
            denominator = aggregation.normalizer();
        } else {
            switch (aggregation.mode()) {
                case TOKEN_MEAN: denominator = tokens; break;
                case SEQ_MEAN_TOKEN_SUM_NORM: denominator = time; break;
                default: denominator = rows; break;
            }
        }
    }

    /** From the totals {@link #addRow} accumulated at {@code totals[0, WIDTH)}. */
    static TokenAggregation of(Aggregation aggregation, double[] totals, long time) {
        return new TokenAggregation(aggregation, totals[1], totals[2], time);
    }

    /** Counts the mask only when the denominator depends on it. */
    static TokenAggregation count(Aggregation aggregation, Tensor mask, long batch, long time, Parallel parallel) {
        boolean countsMatter = !aggregation.hasNormalizer() && aggregation.mode() != Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM;
        if (!countsMatter || mask == null) {
            return new TokenAggregation(aggregation, (double) batch * time, time > 0 ? batch : 0, time);
        }
        int t = (int) time;
        double[] totals = parallel.reduce(batch, JavaLogProbOps.rowGrain(time), WIDTH, (start, end, acc, at) -> {
            MaskIn m = new MaskIn(true);
            for (long b = start; b < end; b++) {
                m.load(mask, b * time, t);
                addRow(acc, at, false, 0, validCount(m, t));
            }
        });
        return of(aggregation, totals, time);
    }

    static boolean perRowMean(Aggregation aggregation) {
        return aggregation.mode() == Aggregation.Mode.SEQ_MEAN_TOKEN_MEAN;
    }

    /** Adds one row, with masked sum {@code rowSum} over {@code rowTokens} valid tokens, to the totals at {@code acc[at]}. */
    static void addRow(double[] acc, int at, boolean perRowMean, double rowSum, int rowTokens) {
        if (rowTokens == 0) {
            return;
        }
        acc[at] += perRowMean ? rowSum / rowTokens : rowSum;
        acc[at + 1] += rowTokens;
        acc[at + 2] += 1;
    }

    static int validCount(MaskIn m, int len) {
        int n = 0;
        for (int j = 0; j < len; j++) {
            if (m.a[m.off + j] != 0) {
                n++;
            }
        }
        return n;
    }

    boolean degenerate() {
        return !(denominator > 0);
    }

    /** The aggregate of a numerator accumulated with {@link #addRow}. */
    double value(double numerator) {
        return degenerate() ? 0 : numerator / denominator;
    }

    /** {@code ∂L/∂l} of each valid token of the row {@code m} (of {@code len} tokens); 0 when degenerate. */
    double rowWeight(MaskIn m, int len) {
        if (degenerate()) {
            return 0;
        }
        if (!perRowMean) {
            return 1 / denominator;
        }
        int tokens = validCount(m, len);
        return tokens == 0 ? 0 : 1 / (tokens * denominator);
    }
}
