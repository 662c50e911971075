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
    /**
     * Read-ahead for the vector loops, kept across {@link #reset}: a caller whose segments follow
     * each other in one array sets {@code aheadEnd}, how far into it the loops may read (0: not at
     * all); the loops leave there the max of {@code [aheadAt, aheadAt + aheadLength)} of
     * {@code aheadOf}, found while they worked on the segment before it.
     */
    int aheadEnd;
    Object aheadOf;
    int aheadAt;
    int aheadLength;
    float aheadMax;

    /** Starts a row with this scale (1/temperature, > 0). */
    OnlineSoftmax reset(double scale) {
        this.scale = scale;
        this.max = Float.NEGATIVE_INFINITY;
        this.sum = 0;
        this.centered = 0;
        return this;
    }

    /**
     * Adds a block's statistics: its {@code max} (in logit units), {@code Σ e} and {@code Σ e·x}
     * relative to it. A block max of {@code -inf} adds nothing (only masked entries), a NaN makes
     * the row invalid, and {@code +inf} is kept as the max (the row is then invalid too).
     */
    void add(float blockMax, double blockSum, double blockCentered) {
        if (blockMax == Float.NEGATIVE_INFINITY || Float.isNaN(max)) {
            return;
        }
        if (Float.isNaN(blockMax)) {
            max = Float.NaN;
            sum = Double.NaN;
            centered = Double.NaN;
            return;
        }
        if (blockMax > max) {
            // Rescale what was summed relative to the old max; the block needs none.
            if (sum > 0) {
                double d = ((double) max - blockMax) * scale;
                double c = Math.exp(d);
                centered = c * (centered + d * sum);
                sum = c * sum;
            }
            max = blockMax;
            sum += blockSum;
            centered += blockCentered;
        } else {
            double d = ((double) blockMax - max) * scale;
            double c = Math.exp(d);
            sum += c * blockSum;
            centered += c * (blockCentered + d * blockSum);
        }
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
