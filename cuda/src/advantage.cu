// Family 2: advantages (dev.vantage.kernels.advantage.AdvantageKernels).
//
// GAE and discounted returns are a reverse affine scan (kernel-math.md §5), parallel over batch
// and time. A warp owns a tile of 256 steps of one row, 8 consecutive steps a lane. Each valid
// step t maps the state after it, (A_next, Vnext) = (advantage and value of the next valid step),
// to its own advantage:
//     A_t = p·A_next + q·Vnext + s,  p = γλ(1 - done_t), q = γ(1 - term_t)(1 - trunc_t),
//                                    s = r_t - V_t + γ(1 - term_t)·trunc_t·boot_t
// and the value the step before it sees is V_t. These maps compose associatively (Affine below);
// masked steps are the identity, which is verl's carry across interior masks. The row's last
// valid step has no successor: it bootstraps from its own boot value (and receives the end
// reward of REINFORCE++ and PRIME), which the composed map keeps as `boot` and `pe`. A step's
// reward is reward_scale·r_t - shift_b, with a per-row shift for PRIME's leave-one-out baseline.
//
// Rows longer than a tile take three launches: tile aggregates, a per-row scan of them giving
// each tile's incoming state, and the tile pass that writes the outputs (its second read of the
// inputs mostly hits L2). Rows of one tile take the last launch only. Every composition happens in
// an order fixed by (B, T): results are bit-identical run to run.
#include "common.cuh"
#include "sequences.cuh"

