// Family 1: token log-prob ratios (dev.vantage.kernels.logprob.LogProbKernels).
//
// forward/backward: one read of the logits per call, a warp per row for rows up to kWarpRowMax
// elements (several rows a block), a block per row above. The token kernels over [B, T] work on
// tiles (one row, up to kTileTokens tokens) so that a few long rows fill the GPU as well as many
// short ones; cross-tile sums go through the workspace in a fixed order.
#include "common.cuh"
#include "tokens.cuh"

namespace vantage {
namespace {

// ---- forward -----------------------------------------------------------------------------------

template <bool kWarp, typename T>
__device__ __forceinline__ RowStats row_softmax(const T* row, int64_t n, int tid, int size, float scale2) {
    Softmax st;
    read_row(
        row, n, tid, size, [&](int64_t, float z) { st.add(z, scale2); },
        [&](int64_t, const float(&z)[Vec<T>::N]) { st.add(z, scale2); });
    return kWarp ? softmax_reduce_warp(st, scale2) : softmax_reduce_block(st, scale2);
}

template <typename T, bool kWarp>
__global__ void __launch_bounds__(kWarp ? kWarpRowThreads : kRowThreads)
    logprob_forward_kernel(const T* logits, const int32_t* labels, float* logp, float* entropy, float* lse,
                           int64_t rows, int64_t vocab, float inv_t, int32_t ignore_index, const int32_t* status) {
    if (*status != 0) return;
    const float scale2 = inv_t * kLog2e;
    const RowGroup<kWarp> g;
    for (int64_t r = g.first; r < rows; r += g.stride) {
        const T* row = logits + r * vocab;
        const int64_t y = label_index(labels[r], vocab, ignore_index);
        // Issued before the scan of the row, so that the scan hides its latency.
        const float zy = (g.tid == 0 && y >= 0) ? to_float(row[y]) : 0.f;
        const RowStats rs = row_softmax<kWarp>(row, vocab, g.tid, g.size, scale2);
        if (g.tid == 0) {
            logp[r] = y >= 0 ? rs.logp(zy, inv_t) : 0.f;
            if (entropy != nullptr) entropy[r] = rs.entropy;
            if (lse != nullptr) lse[r] = rs.lse(inv_t);
        }
    }
}

// ---- backward ----------------------------------------------------------------------------------

template <typename TIn, typename TOut, bool kWarp>
__global__ void __launch_bounds__(kWarp ? kWarpRowThreads : kRowThreads)
    logprob_backward_kernel(const TIn* logits, const int32_t* labels, const float* lse, const float* entropy,
                            const float* grad_logp, const float* grad_entropy, TOut* grad, int64_t rows,
                            int64_t vocab, float inv_t, int32_t ignore_index, const int32_t* status) {
    if (*status != 0) return;
    const RowGroup<kWarp> g;
    for (int64_t r = g.first; r < rows; r += g.stride) {
        const int64_t y = label_index(labels[r], vocab, ignore_index);
        const float c_lp = (y >= 0 && grad_logp != nullptr) ? grad_logp[r] * inv_t : 0.f;
        const float c_h = grad_entropy != nullptr ? grad_entropy[r] * inv_t : 0.f;
        const float h = grad_entropy != nullptr ? entropy[r] : 0.f;
        const float a = inv_t * kLog2e, b = -lse[r] * kLog2e;
        // p = 2^u with u = log2 p; p == 0 (a -inf logit) skips the entropy term, where p·log p is
        // 0 although 0·(-inf) is NaN. The label term is formed in fp32 before any rounding.
        map_row(logits + r * vocab, grad + r * vocab, vocab, g.tid, g.size, [&](int64_t j, float z) {
            const float u = fmaf(z, a, b);
            const float p = exp2f(u);
            const float entropy_term = p == 0.f ? 0.f : c_h * p * fmaf(u, kLn2, h);
            return c_lp * ((j == y ? 1.f : 0.f) - p) - entropy_term;
        });
    }
}

// ---- token kernels over [B, T] -----------------------------------------------------------------

struct PpoToken {
    const float *logp, *old_logp, *advantages;
    const uint8_t* mask;
    float* grad;
    float low, high, dual, clamp;  // ratio bounds 1 - εlow, 1 + εhigh, dual clip c, log-ratio clamp

