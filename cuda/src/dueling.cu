// Family 3: dueling heads (dev.vantage.kernels.dueling.DuelingKernels).
//
// Q[b,a,z] = V[b,z] + A[b,a,z] - agg_a(A[b,·,z]) over valid actions. Without an atom axis (Z = 1)
// a row is reduced by a group of G lanes (G a power of two up to 32, several rows a warp, so that
// rows of a few actions do not idle most of a warp); with atoms, one thread owns a (b, z) column
// and loops over actions, which keeps the loads coalesced along z.
#include "common.cuh"

namespace vantage {
namespace {

constexpr int kThreads = 256;

// The per-column statistics: count and sum of valid advantages (or upstream gradients), and the
// first index of the largest valid advantage, NaN counting as largest (it makes the row NaN).
struct Column {
    float sum = 0.f;
    int count = 0;
    float best = 0.f;
    int64_t arg = -1;

    __device__ __forceinline__ void add(float x, int64_t a, float g) {
        sum += g;
        count++;
        if (arg < 0 || beats(x, a, best, arg)) {
            best = x;
            arg = a;
        }
    }

    // (x, a) before (y, b): larger, or NaN against a number, or equal with a lower index.
    __device__ __forceinline__ static bool beats(float x, int64_t a, float y, int64_t b) {
        if (b < 0) return a >= 0;
        if (a < 0) return false;
        if (x != x || y != y) return (x != x) && (y == y || a < b);
        return x > y || (x == y && a < b);
    }

    // Merges the columns of the `width` lanes of a group (xor butterfly: every lane gets the result).
    __device__ __forceinline__ void reduce(int width) {
        for (int o = width / 2; o > 0; o >>= 1) {
            const float s = __shfl_xor_sync(kFullMask, sum, o, width);
            const int c = __shfl_xor_sync(kFullMask, count, o, width);
            const float y = __shfl_xor_sync(kFullMask, best, o, width);
            const int64_t b = __shfl_xor_sync(kFullMask, arg, o, width);
            sum += s;  // commutative: both lanes of a pair get the same bits
            count += c;
            if (beats(y, b, best, arg)) {
                best = y;
                arg = b;
            }
        }
    }

