// Per-sequence sums over [B, T] token rows, fused with what a sequence objective does with them.
//
// A unit is one row, or the chosen/rejected pair of rows of DPO. A group (a warp for units of up to
// kSeqWarpTokens tokens, a block otherwise) reads the unit's rows once, 4 tokens a thread at a time
// (16-byte loads where the arrays line up), and sums per row in fp64: S = Σ m·logp, the reference's
// Σ m·ref (or its per-sequence value), the valid tokens, and, for per-token weights, Σ m·w·logp.
// The objective (Obj below) turns the sums into the unit's gradient coefficients and metrics; the
// group then writes each gradient row as coef·m (the second read of the mask hits cache) and
// stores the metrics for a deterministic two-stage sum. Every group computes the same fp64 values
// from the same sums, so no broadcast is needed.
//
// Obj provides: kRows (rows per unit), kValues (metrics per unit), kTokenWeights, `units`,
// row(u, r), token_coef(row) and token_weight(logp, ref) (per-token gradients, written in the
// summing pass), and finish(u, sums, coef, values).
#pragma once

#include "common.cuh"

namespace vantage {

constexpr int kSeqThreads = 256;          // a block per unit
constexpr int64_t kSeqWarpTokens = 1024;  // units of up to this many tokens go to a warp
constexpr int kChunk = 4;                 // tokens a thread loads at once

struct SeqInputs {
    const float* logp;
    const float* ref;  // [B, T] when ref_per_token, else [B]; null: 0
    const uint8_t* mask;
    float* grad;       // null: no gradient
    int64_t time;
    bool ref_per_token;
};

struct RowSums {
    double s;    // Σ m·logp
    double ref;  // Σ m·ref, or ref[b]
    double n;    // valid tokens
    double x;    // Σ m·w·logp (per-token weights only)
};

// Four tokens of a row, as loaded; bit k of `valid` is set for a valid token in range.
struct Chunk {
    float lp[kChunk], rf[kChunk];
    unsigned valid;
};

template <bool kVec>
__device__ __forceinline__ unsigned mask_bits(const uint8_t* mask, int64_t i, int n) {
    const unsigned in_range = (1u << n) - 1;
    if (mask == nullptr) return in_range;
    unsigned bits = 0;
    if (kVec) {
        const uint32_t w = *reinterpret_cast<const uint32_t*>(mask + i);
#pragma unroll
        for (int k = 0; k < kChunk; k++) bits |= ((w >> (8 * k)) & 0xffu) ? 1u << k : 0u;
        return bits;
    }
#pragma unroll
    for (int k = 0; k < kChunk; k++) bits |= (k < n && mask[i + k] != 0) ? 1u << k : 0u;
    return bits;
}

// Tokens left in chunk c of a row (kVec launches have time % kChunk == 0).
__device__ __forceinline__ int chunk_tokens(int64_t time, int64_t c) {
    const int64_t left = time - c * kChunk;
    return left < kChunk ? (int)left : kChunk;
}

template <bool kVec>
__device__ __forceinline__ Chunk load_chunk(const SeqInputs& in, int64_t row, int64_t c) {
    const int64_t i = row * in.time + c * kChunk;
    const int n = chunk_tokens(in.time, c);
    Chunk ch;
    ch.valid = mask_bits<kVec>(in.mask, i, n);
    if (kVec) {
        const float4 a = __ldcs(reinterpret_cast<const float4*>(in.logp + i));
        const float4 b = in.ref_per_token ? __ldcs(reinterpret_cast<const float4*>(in.ref + i)) : make_float4(0.f, 0.f, 0.f, 0.f);
        ch.lp[0] = a.x, ch.lp[1] = a.y, ch.lp[2] = a.z, ch.lp[3] = a.w;
        ch.rf[0] = b.x, ch.rf[1] = b.y, ch.rf[2] = b.z, ch.rf[3] = b.w;
        return ch;
    }
#pragma unroll
    for (int k = 0; k < kChunk; k++) {
        ch.lp[k] = k < n ? in.logp[i + k] : 0.f;
        ch.rf[k] = (k < n && in.ref_per_token) ? in.ref[i + k] : 0.f;
    }
    return ch;
}

template <bool kVec>
__device__ __forceinline__ void store_chunk(float* grad, int64_t time, int64_t row, int64_t c, const float (&g)[kChunk]) {
    const int64_t i = row * time + c * kChunk;
    if (kVec) {
        __stcs(reinterpret_cast<float4*>(grad + i), make_float4(g[0], g[1], g[2], g[3]));
        return;
    }
    const int n = chunk_tokens(time, c);
#pragma unroll
    for (int k = 0; k < kChunk; k++)
        if (k < n) grad[i + k] = g[k];
}

// Sums of the group (every thread gets them).
template <bool kWarp, int K>
__device__ __forceinline__ void group_sum(double (&v)[K]) {
    if constexpr (kWarp) {
#pragma unroll
        for (int k = 0; k < K; k++) v[k] = warp_sum(v[k]);
    } else {
        block_sum<double, K>(v);
    }
}

// Adds a chunk of row r to its sums (acc[A·r ...]); with per-token weights, writes its gradient.
template <typename Obj, bool kVec, int A, int K>
__device__ __forceinline__ void add_chunk(const Obj& obj, const SeqInputs& in, int r, int64_t row, int64_t c,
                                          const Chunk& ch, float token_coef, double (&acc)[K]) {
    float g[kChunk];
#pragma unroll
    for (int k = 0; k < kChunk; k++) {
        const bool ok = (ch.valid >> k) & 1u;
        acc[A * r] += ok ? (double)ch.lp[k] : 0.0;
        acc[A * r + 1] += ok ? (double)ch.rf[k] : 0.0;
        acc[A * r + 2] += ok ? 1.0 : 0.0;
        if constexpr (Obj::kTokenWeights) {
            const float w = obj.token_weight(ch.lp[k], ch.rf[k]);
            acc[A * r + 3] += ok ? (double)w * ch.lp[k] : 0.0;
            g[k] = ok ? token_coef * w : 0.f;
        }
    }
    if constexpr (Obj::kTokenWeights) {
        if (in.grad != nullptr) store_chunk<kVec>(in.grad, in.time, row, c, g);
    }
}

template <bool kVec>
__device__ __forceinline__ void write_gradient_row(const SeqInputs& in, int64_t row, float coef, int tid, int size) {
    const int64_t chunks = ceil_div(in.time, kChunk);
    for (int64_t c = tid; c < chunks; c += size) {
        const unsigned bits = mask_bits<kVec>(in.mask, row * in.time + c * kChunk, chunk_tokens(in.time, c));
        float g[kChunk];
#pragma unroll
        for (int k = 0; k < kChunk; k++) g[k] = (bits >> k) & 1u ? coef : 0.f;
        store_chunk<kVec>(in.grad, in.time, row, c, g);
    }
}

template <typename Obj, bool kWarp, bool kVec>
__global__ void __launch_bounds__(kWarp ? kWarpRowThreads : kSeqThreads)
    sequence_kernel(Obj obj, SeqInputs in, double* unit_values) {
    constexpr int R = Obj::kRows;
    constexpr int A = Obj::kTokenWeights ? 4 : 3;  // sums per row
    const RowGroup<kWarp> g;
    const int64_t chunks = ceil_div(in.time, kChunk);
    for (int64_t u = g.first; u < obj.units; u += g.stride) {
        int64_t rows[R];
        float token_coef[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            rows[r] = obj.row(u, r);
            token_coef[r] = obj.token_coef(rows[r]);
        }
        double acc[A * R] = {};
        // Two chunks of every row in flight per thread.
        int64_t c = g.tid;
        for (; c + g.size < chunks; c += 2 * g.size) {
            Chunk a[R], b[R];
#pragma unroll
            for (int r = 0; r < R; r++) {
                a[r] = load_chunk<kVec>(in, rows[r], c);
                b[r] = load_chunk<kVec>(in, rows[r], c + g.size);
            }
#pragma unroll
            for (int r = 0; r < R; r++) {
                add_chunk<Obj, kVec, A>(obj, in, r, rows[r], c, a[r], token_coef[r], acc);
                add_chunk<Obj, kVec, A>(obj, in, r, rows[r], c + g.size, b[r], token_coef[r], acc);
            }
        }
        if (c < chunks) {
#pragma unroll
            for (int r = 0; r < R; r++)
                add_chunk<Obj, kVec, A>(obj, in, r, rows[r], c, load_chunk<kVec>(in, rows[r], c), token_coef[r], acc);
        }
        group_sum<kWarp>(acc);
        RowSums sums[R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            const double ref = in.ref_per_token ? acc[A * r + 1] : (in.ref != nullptr ? (double)in.ref[rows[r]] : 0.0);
            sums[r] = {acc[A * r], ref, acc[A * r + 2], 0.0};
            if constexpr (Obj::kTokenWeights) sums[r].x = acc[A * r + 3];
        }
        float coef[R];
        double values[Obj::kValues];
        obj.finish(u, sums, coef, values);
        if (!Obj::kTokenWeights && in.grad != nullptr) {
#pragma unroll
            for (int r = 0; r < R; r++) write_gradient_row<kVec>(in, rows[r], coef[r], g.tid, g.size);
        }
        if (g.tid == 0) {
#pragma unroll
            for (int k = 0; k < Obj::kValues; k++) unit_values[u * Obj::kValues + k] = values[k];
        }
    }
}

inline bool aligned_to(const void* p, uintptr_t bytes) { return (reinterpret_cast<uintptr_t>(p) & (bytes - 1)) == 0; }

// One launch over obj.units units, with 16-byte accesses where every row of every array lines up.
template <typename Obj>
int launch_sequence(const Obj& obj, const SeqInputs& in, double* unit_values, cudaStream_t stream) {
    if (obj.units == 0) return VANTAGE_OK;
    const bool vec = in.time % kChunk == 0 && aligned_to(in.logp, 16) && (!in.ref_per_token || aligned_to(in.ref, 16)) &&
                     aligned_to(in.mask, 4) && aligned_to(in.grad, 16);
    const bool warp = Obj::kRows * in.time <= kSeqWarpTokens;
    const unsigned grid = warp ? grid_for(obj.units, kWarpRowThreads / 32, 1 << 24) : grid_for(obj.units, 1, 1 << 24);
    const int threads = warp ? kWarpRowThreads : kSeqThreads;
    if (warp && vec) sequence_kernel<Obj, true, true><<<grid, threads, 0, stream>>>(obj, in, unit_values);
    else if (warp) sequence_kernel<Obj, true, false><<<grid, threads, 0, stream>>>(obj, in, unit_values);
    else if (vec) sequence_kernel<Obj, false, true><<<grid, threads, 0, stream>>>(obj, in, unit_values);
    else sequence_kernel<Obj, false, false><<<grid, threads, 0, stream>>>(obj, in, unit_values);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

// Per-unit metrics and the partial sums of their batch totals.
struct SequenceWorkspace {
    double* unit_values;
    double* partials;
    size_t used;
    SequenceWorkspace(void* base, int64_t units, int values) {
        Carver c{static_cast<char*>(base)};
        unit_values = c.take<double>(units * values);
        partials = c.take<double>(sum_partials_size(values));
        used = c.used;
    }
};

// The sequence pass, then the fp64 totals of the K metrics over units, handed to finish(totals).
template <typename Obj, typename Finish>
int run_sequence(const Obj& obj, const SeqInputs& in, Finish finish, void* workspace, cudaStream_t stream) {
    constexpr int K = Obj::kValues;
    const SequenceWorkspace ws(workspace, obj.units, K);
    int rc = launch_sequence(obj, in, ws.unit_values, stream);
    if (rc != VANTAGE_OK) return rc;
    const double* values = ws.unit_values;
    return reduce_then<K, Sum, double>(
        obj.units,
        [=] __device__(int64_t u, double(&acc)[K]) {
#pragma unroll
            for (int k = 0; k < K; k++) acc[k] += values[u * K + k];
        },
        finish, ws.partials, stream);
}

// A unit of one row without per-token weights (the defaults of Obj's interface).
struct OneRow {
    static constexpr int kRows = 1;
    static constexpr bool kTokenWeights = false;
    int64_t units;
    __device__ int64_t row(int64_t u, int) const { return u; }
    __device__ float token_coef(int64_t) const { return 0.f; }
    __device__ float token_weight(float, float) const { return 0.f; }
};

}  // namespace vantage
