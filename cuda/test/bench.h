// `selftest --bench`: times each kernel with CUDA events (warm-up, then the median of repeats) and
// prints the minimal bytes it must move, its bandwidth, and the ratio to a device-to-device
// cudaMemcpy moving the same bytes (copying half of them: a read and a write), measured in the same
// run. Inputs smaller than kRotateBytes are rotated over several copies so that no repeat finds
// its input in L2.
#pragma once

#include <algorithm>
#include <functional>

#include "harness.h"

namespace selftest {

constexpr size_t kRotateBytes = size_t(512) << 20;  // several times any L2 of today (H100: 50 MB)
constexpr int kWarmup = 3;
constexpr int kRepeats = 15;

__global__ void threshold(const float* u, uint8_t* m, size_t n, float p_masked) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        m[i] = u[i] >= p_masked;
}

// Median milliseconds of `run(copy)` over repeats, `copies` rotating inputs.
inline double median_ms(int copies, const std::function<void(int)>& run) {
    cudaEvent_t start, stop;
    CK(cudaEventCreate(&start));
    CK(cudaEventCreate(&stop));
    for (int i = 0; i < kWarmup; i++) run(i % copies);
    std::vector<double> times;
    for (int i = 0; i < kRepeats; i++) {
        CK(cudaEventRecord(start));
        run(i % copies);
        CK(cudaEventRecord(stop));
        CK(cudaEventSynchronize(stop));
        float ms = 0;
        CK(cudaEventElapsedTime(&ms, start, stop));
        times.push_back(ms);
    }
    CK(cudaGetLastError());
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// How many copies of an input of `bytes` make the rotation larger than L2.
inline int copies_for(size_t bytes) {
    return (int)std::min<size_t>(16, std::max<size_t>(1, (kRotateBytes + bytes - 1) / std::max<size_t>(bytes, 1)));
}

// GB/s of a D2D copy that reads and writes `bytes` in total.
inline double copy_gbps(size_t bytes) {
    const size_t half = std::max<size_t>(bytes / 2, 256);
    const int copies = copies_for(half);
    std::vector<Dev<char>> src, dst;
    for (int i = 0; i < copies; i++) {
        src.emplace_back(half);
        dst.emplace_back(half);
    }
    const double ms = median_ms(copies, [&](int c) { CK(cudaMemcpyAsync(dst[c].p, src[c].p, half, cudaMemcpyDeviceToDevice)); });
    return 2.0 * half / (ms * 1e6);
}

struct BenchLine {
    std::string name;
    size_t bytes;  // minimal bytes moved
    double ms;
};

inline void print_line(const BenchLine& b) {
    const double gbps = b.bytes / (b.ms * 1e6), copy = copy_gbps(b.bytes);
    std::printf("%-48s %10.1f MB %10.4f ms %8.1f GB/s   copy %8.1f GB/s   %5.1f%% of copy\n", b.name.c_str(),
                b.bytes / 1e6, b.ms, gbps, copy, 100.0 * gbps / copy);
    std::fflush(stdout);
}

// Uniform values in [lo, hi) from a hash of the index: gigabytes of inputs without host traffic.
template <typename T>
__global__ void fill_uniform(T* p, size_t n, uint64_t seed, float lo, float hi) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull ^ seed;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        p[i] = (T)(lo + (hi - lo) * (float)(h >> 40) * 0x1p-24f);
    }
}

// A device buffer of n random elements of a floating dtype.
inline Dev<char> random_device(vantage_dtype t, size_t n, float lo, float hi, uint64_t seed) {
    Dev<char> d(n * dtype_size(t));
    switch (t) {
        case VANTAGE_F32: fill_uniform<<<4096, 256>>>(reinterpret_cast<float*>(d.p), n, seed, lo, hi); break;
        case VANTAGE_BF16: fill_uniform<<<4096, 256>>>(reinterpret_cast<__nv_bfloat16*>(d.p), n, seed, lo, hi); break;
        default: fill_uniform<<<4096, 256>>>(reinterpret_cast<__half*>(d.p), n, seed, lo, hi); break;
    }
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    return d;
}

