// Host double-precision references: plain loops straight from kernel-math.md and the Java API
// documentation, written without the kernels' tricks (two-pass softmax, sequential recurrences,
// sums in index order).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "vantage.h"

namespace ref {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool valid(const std::vector<uint8_t>* mask, size_t i) { return mask == nullptr || (*mask)[i] != 0; }
inline bool flag(const std::vector<uint8_t>* flags, size_t i) { return flags != nullptr && (*flags)[i] != 0; }

// ---- family 1 --------------------------------------------------------------------------------

struct LogProbRow {
    double logp, entropy, lse;
};

// Two passes over x = z / T: the max, then the sums. -inf entries have p = 0; no finite entry, a
// +inf or a NaN make the row NaN. Ignored rows have logp 0.
inline LogProbRow logprob_row(const float* z, int64_t vocab, int32_t label, double temperature, int32_t ignore) {
    double m = -kInf;
    bool invalid = false;
    for (int64_t j = 0; j < vocab; j++) {
        const double x = z[j] / temperature;
        if (std::isnan(x) || x == kInf) invalid = true;
        if (x > m) m = x;
    }
    const double ignored_logp = label == ignore ? 0.0 : kNaN;
    if (invalid || m == -kInf) return {ignored_logp, kNaN, kNaN};
    double d = 0, s = 0;
    for (int64_t j = 0; j < vocab; j++) {
        const double x = z[j] / temperature;
        if (x == -kInf) continue;
        d += std::exp(x - m);
        s += std::exp(x - m) * (x - m);
    }
    const double lse = m + std::log(d);
    const double logp = label == ignore ? 0.0 : z[label] / temperature - lse;
    return {logp, std::log(d) - s / d, lse};
}

// One row of ∂L/∂z from the saved lse and entropy (given as the kernel sees them).
inline void logprob_backward_row(const float* z, int64_t vocab, int32_t label, double temperature, int32_t ignore,
                                 double lse, double entropy, double g_lp, double g_h, double* out) {
    if (label == ignore) g_lp = 0;
    for (int64_t j = 0; j < vocab; j++) {
        const double logp = z[j] / temperature - lse;
        const double p = std::exp(logp);
        const double g = g_lp * ((j == label ? 1 : 0) - p) - (p == 0 ? 0 : g_h * p * (logp + entropy));
        out[j] = g / temperature;
    }
}

inline double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

struct TokenLoss {
    double loss, grad;
    bool clipped, dual_clipped;
};

inline TokenLoss ppo_token(double lp, double old, double A, double clip_low, double clip_high, double dual,
                           double log_clamp) {
    const double log_ratio = lp - old;
    const double rho = std::exp(std::isnan(log_ratio) ? log_ratio : clamp(log_ratio, -log_clamp, log_clamp));
    const double l1 = -A * rho;
    const double l2 = -A * (std::isnan(rho) ? rho : clamp(rho, 1 - clip_low, 1 + clip_high));
    const double lc = (std::isnan(l1) || std::isnan(l2)) ? kNaN : std::max(l1, l2);
    const double l = A < 0 ? ((std::isnan(lc)) ? kNaN : std::min(lc, -A * dual)) : lc;
    const bool active = (A >= 0 && rho <= 1 + clip_high) || (A < 0 && rho >= 1 - clip_low && rho <= dual);
    const bool clamped = std::fabs(log_ratio) > log_clamp;
    const double grad = std::isnan(l) ? kNaN : (active && !clamped ? -A * rho : 0.0);
    return {l, grad, l2 > l1, A < 0 && lc > -A * dual};
}

struct KlToken {
    double value, grad;
};

inline KlToken kl_token(double lp, double ref, vantage_kl_estimator est, bool verl_clamp) {
    const double delta = lp - ref;
    if (est == VANTAGE_KL_K1) return {delta, 1};
    if (est == VANTAGE_KL_K2) return {0.5 * delta * delta, delta};
    double u = -delta;
    bool clamped = false;
    if (verl_clamp && std::fabs(u) > 20) {
        u = u > 0 ? 20 : -20;
        clamped = true;
    }
    double value = std::expm1(u) - u;
    if (verl_clamp && value > 10) {
        value = 10;
        clamped = true;
    }
    return {value, est == VANTAGE_KL_K3_PLUS ? delta : (clamped ? 0.0 : -std::expm1(u))};
}

struct Aggregated {
    double loss, tokens;
    bool degenerate;
    std::vector<double> weight;  // ∂L/∂l per token (0 at masked tokens)
};

// verl's agg_loss over [B, T] token losses, with its gradient weights.
inline Aggregated aggregate(const std::vector<double>& l, const std::vector<uint8_t>* mask, int64_t B, int64_t T,
                            vantage_aggregation mode, double normalizer) {
    double tokens = 0, sum = 0, row_means = 0, rows = 0;
    std::vector<double> row_tokens(B, 0);
    for (int64_t b = 0; b < B; b++) {
        double n = 0, s = 0;
        for (int64_t t = 0; t < T; t++) {
            if (!valid(mask, b * T + t)) continue;
            n++;
            s += l[b * T + t];
        }
        row_tokens[b] = n;
        tokens += n;
        sum += s;
        if (n > 0) {
            row_means += s / n;
            rows++;
        }
    }
    double d = normalizer > 0 ? normalizer
               : mode == VANTAGE_TOKEN_MEAN ? tokens
               : mode == VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM ? (double)T
                                                         : rows;
    Aggregated out{0, tokens, !(d > 0), std::vector<double>(B * T, 0)};
    if (!(d > 0)) return out;
    out.loss = (mode == VANTAGE_SEQ_MEAN_TOKEN_MEAN ? row_means : sum) / d;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            if (valid(mask, b * T + t))
                out.weight[b * T + t] = mode == VANTAGE_SEQ_MEAN_TOKEN_MEAN ? 1 / (row_tokens[b] * d) : 1 / d;
    return out;
}

}  // namespace ref
