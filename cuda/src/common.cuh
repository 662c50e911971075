// Shared device code: dtype conversions, 16-byte vector loads, warp and block reductions, the
// online-softmax state, deterministic two-stage sums, and launcher plumbing.
#pragma once

#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <math.h>
#include <type_traits>
#include <stdint.h>

#include "vantage.h"

namespace vantage {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
constexpr unsigned kFullMask = 0xffffffffu;

__host__ __device__ inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ---- launcher plumbing ---------------------------------------------------------------------

// Returns from the launcher with the error of the launch just made, if any.
#define VANTAGE_LAUNCHED()                                   \
    do {                                                     \
        cudaError_t launch_error_ = cudaGetLastError();      \
        if (launch_error_ != cudaSuccess) return (int)launch_error_; \
    } while (0)

#define VANTAGE_CUDA(call)                                   \
    do {                                                     \
        cudaError_t call_error_ = (call);                    \
        if (call_error_ != cudaSuccess) return (int)call_error_; \
    } while (0)

#define VANTAGE_REQUIRE(condition)                                         \
    do {                                                                   \
        if (!(condition)) return VANTAGE_ERROR_INVALID_ARGUMENT;           \
    } while (0)

// Grid for a grid-stride loop over `work` items, `per_block` items a block: never 0 blocks, never
// more than the x limit.
inline unsigned grid_for(int64_t work, int64_t per_block, int64_t max_blocks = (1u << 31) - 1) {
    int64_t blocks = ceil_div(work, per_block);
    if (blocks < 1) blocks = 1;
    if (blocks > max_blocks) blocks = max_blocks;
    return (unsigned)blocks;
}

// Returns from the launcher unless the caller's workspace holds `needed` bytes.
#define VANTAGE_WORKSPACE(workspace, bytes, needed)                                          \
    do {                                                                                    \
        const size_t needed_ = (needed);                                                    \
        if ((bytes) < needed_) return VANTAGE_ERROR_WORKSPACE_TOO_SMALL;                     \
        if (needed_ > 0 && (workspace) == nullptr) return VANTAGE_ERROR_INVALID_ARGUMENT;    \
    } while (0)

// Carves aligned pieces out of a caller's workspace; with base == nullptr it only measures.
struct Carver {
    char* base;
    size_t used = 0;
    template <typename T>
    T* take(int64_t count) {
        size_t at = (used + 255) & ~(size_t)255;
        used = at + (size_t)count * sizeof(T);
        return base ? reinterpret_cast<T*>(base + at) : nullptr;
    }
};

// ---- elements --------------------------------------------------------------------------------

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }

template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ float from_float<float>(float v) { return v; }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) {
    return __float2bfloat16_rn(v);
}
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }

// Clamps to [lo, hi], letting NaN through (fminf/fmaxf would drop it).
template <typename T>
__device__ __forceinline__ T clamp_keep_nan(T x, T lo, T hi) { return x < lo ? lo : (x > hi ? hi : x); }
// max and min that propagate NaN, as Java's Math.max and Math.min.
__device__ __forceinline__ float max_nan(float a, float b) { return (a != a || b != b) ? NAN : fmaxf(a, b); }
__device__ __forceinline__ float min_nan(float a, float b) { return (a != a || b != b) ? NAN : fminf(a, b); }

// Mask element i; a null mask is all valid.
__device__ __forceinline__ bool valid(const uint8_t* mask, int64_t i) { return mask == nullptr || mask[i] != 0; }

// ---- 16-byte vectors -------------------------------------------------------------------------

// Elements of T in one 16-byte load.
template <typename T> struct Vec { static constexpr int N = 16 / (int)sizeof(T); };

// Loads Vec<T>::N elements from a 16-byte aligned address. kStream marks the last read of the data
// (evict-first, so that a stream of logits does not push other data out of L2); a pass whose data
// is read again soon keeps the default policy. Both are coherent loads, so they are safe when the
// same kernel writes the buffer in place.
template <bool kStream = true, typename T>
__device__ __forceinline__ void load_vec(const T* p, float (&x)[Vec<T>::N]) {
    const uint4 raw = kStream ? __ldcs(reinterpret_cast<const uint4*>(p)) : *reinterpret_cast<const uint4*>(p);
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int i = 0; i < Vec<T>::N; i++) x[i] = to_float(e[i]);
}

