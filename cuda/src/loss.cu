// Family 4: losses (dev.vantage.kernels.loss.LossKernels).
//
// Comp-sum Φ^τ is the cross-entropy row kernel with a per-row gradient scale p_y^(τ-1): one
// kernel reads the row for the softmax statistics and again to write the gradient (the second
// read mostly hits L2: a block per row keeps the reuse distance short). Regression losses are
// elementwise passes with deterministic two-stage sums; the whole-set kinds (RAE, RSE, RMSE,
// RMSLE, NRMSE, RRMSE) sum their statistics first, then write the gradient.
#include "common.cuh"

namespace vantage {
namespace {

// ---- comp-sum ----------------------------------------------------------------------------------

// l^τ = -lp·φ(e·lp), φ(t) = expm1(t)/t, e = τ - 1, for a class of log-probability lp.
__device__ __forceinline__ float comp_sum_value(float lp, float e) {
    if (lp == -INFINITY) return e > 0.f ? 1.f / e : INFINITY;
    const float t = e * lp;
    const float phi = fabsf(t) < 1e-4f ? 1.f + t * (0.5f + t * (1.f / 6.f)) : expm1f(t) / t;
    return -lp * phi;
}

struct CompSum {
    float e;                  // τ - 1
    float smoothing;          // ε
    float smoothing_per_class;  // ε / C
    int32_t ignore_index;
    bool mean;
    double grad_scale;
    const unsigned long long* counted;  // rows not ignored (from the label check)
};

// Per row: pass 1 the softmax statistics (and, with label smoothing and τ != 1, those of
// e·logits for S = Σ_k q_k p_k^e); pass 2, when a gradient or the smoothed loss needs it,
//   ∂l/∂h_k = coef·(p_k·S - (ε/C)·p_k^e - (1-ε)·1{k=y}·p_y^e),   S = (1-ε)·p_y^e + (ε/C)·Σ_k p_k^e
// which is p_y^e·(p_k - 1{k=y}) = exp(e·lp_y + lp_k) - 1{k=y}·p_y^e without smoothing (the
// exponent of the sum keeps the product finite where p_y^e alone overflows). As in
// JavaLossOps.RowKernel, a -inf logit (p_k = 0) takes no p_k·S term even where S is infinite: with
// τ < 1 its p_k^e is +inf, so the loss is +inf and the gradient ±inf, never NaN.
template <typename TIn, typename TOut, bool kWarp>
__global__ void __launch_bounds__(kWarp ? kWarpRowThreads : kRowThreads)
    comp_sum_kernel(const TIn* logits, const int32_t* labels, float* loss, float* row_loss, TOut* grad, int64_t rows,
                    int64_t classes, CompSum c, const int32_t* status) {
    if (*status != 0) return;
    const RowGroup<kWarp> group;
    const int tid = group.tid, size = group.size;
    const bool smooth = c.smoothing > 0.f;
    const bool smooth_exp = smooth && c.e != 0.f;
    // Σ exp(e·x) tracked as a softmax of sign(e)·x with scale |e|, so that its max stays a max.
    const float e_sign = c.e < 0.f ? -1.f : 1.f, e_scale2 = fabsf(c.e) * kLog2e;
    const double count = c.mean ? (double)*c.counted : 1.0;
    const float coef = count > 0 ? (float)(c.grad_scale / count) : 0.f;

    for (int64_t r = group.first; r < rows; r += group.stride) {
        const TIn* row = logits + r * classes;
        TOut* grad_row = grad != nullptr ? grad + r * classes : nullptr;
        const int64_t y = label_index(labels[r], classes, c.ignore_index);
        if (y < 0) {
            if (grad_row != nullptr) map_row(row, grad_row, classes, tid, size, [](int64_t, float) { return 0.f; });
            if (tid == 0) {
                row_loss[r] = 0.f;
                if (loss != nullptr) loss[r] = 0.f;
            }
            continue;
        }
        const float zy = to_float(row[y]);
        Softmax st, st_e;
        bool masked_class = false;  // a -inf logit: its p^e is +inf when e < 0
        // e·z of a logit for st_e; -inf logits stay -inf, so that st_e skips them.
        auto scaled = [&](float z) {
            masked_class |= z == -INFINITY;
            return z == -INFINITY ? z : e_sign * z;
        };
        // The default cache policy: the same block reads the row again right away (from L2).
        read_row<false>(
            row, classes, tid, size,
            [&](int64_t, float z) {
                st.add(z, kLog2e);
                if (smooth_exp) st_e.add(scaled(z), e_scale2);
            },
            [&](int64_t, const float(&z)[Vec<TIn>::N]) {
                st.add(z, kLog2e);
                if (smooth_exp) {
                    float ze[Vec<TIn>::N];
#pragma unroll
                    for (int i = 0; i < Vec<TIn>::N; i++) ze[i] = scaled(z[i]);
                    st_e.add(ze, e_scale2);
                }
            });
        const RowStats stats = kWarp ? softmax_reduce_warp(st, kLog2e) : softmax_reduce_block(st, kLog2e);
        float sum_pe = (float)classes;  // Σ_k p_k^0 (0^0 = 1: the τ = 1 limit)
        if (smooth_exp) {
            const RowStats se = kWarp ? softmax_reduce_warp(st_e, e_scale2) : softmax_reduce_block(st_e, e_scale2);
            sum_pe = expf(se.lse(fabsf(c.e)) - c.e * stats.lse(1.f));
            if (c.e < 0.f) {
                const bool any_masked = kWarp ? __any_sync(kFullMask, masked_class) : block_max(masked_class ? 1.f : 0.f) > 0.f;
                if (any_masked && stats.valid) sum_pe = INFINITY;
            }
        }
        const float lp_y = stats.logp(zy, 1.f);
        const float t_y = c.e == 0.f ? 0.f : c.e * lp_y;  // log p_y^e (0 at τ = 1, even for lp_y = -inf)
        const float w_y = expf(t_y);
        const float s = (1.f - c.smoothing) * w_y + c.smoothing_per_class * sum_pe;
        const float label_term = smooth ? (1.f - c.smoothing) * w_y : w_y;
        float smoothed[1] = {0.f};  // Σ_k l^τ(k)
        auto term = [&](int64_t k, float z) {
            const float lp = stats.logp(z, 1.f);
            float g;
            if (smooth) {
                const float p = expf(lp);
                g = (p == 0.f ? 0.f : p * s) - c.smoothing_per_class * (c.e == 0.f ? 1.f : expf(c.e * lp));
                smoothed[0] += comp_sum_value(lp, c.e);
            } else {
                g = z == -INFINITY ? 0.f : expf(t_y + lp);
            }
            return coef * (g - (k == y ? label_term : 0.f));
        };
        if (grad_row != nullptr) {
            map_row(row, grad_row, classes, tid, size, term);
        } else if (smooth) {
            read_row(
                row, classes, tid, size, [&](int64_t k, float z) { term(k, z); },
                [&](int64_t k, const float(&z)[Vec<TIn>::N]) {
#pragma unroll
                    for (int i = 0; i < Vec<TIn>::N; i++) term(k + i, z[i]);
                });
        }
        if (smooth) {
            if (kWarp) smoothed[0] = warp_sum(smoothed[0]);
            else block_sum<float, 1>(smoothed);
        }
        if (tid == 0) {
            const float l_y = comp_sum_value(lp_y, c.e);
            const float value = smooth ? (1.f - c.smoothing) * l_y + c.smoothing_per_class * smoothed[0] : l_y;
            row_loss[r] = value;
            if (loss != nullptr) loss[r] = value;
        }
    }
}

struct CompSumWorkspace {
    unsigned long long* counted;
    float* row_loss;
    double* partials;
    CompSumWorkspace(Carver& c, int64_t rows) {
        counted = c.take<unsigned long long>(1);
        row_loss = c.take<float>(rows);
        partials = c.take<double>(sum_partials_size(1));
    }
};

// ---- regression ------------------------------------------------------------------------------

bool elementwise(vantage_regression_loss kind) {
    switch (kind) {
        case VANTAGE_RAE: case VANTAGE_RSE: case VANTAGE_RMSE: case VANTAGE_RMSLE: case VANTAGE_NRMSE:
        case VANTAGE_RRMSE: return false;
        default: return true;
    }
}

// NaN-preserving max (Java's Math.max): the Keras clamps must not turn a NaN into ε.
__device__ __forceinline__ float max_keep_nan(float a, float b) { return a != a ? a : fmaxf(a, b); }
// Math.signum: 0 at 0, NaN at NaN.
__device__ __forceinline__ float sign_of(float x) { return x > 0.f ? 1.f : (x < 0.f ? -1.f : x); }

struct RegressionParams {
    vantage_regression_loss kind;
    float delta, quantile, epsilon;
};

// d/dŷ of (log1p(max(ŷ, ε)) - log1p(max(y, ε)))² / 2, and the difference itself.
struct LogDiff {
    float diff, slope;  // log1p ŷ' - log1p y',  diff/(1 + ŷ')·1{ŷ > ε}
};

__device__ __forceinline__ LogDiff log_diff(float y, float yh, float eps) {
    const float yh_c = max_keep_nan(yh, eps);
    const float diff = log1pf(yh_c) - log1pf(max_keep_nan(y, eps));
    return {diff, diff != diff ? diff : (yh > eps ? diff / (1.f + yh_c) : 0.f)};
}

struct ElementLoss {
    float loss, grad;  // grad = ∂loss/∂ŷ
    bool guarded;      // an ε guard replaced a vanishing denominator
};

// The elementwise kinds, e = y - ŷ; NaN in an element gives NaN in its loss and gradient.
__device__ __forceinline__ ElementLoss element_loss(const RegressionParams& p, float y, float yh) {
    const float e = y - yh;
    switch (p.kind) {
        case VANTAGE_MAE: return {fabsf(e), -sign_of(e), false};
        case VANTAGE_MSE: return {e * e, -2.f * e, false};
        case VANTAGE_MBE: return {e, e != e ? e : -1.f, false};
        case VANTAGE_MAPE: {
            const float d = max_keep_nan(fabsf(y), p.epsilon);
            return {100.f * fabsf(e) / d, -100.f * sign_of(e) / d, fabsf(y) < p.epsilon};
        }
        case VANTAGE_MSLE: {
            const LogDiff l = log_diff(y, yh, p.epsilon);
            return {l.diff * l.diff, 2.f * l.slope, false};
        }
        case VANTAGE_HUBER: {
            const float a = fabsf(e);
            if (a <= p.delta) return {0.5f * e * e, -e, false};
            return {p.delta * (a - 0.5f * p.delta), -p.delta * sign_of(e), false};
        }
        case VANTAGE_LOG_COSH: {
            // log cosh x = log1p(2 sinh²(x/2)) keeps its digits near 0 (|x| + log1p(e^-2|x|) - log 2
            // cancels there in float); the latter takes over before sinh² overflows.
            const float x = yh - y, a = fabsf(x);
            const float sh = sinhf(0.5f * x);
            return {a < 20.f ? log1pf(2.f * sh * sh) : a + log1pf(expf(-2.f * a)) - kLn2, tanhf(x), false};
        }
        default: {  // QUANTILE
            const float q = p.quantile;
            const float g = e > 0.f ? -q : (e < 0.f ? 1.f - q : (e == 0.f ? 0.f : e));
            return {q * fmaxf(e, 0.f) + (1.f - q) * fmaxf(-e, 0.f) + (e != e ? e : 0.f), g, false};
        }
    }
}

// The gradient shape f(e) of the whole-set kinds; the finish computes the coefficient.
__device__ __forceinline__ float whole_set_slope(vantage_regression_loss kind, float y, float yh, float eps) {
    const float e = y - yh;
    switch (kind) {
        case VANTAGE_RAE: return -sign_of(e);
        case VANTAGE_RSE: return -2.f * e;
        case VANTAGE_RMSLE: return log_diff(y, yh, eps).slope;
        default: return -e;  // RMSE, NRMSE, RRMSE
    }
}

// Statistics of the whole-set kinds, in workspace doubles.
enum Stat { kCount, kSumY, kSumE2, kSumAbsE, kSumY2, kSumLog2, kCenteredAbs, kCenteredSq, kRange, kCoef, kStats };

struct RegressionWorkspace {
    double* partials;
    double* stats;
    explicit RegressionWorkspace(Carver& c) {
        partials = c.take<double>(sum_partials_size(6));
        stats = c.take<double>(kStats);
    }
};

// Loss value, gradient coefficient and flags of a whole-set kind from its statistics.
__device__ void finish_whole_set(vantage_regression_loss kind, vantage_nrmse_normalizer normalizer, double eps,
                                 double grad_scale, double* st, double* result) {
    const double n = st[kCount];
    double value = 0, coef = 0;
    bool guarded = false;
    // max(d, ε): the guard fires below ε (a NaN d stays NaN).
    auto guard = [&](double d) {
        if (d < eps) {
            guarded = true;
            return eps;
        }
        return d;
    };
    if (n > 0) {
        const double rmse = sqrt(st[kSumE2] / n);
        switch (kind) {
            case VANTAGE_RAE: {
                const double d = guard(st[kCenteredAbs]);
                value = st[kSumAbsE] / d;
                coef = grad_scale / d;
                break;
            }
            case VANTAGE_RSE: {
                const double d = guard(st[kCenteredSq]);
                value = st[kSumE2] / d;
                coef = grad_scale / d;
                break;
            }
            case VANTAGE_RMSE:
                value = rmse;
                coef = rmse > 0 ? grad_scale / (n * rmse) : 0;
                break;
            case VANTAGE_RMSLE:
                value = sqrt(st[kSumLog2] / n);
                coef = value > 0 ? grad_scale / (n * value) : 0;
                break;
            case VANTAGE_NRMSE: {
                const double kappa = normalizer == VANTAGE_NRMSE_MEAN ? fabs(st[kSumY] / n)
                                     : normalizer == VANTAGE_NRMSE_RANGE ? st[kRange]
                                                                         : sqrt(st[kCenteredSq] / n);
                const double d = guard(kappa);
                value = rmse / d;
                coef = rmse > 0 ? grad_scale / (n * rmse * d) : 0;
                break;
            }
            default: {  // RRMSE
                const double d = guard(st[kSumY2]);
                value = sqrt(st[kSumE2] / d);
                coef = value > 0 ? grad_scale / (d * value) : 0;
                break;
            }
        }
    }
    st[kCoef] = coef;
    result[VANTAGE_LOSS_VALUE] = value;
    result[VANTAGE_LOSS_COUNT] = n;
    result[VANTAGE_LOSS_DEGENERATE] = (n == 0 || guarded) ? 1.0 : 0.0;
}

int regression_whole_set(vantage_regression_loss kind, const float* y, const float* yh, const uint8_t* mask,
                         float* grad, int64_t n, double eps, vantage_nrmse_normalizer normalizer, double grad_scale,
                         double* result, const RegressionWorkspace& ws, cudaStream_t stream) {
    double* st = ws.stats;
    const float eps_f = (float)eps;
    int rc = reduce_then<6>(
        n,
        [=] __device__(int64_t i, float(&acc)[6]) {
            if (!valid(mask, i)) return;
            const float e = y[i] - yh[i];
            acc[0] += 1.f;
            acc[1] += y[i];
            acc[2] += e * e;
            acc[3] += fabsf(e);
            acc[4] += y[i] * y[i];
            const float l = log_diff(y[i], yh[i], eps_f).diff;
            acc[5] += l * l;
        },
        [=] __device__(const double(&t)[6]) {
            for (int k = 0; k < 6; k++) st[k] = t[k];
        },
        ws.partials, stream);
    if (rc != VANTAGE_OK) return rc;
    const bool centered = kind == VANTAGE_RAE || kind == VANTAGE_RSE || (kind == VANTAGE_NRMSE && normalizer == VANTAGE_NRMSE_STD);
    if (centered) {
        rc = reduce_then<2>(
            n,
            [=] __device__(int64_t i, float(&acc)[2]) {
                if (!valid(mask, i)) return;
                const float mean = st[kCount] > 0 ? (float)(st[kSumY] / st[kCount]) : 0.f;
                const float d = y[i] - mean;
                acc[0] += fabsf(d);
                acc[1] += d * d;
            },
            [=] __device__(const double(&t)[2]) {
                st[kCenteredAbs] = t[0];
                st[kCenteredSq] = t[1];
            },
            ws.partials, stream);
        if (rc != VANTAGE_OK) return rc;
    }
    if (kind == VANTAGE_NRMSE && normalizer == VANTAGE_NRMSE_RANGE) {
        rc = reduce_then<2, Max>(
            n,
            [=] __device__(int64_t i, float(&acc)[2]) {
                if (!valid(mask, i)) return;
                acc[0] = fmaxf(acc[0], y[i]);
                acc[1] = fmaxf(acc[1], -y[i]);
            },
            [=] __device__(const double(&t)[2]) { st[kRange] = st[kCount] > 0 ? t[0] + t[1] : 0.0; },
            ws.partials, stream);
        if (rc != VANTAGE_OK) return rc;
    }
    rc = launch_each(1, [=] __device__(int64_t) { finish_whole_set(kind, normalizer, eps, grad_scale, st, result); },
                     stream);
    if (rc != VANTAGE_OK || grad == nullptr) return rc;
    return launch_each(n, [=] __device__(int64_t i) {
        grad[i] = valid(mask, i) ? (float)st[kCoef] * whole_set_slope(kind, y[i], yh[i], eps_f) : 0.f;
    }, stream);
}

int regression_elementwise(const RegressionParams& p, const float* y, const float* yh, const uint8_t* mask, float* loss,
                           float* grad, int64_t n, vantage_reduction reduction, double grad_scale, double* result,
                           const RegressionWorkspace& ws, cudaStream_t stream) {
    double* st = ws.stats;
    const bool mean = reduction == VANTAGE_REDUCTION_MEAN;
    // A mean's gradient needs the valid count first: from the sizes, or from a pass over the mask.
    const bool count_pass = mean && grad != nullptr && mask != nullptr;
    const float coef_host = (float)(mean ? (n > 0 ? grad_scale / (double)n : 0.0) : grad_scale);
    if (count_pass) {
        int rc = reduce_then<1>(
            n, [=] __device__(int64_t i, float(&acc)[1]) { acc[0] += valid(mask, i) ? 1.f : 0.f; },
            [=] __device__(const double(&t)[1]) { st[kCoef] = t[0] > 0 ? grad_scale / t[0] : 0.0; }, ws.partials,
            stream);
        if (rc != VANTAGE_OK) return rc;
    }
    return reduce_then<3>(
        n,
        [=] __device__(int64_t i, float(&acc)[3]) {
            const bool ok = valid(mask, i);
            const ElementLoss l = ok ? element_loss(p, y[i], yh[i]) : ElementLoss{0.f, 0.f, false};
            if (loss != nullptr) loss[i] = l.loss;
            if (grad != nullptr) grad[i] = (count_pass ? (float)st[kCoef] : coef_host) * l.grad;
            if (!ok) return;
            acc[0] += l.loss;
            acc[1] += 1.f;
            acc[2] += l.guarded ? 1.f : 0.f;
        },
        [=] __device__(const double(&t)[3]) {
            result[VANTAGE_LOSS_VALUE] = mean ? (t[1] > 0 ? t[0] / t[1] : 0.0) : t[0];
            result[VANTAGE_LOSS_COUNT] = t[1];
            result[VANTAGE_LOSS_DEGENERATE] = (t[1] == 0 || t[2] > 0) ? 1.0 : 0.0;
        },
        ws.partials, stream);
}

}  // namespace
}  // namespace vantage