inline Dev<float> random_f32(size_t n, float lo, float hi, uint64_t seed) {
    Dev<char> bytes = random_device(VANTAGE_F32, n, lo, hi, seed);
    Dev<float> d;
    d.p = reinterpret_cast<float*>(bytes.p);
    d.n = n;
    bytes.p = nullptr;
    return d;
}

inline Dev<uint8_t> random_mask(size_t n, uint64_t seed) {
    Dev<float> u = random_f32(n, 0, 1, seed);
    Dev<uint8_t> m(n);
    threshold<<<4096, 256>>>(u.p, m.p, n, 0.25f);
    CK(cudaGetLastError());
    return m;
}

inline void bench_logprob(Rng& rng, bool quick) {
    const int64_t rows = quick ? 2048 : 16384, vocab = 151936;
    const vantage_dtype dt = VANTAGE_BF16;
    const size_t logits_bytes = (size_t)rows * vocab * dtype_size(dt);
    std::printf("logprob: %lld x %lld %s (%.2f GB of logits)\n", (long long)rows, (long long)vocab, dtype_name(dt),
                logits_bytes / 1e9);
    Dev<char> logits = random_device(dt, (size_t)rows * vocab, -8, 8, 1);
    std::vector<int32_t> labels(rows);
    for (auto& y : labels) y = (int32_t)rng.below(vocab);
    Dev<int32_t> d_labels(labels), status(1);
    Dev<float> logp(rows), entropy(rows), lse(rows), g_lp(rng.normals(rows)), g_h(rng.normals(rows));
    const int copies = copies_for(logits_bytes);
    const double fwd = median_ms(copies, [&](int) {
        vantage_logprob_forward(logits.p, dt, d_labels, logp, entropy, lse, rows, vocab, 1.0, -100, status, 0);
    });
    print_line({"logprob_forward bf16 (logp, entropy, lse)", logits_bytes + rows * 16, fwd});
    {
        Dev<char> grad(logits_bytes);
        const double bwd = median_ms(1, [&](int) {
            vantage_logprob_backward(logits.p, dt, d_labels, lse, entropy, g_lp, g_h, grad, dt, rows, vocab, 1.0, -100,
                                     status, 0);
        });
        print_line({"logprob_backward bf16 -> bf16", 2 * logits_bytes + rows * 20, bwd});
    }
    const double in_place = median_ms(1, [&](int) {
        vantage_logprob_backward(logits.p, dt, d_labels, lse, entropy, g_lp, g_h, logits.p, dt, rows, vocab, 1.0,
                                 -100, status, 0);
    });
    print_line({"logprob_backward bf16 in place", 2 * logits_bytes + rows * 20, in_place});
}

// Times `launch(inputs)` over rotating copies of the inputs that `make(seed)` builds.
template <typename Make, typename Launch>
double time_rotated(size_t bytes, Make make, Launch launch) {
    const int copies = copies_for(bytes);
    std::vector<decltype(make(0))> inputs;
    for (int c = 0; c < copies; c++) inputs.push_back(make(c));
    return median_ms(copies, [&](int c) { launch(inputs[c]); });
}

inline void bench_comp_sum(Rng& rng, bool quick) {
    const int64_t rows = quick ? 2048 : 16384, classes = 151936;
    const vantage_dtype dt = VANTAGE_BF16;
    const size_t logits_bytes = (size_t)rows * classes * dtype_size(dt);
    Dev<char> logits = random_device(dt, (size_t)rows * classes, -8, 8, 2), grad(logits_bytes);
    std::vector<int32_t> labels(rows);
    for (auto& y : labels) y = (int32_t)rng.below(classes);
    Dev<int32_t> d_labels(labels), status(1);
    Dev<float> loss(rows);
    Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
    Workspace ws(vantage_comp_sum_workspace_size(rows, classes));
    for (double tau : {1.0, 1.7}) {
        const double ms = median_ms(1, [&](int) {
            vantage_comp_sum(logits.p, dt, d_labels, loss, grad.p, dt, rows, classes, tau, -100, 0.0, VANTAGE_REDUCTION_MEAN,
                             1.0, result, status, ws.mem, ws.bytes, 0);
        });
        print_line({fmt("comp_sum fused fwd+bwd bf16 tau=%g", tau), 2 * logits_bytes + rows * 8, ms});
    }
}