// Stores N elements as T with 16-byte (or, for 8-byte chunks, 8-byte) streaming stores.
template <typename T, int N>
__device__ __forceinline__ void store_vec(T* p, const float (&y)[N]) {
    constexpr int bytes = N * (int)sizeof(T);
    static_assert(bytes % 16 == 0 || bytes == 8, "vector store of 8 or 16n bytes");
    alignas(16) T e[N];
#pragma unroll
    for (int i = 0; i < N; i++) e[i] = from_float<T>(y[i]);
    if constexpr (bytes == 8) {
        __stcs(reinterpret_cast<uint2*>(p), *reinterpret_cast<const uint2*>(e));
    } else {
#pragma unroll
        for (int k = 0; k < bytes / 16; k++)
            __stcs(reinterpret_cast<uint4*>(p) + k, reinterpret_cast<const uint4*>(e)[k]);
    }
}

// Elements before the first 16-byte boundary of p (at most n).
template <typename T>
__device__ __forceinline__ int64_t aligned_head(const T* p, int64_t n) {
    int64_t head = (int64_t)(((16 - (reinterpret_cast<uintptr_t>(p) & 15)) & 15) / sizeof(T));
    return head < n ? head : n;
}

// Reads a row of n elements with `nthr` cooperating threads (this one is `tid`): the unaligned
// head and tail element by element (on_scalar(j, x)), the body as 16-byte vectors two at a time
// so that each thread keeps two loads in flight (on_vector(j, x[N]) with j the first index).
template <bool kStream = true, typename T, typename Scalar, typename Vector>
__device__ __forceinline__ void read_row(const T* row, int64_t n, int tid, int nthr, Scalar on_scalar,
                                         Vector on_vector) {
    constexpr int N = Vec<T>::N;
    const int64_t head = aligned_head(row, n);
    for (int64_t j = tid; j < head; j += nthr) on_scalar(j, to_float(row[j]));
    const T* body = row + head;
    const int64_t nvec = (n - head) / N;
    int64_t k = tid;
    for (; k + nthr < nvec; k += 2 * nthr) {
        float a[N], b[N];
        load_vec<kStream>(body + k * N, a);
        load_vec<kStream>(body + (k + nthr) * N, b);
        on_vector(head + k * N, a);
        on_vector(head + (k + nthr) * N, b);
    }
    if (k < nvec) {
        float a[N];
        load_vec<kStream>(body + k * N, a);
        on_vector(head + k * N, a);
    }
    for (int64_t j = head + nvec * N + tid; j < n; j += nthr) on_scalar(j, to_float(row[j]));
}

// Maps a row elementwise into an output row of another dtype: out[j] = f(j, in[j]). Vector loads
// and stores when the output's vectors line up with the input's (always for dense tensors whose
// row length is a multiple of 8 elements), element by element otherwise.
template <typename TIn, typename TOut, typename F>
__device__ __forceinline__ void map_row(const TIn* in, TOut* out, int64_t n, int tid, int nthr, F f) {
    constexpr int N = Vec<TIn>::N;
    constexpr int out_align = N * (int)sizeof(TOut) < 16 ? N * (int)sizeof(TOut) : 16;
    const int64_t head = aligned_head(in, n);
    const bool lined_up = (reinterpret_cast<uintptr_t>(out + head) % out_align) == 0;
    if (!lined_up) {
        for (int64_t j = tid; j < n; j += nthr) out[j] = from_float<TOut>(f(j, to_float(in[j])));
        return;
    }
    for (int64_t j = tid; j < head; j += nthr) out[j] = from_float<TOut>(f(j, to_float(in[j])));
    const int64_t nvec = (n - head) / N;
    for (int64_t k = tid; k < nvec; k += nthr) {
        const int64_t j0 = head + k * N;
        float x[N];
        load_vec(in + j0, x);
#pragma unroll
        for (int i = 0; i < N; i++) x[i] = f(j0 + i, x[i]);
        store_vec<TOut, N>(out + j0, x);
    }
    for (int64_t j = head + nvec * N + tid; j < n; j += nthr) out[j] = from_float<TOut>(f(j, to_float(in[j])));
}

