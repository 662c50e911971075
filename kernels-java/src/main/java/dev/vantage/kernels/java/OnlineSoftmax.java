package dev.vantage.kernels.java;

/**
 * Running softmax statistics of one row of scaled logits {@code x_j = scale·z_j}, accumulated
 * segment by segment by {@link RowLoops#softmax} (Milakov and Gimelshein 2018), in double:
 * {@code max = max_j z_j} (in logit units), {@code sum = Σ_j exp(x_j - scale·max)} and
 * {@code centered = Σ_j exp(x_j - scale·max)·(x_j - scale·max)}. Keeping the last one relative to
 * the max gives the entropy {@code log(sum) - centered/sum} without cancelling against a large max.
 *
 * <p>{@code -inf} entries have probability 0 and are skipped (they are vocabulary masks); a row
 * with no finite entry, a {@code +inf} or a NaN has {@link #lse()} NaN.
 */
final class OnlineSoftmax {
    double scale;
    float max;
    double sum;
    double centered;

    /** Starts a row with this scale (1/temperature, > 0). */
    OnlineSoftmax reset(double scale) {
        this.scale = scale;
        this.max = Float.NEGATIVE_INFINITY;
        this.sum = 0;
        this.centered = 0;
        return this;
    }

    /** {@code log Σ exp(x_j)}; NaN for an invalid row. */
    double lse() {
        if (!(sum > 0) || max == Float.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        return max * scale + Math.log(sum);
    }

    /** Entropy {@code -Σ p log p = lse - E_p[x]}; NaN for an invalid row. */
    double entropy() {
        if (!(sum > 0) || max == Float.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        return Math.log(sum) - centered / sum;
    }
}