    // acc: tokens, loss, clipped, dual-clipped, old - logp
    __device__ __forceinline__ void operator()(int64_t i, float weight, float (&acc)[5]) const {
        if (!valid(mask, i)) {
            if (grad != nullptr) grad[i] = 0.f;
            return;
        }
        const float lp = logp[i], old = old_logp[i], A = advantages[i];
        const float log_ratio = lp - old;
        const float rho = expf(clamp_keep_nan(log_ratio, -clamp, clamp));
        const float l1 = -A * rho;
        const float l2 = -A * clamp_keep_nan(rho, low, high);
        const float lc = max_nan(l1, l2);
        const float dual_bound = -A * dual;
        const float l = A < 0.f ? min_nan(lc, dual_bound) : lc;
        acc[0] += 1.f;
        acc[1] += l;
        acc[2] += l2 > l1 ? 1.f : 0.f;
        acc[3] += (A < 0.f && lc > dual_bound) ? 1.f : 0.f;
        acc[4] += old - lp;
        if (grad != nullptr) {
            const bool unclipped = (A >= 0.f && rho <= high) || (A < 0.f && rho >= low && rho <= dual);
            const bool clamped = fabsf(log_ratio) > clamp;
            const float dl = l != l ? NAN : (unclipped && !clamped ? -A * rho : 0.f);
            grad[i] = dl * weight;
        }
    }
};

struct AggregateToken {
    const float* values;
    const uint8_t* mask;
    __device__ __forceinline__ void operator()(int64_t i, float, float (&acc)[2]) const {
        if (valid(mask, i)) {
            acc[0] += 1.f;
            acc[1] += values[i];
        }
    }
};

struct AggregateGradToken {
    const uint8_t* mask;
    float* grad;
    float grad_loss;
    __device__ __forceinline__ void operator()(int64_t i, float weight, float (&)[1]) const {
        grad[i] = valid(mask, i) ? grad_loss * weight : 0.f;
    }
};

__global__ void __launch_bounds__(kRowThreads)
    sequence_sum_kernel(const float* values, const uint8_t* mask, float* sums, int64_t batch, int64_t time) {
    for (int64_t b = blockIdx.x; b < batch; b += gridDim.x) {
        float s[1] = {0.f};
        for (int64_t t = threadIdx.x; t < time; t += blockDim.x) {
            const int64_t i = b * time + t;
            if (valid(mask, i)) s[0] += values[i];
        }
        block_sum<float, 1>(s);
        if (threadIdx.x == 0) sums[b] = s[0];
    }
}

struct KlValue {
    float value, grad;
};

// expm1(u) - u without the cancellation of the two terms for small |u| (series to u^5).
__device__ __forceinline__ float expm1_minus_identity(float u) {
    if (fabsf(u) < 0.1f) return 0.5f * u * u * (1.f + u * (1.f / 3.f + u * (1.f / 12.f + u * (1.f / 60.f))));
    return expm1f(u) - u;
}

__device__ __forceinline__ KlValue kl_estimate(float lp, float ref, vantage_kl_estimator estimator, bool verl_clamp) {
    const float delta = lp - ref;
    switch (estimator) {
        case VANTAGE_KL_K1: return {delta, 1.f};
        case VANTAGE_KL_K2: return {0.5f * delta * delta, delta};
        default: break;
    }
    float u = -delta;  // ref - logp
    bool clamped = false;
    if (verl_clamp && (u > 20.f || u < -20.f)) {
        u = u > 0.f ? 20.f : -20.f;
        clamped = true;
    }
    float value = expm1_minus_identity(u);
    if (verl_clamp && value > 10.f) {  // the value is >= 0, so only the upper clamp can act
        value = 10.f;
        clamped = true;
    }
    const float grad = estimator == VANTAGE_KL_K3_PLUS ? delta : (clamped ? 0.f : -expm1f(u));
    return {value, grad};
}

}  // namespace
}  // namespace vantage

using namespace vantage;