// ---- warp and block reductions (fixed order: bit-identical on every lane and every run) -------

struct Sum {
    template <typename T> __host__ __device__ static T identity() { return T(0); }
    template <typename T> __device__ static T apply(T a, T b) { return a + b; }
};

// NaN-ignoring max (fmax), for ranges and maxima of softmax rows.
struct Max {
    template <typename T> __host__ __device__ static T identity() { return T(-INFINITY); }
    template <typename T> __device__ static T apply(T a, T b) { return fmax(a, b); }
};

// xor butterfly over `width` lanes: a op b == b op a, so every lane ends with the same bits.
template <typename Op = Sum, typename T>
__device__ __forceinline__ T warp_reduce(T v, int width = 32) {
    for (int o = width / 2; o > 0; o >>= 1) v = Op::apply(v, __shfl_xor_sync(kFullMask, v, o, width));
    return v;
}

template <typename T>
__device__ __forceinline__ T warp_sum(T v, int width = 32) { return warp_reduce<Sum>(v, width); }

__device__ __forceinline__ float warp_max(float v, int width = 32) { return warp_reduce<Max>(v, width); }

// Reduces K values over the block; every thread gets the results. blockDim.x a multiple of 32.
template <typename T, int K, typename Op = Sum>
__device__ __forceinline__ void block_reduce(T (&v)[K]) {
    __shared__ T partial[K][32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
#pragma unroll
    for (int k = 0; k < K; k++) v[k] = warp_reduce<Op>(v[k]);
    __syncthreads();  // the previous call's readers are done with `partial`
    if (lane == 0) {
#pragma unroll
        for (int k = 0; k < K; k++) partial[k][warp] = v[k];
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < K; k++) v[k] = warp_reduce<Op>(lane < warps ? partial[k][lane] : Op::template identity<T>());
}

template <typename T, int K>
__device__ __forceinline__ void block_sum(T (&v)[K]) { block_reduce<T, K, Sum>(v); }

__device__ __forceinline__ float block_max(float v) {
    float m[1] = {v};
    block_reduce<float, 1, Max>(m);
    return m[0];
}

// ---- online softmax (Milakov and Gimelshein 2018), in base 2 --------------------------------
//
// One thread's share of a row of raw logits z with x = z·inv_t: m = max z seen, d = Σ 2^u and
// s = Σ 2^u·u with u = (z - m)·scale2, scale2 = inv_t·log2(e). Keeping u relative to the max gives
// the entropy without cancelling against a large max (as OnlineSoftmax does in Java). -inf logits
// add nothing (they would make 0·inf); NaN and +inf make d NaN, which marks the row invalid.
struct Softmax {
    float m = -INFINITY;
    float d = 0.f;
    float s = 0.f;

    // Moves the sums onto a larger max.
    __device__ __forceinline__ void rebase(float m_new, float scale2) {
        if (d > 0.f) {
            const float du = (m - m_new) * scale2;
            const float c = exp2f(du);
            s = c * (s + du * d);
            d *= c;
        }
        m = m_new;
    }

    __device__ __forceinline__ void add_one(float z, float scale2) {
        const float u = (z - m) * scale2;
        const float e = exp2f(u);
        const bool skip = z == -INFINITY;
        d += skip ? 0.f : e;
        s += skip ? 0.f : e * u;
    }

    template <int N>
    __device__ __forceinline__ void add(const float (&z)[N], float scale2) {
        float top = z[0];
#pragma unroll
        for (int i = 1; i < N; i++) top = fmaxf(top, z[i]);
        if (top > m) rebase(top, scale2);
#pragma unroll
        for (int i = 0; i < N; i++) add_one(z[i], scale2);
    }

    __device__ __forceinline__ void add(float z, float scale2) {
        if (z > m) rebase(z, scale2);
        add_one(z, scale2);
    }
};

// Row statistics in natural units of x = z·inv_t.
struct RowStats {
    float max_z;    // max raw logit
    float log_d;    // log Σ exp(x - max x)
    float entropy;  // lse - E_p[x]
    bool valid;     // a finite max and a positive, finite sum

    __device__ __forceinline__ float lse(float inv_t) const { return valid ? max_z * inv_t + log_d : NAN; }
    // log softmax of a logit z of this row; -inf for a -inf logit, NaN for an invalid row.
    __device__ __forceinline__ float logp(float z, float inv_t) const {
        return valid ? (z - max_z) * inv_t - log_d : NAN;
    }
};

__device__ __forceinline__ RowStats finish_softmax(float m, float d, float s) {
    RowStats r;
    r.valid = d > 0.f && d < INFINITY && m < INFINITY;
    r.max_z = m;
    r.log_d = logf(d);
    r.entropy = r.valid ? r.log_d - kLn2 * s / d : NAN;
    return r;
}

// Combines the per-thread states of a warp (width lanes) or of the block into row statistics.
__device__ __forceinline__ RowStats softmax_reduce_warp(Softmax st, float scale2, int width = 32) {
    const float m = warp_max(st.m, width);
    if (st.m < m) st.rebase(m, scale2);
    return finish_softmax(m, warp_sum(st.d, width), warp_sum(st.s, width));
}

__device__ __forceinline__ RowStats softmax_reduce_block(Softmax st, float scale2) {
    const float m = block_max(st.m);
    if (st.m < m) st.rebase(m, scale2);
    float ds[2] = {st.d, st.s};
    block_sum<float, 2>(ds);
    return finish_softmax(m, ds[0], ds[1]);
}

// ---- deterministic two-stage reductions --------------------------------------------------------
//
// Stage 1: a grid whose size depends only on the problem size; each block reduces its items into K
// accumulators per thread (float, or double where the items are few and need it), combines them in
// a fixed tree and stores K doubles. Stage 2: one block combines the block partials in a fixed order
// (in double) and hands the totals to a finisher. Op is Sum or Max.

constexpr int kReduceThreads = 256;
constexpr int kReduceMaxBlocks = 8192;

inline unsigned reduce_grid(int64_t n) { return grid_for(n, kReduceThreads * 16, kReduceMaxBlocks); }

// Grid-stride over [0, n): add(i, acc) folds item i into the accumulators.
template <int K, typename Op, typename Acc, typename Add>
__global__ void __launch_bounds__(kReduceThreads) partial_reduce(int64_t n, Add add, double* partials) {
    Acc acc[K];
#pragma unroll
    for (int k = 0; k < K; k++) acc[k] = Op::template identity<Acc>();
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        add(i, acc);
    block_reduce<Acc, K, Op>(acc);
    if (threadIdx.x == 0) {
#pragma unroll
        for (int k = 0; k < K; k++) partials[blockIdx.x * K + k] = acc[k];
    }
}

// Combines `blocks` rows of K partials; finish(totals) runs on thread 0.
template <int K, typename Op, typename Finish>
__global__ void __launch_bounds__(kReduceThreads) final_reduce(const double* partials, int64_t blocks, Finish finish) {
    double acc[K];
#pragma unroll
    for (int k = 0; k < K; k++) acc[k] = Op::template identity<double>();
    for (int64_t b = threadIdx.x; b < blocks; b += blockDim.x) {
#pragma unroll
        for (int k = 0; k < K; k++) acc[k] = Op::apply(acc[k], partials[b * K + k]);
    }
    block_reduce<double, K, Op>(acc);
    if (threadIdx.x == 0) finish(acc);
}

// Both stages over [0, n) with `partials` room for sum_partials_size(K) doubles.
template <int K, typename Op = Sum, typename Acc = float, typename Add, typename Finish>
int reduce_then(int64_t n, Add add, Finish finish, double* partials, cudaStream_t stream) {
    const unsigned blocks = reduce_grid(n);
    partial_reduce<K, Op, Acc><<<blocks, kReduceThreads, 0, stream>>>(n, add, partials);
    VANTAGE_LAUNCHED();
    final_reduce<K, Op><<<1, kReduceThreads, 0, stream>>>(partials, blocks, finish);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

inline int64_t sum_partials_size(int K) { return (int64_t)kReduceMaxBlocks * K; }

// ---- elementwise -------------------------------------------------------------------------------

// f(i) for every i in [0, n): one thread an element, a grid-stride loop beyond 2^31 blocks.
template <typename F>
__global__ void each(int64_t n, F f) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) f(i);
}