// Four float arrays and a mask of n elements: the first `inputs` arrays random, the rest outputs.
struct Streams {
    Dev<float> a, b, c, d;
    Dev<uint8_t> mask;
};

inline Streams make_streams(size_t n, int inputs, uint64_t seed) {
    auto array = [&](int k) { return k < inputs ? random_f32(n, -2, 1, seed * 8 + k) : Dev<float>(n); };
    return Streams{array(0), array(1), array(2), array(3), random_mask(n, seed * 8 + 7)};
}

inline void bench_gae(int64_t B, int64_t T) {
    const size_t n = (size_t)B * T;
    Workspace ws(vantage_gae_workspace_size(B, T));
    const double ms = time_rotated(
        n * 17, [&](int c) { return make_streams(n, 2, 100 + c); },
        [&](Streams& in) {
            vantage_gae(in.a, in.b, in.mask, nullptr, nullptr, nullptr, in.c, in.d, B, T, 0.99, 0.95, ws.mem, ws.bytes, 0);
        });
    print_line({fmt("gae %lld x %lld (masked, advantages + returns)", (long long)B, (long long)T), n * 17, ms});
}

inline void bench_tokens(int64_t B, int64_t T) {
    const size_t n = (size_t)B * T;
    Workspace ws(vantage_ppo_loss_workspace_size(B, T));
    Dev<double> result(VANTAGE_PPO_RESULT_SIZE);
    auto make = [&](int c) { return make_streams(n, 3, 200 + c); };
    const double ppo = time_rotated(n * 17, make, [&](Streams& in) {
        vantage_ppo_loss(in.a, in.b, in.c, in.mask, in.d, B, T, 0.2, 0.28, 3.0, 20.0, VANTAGE_SEQ_MEAN_TOKEN_MEAN, 0,
                         result, ws.mem, ws.bytes, 0);
    });
    print_line({fmt("ppo_loss %lld x %lld (masked, seq-mean-token-mean, grad)", (long long)B, (long long)T), n * 17, ppo});
    const double kl = time_rotated(n * 17, make, [&](Streams& in) {
        vantage_kl(in.a, in.b, in.mask, in.d, in.c, n, VANTAGE_KL_K3, 0, 0);
    });
    print_line({fmt("kl K3 %lld x %lld (masked, value + grad)", (long long)B, (long long)T), n * 17, kl});
}

inline void bench_regression(size_t n) {
    Workspace ws(vantage_regression_workspace_size(n));
    Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
    for (vantage_regression_loss kind : {VANTAGE_MSE, VANTAGE_HUBER, VANTAGE_RMSE}) {
        const double ms = time_rotated(
            n * 12, [&](int c) { return make_streams(n, 2, 300 + c); },
            [&](Streams& in) {
                vantage_regression(kind, in.a, in.b, nullptr, nullptr, in.c, n, VANTAGE_REDUCTION_MEAN, 1.0, 0.5, 1e-7,
                                   VANTAGE_NRMSE_MEAN, 1.0, result, ws.mem, ws.bytes, 0);
            });
        const char* name = kind == VANTAGE_MSE ? "MSE" : kind == VANTAGE_HUBER ? "HUBER" : "RMSE (whole set: 2 reads)";
        print_line({fmt("regression %s n=%zu (mean, grad)", name, n), n * 12, ms});
    }
}

inline void bench_dueling(int64_t B, int64_t A, int64_t Z) {
    const size_t n = (size_t)B * A * Z;
    Dev<float> value = random_f32(B * Z, -1, 1, 3), adv = random_f32(n, -1, 1, 4), q(n), grad_q = random_f32(n, -1, 1, 5),
               grad_value(B * Z), grad_adv(n);
    Dev<uint8_t> mask = random_mask(B * A, 6);
    for (vantage_dueling_mode mode : {VANTAGE_DUELING_MEAN, VANTAGE_DUELING_MAX}) {
        const double fwd = median_ms(1, [&](int) { vantage_dueling_forward(value, adv, mask, q, B, A, Z, mode, 0); });
        print_line({fmt("dueling forward %s B=%lld A=%lld Z=%lld", mode == VANTAGE_DUELING_MEAN ? "mean" : "max",
                        (long long)B, (long long)A, (long long)Z),
                    n * 8 + B * A + B * Z * 4, fwd});
        const double bwd = median_ms(1, [&](int) {
            vantage_dueling_backward(adv, mask, grad_q, grad_value, grad_adv, B, A, Z, mode, 0);
        });
        print_line({fmt("dueling backward %s B=%lld A=%lld Z=%lld", mode == VANTAGE_DUELING_MEAN ? "mean" : "max",
                        (long long)B, (long long)A, (long long)Z),
                    n * 12 + B * A + B * Z * 4, bwd});
    }
}