    // The aggregate subtracted from every valid advantage.
    __device__ __forceinline__ float aggregate(vantage_dueling_mode mode) const {
        switch (mode) {
            case VANTAGE_DUELING_MAX: return best;
            case VANTAGE_DUELING_MEAN: return sum / (float)count;
            default: return 0.f;
        }
    }
};

struct Shape {
    int64_t batch, actions, atoms;
};

// Lanes per row for Z = 1: the smallest power of two >= min(actions, 32).
int lanes_per_row(int64_t actions) {
    int g = 1;
    while (g < 32 && g < actions) g <<= 1;
    return g;
}

// Rows a warp handles at once and this lane's place: all lanes of a warp run the same iterations,
// so that the shuffles always see the full warp.
struct RowLanes {
    int width, lane, rows_per_warp;
    int64_t first, stride;
    __device__ RowLanes(int w) : width(w) {
        lane = threadIdx.x & (w - 1);
        rows_per_warp = 32 / w;
        const int64_t warp = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
        first = warp * rows_per_warp;
        stride = (int64_t)gridDim.x * (blockDim.x >> 5) * rows_per_warp;
    }
    __device__ int64_t row(int64_t base) const { return base + (threadIdx.x & 31) / width; }
};

__global__ void __launch_bounds__(kThreads)
    dueling_forward_rows(const float* value, const float* adv, const uint8_t* mask, float* q, Shape s,
                         vantage_dueling_mode mode, int width) {
    const RowLanes g(width);
    for (int64_t base = g.first; base < s.batch; base += g.stride) {
        const int64_t b = g.row(base);
        const bool active = b < s.batch;
        const float* a_row = adv + b * s.actions;
        Column col;
        if (active)
            for (int64_t a = g.lane; a < s.actions; a += width)
                if (valid(mask, b * s.actions + a)) col.add(a_row[a], a, a_row[a]);
        col.reduce(width);
        if (!active) continue;
        const float v = value[b] - col.aggregate(mode);
        for (int64_t a = g.lane; a < s.actions; a += width)
            q[b * s.actions + a] = valid(mask, b * s.actions + a) ? v + a_row[a] : -INFINITY;
    }
}

__global__ void __launch_bounds__(kThreads)
    dueling_backward_rows(const float* adv, const uint8_t* mask, const float* grad_q, float* grad_value, float* grad_adv,
                          Shape s, vantage_dueling_mode mode, int width) {
    const RowLanes g(width);
    for (int64_t base = g.first; base < s.batch; base += g.stride) {
        const int64_t b = g.row(base);
        const bool active = b < s.batch;
        Column col;
        if (active)
            for (int64_t a = g.lane; a < s.actions; a += width) {
                const int64_t i = b * s.actions + a;
                if (valid(mask, i)) col.add(adv[i], a, grad_q[i]);
            }
        col.reduce(width);
        if (!active) continue;
        if (g.lane == 0) grad_value[b] = col.sum;
        const float share = mode == VANTAGE_DUELING_MEAN ? col.sum / (float)col.count : 0.f;
        for (int64_t a = g.lane; a < s.actions; a += width) {
            const int64_t i = b * s.actions + a;
            const float w = mode == VANTAGE_DUELING_MAX ? (a == col.arg ? col.sum : 0.f) : share;
            grad_adv[i] = valid(mask, i) ? grad_q[i] - w : 0.f;
        }
    }
}

// With atoms: a thread per (b, z) column.
__global__ void __launch_bounds__(kThreads)
    dueling_forward_columns(const float* value, const float* adv, const uint8_t* mask, float* q, Shape s,
                            vantage_dueling_mode mode) {
    for (int64_t c = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; c < s.batch * s.atoms;
         c += (int64_t)gridDim.x * blockDim.x) {
        const int64_t b = c / s.atoms, z = c % s.atoms;
        const float* column = adv + b * s.actions * s.atoms + z;
        Column col;
        for (int64_t a = 0; a < s.actions; a++)
            if (valid(mask, b * s.actions + a)) col.add(column[a * s.atoms], a, column[a * s.atoms]);
        const float v = value[c] - col.aggregate(mode);
        for (int64_t a = 0; a < s.actions; a++)
            q[(b * s.actions + a) * s.atoms + z] = valid(mask, b * s.actions + a) ? v + column[a * s.atoms] : -INFINITY;
    }
}

__global__ void __launch_bounds__(kThreads)
    dueling_backward_columns(const float* adv, const uint8_t* mask, const float* grad_q, float* grad_value,
                             float* grad_adv, Shape s, vantage_dueling_mode mode) {
    for (int64_t c = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; c < s.batch * s.atoms;
         c += (int64_t)gridDim.x * blockDim.x) {
        const int64_t b = c / s.atoms, z = c % s.atoms;
        Column col;
        for (int64_t a = 0; a < s.actions; a++) {
            const int64_t i = (b * s.actions + a) * s.atoms + z;
            if (valid(mask, b * s.actions + a)) col.add(adv[i], a, grad_q[i]);
        }
        grad_value[c] = col.sum;
        const float share = mode == VANTAGE_DUELING_MEAN ? col.sum / (float)col.count : 0.f;
        for (int64_t a = 0; a < s.actions; a++) {
            const int64_t i = (b * s.actions + a) * s.atoms + z;
            const float w = mode == VANTAGE_DUELING_MAX ? (a == col.arg ? col.sum : 0.f) : share;
            grad_adv[i] = valid(mask, b * s.actions + a) ? grad_q[i] - w : 0.f;
        }
    }
}

bool valid_shape(int64_t batch, int64_t actions, int64_t atoms, vantage_dueling_mode mode) {
    return batch >= 0 && actions >= 1 && atoms >= 1 && mode >= VANTAGE_DUELING_NAIVE && mode <= VANTAGE_DUELING_MEAN;
}

// Z = 1 goes to lane groups, Z > 1 to columns.
template <typename Rows, typename Columns>
int launch_dueling(const Shape& s, Rows rows, Columns columns) {
    if (s.batch == 0) return VANTAGE_OK;
    if (s.atoms == 1) {
        const int width = lanes_per_row(s.actions);
        rows(grid_for(s.batch, (kThreads / 32) * (32 / width), 1 << 20), width);
    } else {
        columns(grid_for(s.batch * s.atoms, kThreads, 1 << 20));
    }
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

}  // namespace
}  // namespace vantage

using namespace vantage;

extern "C" {

int vantage_dueling_forward(const float* value, const float* advantage, const uint8_t* action_mask, float* q,
                            int64_t batch, int64_t actions, int64_t atoms, vantage_dueling_mode mode,
                            cudaStream_t stream) {
    VANTAGE_REQUIRE(valid_shape(batch, actions, atoms, mode));
    VANTAGE_REQUIRE((value && advantage && q) || batch == 0);
    const Shape s{batch, actions, atoms};
    return launch_dueling(
        s,
        [&](unsigned grid, int width) {
            dueling_forward_rows<<<grid, kThreads, 0, stream>>>(value, advantage, action_mask, q, s, mode, width);
        },
        [&](unsigned grid) {
            dueling_forward_columns<<<grid, kThreads, 0, stream>>>(value, advantage, action_mask, q, s, mode);
        });
}

int vantage_dueling_backward(const float* advantage, const uint8_t* action_mask, const float* grad_q, float* grad_value,
                             float* grad_advantage, int64_t batch, int64_t actions, int64_t atoms,
                             vantage_dueling_mode mode, cudaStream_t stream) {
    VANTAGE_REQUIRE(valid_shape(batch, actions, atoms, mode));
    VANTAGE_REQUIRE((advantage && grad_q && grad_value && grad_advantage) || batch == 0);
    const Shape s{batch, actions, atoms};
    return launch_dueling(
        s,
        [&](unsigned grid, int width) {
            dueling_backward_rows<<<grid, kThreads, 0, stream>>>(advantage, action_mask, grad_q, grad_value,
                                                                 grad_advantage, s, mode, width);
        },
        [&](unsigned grid) {
            dueling_backward_columns<<<grid, kThreads, 0, stream>>>(advantage, action_mask, grad_q, grad_value,
                                                                    grad_advantage, s, mode);
        });
}

}  // extern "C"
