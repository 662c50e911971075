// Token tiles over [B, T] and loss aggregation (verl's agg_loss), for the PPO loss and aggregate.
//
// A tile is up to kTileTokens tokens of one row; one block sums K quantities of its tile (tokens
// first, then the per-token loss, then extras) into the workspace. row_sums adds the tiles of each
// row in order, final_reduce the rows, so every total is reduced in an order fixed by (B, T).
// When a gradient needs data-dependent weights (L_b or a default denominator under a mask), a
// count pass over the mask runs first: 1 byte a token on top of the minimal traffic.
#pragma once

#include "common.cuh"

namespace vantage {

constexpr int kTileThreads = 256;
constexpr int64_t kTileTokens = 4096;
constexpr int kRowSumThreads = 256;

struct Tiles {
    int64_t batch, time, per_row;
    __host__ __device__ int64_t count() const { return batch * per_row; }
};

inline Tiles make_tiles(int64_t batch, int64_t time) { return {batch, time, ceil_div(time, kTileTokens)}; }
inline unsigned tile_grid(const Tiles& t) { return grid_for(t.count(), 1, 1 << 24); }
inline unsigned row_sum_grid(int64_t batch) { return grid_for(batch, kRowSumThreads, 1024); }

inline bool valid_aggregation(vantage_aggregation a) {
    return a >= VANTAGE_TOKEN_MEAN && a <= VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM;
}

// The denominator D of an aggregation: the explicit normalizer, else the mode's local default.
__host__ __device__ inline double agg_denominator(int mode, double normalizer, double tokens, double nonempty_rows,
                                                  int64_t time) {
    if (normalizer > 0) return normalizer;  // NaN and <= 0 mean "no normalizer"
    switch (mode) {
        case VANTAGE_TOKEN_MEAN: return tokens;
        case VANTAGE_SEQ_MEAN_TOKEN_SUM:
        case VANTAGE_SEQ_MEAN_TOKEN_MEAN: return nonempty_rows;
        default: return (double)time;
    }
}

// ∂L/∂l[b,t] before the mask: 1/D, or 1/(L_b·D) for SEQ_MEAN_TOKEN_MEAN; 0 when D = 0.
struct TokenWeights {
    int mode;
    int64_t time;
    const double* row_tokens;  // L_b on the device, or null when every token is valid (L_b = T)
    const double* inv_d;       // 1/D on the device, or null to use inv_d_host
    double inv_d_host;
    int error;

    __device__ __forceinline__ float operator()(int64_t b) const {
        const double inv = inv_d != nullptr ? *inv_d : inv_d_host;
        if (mode != VANTAGE_SEQ_MEAN_TOKEN_MEAN) return (float)inv;
        const double tokens = row_tokens != nullptr ? row_tokens[b] : (double)time;
        return tokens > 0 ? (float)(inv / tokens) : 0.f;
    }
};

// Sums K quantities of each tile into partials[tile][K] (when partials is not null), calling
// token(i, weight of the row, acc) for every token i of the tile.
template <int K, typename Token>
__global__ void __launch_bounds__(kTileThreads)
    tile_sums(Tiles tiles, TokenWeights weights, Token token, float* partials) {
    for (int64_t tile = blockIdx.x; tile < tiles.count(); tile += gridDim.x) {
        const int64_t b = tile / tiles.per_row;
        const int64_t start = (tile % tiles.per_row) * kTileTokens;
        const int64_t end = start + kTileTokens < tiles.time ? start + kTileTokens : tiles.time;
        const float weight = weights(b);
        float acc[K] = {};
        for (int64_t t = start + threadIdx.x; t < end; t += blockDim.x) token(b * tiles.time + t, weight, acc);
        if (partials != nullptr) {
            block_sum<float, K>(acc);
            if (threadIdx.x == 0) {
#pragma unroll
                for (int k = 0; k < K; k++) partials[tile * K + k] = acc[k];
            }
        }
    }
}

// Adds each row's tiles into J = K + 2 sums: tokens, Σ l, Σ over nonempty rows of (Σ_t l)/L_b,
// nonempty rows, then the K - 2 extras. row_tokens (optional) receives L_b.
template <int K>
__global__ void __launch_bounds__(kRowSumThreads)
    row_sums(Tiles tiles, const float* partials, double* row_tokens, double* block_partials) {
    double acc[K + 2] = {};
    for (int64_t b = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b < tiles.batch;
         b += (int64_t)gridDim.x * blockDim.x) {
        double row[K] = {};
        for (int64_t c = 0; c < tiles.per_row; c++) {
#pragma unroll
            for (int k = 0; k < K; k++) row[k] += partials[(b * tiles.per_row + c) * K + k];
        }
        if (row_tokens != nullptr) row_tokens[b] = row[0];
        acc[0] += row[0];
        acc[1] += row[1];
        if (row[0] > 0) {
            acc[2] += row[1] / row[0];
            acc[3] += 1;
        }
#pragma unroll
        for (int k = 2; k < K; k++) acc[k + 2] += row[k];
    }
    block_sum<double, K + 2>(acc);
    if (threadIdx.x == 0) {
#pragma unroll
        for (int j = 0; j < K + 2; j++) block_partials[blockIdx.x * (K + 2) + j] = acc[j];
    }
}

// From the totals of row_sums: the aggregated loss into an AggregateResult (J = 4) or a PpoResult
// (J = 7: extras clipped, dual-clipped, old - logp), and/or 1/D for the gradient pass.
struct AggregateFinish {
    int mode;
    double normalizer;
    int64_t time;
    double* result;
    double* inv_d;

