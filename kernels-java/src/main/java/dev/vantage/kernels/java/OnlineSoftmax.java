package dev.vantage.kernels.java;

/**
 * Softmax statistics of one row of scaled logits {@code x_j = scale·z_j}, computed in a single
 * pass by {@link RowLoops#softmax} (Milakov and Gimelshein 2018), in double:
 * {@code max = max_j x_j}, {@code sum = Σ_j exp(x_j - max)} and
 * {@code centered = Σ_j exp(x_j - max)·(x_j - max)}. Keeping the last one relative to the max
 * gives the entropy {@code log(sum) - centered/sum} without cancelling against a large max.
 *
 * <p>{@code -inf} entries have probability 0 and are skipped (they are vocabulary masks); a row
 * with no finite entry, a {@code +inf} or a NaN has {@link #lse()} NaN.
 */
final class OnlineSoftmax {
    private double max;
    private double sum;
    private double centered;

    void set(double max, double sum, double centered) {
        this.max = max;
        this.sum = sum;
        this.centered = centered;
    }

    /** {@code log Σ exp(x_j)}; NaN for an invalid row. */
    double lse() {
        if (!(sum > 0) || max == Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        return max + Math.log(sum);
    }

    /** Entropy {@code -Σ p log p = lse - E_p[x]}; NaN for an invalid row. */
    double entropy() {
        if (!(sum > 0) || max == Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        return Math.log(sum) - centered / sum;
    }
}