extern "C" {

int vantage_logprob_forward(const void* logits, vantage_dtype logits_dtype, const int32_t* labels, float* logp,
                            float* entropy, float* lse, int64_t rows, int64_t vocab, double temperature,
                            int32_t ignore_index, int32_t* status, cudaStream_t stream) {
    VANTAGE_REQUIRE(rows >= 0 && vocab >= 1 && temperature > 0 && temperature < INFINITY);
    VANTAGE_REQUIRE((logits && labels && logp) || rows == 0);
    VANTAGE_REQUIRE(status != nullptr);
    if (!is_floating(logits_dtype)) return VANTAGE_ERROR_UNSUPPORTED_DTYPE;
    int rc = launch_check_labels(labels, rows, vocab, ignore_index, status, nullptr, stream);
    if (rc != VANTAGE_OK) return rc;
    const float inv_t = (float)(1.0 / temperature);
    return with_float_type(logits_dtype, [&](auto in) {
        using T = decltype(in);
        return launch_rows(rows, vocab, [&](auto warp, unsigned grid, int threads) {
            logprob_forward_kernel<T, decltype(warp)::value><<<grid, threads, 0, stream>>>(
                static_cast<const T*>(logits), labels, logp, entropy, lse, rows, vocab, inv_t, ignore_index, status);
        });
    });
}

int vantage_logprob_backward(const void* logits, vantage_dtype logits_dtype, const int32_t* labels, const float* lse,
                             const float* entropy, const float* grad_logp, const float* grad_entropy,
                             void* grad_logits, vantage_dtype grad_dtype, int64_t rows, int64_t vocab,
                             double temperature, int32_t ignore_index, int32_t* status, cudaStream_t stream) {
    VANTAGE_REQUIRE(rows >= 0 && vocab >= 1 && temperature > 0 && temperature < INFINITY);
    VANTAGE_REQUIRE((logits && labels && lse && grad_logits) || rows == 0);
    VANTAGE_REQUIRE(grad_entropy == nullptr || entropy != nullptr || rows == 0);
    VANTAGE_REQUIRE(status != nullptr);
    if (!is_floating(logits_dtype) || !is_floating(grad_dtype)) return VANTAGE_ERROR_UNSUPPORTED_DTYPE;
    VANTAGE_REQUIRE(grad_logits != logits || grad_dtype == logits_dtype || rows == 0);
    int rc = launch_check_labels(labels, rows, vocab, ignore_index, status, nullptr, stream);
    if (rc != VANTAGE_OK) return rc;
    const float inv_t = (float)(1.0 / temperature);
    return with_float_type(logits_dtype, [&](auto in) {
        using TIn = decltype(in);
        return with_float_type(grad_dtype, [&](auto out) {
            using TOut = decltype(out);
            return launch_rows(rows, vocab, [&](auto warp, unsigned grid, int threads) {
                logprob_backward_kernel<TIn, TOut, decltype(warp)::value><<<grid, threads, 0, stream>>>(
                    static_cast<const TIn*>(logits), labels, lse, entropy, grad_logp, grad_entropy,
                    static_cast<TOut*>(grad_logits), rows, vocab, inv_t, ignore_index, status);
            });
        });
    });
}

int vantage_ratio(const float* logp, const float* old_logp, const uint8_t* mask, float* ratio, float* grad_ratio,
                  int64_t n, double log_ratio_clamp, cudaStream_t stream) {
    VANTAGE_REQUIRE(n >= 0 && log_ratio_clamp > 0);
    VANTAGE_REQUIRE((logp && old_logp && ratio) || n == 0);
    const float c = (float)log_ratio_clamp;
    return launch_each(n, [=] __device__(int64_t i) {
        const bool ok = valid(mask, i);
        const float log_ratio = logp[i] - old_logp[i];
        const float rho = expf(clamp_keep_nan(log_ratio, -c, c));
        ratio[i] = ok ? rho : 0.f;
        if (grad_ratio != nullptr) grad_ratio[i] = ok && !(fabsf(log_ratio) > c) ? rho : 0.f;
    }, stream);
}

size_t vantage_ppo_loss_workspace_size(int64_t batch, int64_t time) {
    return token_workspace<5>(nullptr, batch, time).used;
}

int vantage_ppo_loss(const float* logp, const float* old_logp, const float* advantages, const uint8_t* mask,
                     float* grad_logp, int64_t batch, int64_t time, double clip_low, double clip_high,
                     double dual_clip, double log_ratio_clamp, vantage_aggregation aggregation, double normalizer,
                     double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && result != nullptr);
    VANTAGE_REQUIRE((logp && old_logp && advantages) || batch * time == 0);
    VANTAGE_REQUIRE(clip_low >= 0 && clip_low < 1 && clip_high >= 0 && clip_high < INFINITY);
    VANTAGE_REQUIRE(dual_clip > 1 && log_ratio_clamp > 0 && valid_aggregation(aggregation));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_ppo_loss_workspace_size(batch, time));
    const PpoToken token{logp, old_logp, advantages, mask, grad_logp, (float)(1 - clip_low), (float)(1 + clip_high),
                         (float)dual_clip, (float)log_ratio_clamp};
    return aggregate_tokens<5>(batch, time, mask, grad_logp != nullptr, aggregation, normalizer, token, result,
                               workspace, stream);
}