namespace vantage {
namespace {

constexpr int kTileSteps = 256;  // a warp's tile: 32 lanes x 8 steps
constexpr int kStepsPerLane = 8;
constexpr int kScanThreads = 256;

// The composition of the maps of a run of steps (identity when it has no valid step).
struct Affine {
    float p, q, s;  // A_first = p·A_next + q·Vnext + s, with a successor
    float pe;       // product of p over all but the last valid step: the end reward's factor
    float v;        // V of the first valid step (what the step before the run sees)
    float boot;     // bootstrap value of the last valid step (used when nothing follows)
    int has;        // any valid step
};

__device__ __forceinline__ Affine identity() { return {1.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0}; }

// x then y (x earlier in time).
__device__ __forceinline__ Affine compose(const Affine& x, const Affine& y) {
    if (!x.has) return y;
    if (!y.has) return x;
    return {x.p * y.p, x.p * y.q, fmaf(x.p, y.s, fmaf(x.q, y.v, x.s)), x.p * y.pe, x.v, y.boot, 1};
}

// The state entering the step before a run: (A, V) of the run's first valid step.
struct Carry {
    float a, v;
    int has;  // a valid step follows
};

__device__ __forceinline__ Carry apply(const Affine& x, const Carry& c, float end_reward) {
    if (!x.has) return c;
    const float a = c.has ? fmaf(x.p, c.a, fmaf(x.q, c.v, x.s)) : fmaf(x.q, x.boot, fmaf(x.pe, end_reward, x.s));
    return {a, x.v, 1};
}

// Field by field: from lane + d (shfl_down) or from lane `src` (shfl_from).
__device__ __forceinline__ Affine shfl_down(const Affine& x, int d) {
    return {__shfl_down_sync(kFullMask, x.p, d),  __shfl_down_sync(kFullMask, x.q, d),
            __shfl_down_sync(kFullMask, x.s, d),  __shfl_down_sync(kFullMask, x.pe, d),
            __shfl_down_sync(kFullMask, x.v, d),  __shfl_down_sync(kFullMask, x.boot, d),
            __shfl_down_sync(kFullMask, x.has, d)};
}

__device__ __forceinline__ Affine shfl_from(const Affine& x, int src) {
    return {__shfl_sync(kFullMask, x.p, src),  __shfl_sync(kFullMask, x.q, src),  __shfl_sync(kFullMask, x.s, src),
            __shfl_sync(kFullMask, x.pe, src), __shfl_sync(kFullMask, x.v, src),  __shfl_sync(kFullMask, x.boot, src),
            __shfl_sync(kFullMask, x.has, src)};
}

// Lane i gets x_i ∘ x_{i+1} ∘ ... ∘ x_31 (Hillis-Steele, fixed order).
__device__ __forceinline__ Affine warp_suffix_scan(Affine x) {
    const int lane = threadIdx.x & 31;
    for (int d = 1; d < 32; d <<= 1) {
        const Affine y = shfl_down(x, d);
        if (lane + d < 32) x = compose(x, y);
    }
    return x;
}

// The suffix strictly after this lane, from an inclusive suffix scan.
__device__ __forceinline__ Affine after_lane(const Affine& inclusive) {
    const Affine next = shfl_down(inclusive, 1);
    return (threadIdx.x & 31) == 31 ? identity() : next;
}

struct ScanInputs {
    const float* rewards;  // null: 0
    const float* values;   // null: 0
    const uint8_t* mask;
    const uint8_t* terminated;
    const uint8_t* truncated;
    const float* boot;        // null: 0
    const float* end_reward;  // per row, null: 0
    const float* row_shift;   // per row, subtracted from every valid step's reward; null: 0
    float reward_scale, gamma, gamma_lambda;
    int64_t batch, time, tiles_per_row;
};

struct ScanOutputs {
    float* advantages;
    float* returns;  // advantages + values; null: not written
};

// A lane's 8 steps, as loaded.
struct LaneSteps {
    float r[kStepsPerLane], v[kStepsPerLane], boot[kStepsPerLane];
    float shift;                              // the row's reward shift
    unsigned valid = 0, term = 0, trunc = 0;  // bit k: step k
};

template <bool kVec>
__device__ __forceinline__ void load8(const float* p, int64_t i, int n, float (&x)[kStepsPerLane]) {
    if (p != nullptr && kVec && n == kStepsPerLane) {
        const float4 a = reinterpret_cast<const float4*>(p + i)[0], b = reinterpret_cast<const float4*>(p + i)[1];
        x[0] = a.x, x[1] = a.y, x[2] = a.z, x[3] = a.w, x[4] = b.x, x[5] = b.y, x[6] = b.z, x[7] = b.w;
        return;
    }
#pragma unroll
    for (int k = 0; k < kStepsPerLane; k++) x[k] = (p != nullptr && k < n) ? p[i + k] : 0.f;
}

// Bit k set where byte i + k is non-zero (all set for a null array when `null_set`).
template <bool kVec>
__device__ __forceinline__ unsigned load8_bits(const uint8_t* p, int64_t i, int n, bool null_set) {
    const unsigned in_range = n >= kStepsPerLane ? 0xffu : (1u << n) - 1;
    if (p == nullptr) return null_set ? in_range : 0u;
    unsigned bits = 0;
    if (kVec && n == kStepsPerLane) {
        const uint2 w = *reinterpret_cast<const uint2*>(p + i);
#pragma unroll
        for (int k = 0; k < 4; k++) {
            bits |= ((w.x >> (8 * k)) & 0xffu) ? 1u << k : 0u;
            bits |= ((w.y >> (8 * k)) & 0xffu) ? 1u << (k + 4) : 0u;
        }
        return bits;
    }
#pragma unroll
    for (int k = 0; k < kStepsPerLane; k++) bits |= (k < n && p[i + k] != 0) ? 1u << k : 0u;
    return bits;
}

// The map of step k of a lane (identity when masked or out of range).
__device__ __forceinline__ Affine step_map(const ScanInputs& in, const LaneSteps& s, int k) {
    if (!((s.valid >> k) & 1u)) return identity();
    const bool term = (s.term >> k) & 1u, trunc = (s.trunc >> k) & 1u;
    const float g = term ? 0.f : in.gamma;  // γ(1 - term)
    const float r = fmaf(in.reward_scale, s.r[k], -s.shift);
    return {(term || trunc) ? 0.f : in.gamma_lambda, trunc ? 0.f : g, r - s.v[k] + (trunc ? g * s.boot[k] : 0.f), 1.f,
            s.v[k], s.boot[k], 1};
}

// Where this warp's tile is: row, first step index (global), steps of the tile in range.
struct Tile {
    int64_t row, first;
    int count;
};

__device__ __forceinline__ Tile tile_at(const ScanInputs& in, int64_t tile) {
    const int64_t row = tile / in.tiles_per_row;
    const int64_t start = (tile % in.tiles_per_row) * kTileSteps;
    const int64_t left = in.time - start;
    return {row, row * in.time + start, (int)(left < kTileSteps ? left : kTileSteps)};
}

// Loads the lane's steps and returns the composition of their maps.
template <bool kVec>
__device__ __forceinline__ Affine lane_steps(const ScanInputs& in, const Tile& t, LaneSteps& s) {
    const int lane = threadIdx.x & 31;
    const int64_t i = t.first + lane * kStepsPerLane;
    int n = t.count - lane * kStepsPerLane;
    n = n < 0 ? 0 : (n > kStepsPerLane ? kStepsPerLane : n);
    load8<kVec>(in.rewards, i, n, s.r);
    load8<kVec>(in.values, i, n, s.v);
    load8<kVec>(in.boot, i, n, s.boot);
    s.valid = load8_bits<kVec>(in.mask, i, n, true);
    s.term = load8_bits<kVec>(in.terminated, i, n, false);
    s.trunc = load8_bits<kVec>(in.truncated, i, n, false);
    s.shift = in.row_shift != nullptr ? in.row_shift[t.row] : 0.f;
    Affine acc = identity();
#pragma unroll
    for (int k = kStepsPerLane - 1; k >= 0; k--) acc = compose(step_map(in, s, k), acc);
    return acc;
}

constexpr int kWarpsPerBlock = kScanThreads / 32;

__device__ __forceinline__ int64_t warp_id() { return blockIdx.x * (int64_t)kWarpsPerBlock + (threadIdx.x >> 5); }
__device__ __forceinline__ int64_t warp_stride() { return (int64_t)gridDim.x * kWarpsPerBlock; }

// Launch 1 (rows of several tiles): the composed map of each tile.
template <bool kVec>
__global__ void __launch_bounds__(kScanThreads) scan_tile_aggregates(ScanInputs in, Affine* aggregates) {
    const int64_t tiles = in.batch * in.tiles_per_row;
    for (int64_t w = warp_id(); w < tiles; w += warp_stride()) {
        LaneSteps s;
        const Affine total = warp_suffix_scan(lane_steps<kVec>(in, tile_at(in, w), s));
        if ((threadIdx.x & 31) == 0) aggregates[w] = total;
    }
}

// Launch 2: a warp per row scans its tile aggregates from the right, 32 tiles at a time, and
// stores the state entering each tile.
__global__ void __launch_bounds__(kScanThreads)
    scan_row_carries(ScanInputs in, const Affine* aggregates, Carry* carries) {
    const int lane = threadIdx.x & 31;
    for (int64_t row = warp_id(); row < in.batch; row += warp_stride()) {
        const float end_reward = in.end_reward != nullptr ? in.end_reward[row] : 0.f;
        Carry carry = {0.f, 0.f, 0};
        for (int64_t group = (in.tiles_per_row - 1) / 32; group >= 0; group--) {
            const int64_t c = group * 32 + lane;
            const Affine mine = c < in.tiles_per_row ? aggregates[row * in.tiles_per_row + c] : identity();
            const Affine inclusive = warp_suffix_scan(mine);
            const Affine after = after_lane(inclusive);  // a shuffle: every lane takes part
            if (c < in.tiles_per_row) carries[row * in.tiles_per_row + c] = apply(after, carry, end_reward);
            carry = apply(shfl_from(inclusive, 0), carry, end_reward);
        }
    }
}

// Launch 3: each tile from its incoming state (none for a row of one tile); writes the outputs.
template <bool kVec>
__global__ void __launch_bounds__(kScanThreads) scan_tile_outputs(ScanInputs in, const Carry* carries, ScanOutputs out) {
    const int64_t tiles = in.batch * in.tiles_per_row;
    for (int64_t w = warp_id(); w < tiles; w += warp_stride()) {
        const Tile t = tile_at(in, w);
        LaneSteps s;
        const Affine inclusive = warp_suffix_scan(lane_steps<kVec>(in, t, s));
        const float end_reward = in.end_reward != nullptr ? in.end_reward[t.row] : 0.f;
        Carry carry = apply(after_lane(inclusive), carries != nullptr ? carries[w] : Carry{0.f, 0.f, 0}, end_reward);
        float a[kStepsPerLane], ret[kStepsPerLane];
#pragma unroll
        for (int k = kStepsPerLane - 1; k >= 0; k--) {
            const bool ok = (s.valid >> k) & 1u;
            carry = apply(step_map(in, s, k), carry, end_reward);
            a[k] = ok ? carry.a : 0.f;
            ret[k] = ok ? carry.a + s.v[k] : 0.f;
        }
        const int lane = threadIdx.x & 31;
        const int64_t i = t.first + lane * kStepsPerLane;
        const int n = t.count - lane * kStepsPerLane;
        if (kVec && n >= kStepsPerLane) {
            reinterpret_cast<float4*>(out.advantages + i)[0] = make_float4(a[0], a[1], a[2], a[3]);
            reinterpret_cast<float4*>(out.advantages + i)[1] = make_float4(a[4], a[5], a[6], a[7]);
            if (out.returns != nullptr) {
                reinterpret_cast<float4*>(out.returns + i)[0] = make_float4(ret[0], ret[1], ret[2], ret[3]);
                reinterpret_cast<float4*>(out.returns + i)[1] = make_float4(ret[4], ret[5], ret[6], ret[7]);
            }
        } else {
#pragma unroll
            for (int k = 0; k < kStepsPerLane; k++) {
                if (k >= n) break;
                out.advantages[i + k] = a[k];
                if (out.returns != nullptr) out.returns[i + k] = ret[k];
            }
        }
    }
}

struct ScanWorkspace {
    Affine* aggregates;
    Carry* carries;
    ScanWorkspace(Carver& c, int64_t batch, int64_t time) {
        // Rows of one tile need no carries: no workspace.
        const int64_t tiles = time > kTileSteps ? batch * ceil_div(time, kTileSteps) : 0;
        aggregates = c.take<Affine>(tiles);
        carries = c.take<Carry>(tiles);
    }
};

bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }

int launch_scan(ScanInputs in, ScanOutputs out, const ScanWorkspace& ws, cudaStream_t stream) {
    in.tiles_per_row = ceil_div(in.time, kTileSteps);
    const int64_t tiles = in.batch * in.tiles_per_row;
    if (tiles == 0) return VANTAGE_OK;
    // 16-byte loads and stores need every lane's first step on a 16-byte boundary of every array.
    const bool vec = in.time % kStepsPerLane == 0 && aligned16(in.rewards) && aligned16(in.values) &&
                     aligned16(in.mask) && aligned16(in.terminated) && aligned16(in.truncated) &&
                     aligned16(in.boot) && aligned16(out.advantages) && aligned16(out.returns);
    const unsigned grid = grid_for(tiles, kWarpsPerBlock, 1 << 20);
    const Carry* carries = nullptr;
    if (in.tiles_per_row > 1) {
        if (vec) scan_tile_aggregates<true><<<grid, kScanThreads, 0, stream>>>(in, ws.aggregates);
        else scan_tile_aggregates<false><<<grid, kScanThreads, 0, stream>>>(in, ws.aggregates);
        scan_row_carries<<<grid_for(in.batch, kWarpsPerBlock, 1 << 20), kScanThreads, 0, stream>>>(in, ws.aggregates,
                                                                                                  ws.carries);
        carries = ws.carries;
    }
    if (vec) scan_tile_outputs<true><<<grid, kScanThreads, 0, stream>>>(in, carries, out);
    else scan_tile_outputs<false><<<grid, kScanThreads, 0, stream>>>(in, carries, out);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

// ---- group advantages ------------------------------------------------------------------------

enum class GroupKind { Grpo, Rloo, Baseline };

struct GroupParams {
    GroupKind kind;
    bool normalize_by_std, unbiased;
    float epsilon;
    vantage_singleton singleton;
};

// A warp per group of K contiguous scores, in a fixed lane order. Sums accumulate in double and
// are divided with a double reciprocal (a double division calls a slow-path routine that spills),
// so that a group of equal scores has exactly their value as its mean.
__global__ void __launch_bounds__(kScanThreads)
    group_kernel(const float* scores, float* out, int64_t groups, int64_t k, GroupParams g) {
    const int lane = threadIdx.x & 31;
    for (int64_t group = warp_id(); group < groups; group += warp_stride()) {
        const float* x = scores + group * k;
        float* y = out + group * k;
        const float first = x[0];
        double sum = 0;
        bool same = true;
        for (int64_t i = lane; i < k; i += 32) {
            sum += x[i];
            same = same && x[i] == first;  // false for NaN: the NaN propagates
        }
        sum = warp_sum(sum);
        same = __all_sync(kFullMask, same);
        const double inv_k = __drcp_rn((double)k);
        const float mean = (float)(sum * inv_k);
        double centered = 0;
        for (int64_t i = lane; i < k; i += 32) centered += ((double)x[i] - mean) * ((double)x[i] - mean);
        centered = warp_sum(centered);
        const float stdev = k > 1 ? sqrtf((float)centered / (float)(g.unbiased ? k - 1 : k)) : 0.f;
        for (int64_t i = lane; i < k; i += 32) {
            const float v = x[i];
            float a;
            if (g.kind == GroupKind::Baseline) {
                a = v - mean;
            } else if (k == 1) {  // no baseline exists
                a = g.singleton == VANTAGE_SINGLETON_ZERO ? 0.f
                    : (g.kind == GroupKind::Grpo && g.normalize_by_std) ? v / (1.f + g.epsilon)
                                                                          : v;
            } else if (g.kind == GroupKind::Rloo) {
                a = v - (float)((sum - v) * __drcp_rn((double)(k - 1)));
            } else if (same) {
                a = 0.f;
            } else {
                a = g.normalize_by_std ? (v - mean) / (stdev + g.epsilon) : v - mean;
            }
            y[i] = a;
        }
    }
}

int launch_groups(const float* scores, float* out, int64_t batch, int64_t k, GroupParams g, cudaStream_t stream) {
    const int64_t groups = batch / k;
    if (groups == 0) return VANTAGE_OK;
    group_kernel<<<grid_for(groups, kWarpsPerBlock, 1 << 20), kScanThreads, 0, stream>>>(scores, out, groups, k, g);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

// ---- whitening --------------------------------------------------------------------------------

struct WhitenWorkspace {
    double* partials;
    double* stats;  // count and mean, then mean and 1/sqrt(var + ε)
    explicit WhitenWorkspace(Carver& c) {
        partials = c.take<double>(sum_partials_size(2));
        stats = c.take<double>(2);
    }
};

// Workspace of REINFORCE++: the scan's, the whitening's, and the per-row end rewards (scores
// minus the group baseline).
struct ReinforceWorkspace {
    Carver c;
    ScanWorkspace scan;
    WhitenWorkspace whiten;
    float* end_reward;
    ReinforceWorkspace(void* base, int64_t batch, int64_t time)
        : c{static_cast<char*>(base)}, scan(c, batch, time), whiten(c), end_reward(c.take<float>(batch)) {}
};

// A row's mean over its valid tokens (0 for an empty row): PRIME's r̄_j.
struct RowMean : OneRow {
    static constexpr int kValues = 1;
    __device__ void finish(int64_t, const RowSums (&s)[1], float (&coef)[1], double (&v)[1]) const {
        coef[0] = 0.f;
        v[0] = s[0].n > 0 ? s[0].s / s[0].n : 0.0;
    }
};

// Workspace of PRIME: the scan's, the whitening's, the row means and each row's reward shift and
// end reward.
struct PrimeWorkspace {
    Carver c;
    ScanWorkspace scan;
    WhitenWorkspace whiten;
    double* means;
    float* shift;
    float* end_reward;
    PrimeWorkspace(void* base, int64_t batch, int64_t time)
        : c{static_cast<char*>(base)}, scan(c, batch, time), whiten(c), means(c.take<double>(batch)),
          shift(c.take<float>(batch)), end_reward(c.take<float>(batch)) {}
};

// Two passes of deterministic sums (count and Σx, then Σ(x - μ)²), then the elementwise map.
int launch_whiten(const float* values, const uint8_t* mask, float* out, int64_t n, bool shift_mean, bool unbiased,
                  double epsilon, double* result, const WhitenWorkspace& ws, cudaStream_t stream) {
    double* stats = ws.stats;
    int rc = reduce_then<2>(
        n,
        [=] __device__(int64_t i, float(&acc)[2]) {
            if (valid(mask, i)) {
                acc[0] += 1.f;
                acc[1] += values[i];
            }
        },
        [=] __device__(const double(&t)[2]) {
            stats[0] = t[0];
            stats[1] = t[0] > 0 ? t[1] / t[0] : 0.0;
        },
        ws.partials, stream);
    if (rc != VANTAGE_OK) return rc;
    rc = reduce_then<1>(
        n,
        [=] __device__(int64_t i, float(&acc)[1]) {
            if (valid(mask, i)) {
                const float d = values[i] - (float)stats[1];
                acc[0] += d * d;
            }
        },
        [=] __device__(const double(&t)[1]) {
            const double count = stats[0], mean = stats[1];
            const double var = count >= 2 ? t[0] / (unbiased ? count - 1 : count) : 0.0;
            if (result != nullptr) {
                result[VANTAGE_WHITEN_MEAN] = mean;
                result[VANTAGE_WHITEN_VARIANCE] = var;
                result[VANTAGE_WHITEN_COUNT] = count;
                result[VANTAGE_WHITEN_DEGENERATE] = count < 2 ? 1.0 : 0.0;
            }
            stats[0] = mean;
            stats[1] = 1.0 / sqrt(var + epsilon);
        },
        ws.partials, stream);
    if (rc != VANTAGE_OK) return rc;
    return launch_each(n, [=] __device__(int64_t i) {
        const float mean = (float)stats[0], scale = (float)stats[1];
        const float white = (values[i] - mean) * scale;
        out[i] = valid(mask, i) ? (shift_mean ? white : white + mean) : 0.f;
    }, stream);
}

}  // namespace
}  // namespace vantage

using namespace vantage;

extern "C" {

size_t vantage_gae_workspace_size(int64_t batch, int64_t time) {
    Carver c{nullptr};
    if (batch >= 0 && time >= 0) ScanWorkspace(c, batch, time);
    return c.used;
}

int vantage_gae(const float* rewards, const float* values, const uint8_t* mask, const uint8_t* terminated,
                const uint8_t* truncated, const float* bootstrap_values, float* advantages, float* returns,
                int64_t batch, int64_t time, double gamma, double lambda, void* workspace, size_t workspace_bytes,
                cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && gamma >= 0 && gamma <= 1 && lambda >= 0 && lambda <= 1);
    VANTAGE_REQUIRE((rewards && values && advantages) || batch * time == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_gae_workspace_size(batch, time));
    const ScanInputs in{rewards, values, mask, terminated, truncated, bootstrap_values, nullptr, nullptr, 1.f, (float)gamma,
                        (float)(gamma * lambda), batch, time, 0};
    Carver c{static_cast<char*>(workspace)};
    return launch_scan(in, {advantages, returns}, ScanWorkspace(c, batch, time), stream);
}

int vantage_returns(const float* rewards, const uint8_t* mask, const uint8_t* terminated, float* returns,
                    int64_t batch, int64_t time, double gamma, void* workspace, size_t workspace_bytes,
                    cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && gamma >= 0 && gamma <= 1);
    VANTAGE_REQUIRE((rewards && returns) || batch * time == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_gae_workspace_size(batch, time));
    // Returns are GAE with V = 0 and λ = 1: A_t = r_t + γ(1 - term_t)·A_next.
    const ScanInputs in{rewards, nullptr, mask, terminated, nullptr, nullptr, nullptr, nullptr, 1.f, (float)gamma,
                        (float)gamma, batch, time, 0};
    Carver c{static_cast<char*>(workspace)};
    return launch_scan(in, {returns, nullptr}, ScanWorkspace(c, batch, time), stream);
}