template <typename F>
int launch_each(int64_t n, F f, cudaStream_t stream) {
    if (n == 0) return VANTAGE_OK;
    each<<<grid_for(n, 256), 256, 0, stream>>>(n, f);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

// ---- labels ----------------------------------------------------------------------------------

// Sets VANTAGE_STATUS_BAD_LABEL for any label outside [0, classes) other than the ignore index,
// and counts the non-ignored rows into *counted (optional; zeroed by the launcher). Integer
// atomics: exact, so the count does not depend on the order.
__global__ void check_labels(const int32_t* labels, int64_t rows, int64_t classes, int32_t ignore_index,
                             int32_t* status, unsigned long long* counted);

// Clears the status word (and the counter), then runs check_labels.
int launch_check_labels(const int32_t* labels, int64_t rows, int64_t classes, int32_t ignore_index,
                        int32_t* status, unsigned long long* counted, cudaStream_t stream);

// A row's label as an index to read, or -1 when it is ignored (or, defensively, out of range).
__device__ __forceinline__ int64_t label_index(int32_t y, int64_t classes, int32_t ignore_index) {
    return (y == ignore_index || y < 0 || y >= classes) ? -1 : (int64_t)y;
}

// ---- dtype dispatch --------------------------------------------------------------------------

inline bool is_floating(vantage_dtype t) { return t == VANTAGE_F32 || t == VANTAGE_BF16 || t == VANTAGE_F16; }

// Calls f(T{}) with T the element type of a floating dtype.
template <typename F>
int with_float_type(vantage_dtype t, F f) {
    switch (t) {
        case VANTAGE_F32: return f(float{});
        case VANTAGE_BF16: return f(__nv_bfloat16{});
        case VANTAGE_F16: return f(__half{});
        default: return VANTAGE_ERROR_UNSUPPORTED_DTYPE;
    }
}

// ---- per-row kernels over [rows, length] ------------------------------------------------------
//
// A warp per row for short rows (several rows a block), a block per row otherwise.
constexpr int64_t kWarpRowMax = 4096;  // rows up to this length go to warps
constexpr int kRowThreads = 512;       // block-per-row kernels
constexpr int kWarpRowThreads = 256;   // warp-per-row kernels: 8 rows a block

// Which rows this thread's group (a warp or the whole block) handles, and its place in the group.
template <bool kWarp>
struct RowGroup {
    int tid, size;
    int64_t first, stride;
    __device__ RowGroup() {
        if (kWarp) {
            tid = threadIdx.x & 31;
            size = 32;
            first = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
            stride = (int64_t)gridDim.x * (blockDim.x >> 5);
        } else {
            tid = threadIdx.x;
            size = blockDim.x;
            first = blockIdx.x;
            stride = gridDim.x;
        }
    }
};

// Launches a per-row kernel with a warp per row for short rows and a block per row otherwise.
template <typename Launch>
int launch_rows(int64_t rows, int64_t length, Launch launch) {
    if (rows == 0) return VANTAGE_OK;
    if (length <= kWarpRowMax) {
        launch(std::true_type{}, grid_for(rows, kWarpRowThreads / 32, 1 << 24), kWarpRowThreads);
    } else {
        launch(std::false_type{}, grid_for(rows, 1, 1 << 24), kRowThreads);
    }
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}


}  // namespace vantage
