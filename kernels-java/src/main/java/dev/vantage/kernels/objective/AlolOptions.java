package dev.vantage.kernels.objective;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the A-LoL family (Baheti et al. 2024): the variant, the clip ε of the importance
 * weights (README default 0.9: weights in [0.1, 1.9]; for ε ≥ 1 only the upper bound applies) and
 * the KL coefficient of the KL variant.
 */
public final class AlolOptions {
    /** How the importance weight of a sequence is formed. */
    public enum Variant {
        /** A-LoL: one detached weight per sequence, {@code clip(exp(S - Sref), 1-ε, 1+ε)}. */
        SEQUENCE,
        /** A-LoL seq: one detached weight per token, {@code clip(exp(logp - ref), 1-ε, 1+ε)}. */
        TOKEN,
        /** A-LoL ref-free: weight 1, no reference needed. */
        REFERENCE_FREE,
        /** A-LoL KL: weight 1 plus a sequence-level k1 penalty {@code β_KL·(S - Sref)}. */
        KL
    }

    private static final AlolOptions DEFAULTS = new AlolOptions(Variant.SEQUENCE, 0.9, 0.0);

    private final Variant variant;
    private final double clip;
    private final double klBeta;

    private AlolOptions(Variant variant, double clip, double klBeta) {
        this.variant = variant;
        this.clip = clip;
        this.klBeta = klBeta;
    }

    /** Sequence-level weights, ε = 0.9, β_KL = 0. */
    public static AlolOptions defaults() {
        return DEFAULTS;
    }

    public AlolOptions variant(Variant variant) {
        return new AlolOptions(Args.notNull("variant", variant), clip, klBeta);
    }

    /** ε > 0, finite. */
    public AlolOptions clip(double epsilon) {
        return new AlolOptions(variant, Args.positive("clip", epsilon, false), klBeta);
    }

    /** β_KL >= 0, finite (KL variant). */
    public AlolOptions klBeta(double beta) {
        return new AlolOptions(variant, clip, Args.nonNegative("klBeta", beta));
    }

    public Variant variant() {
        return variant;
    }

    public double clip() {
        return clip;
    }

    public double klBeta() {
        return klBeta;
    }

    @Override
    public String toString() {
        return "AlolOptions[variant=" + variant + ", clip=" + clip + ", klBeta=" + klBeta + "]";
    }
}