int vantage_grpo(const float* scores, float* advantages, int64_t batch, int64_t group_size, int normalize_by_std,
                 int unbiased_std, double epsilon, vantage_singleton singleton, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && group_size >= 1 && batch % group_size == 0 && epsilon >= 0 && epsilon < INFINITY);
    VANTAGE_REQUIRE(singleton == VANTAGE_SINGLETON_ZERO || singleton == VANTAGE_SINGLETON_SCORE);
    VANTAGE_REQUIRE((scores && advantages) || batch == 0);
    return launch_groups(scores, advantages, batch, group_size,
                         {GroupKind::Grpo, normalize_by_std != 0, unbiased_std != 0, (float)epsilon, singleton}, stream);
}

int vantage_rloo(const float* scores, float* advantages, int64_t batch, int64_t group_size,
                 vantage_singleton singleton, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && group_size >= 1 && batch % group_size == 0);
    VANTAGE_REQUIRE(singleton == VANTAGE_SINGLETON_ZERO || singleton == VANTAGE_SINGLETON_SCORE);
    VANTAGE_REQUIRE((scores && advantages) || batch == 0);
    return launch_groups(scores, advantages, batch, group_size, {GroupKind::Rloo, false, false, 0.f, singleton}, stream);
}

int vantage_broadcast(const float* per_sequence, const uint8_t* mask, float* out, int64_t batch, int64_t time,
                      cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0);
    VANTAGE_REQUIRE((per_sequence && out) || batch * time == 0);
    return launch_each(batch * time, [=] __device__(int64_t i) {
        out[i] = valid(mask, i) ? per_sequence[i / time] : 0.f;
    }, stream);
}