using namespace vantage;

extern "C" {

size_t vantage_comp_sum_workspace_size(int64_t rows, int64_t classes) {
    (void)classes;
    Carver c{nullptr};
    if (rows >= 0) CompSumWorkspace(c, rows);
    return c.used;
}

int vantage_comp_sum(const void* logits, vantage_dtype logits_dtype, const int32_t* labels, float* loss,
                     void* grad_logits, vantage_dtype grad_dtype, int64_t rows, int64_t classes, double tau,
                     int32_t ignore_index, double label_smoothing, vantage_reduction reduction, double grad_scale,
                     double* result, int32_t* status, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(rows >= 0 && classes >= 1 && tau >= 0 && tau < INFINITY);
    VANTAGE_REQUIRE(label_smoothing >= 0 && label_smoothing < 1 && grad_scale > -INFINITY && grad_scale < INFINITY);
    VANTAGE_REQUIRE(reduction >= VANTAGE_REDUCTION_NONE && reduction <= VANTAGE_REDUCTION_MEAN);
    VANTAGE_REQUIRE(result != nullptr && status != nullptr && ((logits && labels) || rows == 0));
    if (!is_floating(logits_dtype) || (grad_logits != nullptr && !is_floating(grad_dtype)))
        return VANTAGE_ERROR_UNSUPPORTED_DTYPE;
    VANTAGE_REQUIRE(grad_logits != logits || grad_dtype == logits_dtype || rows == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_comp_sum_workspace_size(rows, classes));
    Carver carver{static_cast<char*>(workspace)};
    const CompSumWorkspace ws(carver, rows);
    int rc = launch_check_labels(labels, rows, classes, ignore_index, status, ws.counted, stream);
    if (rc != VANTAGE_OK) return rc;
    const CompSum c{(float)(tau - 1), (float)label_smoothing, (float)(label_smoothing / (double)classes), ignore_index,
                    reduction == VANTAGE_REDUCTION_MEAN, grad_scale, ws.counted};
    rc = with_float_type(logits_dtype, [&](auto in) {
        using TIn = decltype(in);
        // Without a gradient the output type is moot: instantiate the same-type kernel.
        return with_float_type(grad_logits != nullptr ? grad_dtype : logits_dtype, [&](auto out) {
            using TOut = decltype(out);
            return launch_rows(rows, classes, [&](auto warp, unsigned grid, int threads) {
                comp_sum_kernel<TIn, TOut, decltype(warp)::value><<<grid, threads, 0, stream>>>(
                    static_cast<const TIn*>(logits), labels, loss, ws.row_loss, static_cast<TOut*>(grad_logits), rows,
                    classes, c, status);
            });
        });
    });
    if (rc != VANTAGE_OK) return rc;
    const float* row_loss = ws.row_loss;
    const unsigned long long* counted = ws.counted;
    const bool mean = reduction == VANTAGE_REDUCTION_MEAN;
    const int32_t* flags = status;
    return reduce_then<1>(
        rows, [=] __device__(int64_t i, float(&acc)[1]) { acc[0] += row_loss[i]; },
        [=] __device__(const double(&t)[1]) {
            if (*flags != 0) return;  // bad labels: nothing is written
            const double count = (double)*counted;
            result[VANTAGE_LOSS_VALUE] = mean ? (count > 0 ? t[0] / count : 0.0) : t[0];
            result[VANTAGE_LOSS_COUNT] = count;
            result[VANTAGE_LOSS_DEGENERATE] = count == 0 ? 1.0 : 0.0;
        },
        ws.partials, stream);
}

size_t vantage_regression_workspace_size(int64_t n) {
    (void)n;  // a fixed number of partial sums, whatever n
    Carver c{nullptr};
    RegressionWorkspace ws(c);
    return c.used;
}

int vantage_regression(vantage_regression_loss kind, const float* target, const float* prediction, const uint8_t* mask,
                       float* loss, float* grad_prediction, int64_t n, vantage_reduction reduction, double delta,
                       double quantile, double epsilon, vantage_nrmse_normalizer normalizer, double grad_scale,
                       double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(kind >= VANTAGE_MAE && kind <= VANTAGE_QUANTILE && n >= 0 && result != nullptr);
    VANTAGE_REQUIRE(reduction >= VANTAGE_REDUCTION_NONE && reduction <= VANTAGE_REDUCTION_MEAN);
    VANTAGE_REQUIRE(normalizer >= VANTAGE_NRMSE_MEAN && normalizer <= VANTAGE_NRMSE_STD);
    VANTAGE_REQUIRE(delta > 0 && delta < INFINITY && quantile > 0 && quantile < 1 && epsilon > 0 && epsilon < INFINITY);
    VANTAGE_REQUIRE(grad_scale > -INFINITY && grad_scale < INFINITY);
    VANTAGE_REQUIRE((target && prediction) || n == 0);
    VANTAGE_REQUIRE(elementwise(kind) || (reduction == VANTAGE_REDUCTION_MEAN && loss == nullptr));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_regression_workspace_size(n));
    Carver c{static_cast<char*>(workspace)};
    const RegressionWorkspace ws(c);
    if (!elementwise(kind))
        return regression_whole_set(kind, target, prediction, mask, grad_prediction, n, epsilon, normalizer, grad_scale,
                                    result, ws, stream);
    const RegressionParams p{kind, (float)delta, (float)quantile, (float)epsilon};
    return regression_elementwise(p, target, prediction, mask, loss, grad_prediction, n, reduction, grad_scale, result,
                                  ws, stream);
}

}  // extern "C"
