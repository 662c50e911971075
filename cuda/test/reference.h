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

// ---- family 2 --------------------------------------------------------------------------------

// GAE walking each row backwards over its valid steps (the Java API's definition, verl's carry
// across masked steps). values == nullptr and lambda == 1 give discounted returns.
inline void gae(const std::vector<float>& r, const std::vector<float>* values, const std::vector<uint8_t>* mask,
                const std::vector<uint8_t>* term, const std::vector<uint8_t>* trunc, const std::vector<float>* boot,
                int64_t B, int64_t T, double gamma, double lambda, std::vector<double>& adv, std::vector<double>& ret,
                const std::vector<double>* end_reward = nullptr, double reward_scale = 1) {
    adv.assign(B * T, 0);
    ret.assign(B * T, 0);
    for (int64_t b = 0; b < B; b++) {
        bool has_next = false;
        double a_next = 0, v_next = 0;
        for (int64_t t = T - 1; t >= 0; t--) {
            const int64_t i = b * T + t;
            if (!valid(mask, i)) continue;
            const double v = values ? (*values)[i] : 0.0, bv = boot ? (*boot)[i] : 0.0;
            const bool te = flag(term, i), tr = flag(trunc, i);
            const double vnext = (tr || !has_next) ? bv : v_next;
            double delta = reward_scale * r[i] + gamma * (te ? 0 : 1) * vnext - v;
            if (!has_next && end_reward) delta += (*end_reward)[b];
            const double a = delta + gamma * lambda * ((te || tr) ? 0 : 1) * (has_next ? a_next : 0.0);
            adv[i] = a;
            ret[i] = a + v;
            a_next = a;
            v_next = v;
            has_next = true;
        }
    }
}

struct Whitened {
    double mean, variance, count;
    bool degenerate;
};

inline Whitened whiten(const std::vector<double>& x, const std::vector<uint8_t>* mask, bool shift_mean, bool unbiased,
                       double eps, std::vector<double>& out) {
    double n = 0, sum = 0;
    for (size_t i = 0; i < x.size(); i++)
        if (valid(mask, i)) {
            n++;
            sum += x[i];
        }
    const double mean = n > 0 ? sum / n : 0;
    double m2 = 0;
    for (size_t i = 0; i < x.size(); i++)
        if (valid(mask, i)) m2 += (x[i] - mean) * (x[i] - mean);
    const double var = n >= 2 ? m2 / (unbiased ? n - 1 : n) : 0;
    out.assign(x.size(), 0);
    for (size_t i = 0; i < x.size(); i++)
        if (valid(mask, i)) out[i] = (x[i] - mean) / std::sqrt(var + eps) + (shift_mean ? 0 : mean);
    return {mean, var, n, n < 2};
}

enum class Group { Grpo, Rloo, Baseline };

inline std::vector<double> groups(const std::vector<float>& scores, int64_t k, Group kind, bool normalize_by_std,
                                  bool unbiased, double eps, vantage_singleton singleton) {
    std::vector<double> out(scores.size());
    for (size_t g = 0; g < scores.size() / k; g++) {
        const float* x = &scores[g * k];
        double sum = 0;
        bool same = true;
        for (int64_t i = 0; i < k; i++) {
            sum += x[i];
            same = same && x[i] == x[0];
        }
        const double mean = sum / k;
        double m2 = 0;
        for (int64_t i = 0; i < k; i++) m2 += (x[i] - mean) * (x[i] - mean);
        const double sd = k > 1 ? std::sqrt(m2 / (unbiased ? k - 1 : k)) : 0;
        for (int64_t i = 0; i < k; i++) {
            double a;
            if (kind == Group::Baseline) a = x[i] - mean;
            else if (k == 1)
                a = singleton == VANTAGE_SINGLETON_ZERO ? 0 : (kind == Group::Grpo && normalize_by_std) ? x[i] / (1 + eps) : x[i];
            else if (kind == Group::Rloo) a = x[i] - (sum - x[i]) / (k - 1);
            else if (same) a = 0;
            else a = normalize_by_std ? (x[i] - mean) / (sd + eps) : x[i] - mean;
            out[g * k + i] = a;
        }
    }
    return out;
}