    template <int J>
    __device__ void operator()(const double (&t)[J]) const {
        const double d = agg_denominator(mode, normalizer, t[0], t[3], time);
        if (inv_d != nullptr) *inv_d = d > 0 ? 1.0 / d : 0.0;
        if (result == nullptr) return;
        const double loss = d > 0 ? (mode == VANTAGE_SEQ_MEAN_TOKEN_MEAN ? t[2] : t[1]) / d : 0.0;
        const double degenerate = d > 0 ? 0.0 : 1.0;
        if constexpr (J == 4) {
            result[VANTAGE_AGGREGATE_VALUE] = loss;
            result[VANTAGE_AGGREGATE_TOKENS] = t[0];
            result[VANTAGE_AGGREGATE_DEGENERATE] = degenerate;
        } else {
            const double per_token = t[0] > 0 ? 1.0 / t[0] : 0.0;
            result[VANTAGE_PPO_LOSS] = loss;
            result[VANTAGE_PPO_CLIP_FRACTION] = t[4] * per_token;
            result[VANTAGE_PPO_CLIP_FRACTION_LOWER] = t[5] * per_token;
            result[VANTAGE_PPO_APPROX_KL] = t[6] * per_token;
            result[VANTAGE_PPO_TOKENS] = t[0];
            result[VANTAGE_PPO_DEGENERATE] = degenerate;
        }
    }
};

struct CountToken {
    const uint8_t* mask;
    __device__ __forceinline__ void operator()(int64_t i, float, float (&acc)[2]) const {
        acc[0] += valid(mask, i) ? 1.f : 0.f;
    }
};

// Workspace of a K-quantity aggregation; the count pass reuses its first pieces (K >= 2).
template <int K>
struct TokenWorkspace {
    float* partials;
    double* row_blocks;
    double* row_tokens;
    double* inv_d;
    size_t used;

    TokenWorkspace(void* base, int64_t batch, int64_t time) {
        Carver c{static_cast<char*>(base)};
        partials = c.take<float>(make_tiles(batch, time).count() * K);
        row_blocks = c.take<double>((int64_t)row_sum_grid(batch) * (K + 2));
        row_tokens = c.take<double>(batch);
        inv_d = c.take<double>(1);
        used = c.used;
    }
};

template <int K>
TokenWorkspace<K> token_workspace(void* base, int64_t batch, int64_t time) {
    return TokenWorkspace<K>(base, batch, time);
}

// Weights of the gradient pass: from the sizes alone without a mask, else from a count pass.
template <int K>
TokenWeights token_weights(int64_t batch, int64_t time, const uint8_t* mask, int mode, double normalizer,
                           const TokenWorkspace<K>& ws, cudaStream_t stream) {
    TokenWeights w{mode, time, nullptr, nullptr, 0.0, VANTAGE_OK};
    if (mask == nullptr) {
        const double d = agg_denominator(mode, normalizer, (double)batch * time, time > 0 ? (double)batch : 0.0, time);
        w.inv_d_host = d > 0 ? 1.0 / d : 0.0;
        return w;
    }
    const Tiles tiles = make_tiles(batch, time);
    tile_sums<2><<<tile_grid(tiles), kTileThreads, 0, stream>>>(tiles, w, CountToken{mask}, ws.partials);
    row_sums<2><<<row_sum_grid(batch), kRowSumThreads, 0, stream>>>(tiles, ws.partials, ws.row_tokens, ws.row_blocks);
    final_reduce<4, Sum><<<1, kReduceThreads, 0, stream>>>(ws.row_blocks, row_sum_grid(batch),
                                                    AggregateFinish{mode, normalizer, time, nullptr, ws.inv_d});
    w.error = (int)cudaGetLastError();
    w.row_tokens = ws.row_tokens;
    w.inv_d = ws.inv_d;
    return w;
}

// The whole aggregation: weights (when a gradient is written), the token pass, the row and the
// final sums into result.
template <int K, typename Token>
int aggregate_tokens(int64_t batch, int64_t time, const uint8_t* mask, bool gradient, int mode, double normalizer,
                     const Token& token, double* result, void* workspace, cudaStream_t stream) {
    const TokenWorkspace<K> ws(workspace, batch, time);
    const TokenWeights w = gradient ? token_weights(batch, time, mask, mode, normalizer, ws, stream)
                                    : TokenWeights{mode, time, nullptr, nullptr, 0.0, VANTAGE_OK};
    if (w.error != VANTAGE_OK) return w.error;
    const Tiles tiles = make_tiles(batch, time);
    tile_sums<K><<<tile_grid(tiles), kTileThreads, 0, stream>>>(tiles, w, token, ws.partials);
    row_sums<K><<<row_sum_grid(batch), kRowSumThreads, 0, stream>>>(tiles, ws.partials, nullptr, ws.row_blocks);
    final_reduce<K + 2, Sum><<<1, kReduceThreads, 0, stream>>>(ws.row_blocks, row_sum_grid(batch),
                                                        AggregateFinish{mode, normalizer, time, result, nullptr});
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

// A gradient pass without sums: token(i, weight, unused) writes each token.
template <typename Token>
int tile_map(int64_t batch, int64_t time, const TokenWeights& w, const Token& token, cudaStream_t stream) {
    const Tiles tiles = make_tiles(batch, time);
    if (tiles.count() == 0) return VANTAGE_OK;
    tile_sums<1><<<tile_grid(tiles), kTileThreads, 0, stream>>>(tiles, w, token, nullptr);
    VANTAGE_LAUNCHED();
    return VANTAGE_OK;
}

}  // namespace vantage
