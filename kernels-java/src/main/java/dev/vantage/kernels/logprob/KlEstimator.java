package dev.vantage.kernels.logprob;

/**
 * Schulman's estimators of KL(π_θ ‖ π_ref) from one sampled token, with {@code Δ = logp - ref}.
 * Each has a value and a derivative with respect to {@code logp}.
 */
public enum KlEstimator {
    /** {@code Δ}; derivative 1. Unbiased, high variance (verl {@code kl}). */
    K1,
    /** {@code Δ²/2}; derivative {@code Δ} (verl {@code mse}). */
    K2,
    /** {@code e^{-Δ} - 1 + Δ}, computed as {@code expm1(-Δ) + Δ}; derivative {@code -expm1(-Δ)} (verl {@code low_var_kl}). */
    K3,
    /** Value of K3 with the derivative of K2: the straight-through estimator verl calls {@code k3+}. */
    K3_PLUS
}