// ---- family 3 --------------------------------------------------------------------------------

// Q and the gradients of one (b, z) column over actions; argmax ties to the lowest index, NaN wins.
inline void dueling(const std::vector<float>& value, const std::vector<float>& adv, const std::vector<uint8_t>* mask,
                    const std::vector<float>& grad_q, int64_t B, int64_t A, int64_t Z, vantage_dueling_mode mode,
                    std::vector<double>& q, std::vector<double>& grad_value, std::vector<double>& grad_adv) {
    q.assign(B * A * Z, 0);
    grad_value.assign(B * Z, 0);
    grad_adv.assign(B * A * Z, 0);
    for (int64_t b = 0; b < B; b++)
        for (int64_t z = 0; z < Z; z++) {
            auto at = [&](int64_t a) { return (b * A + a) * Z + z; };
            double sum = 0, gsum = 0;
            int64_t n = 0, arg = -1;
            for (int64_t a = 0; a < A; a++) {
                if (!valid(mask, b * A + a)) continue;
                const double x = adv[at(a)];
                sum += x;
                gsum += grad_q[at(a)];
                n++;
                if (arg < 0 || (std::isnan(x) && !std::isnan(adv[at(arg)])) || (!std::isnan(adv[at(arg)]) && x > adv[at(arg)]))
                    arg = a;
            }
            const double agg = mode == VANTAGE_DUELING_MEAN ? sum / n : mode == VANTAGE_DUELING_MAX ? (arg >= 0 ? adv[at(arg)] : 0) : 0;
            grad_value[b * Z + z] = gsum;
            for (int64_t a = 0; a < A; a++) {
                if (!valid(mask, b * A + a)) {
                    q[at(a)] = -kInf;
                    continue;
                }
                q[at(a)] = value[b * Z + z] + adv[at(a)] - agg;
                const double w = mode == VANTAGE_DUELING_MEAN ? 1.0 / n : mode == VANTAGE_DUELING_MAX ? (a == arg ? 1 : 0) : 0;
                grad_adv[at(a)] = grad_q[at(a)] - gsum * w;
            }
        }
}

// ---- family 4 --------------------------------------------------------------------------------

// l^τ of a class with log-probability lp, in the closed form of kernel-math §11.
inline double comp_sum_value(double lp, double tau) {
    if (tau == 1) return -lp;
    if (lp == -kInf) return tau > 1 ? 1 / (tau - 1) : kInf;
    return -std::expm1((tau - 1) * lp) / (tau - 1);
}

// One row's loss Σ_k q_k·l^τ(k), q = (1-ε)·onehot + ε/C, and its gradient (unscaled).
inline double comp_sum_row(const float* h, int64_t C, int32_t y, double tau, double eps, double* grad) {
    double m = -kInf;
    for (int64_t k = 0; k < C; k++) m = std::max(m, (double)h[k]);
    double d = 0;
    for (int64_t k = 0; k < C; k++)
        if (h[k] != -kInf) d += std::exp(h[k] - m);
    const double lse = m + std::log(d), e = tau - 1;
    auto p_pow = [&](double lp) { return e == 0 ? 1.0 : std::exp(e * lp); };  // p^e, 0^0 = 1
    double loss = (1 - eps) * comp_sum_value(h[y] - lse, tau), s = (1 - eps) * p_pow(h[y] - lse);
    for (int64_t k = 0; k < C && eps > 0; k++) {  // (without smoothing p^e of a -inf logit never enters)
        loss += eps / C * comp_sum_value(h[k] - lse, tau);
        s += eps / C * p_pow(h[k] - lse);
    }
    if (grad)
        for (int64_t k = 0; k < C; k++) {
            const double lp = h[k] - lse;
            // p = 0 (a -inf logit) takes no p·S term even where S is infinite (τ < 1), as in JavaLossOps.
            const double p = std::exp(lp);
            grad[k] = (p == 0 ? 0 : p * s) - (eps > 0 ? eps / C * p_pow(lp) : 0) - (k == y ? (1 - eps) * p_pow(lp) : 0);
        }
    return loss;
}

struct RegressionResult {
    double value, count;
    bool degenerate;
    std::vector<double> loss, grad;
};

inline double sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }

// The fourteen losses in the standard forms of RegressionLoss, e = y - ŷ, gradients w.r.t. ŷ.
inline RegressionResult regression(vantage_regression_loss kind, const std::vector<float>& y,
                                   const std::vector<float>& yh, const std::vector<uint8_t>* mask,
                                   vantage_reduction reduction, double delta, double q, double eps,
                                   vantage_nrmse_normalizer normalizer, double gs) {
    const size_t n = y.size();
    RegressionResult r{0, 0, false, std::vector<double>(n, 0), std::vector<double>(n, 0)};
    double sum = 0, sum_y = 0, sum_e2 = 0, sum_ae = 0, sum_y2 = 0, sum_l2 = 0, ymin = kInf, ymax = -kInf;
    bool guarded = false;
    auto log_diff = [&](size_t i) {
        return std::log1p(std::max((double)yh[i], eps)) - std::log1p(std::max((double)y[i], eps));
    };
    for (size_t i = 0; i < n; i++) {
        if (!valid(mask, i)) continue;
        const double e = (double)y[i] - yh[i];
        r.count++;
        sum_y += y[i];
        sum_e2 += e * e;
        sum_ae += std::fabs(e);
        sum_y2 += (double)y[i] * y[i];
        sum_l2 += log_diff(i) * log_diff(i);
        ymin = std::min(ymin, (double)y[i]);
        ymax = std::max(ymax, (double)y[i]);
        double l = 0, g = 0;
        switch (kind) {
            case VANTAGE_MAE: l = std::fabs(e), g = -sign(e); break;
            case VANTAGE_MSE: l = e * e, g = -2 * e; break;
            case VANTAGE_MBE: l = e, g = -1; break;
            case VANTAGE_MAPE: {
                const double den = std::max(std::fabs((double)y[i]), eps);
                guarded |= std::fabs((double)y[i]) < eps;
                l = 100 * std::fabs(e) / den, g = -100 * sign(e) / den;
                break;
            }
            case VANTAGE_MSLE:
                l = log_diff(i) * log_diff(i);
                g = yh[i] > eps ? 2 * log_diff(i) / (1 + yh[i]) : 0;
                break;
            case VANTAGE_HUBER:
                if (std::fabs(e) <= delta) l = 0.5 * e * e, g = -e;
                else l = delta * (std::fabs(e) - 0.5 * delta), g = -delta * sign(e);
                break;
            case VANTAGE_LOG_COSH: {
                const double x = (double)yh[i] - y[i];
                l = std::fabs(x) + std::log1p(std::exp(-2 * std::fabs(x))) - std::log(2.0), g = std::tanh(x);
                break;
            }
            case VANTAGE_QUANTILE: l = q * std::max(e, 0.0) + (1 - q) * std::max(-e, 0.0), g = e > 0 ? -q : e < 0 ? 1 - q : 0; break;
            default: break;
        }
        r.loss[i] = l;
        r.grad[i] = g;
        sum += l;
    }
    const double cnt = r.count;
    const bool mean = reduction == VANTAGE_REDUCTION_MEAN;
    const bool whole = kind == VANTAGE_RAE || kind == VANTAGE_RSE || kind == VANTAGE_RMSE || kind == VANTAGE_RMSLE ||
                       kind == VANTAGE_NRMSE || kind == VANTAGE_RRMSE;
    if (!whole) {
        r.value = mean ? (cnt > 0 ? sum / cnt : 0) : sum;
        const double c = mean ? (cnt > 0 ? gs / cnt : 0) : gs;
        for (auto& g : r.grad) g *= c;
        r.degenerate = cnt == 0 || guarded;
        return r;
    }
    r.loss.assign(n, 0);
    if (cnt == 0) {
        r.degenerate = true;
        r.grad.assign(n, 0);
        return r;
    }
    const double ybar = sum_y / cnt;
    double cabs = 0, csq = 0;
    for (size_t i = 0; i < n; i++)
        if (valid(mask, i)) cabs += std::fabs(y[i] - ybar), csq += (y[i] - ybar) * (y[i] - ybar);
    auto guard = [&](double d) { return d < eps ? (guarded = true, eps) : d; };
    const double rmse = std::sqrt(sum_e2 / cnt);
    double coef = 0;
    for (size_t i = 0; i < n; i++) {
        if (!valid(mask, i)) continue;
        const double e = (double)y[i] - yh[i];
        double g = -e;
        if (kind == VANTAGE_RAE) g = -sign(e);
        if (kind == VANTAGE_RSE) g = -2 * e;
        if (kind == VANTAGE_RMSLE) g = yh[i] > eps ? log_diff(i) / (1 + yh[i]) : 0;
        r.grad[i] = g;
    }
    switch (kind) {
        case VANTAGE_RAE: { const double d = guard(cabs); r.value = sum_ae / d; coef = gs / d; break; }
        case VANTAGE_RSE: { const double d = guard(csq); r.value = sum_e2 / d; coef = gs / d; break; }
        case VANTAGE_RMSE: r.value = rmse; coef = rmse > 0 ? gs / (cnt * rmse) : 0; break;
        case VANTAGE_RMSLE: r.value = std::sqrt(sum_l2 / cnt); coef = r.value > 0 ? gs / (cnt * r.value) : 0; break;
        case VANTAGE_NRMSE: {
            const double kappa = normalizer == VANTAGE_NRMSE_MEAN ? std::fabs(ybar)
                                 : normalizer == VANTAGE_NRMSE_RANGE ? ymax - ymin : std::sqrt(csq / cnt);
            const double d = guard(kappa);
            r.value = rmse / d;
            coef = rmse > 0 ? gs / (cnt * rmse * d) : 0;
            break;
        }
        default: { const double d = guard(sum_y2); r.value = std::sqrt(sum_e2 / d); coef = r.value > 0 ? gs / (d * r.value) : 0; break; }
    }
    for (auto& g : r.grad) g *= coef;
    r.degenerate = guarded;
    return r;
}

