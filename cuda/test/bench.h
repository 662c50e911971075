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

inline int run_benchmarks(bool quick) {
    Rng rng(42);
    std::printf("minimal bytes = what the kernel must read and write; copy = cudaMemcpy D2D moving the same bytes\n");
    bench_logprob(rng, quick);
    return 0;
}

}  // namespace selftest
