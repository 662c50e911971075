package dev.vantage.kernels.logprob;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the PPO clipped surrogate: the clip range {@code [1 - clipLow, 1 + clipHigh]} of the
 * ratio, the dual-clip bound {@code c} for negative advantages (infinity disables it), the clamp on
 * the log-ratio before {@code exp} (verl's 20; infinity disables it) and the aggregation.
 */
public final class PpoOptions {
    private static final PpoOptions DEFAULTS = new PpoOptions(0.2, 0.2, 3.0, 20.0, Aggregation.tokenMean());

    private final double clipLow;
    private final double clipHigh;
    private final double dualClip;
    private final double logRatioClamp;
    private final Aggregation aggregation;

    private PpoOptions(double clipLow, double clipHigh, double dualClip, double logRatioClamp,
                       Aggregation aggregation) {
        this.clipLow = clipLow;
        this.clipHigh = clipHigh;
        this.dualClip = dualClip;
        this.logRatioClamp = logRatioClamp;
        this.aggregation = aggregation;
    }

    /** ε_low = ε_high = 0.2, dual clip c = 3, log-ratio clamp 20, token mean (verl's defaults). */
    public static PpoOptions defaults() {
        return DEFAULTS;
    }

    /** Symmetric clip range ε: ratio clipped to [1 - ε, 1 + ε]. */
    public PpoOptions clip(double epsilon) {
        return clip(epsilon, epsilon);
    }

    /** Asymmetric ("clip-higher") range: ratio clipped to [1 - low, 1 + high]; low in [0, 1), high >= 0. */
    public PpoOptions clip(double low, double high) {
        Args.nonNegative("clipLow", low);
        if (low >= 1) {
            throw new IllegalArgumentException("clipLow: expected a value in [0, 1), got " + low);
        }
        Args.nonNegative("clipHigh", high);
        return new PpoOptions(low, high, dualClip, logRatioClamp, aggregation);
    }

    /** Dual-clip bound c > 1 (Ye et al. 2020); {@code Double.POSITIVE_INFINITY} disables dual clipping. */
    public PpoOptions dualClip(double c) {
        if (!(c > 1)) {
            throw new IllegalArgumentException("dualClip: expected a value > 1 (or infinity to disable), got " + c);
        }
        return new PpoOptions(clipLow, clipHigh, c, logRatioClamp, aggregation);
    }

    /** Clamp of {@code logp - old} to ±bound before exp; > 0, infinity disables it. */
    public PpoOptions logRatioClamp(double bound) {
        return new PpoOptions(clipLow, clipHigh, dualClip, Args.positive("logRatioClamp", bound, true), aggregation);
    }

    public PpoOptions aggregation(Aggregation aggregation) {
        return new PpoOptions(clipLow, clipHigh, dualClip, logRatioClamp, Args.notNull("aggregation", aggregation));
    }

    public double clipLow() {
        return clipLow;
    }

    public double clipHigh() {
        return clipHigh;
    }

    public double dualClip() {
        return dualClip;
    }

    public double logRatioClamp() {
        return logRatioClamp;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    @Override
    public String toString() {
        return "PpoOptions[clip=[" + clipLow + ", " + clipHigh + "], dualClip=" + dualClip + ", logRatioClamp="
                + logRatioClamp + ", aggregation=" + aggregation + "]";
    }
}