int vantage_kl(const float* logp, const float* ref_logp, const uint8_t* mask, float* kl, float* grad_kl, int64_t n,
               vantage_kl_estimator estimator, int verl_clamp, cudaStream_t stream) {
    VANTAGE_REQUIRE(n >= 0 && estimator >= VANTAGE_KL_K1 && estimator <= VANTAGE_KL_K3_PLUS);
    VANTAGE_REQUIRE((logp && ref_logp && kl) || n == 0);
    const bool clamp = verl_clamp != 0;
    return launch_each(n, [=] __device__(int64_t i) {
        const bool ok = valid(mask, i);
        const KlValue k = kl_estimate(logp[i], ref_logp[i], estimator, clamp);
        kl[i] = ok ? k.value : 0.f;
        if (grad_kl != nullptr) grad_kl[i] = ok ? k.grad : 0.f;
    }, stream);
}

int vantage_implicit_reward(const float* logp, const float* ref_logp, const uint8_t* mask, float* reward, int64_t n,
                            double beta, cudaStream_t stream) {
    VANTAGE_REQUIRE(n >= 0 && beta > -INFINITY && beta < INFINITY);
    VANTAGE_REQUIRE((logp && ref_logp && reward) || n == 0);
    const float b = (float)beta;
    return launch_each(n, [=] __device__(int64_t i) {
        reward[i] = valid(mask, i) ? b * (logp[i] - ref_logp[i]) : 0.f;
    }, stream);
}

int vantage_sequence_sum(const float* values, const uint8_t* mask, float* sums, int64_t batch, int64_t time,
                         cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0);
    VANTAGE_REQUIRE((values && sums) || batch == 0 || (sums && time == 0));
    if (batch == 0) return VANTAGE_OK;
    sequence_sum_kernel<<<grid_for(batch, 1, 1 << 24), kRowThreads, 0, stream>>>(values, mask, sums, batch, time);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

int vantage_sequence_sum_backward(const float* grad_sums, const uint8_t* mask, float* grad_values, int64_t batch,
                                  int64_t time, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0);
    VANTAGE_REQUIRE((grad_sums && grad_values) || batch * time == 0);
    return launch_each(batch * time, [=] __device__(int64_t i) {
        grad_values[i] = valid(mask, i) ? grad_sums[i / time] : 0.f;
    }, stream);
}

size_t vantage_aggregate_workspace_size(int64_t batch, int64_t time) {
    return token_workspace<2>(nullptr, batch, time).used;
}

int vantage_aggregate(const float* values, const uint8_t* mask, int64_t batch, int64_t time,
                      vantage_aggregation aggregation, double normalizer, double* result, void* workspace,
                      size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && result != nullptr && valid_aggregation(aggregation));
    VANTAGE_REQUIRE(values != nullptr || batch * time == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_aggregate_workspace_size(batch, time));
    return aggregate_tokens<2>(batch, time, mask, false, aggregation, normalizer, AggregateToken{values, mask},
                               result, workspace, stream);
}

int vantage_aggregate_backward(const uint8_t* mask, double grad_loss, float* grad_values, int64_t batch,
                               int64_t time, vantage_aggregation aggregation, double normalizer, void* workspace,
                               size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && valid_aggregation(aggregation));
    VANTAGE_REQUIRE(grad_loss > -INFINITY && grad_loss < INFINITY);
    VANTAGE_REQUIRE(grad_values != nullptr || batch * time == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_aggregate_workspace_size(batch, time));
    const TokenWorkspace<2> ws(workspace, batch, time);
    const TokenWeights weights = token_weights(batch, time, mask, aggregation, normalizer, ws, stream);
    if (weights.error != VANTAGE_OK) return weights.error;
    return tile_map(batch, time, weights, AggregateGradToken{mask, grad_values, (float)grad_loss}, stream);
}

}  // extern "C"