// ---- family 5: sequence objectives and PRIME advantages ----------------------------------------

// Σ_t m·x over row b (in index order) and the row's valid tokens.
inline double row_sum(const std::vector<float>& x, const std::vector<uint8_t>* mask, int64_t b, int64_t T) {
    double s = 0;
    for (int64_t t = 0; t < T; t++)
        if (valid(mask, b * T + t)) s += x[b * T + t];
    return s;
}

inline double row_count(const std::vector<uint8_t>* mask, int64_t b, int64_t T) {
    double n = 0;
    for (int64_t t = 0; t < T; t++) n += valid(mask, b * T + t) ? 1 : 0;
    return n;
}

// A reference policy given per token ([B, T], summed under the mask), per sequence ([B]), or absent (0).
struct Ref {
    const std::vector<float>* values;
    bool per_token;
    double sum(const std::vector<uint8_t>* mask, int64_t b, int64_t T) const {
        if (values == nullptr) return 0;
        return per_token ? row_sum(*values, mask, b, T) : (*values)[b];
    }
};

inline double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
// log σ(x) = -log(1 + e^{-x}), finite for large |x|.
inline double log_sigmoid(double x) { return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x)); }

// A loss's result array (in the layout of the launcher) and ∂L/∂logp per token.
struct Objective {
    std::vector<double> result, grad;
};

// DPO on rows [0, P) chosen, [P, 2P) rejected; the ratios are S - Sref, or their per-token means for IPO.
inline Objective dpo(const std::vector<float>& logp, Ref ref, const std::vector<uint8_t>* mask, int64_t B, int64_t T,
                     double beta, double eps, bool ipo) {
    const int64_t P = B / 2;
    Objective o{std::vector<double>(VANTAGE_DPO_RESULT_SIZE, 0), std::vector<double>(B * T, 0)};
    o.result[VANTAGE_DPO_PAIRS] = (double)P;
    for (int64_t p = 0; p < P; p++) {
        double ratio[2], length[2];
        for (int side = 0; side < 2; side++) {
            const int64_t b = p + side * P;
            length[side] = row_count(mask, b, T);
            ratio[side] = row_sum(logp, mask, b, T) - ref.sum(mask, b, T);
            if (ipo) ratio[side] = length[side] > 0 ? ratio[side] / length[side] : 0;
        }
        double loss, slope;  // slope = ∂loss/∂(chosen ratio)
        if (ipo) {
            const double h = ratio[0] - ratio[1] - 1 / (2 * beta);
            loss = h * h;
            slope = 2 * h;
        } else {
            const double h = beta * (ratio[0] - ratio[1]);
            loss = -(1 - eps) * log_sigmoid(h) - eps * log_sigmoid(-h);
            slope = beta * (-(1 - eps) * sigmoid(-h) + eps * sigmoid(h));
        }
        for (int side = 0; side < 2; side++) {
            const int64_t b = p + side * P;
            const double per_token = ipo ? (length[side] > 0 ? 1 / length[side] : 0) : 1;
            for (int64_t t = 0; t < T; t++)
                if (valid(mask, b * T + t)) o.grad[b * T + t] = (side == 0 ? slope : -slope) * per_token / P;
        }
        const double chosen = beta * ratio[0], rejected = beta * ratio[1];
        const double metrics[5] = {loss, chosen, rejected, chosen > rejected ? 1.0 : 0.0, chosen - rejected};
        for (int k = 0; k < 5; k++) o.result[k] += metrics[k] / P;
    }
    return o;
}

