package dev.vantage.kernels.loss;

/**
 * The fourteen regression losses of Jadon, Patil and Jadon (2022), in their standard forms, with
 * {@code e = y - ŷ} (target minus prediction) and means over the n valid elements. Where the survey's
 * code differs from the standard formula, the standard one is implemented (see each constant).
 * Denominators that depend on the data are guarded with {@code max(d, ε)}
 * ({@link RegressionOptions#epsilon()}); a guard that fires flags the result degenerate.
 */
public enum RegressionLoss {
    /** {@code mean |e|}; gradient uses sign(0) = 0. */
    MAE(true),
    /** {@code mean e²}. */
    MSE(true),
    /** Mean bias error {@code mean e} (unbounded below: a metric more than a training loss). */
    MBE(true),
    /** Relative absolute error {@code Σ|e| / max(Σ|y - ȳ|, ε)}. */
    RAE(false),
    /** Relative squared error {@code Σe² / max(Σ(y - ȳ)², ε)} (the survey's code divides Σe² by itself). */
    RSE(false),
    /** {@code 100 · mean(|e| / max(|y|, ε))}; the guard firing on any valid element flags the result. */
    MAPE(true),
    /** {@code sqrt(mean e²)}; zero gradient when it is 0 (the survey's code trains this one with MSE). */
    RMSE(false),
    /**
     * {@code mean (log1p(max(ŷ, ε)) - log1p(max(y, ε)))²} (Keras's clamp; zero gradient where ŷ ≤ ε).
     * The clamp is not a denominator guard and does not flag the result.
     */
    MSLE(true),
    /** {@code sqrt(MSLE)}; zero gradient when it is 0. */
    RMSLE(false),
    /**
     * {@code RMSE / max(κ, ε)} with κ a statistic of the target ({@link RegressionOptions#normalizer()}):
     * |mean|, range or population std (the survey's code uses the std of the predictions); zero
     * gradient when the RMSE is 0.
     */
    NRMSE(false),
    /**
     * Relative RMSE {@code sqrt(Σe² / max(Σy², ε))} (the survey's code divides by Σŷ²); zero gradient
     * when it is 0.
     */
    RRMSE(false),
    /** Huber with threshold δ: {@code e²/2} if {@code |e| ≤ δ}, else {@code δ(|e| - δ/2)}. */
    HUBER(true),
    /** {@code log cosh(ŷ - y)}, computed stably as {@code |x| + log1p(e^{-2|x|}) - log 2}. */
    LOG_COSH(true),
    /** Pinball loss at quantile q: {@code q·max(e, 0) + (1 - q)·max(-e, 0)}; gradient 0 at e = 0. */
    QUANTILE(true);

    private final boolean elementwise;

    RegressionLoss(boolean elementwise) {
        this.elementwise = elementwise;
    }

    /**
     * Whether the loss is a sum or mean of per-element terms; only these accept {@link Reduction#NONE}
     * and {@link Reduction#SUM} and a per-element loss output. The others are defined on the whole set.
     */
    public boolean elementwise() {
        return elementwise;
    }
}
