package dev.vantage.kernels.logprob;

import dev.vantage.kernels.internal.Args;

/**
 * How per-token losses {@code l[b,t]} of a {@code [B, T]} batch with mask {@code m} become one
 * scalar (verl's {@code agg_loss}). {@code L_b = Σ_t m[b,t]} is row b's token count and {@code B'}
 * the number of rows with {@code L_b > 0}.
 *
 * <ul>
 *   <li>{@link Mode#TOKEN_MEAN}: {@code Σ m·l / D}, {@code D} = normalizer or {@code Σ m}.</li>
 *   <li>{@link Mode#SEQ_MEAN_TOKEN_SUM}: {@code Σ_b (Σ_t m·l) / D}, {@code D} = normalizer or {@code B'}.</li>
 *   <li>{@link Mode#SEQ_MEAN_TOKEN_MEAN}: {@code Σ_b (Σ_t m·l / L_b) / D} over rows with {@code L_b > 0},
 *       {@code D} = normalizer or {@code B'}.</li>
 *   <li>{@link Mode#SEQ_MEAN_TOKEN_SUM_NORM}: {@code Σ m·l / D}, {@code D} = normalizer or {@code T}
 *       (Dr. GRPO's fixed constant).</li>
 * </ul>
 *
 * <p>The normalizer is how data parallelism and gradient accumulation get the right scale: pass the
 * global token count (or sequence count) of the whole step, and every micro-batch's loss and
 * gradient are its exact share. When {@code D = 0} the loss and gradient are 0 and the result is
 * flagged degenerate. An explicit normalizer is never 0: a micro-batch with no valid token then
 * contributes 0 to the step and is not degenerate.
 */
public final class Aggregation {
    /** The four aggregation modes of verl's {@code loss_agg_mode}. */
    public enum Mode {
        TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM, SEQ_MEAN_TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM_NORM
    }

    private final Mode mode;
    private final double normalizer;

    private Aggregation(Mode mode, double normalizer) {
        this.mode = mode;
        this.normalizer = normalizer;
    }

    /** The mode with its local default denominator. */
    public static Aggregation of(Mode mode) {
        return new Aggregation(Args.notNull("mode", mode), Double.NaN);
    }

    /** Token mean over the local batch. */
    public static Aggregation tokenMean() {
        return of(Mode.TOKEN_MEAN);
    }

    // ---- the loss types of the major trainers (TRL's loss_type names) ---------------------------

    /** GRPO's paper form: mean over sequences of each sequence's token mean. */
    public static Aggregation grpo() {
        return of(Mode.SEQ_MEAN_TOKEN_MEAN);
    }

    /** BNPO: token mean over the local batch. */
    public static Aggregation bnpo() {
        return tokenMean();
    }

    /**
     * Dr. GRPO: the token sum divided by a constant, {@code sequences × maxCompletionLength}
     * (TRL's {@code dr_grpo}), so that neither response length nor batch composition rescales the
     * gradient.
     */
    public static Aggregation drGrpo(long sequences, long maxCompletionLength) {
        if (sequences < 1 || maxCompletionLength < 1) {
            throw new IllegalArgumentException("drGrpo: expected sequences >= 1 and maxCompletionLength >= 1, got "
                    + sequences + " and " + maxCompletionLength);
        }
        return of(Mode.SEQ_MEAN_TOKEN_SUM_NORM).normalizer((double) sequences * maxCompletionLength);
    }

    /** DAPO: token mean over the valid tokens of the whole step (all micro-batches and ranks). */
    public static Aggregation dapo(long globalTokens) {
        if (globalTokens < 1) {
            throw new IllegalArgumentException("globalTokens: expected a value >= 1, got " + globalTokens);
        }
        return tokenMean().normalizer(globalTokens);
    }

    /**
     * The same mode with an explicit denominator {@code D} (global token count, global sequence
     * count, or the fixed constant, depending on the mode); finite and > 0.
     */
    public Aggregation normalizer(double normalizer) {
        return new Aggregation(mode, Args.positive("normalizer", normalizer, false));
    }

    public Mode mode() {
        return mode;
    }

    /** Whether an explicit denominator was set. */
    public boolean hasNormalizer() {
        return !Double.isNaN(normalizer);
    }

    /** The explicit denominator; NaN when the local default applies. */
    public double normalizer() {
        return normalizer;
    }

    @Override
    public String toString() {
        return mode + (hasNormalizer() ? "/" + normalizer : "");
    }
}