inline Objective kto(const std::vector<float>& logp, Ref ref, const std::vector<uint8_t>* mask,
                     const std::vector<uint8_t>& desirable, double reference_kl, int64_t B, int64_t T, double beta,
                     double w_d, double w_u) {
    Objective o{std::vector<double>(VANTAGE_KTO_RESULT_SIZE, 0), std::vector<double>(B * T, 0)};
    const double z0 = std::max(0.0, reference_kl);
    double loss = 0, sums[2] = {0, 0}, counts[2] = {0, 0};
    for (int64_t b = 0; b < B; b++) {
        const double r = row_sum(logp, mask, b, T) - ref.sum(mask, b, T);
        const bool good = desirable[b] != 0;
        const double u = good ? beta * (z0 - r) : beta * (r - z0);  // the loss is λ·σ(u)
        const double lambda = good ? w_d : w_u;
        loss += lambda * sigmoid(u);
        const double slope = lambda * sigmoid(u) * sigmoid(-u) * (good ? -beta : beta);  // ∂l/∂r
        for (int64_t t = 0; t < T; t++)
            if (valid(mask, b * T + t)) o.grad[b * T + t] = slope / B;
        sums[good ? 0 : 1] += beta * r;
        counts[good ? 0 : 1]++;
    }
    o.result = {B > 0 ? loss / B : 0, counts[0] > 0 ? sums[0] / counts[0] : 0, counts[1] > 0 ? sums[1] / counts[1] : 0,
                counts[0], counts[1]};
    return o;
}

// APA: per-token squared residuals against log π_init + A/λ, aggregated.
inline Objective apa(const std::vector<float>& logp, const std::vector<float>& init, const std::vector<float>& adv,
                     const std::vector<uint8_t>* mask, int64_t B, int64_t T, double lambda, vantage_aggregation mode,
                     double normalizer) {
    std::vector<double> residual(B * T), l(B * T);
    for (int64_t i = 0; i < B * T; i++) {
        residual[i] = (double)logp[i] - adv[i] / lambda - init[i];
        l[i] = residual[i] * residual[i];
    }
    Aggregated agg = aggregate(l, mask, B, T, mode, normalizer);
    Objective o{{agg.loss, agg.tokens, agg.degenerate ? 1.0 : 0.0}, std::vector<double>(B * T, 0)};
    for (int64_t i = 0; i < B * T; i++) o.grad[i] = valid(mask, i) ? 2 * residual[i] * agg.weight[i] : 0;
    return o;
}