size_t vantage_whiten_workspace_size(int64_t n) {
    (void)n;  // a fixed number of partial sums, whatever n
    Carver c{nullptr};
    WhitenWorkspace ws(c);
    return c.used;
}

int vantage_whiten(const float* values, const uint8_t* mask, float* out, int64_t n, int shift_mean, int unbiased,
                   double epsilon, double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(n >= 0 && epsilon > 0 && epsilon < INFINITY && result != nullptr);
    VANTAGE_REQUIRE((values && out) || n == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_whiten_workspace_size(n));
    Carver c{static_cast<char*>(workspace)};
    return launch_whiten(values, mask, out, n, shift_mean != 0, unbiased != 0, epsilon, result, WhitenWorkspace(c),
                         stream);
}

size_t vantage_reinforce_plus_plus_workspace_size(int64_t batch, int64_t time) {
    return batch < 0 || time < 0 ? 0 : ReinforceWorkspace(nullptr, batch, time).c.used;
}

int vantage_reinforce_plus_plus(const float* scores, const uint8_t* mask, const float* kl, float* advantages,
                                int64_t batch, int64_t time, double gamma, double kl_coef, int64_t baseline_group_size,
                                double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && gamma >= 0 && gamma <= 1 && kl_coef >= 0 && kl_coef < INFINITY);
    VANTAGE_REQUIRE(baseline_group_size >= 0 && (baseline_group_size == 0 || batch % baseline_group_size == 0));
    VANTAGE_REQUIRE(result != nullptr && ((scores && advantages) || batch == 0));
    VANTAGE_REQUIRE(kl != nullptr || kl_coef == 0 || batch * time == 0);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_reinforce_plus_plus_workspace_size(batch, time));
    const ReinforceWorkspace ws(workspace, batch, time);
    const float* end_reward = scores;
    if (baseline_group_size > 0) {
        int rc = launch_groups(scores, ws.end_reward, batch, baseline_group_size,
                               {GroupKind::Baseline, false, false, 0.f, VANTAGE_SINGLETON_ZERO}, stream);
        if (rc != VANTAGE_OK) return rc;
        end_reward = ws.end_reward;
    }
    // Token rewards -β·kl, the score on each row's last valid step, returns with γ, then whitening.
    const ScanInputs in{kl_coef > 0 ? kl : nullptr, nullptr, mask, nullptr, nullptr, nullptr, end_reward, nullptr,
                        (float)-kl_coef, (float)gamma, (float)gamma, batch, time, 0};
    int rc = launch_scan(in, {advantages, nullptr}, ws.scan, stream);
    if (rc != VANTAGE_OK) return rc;
    return launch_whiten(advantages, mask, advantages, batch * time, true, true, 1e-8, result, ws.whiten, stream);
}