// The sequence objectives and PRIME's advantages on [B, T]: logp (a), reference or initial policy
// (b), advantages (c), mask, gradient or advantages out (d); per-row inputs are B floats or flags.
inline void bench_objectives(int64_t B, int64_t T) {
    const size_t n = (size_t)B * T;
    Dev<float> per_row = random_f32(B, 0, 1, 9), per_row2 = random_f32(B, -1, 1, 10);
    Dev<uint8_t> desirable = random_mask(B, 11);
    Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
    Workspace ws(std::max({vantage_dpo_workspace_size(B, T), vantage_kto_workspace_size(B, T), vantage_alol_workspace_size(B, T),
                           vantage_prime_reward_model_workspace_size(B, T), vantage_apa_workspace_size(B, T),
                           vantage_prime_workspace_size(B, T)}));
    auto make = [&](int c) { return make_streams(n, 3, 400 + c); };
    const std::string shape = fmt("%lld x %lld", (long long)B, (long long)T);
    struct Entry {
        std::string name;
        size_t bytes;
        std::function<void(Streams&)> launch;
    };
    const Entry entries[] = {
        {"dpo sigmoid (ref per token, masked, grad)", n * 13, [&](Streams& in) {
             vantage_dpo(in.a, in.b, 1, in.mask, in.d, B, T, 0.1, 0.0, VANTAGE_DPO_SIGMOID, result, ws.mem, ws.bytes, 0); }},
        {"kto (ref per sequence, masked, grad)", n * 9 + B * 5, [&](Streams& in) {
             vantage_kto(in.a, per_row2, 0, in.mask, desirable, 0.1, in.d, B, T, 0.1, 1, 1, result, ws.mem, ws.bytes, 0); }},
        {"alol token (masked, grad)", n * 13 + B * 8, [&](Streams& in) {
             vantage_alol(in.a, in.b, 1, in.mask, per_row, per_row2, in.d, B, T, VANTAGE_ALOL_TOKEN, 0.9, 0, result, ws.mem,
                          ws.bytes, 0); }},
        {"prime reward model (ref per token, masked, grad)", n * 13 + B * 4, [&](Streams& in) {
             vantage_prime_reward_model(in.a, in.b, 1, in.mask, per_row, in.d, B, T, 0.05, result, ws.mem, ws.bytes, 0); }},
        {"apa (token mean, masked, grad)", n * 17, [&](Streams& in) {
             vantage_apa(in.a, in.b, in.c, in.mask, in.d, B, T, 0.1, VANTAGE_TOKEN_MEAN, 0, result, ws.mem, ws.bytes, 0); }},
        {"prime advantages (K = 4, masked)", n * 9 + B * 4, [&](Streams& in) {
             vantage_prime(in.a, per_row, in.mask, in.d, B, T, 4, 1, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes, 0); }},
    };
    for (const Entry& e : entries) print_line({e.name + " " + shape, e.bytes, time_rotated(n * 17, make, e.launch)});
}

inline int run_benchmarks(bool quick) {
    Rng rng(42);
    std::printf("minimal bytes = what the kernel must read and write; copy = cudaMemcpy D2D moving the same bytes\n");
    bench_logprob(rng, quick);
    bench_comp_sum(rng, quick);
    bench_gae(64, 32768);
    bench_gae(4096, 256);
    bench_tokens(4096, 4096);
    bench_regression(quick ? (size_t)1 << 24 : (size_t)1 << 26);
    bench_dueling(quick ? 1 << 20 : 1 << 22, 16, 1);
    bench_dueling(quick ? 1 << 14 : 1 << 16, 16, 64);
    bench_objectives(256, 4096);
    if (!quick) bench_objectives(1024, 8192);
    return 0;
}

}  // namespace selftest