// A-LoL; the importance weights come from weight_logp (logp itself, held fixed when differentiating).
inline Objective alol(vantage_alol_variant variant, const std::vector<float>& logp, const std::vector<float>& weight_logp,
                      Ref ref, const std::vector<uint8_t>* mask, const std::vector<float>& rewards,
                      const std::vector<float>& values, int64_t B, int64_t T, double eps, double kl_beta) {
    Objective o{std::vector<double>(VANTAGE_LOSS_RESULT_SIZE, 0), std::vector<double>(B * T, 0)};
    const double low = eps < 1 ? 1 - eps : 0, high = 1 + eps;
    auto clip = [&](double w) { return std::isnan(w) ? w : std::min(std::max(w, low), high); };
    const double kl = variant == VANTAGE_ALOL_KL ? kl_beta : 0;
    double loss = 0, positives = 0;
    for (int64_t b = 0; b < B; b++) {
        const double adv = (double)rewards[b] - values[b];
        const double a = std::isnan(adv) ? adv : std::max(adv, 0.0);
        positives += a > 0 ? 1 : 0;
        const double s = row_sum(logp, mask, b, T), s_ref = ref.sum(mask, b, T);
        for (int64_t t = 0; t < T; t++) {
            const int64_t i = b * T + t;
            if (!valid(mask, i)) continue;
            if (variant == VANTAGE_ALOL_TOKEN) {
                const double w = clip(std::exp((double)weight_logp[i] - (*ref.values)[i]));
                loss += a * w * -(double)logp[i];
                o.grad[i] = -a * w / B;
            }
        }
        if (variant == VANTAGE_ALOL_TOKEN) continue;
        const double w = variant == VANTAGE_ALOL_SEQUENCE ? clip(std::exp(row_sum(weight_logp, mask, b, T) - s_ref)) : 1;
        loss += a * w * -s + kl * (s - s_ref);
        for (int64_t t = 0; t < T; t++)
            if (valid(mask, b * T + t)) o.grad[b * T + t] = (-a * w + kl) / B;
    }
    o.result = {B > 0 ? loss / B : 0, positives, (B == 0 || (positives == 0 && kl == 0)) ? 1.0 : 0.0};
    return o;
}

// PRIME's reward model: binary cross-entropy of σ(β·(S - Sref)) against the outcomes.
inline Objective prime_reward_model(const std::vector<float>& logp, Ref ref, const std::vector<uint8_t>* mask,
                                    const std::vector<float>& outcomes, int64_t B, int64_t T, double beta) {
    Objective o{std::vector<double>(VANTAGE_LOSS_RESULT_SIZE, 0), std::vector<double>(B * T, 0)};
    double loss = 0;
    for (int64_t b = 0; b < B; b++) {
        const double s = beta * (row_sum(logp, mask, b, T) - ref.sum(mask, b, T)), y = outcomes[b];
        loss += -(y * log_sigmoid(s) + (1 - y) * log_sigmoid(-s));
        for (int64_t t = 0; t < T; t++)
            if (valid(mask, b * T + t)) o.grad[b * T + t] = beta * (sigmoid(s) - y) / B;
    }
    o.result = {B > 0 ? loss / B : 0, (double)B, B == 0 ? 1.0 : 0.0};
    return o;
}

// PRIME's returns G before whitening (kernel-math §6.3): the leave-one-out process rewards of the
// paper (or the code), the outcome RLOO on the last valid token, suffix sums over valid tokens.
inline std::vector<double> prime_returns(const std::vector<float>& r, const std::vector<float>& outcomes,
                                         const std::vector<uint8_t>* mask, int64_t B, int64_t T, int64_t K,
                                         double c_p, double c_o, bool paper) {
    std::vector<double> g(B * T, 0);
    for (int64_t first = 0; first < B; first += K) {
        std::vector<double> mean(K);
        for (int64_t j = 0; j < K; j++) {
            const double n = row_count(mask, first + j, T);
            mean[j] = n > 0 ? row_sum(r, mask, first + j, T) / n : 0;
        }
        for (int64_t i = 0; i < K; i++) {
            const int64_t b = first + i;
            double others = 0, other_outcomes = 0, all = 0;
            for (int64_t j = 0; j < K; j++) {
                all += mean[j];
                if (j != i) others += mean[j], other_outcomes += outcomes[first + j];
            }
            const double outcome = outcomes[b] - other_outcomes / (K - 1);
            double running = 0;
            bool last = true;
            for (int64_t t = T - 1; t >= 0; t--) {
                const int64_t at = b * T + t;
                if (!valid(mask, at)) continue;
                const double process = paper ? r[at] - others / (K - 1) : r[at] * K / (K - 1) - all / (K - 1);
                running += c_p * process + (last ? c_o * outcome : 0);
                last = false;
                g[at] = running;
            }
        }
    }
    return g;
}

}  // namespace ref