size_t vantage_prime_workspace_size(int64_t batch, int64_t time) {
    return batch < 0 || time < 0 ? 0 : PrimeWorkspace(nullptr, batch, time).c.used;
}

int vantage_prime(const float* process_rewards, const float* outcomes, const uint8_t* mask, float* advantages,
                  int64_t batch, int64_t time, int64_t group_size, double process_coef, double outcome_coef,
                  vantage_prime_form form, double* result, void* workspace, size_t workspace_bytes,
                  cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && group_size >= 2 && batch % group_size == 0 && result != nullptr);
    VANTAGE_REQUIRE((process_rewards && advantages) || batch * time == 0);
    VANTAGE_REQUIRE(outcomes != nullptr || batch == 0);
    VANTAGE_REQUIRE(process_coef > -INFINITY && process_coef < INFINITY && outcome_coef > -INFINITY && outcome_coef < INFINITY);
    VANTAGE_REQUIRE(form == VANTAGE_PRIME_PAPER || form == VANTAGE_PRIME_CODE);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_prime_workspace_size(batch, time));
    const PrimeWorkspace ws(workspace, batch, time);
    // r̄ of every response, then each response's shift and outcome advantage from its group's.
    const RowMean means{{batch}};
    int rc = launch_sequence(means, {process_rewards, nullptr, mask, nullptr, time, false}, ws.means, stream);
    if (rc != VANTAGE_OK) return rc;
    const bool paper = form == VANTAGE_PRIME_PAPER;
    const double inv_others = 1.0 / (double)(group_size - 1);
    const double* mean = ws.means;
    float* shift = ws.shift;
    float* end_reward = ws.end_reward;
    rc = launch_each(batch, [=] __device__(int64_t i) {
        const int64_t first = i - i % group_size;
        double mean_sum = 0, outcome_sum = 0;
        for (int64_t j = first; j < first + group_size; j++) {
            mean_sum += mean[j];
            outcome_sum += outcomes[j];
        }
        // Token reward = scale·r - shift: the paper subtracts the others' mean, the code rescales.
        shift[i] = (float)(process_coef * (paper ? mean_sum - mean[i] : mean_sum) * inv_others);
        end_reward[i] = (float)(outcome_coef * (outcomes[i] - (outcome_sum - outcomes[i]) * inv_others));
    }, stream);
    if (rc != VANTAGE_OK) return rc;
    const float scale = (float)(process_coef * (paper ? 1.0 : (double)group_size * inv_others));
    // γ = 1 returns of the token rewards, the outcome advantage on each row's last valid token.
    const ScanInputs in{process_rewards, nullptr, mask, nullptr, nullptr, nullptr, end_reward, shift, scale, 1.f, 1.f,
                        batch, time, 0};
    rc = launch_scan(in, {advantages, nullptr}, ws.scan, stream);
    if (rc != VANTAGE_OK) return rc;
    return launch_whiten(advantages, mask, advantages, batch * time, true, true, 1e-8, result, ws.whiten, stream);
}

}  // extern "C"
