// Self-test plumbing: device buffers, half-float conversions, random inputs, and the report that
// prints one line per check.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "vantage.h"

namespace selftest {

constexpr int kExitFailed = 1;
constexpr int kExitNoDevice = 2;
constexpr int kExitUsage = 3;

// A CUDA runtime call of the test itself (not of the library under test): stop on failure.
#define CK(call)                                                                                   \
    do {                                                                                           \
        cudaError_t e_ = (call);                                                                   \
        if (e_ != cudaSuccess) {                                                                   \
            std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,              \
                         cudaGetErrorString(e_));                                                  \
            std::exit(kExitFailed);                                                                \
        }                                                                                          \
    } while (0)

inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
    char buf[512];
    va_list args;
    va_start(args, f);
    std::vsnprintf(buf, sizeof buf, f, args);
    va_end(args);
    return buf;
}

// ---- report ------------------------------------------------------------------------------------

struct Report {
    int passed = 0;
    int failed = 0;

    bool check(bool ok, const std::string& name, const std::string& detail = "") {
        std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name.c_str(), detail.empty() ? "" : "  ", detail.c_str());
        (ok ? passed : failed)++;
        return ok;
    }

    // A launcher's return value must be VANTAGE_OK (and the stream must finish cleanly).
    bool ok(int rc, const std::string& name) {
        cudaError_t sync = cudaDeviceSynchronize();
        if (rc == VANTAGE_OK && sync == cudaSuccess) return true;
        check(false, name, fmt("returned %d (%s), sync %s", rc, vantage_status_string(rc), cudaGetErrorString(sync)));
        return false;
    }
};

// ---- device buffers ----------------------------------------------------------------------------

template <typename T>
struct Dev {
    T* p = nullptr;
    size_t n = 0;

    Dev() = default;
    explicit Dev(size_t count) : n(count) { CK(cudaMalloc(&p, std::max<size_t>(count, 1) * sizeof(T))); }
    explicit Dev(const std::vector<T>& host) : Dev(host.size()) { put(host); }
    Dev(const Dev&) = delete;
    Dev& operator=(const Dev&) = delete;
    Dev(Dev&& o) noexcept : p(o.p), n(o.n) { o.p = nullptr; o.n = 0; }
    Dev& operator=(Dev&& o) noexcept {
        std::swap(p, o.p);
        std::swap(n, o.n);
        return *this;
    }
    ~Dev() {
        if (p) cudaFree(p);
    }

    void put(const std::vector<T>& host) { CK(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice)); }
    std::vector<T> get() const {
        std::vector<T> host(n);
        CK(cudaMemcpy(host.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
        return host;
    }
    void fill_bytes(int byte) { CK(cudaMemset(p, byte, std::max<size_t>(n, 1) * sizeof(T))); }
    operator T*() const { return p; }
};

// Null for an absent optional argument.
template <typename T>
T* opt(const Dev<T>* d) { return d ? d->p : nullptr; }

// A workspace of the size a query asked for.
struct Workspace {
    Dev<char> mem;
    size_t bytes;
    explicit Workspace(size_t b) : mem(b), bytes(b) {}
};

// ---- half floats: stored as raw 16-bit patterns on the host ---------------------------------

inline uint16_t to_bits(vantage_dtype t, float v) {
    if (t == VANTAGE_BF16) return __nv_bfloat16_raw(__float2bfloat16_rn(v)).x;
    return __half_raw(__float2half_rn(v)).x;
}

inline float from_bits(vantage_dtype t, uint16_t b) {
    if (t == VANTAGE_BF16) {
        __nv_bfloat16_raw raw;
        raw.x = b;
        return __bfloat162float(__nv_bfloat16(raw));
    }
    __half_raw raw;
    raw.x = b;
    return __half2float(__half(raw));
}

inline const char* dtype_name(vantage_dtype t) {
    switch (t) {
        case VANTAGE_F32: return "f32";
        case VANTAGE_BF16: return "bf16";
        case VANTAGE_F16: return "f16";
        default: return "?";
    }
}

inline size_t dtype_size(vantage_dtype t) { return t == VANTAGE_F32 ? 4 : 2; }

// Floats stored on the device in a floating dtype; `values` holds exactly what the device holds.
struct Floats {
    vantage_dtype dtype;
    std::vector<float> values;
    Dev<char> mem;

    Floats(vantage_dtype t, const std::vector<float>& v, size_t pad_elements = 0)
        : dtype(t), values(v), mem((v.size() + pad_elements) * dtype_size(t)) {
        std::vector<char> bytes((v.size() + pad_elements) * dtype_size(t), 0);
        for (size_t i = 0; i < v.size(); i++) {
            if (t == VANTAGE_F32) {
                std::memcpy(&bytes[(i + pad_elements) * 4], &v[i], 4);
            } else {
                uint16_t b = to_bits(t, v[i]);
                values[i] = from_bits(t, b);
                std::memcpy(&bytes[(i + pad_elements) * 2], &b, 2);
            }
        }
        mem.put(bytes);
        offset = pad_elements;
    }
    size_t offset = 0;  // elements of padding before element 0 (to test misaligned rows)

    void* ptr() const { return mem.p + offset * dtype_size(dtype); }

    std::vector<float> read() const {
        std::vector<char> bytes = mem.get();
        std::vector<float> out(values.size());
        for (size_t i = 0; i < out.size(); i++) {
            const char* at = &bytes[(i + offset) * dtype_size(dtype)];
            if (dtype == VANTAGE_F32) {
                std::memcpy(&out[i], at, 4);
            } else {
                uint16_t b;
                std::memcpy(&b, at, 2);
                out[i] = from_bits(dtype, b);
            }
        }
        return out;
    }
};

// ---- comparisons -------------------------------------------------------------------------------

struct Tol {
    double rel, abs;
};

// NaN matches NaN, infinities match by sign, else |got - want| <= abs + rel·|want|.
inline bool close(double got, double want, Tol tol) {
    if (std::isnan(want)) return std::isnan(got);
    if (std::isinf(want)) return got == want;
    if (!std::isfinite(got)) return false;
    return std::fabs(got - want) <= tol.abs + tol.rel * std::fabs(want);
}

template <typename G>
bool compare(Report& r, const std::string& name, const std::vector<G>& got, const std::vector<double>& want, Tol tol) {
    if (got.size() != want.size()) return r.check(false, name, fmt("size %zu, expected %zu", got.size(), want.size()));
    size_t bad = 0, worst = 0;
    double worst_err = -1;
    for (size_t i = 0; i < got.size(); i++) {
        // A float output can at best be the expected value rounded to float (overflow included).
        const double g = got[i], w = sizeof(G) == 4 ? (double)(float)want[i] : want[i];
        if (!close(g, w, tol)) {
            bad++;
            const double err = std::isfinite(g) && std::isfinite(w) ? std::fabs(g - w) : INFINITY;
            if (err > worst_err) {
                worst_err = err;
                worst = i;
            }
        }
    }
    if (bad == 0) return r.check(true, name, fmt("%zu values", got.size()));
    return r.check(false, name, fmt("%zu of %zu values off; worst [%zu] = %.9g, expected %.9g (tol rel %.1e abs %.1e)",
                                    bad, got.size(), worst, (double)got[worst], want[worst], tol.rel, tol.abs));
}

// Central differences of a scalar function of a vector, to check a reference gradient.
template <typename F>
std::vector<double> numeric_gradient(std::vector<float> x, F loss, double step) {
    std::vector<double> g(x.size());
    for (size_t k = 0; k < x.size(); k++) {
        const float keep = x[k];
        x[k] = (float)(keep + step);
        const double up = loss(x);
        const double h_up = (double)x[k] - keep;
        x[k] = (float)(keep - step);
        const double down = loss(x);
        const double h_down = keep - (double)x[k];
        x[k] = keep;
        g[k] = (up - down) / (h_up + h_down);
    }
    return g;
}

inline bool compare_scalar(Report& r, const std::string& name, double got, double want, Tol tol) {
    return r.check(close(got, want, tol), name, fmt("%.10g, expected %.10g", got, want));
}

// ---- random inputs ----------------------------------------------------------------------------

struct Rng {
    std::mt19937_64 gen;
    explicit Rng(uint64_t seed) : gen(seed) {}
    double normal(double sigma = 1) { return std::normal_distribution<double>(0, sigma)(gen); }
    double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
    int64_t below(int64_t n) { return std::uniform_int_distribution<int64_t>(0, n - 1)(gen); }
    bool chance(double p) { return uniform(0, 1) < p; }

    std::vector<float> normals(size_t n, double sigma = 1, double mean = 0) {
        std::vector<float> v(n);
        for (auto& x : v) x = (float)(mean + normal(sigma));
        return v;
    }
    std::vector<float> uniforms(size_t n, double lo, double hi) {
        std::vector<float> v(n);
        for (auto& x : v) x = (float)uniform(lo, hi);
        return v;
    }
    std::vector<uint8_t> mask(size_t n, double p_valid) {
        std::vector<uint8_t> v(n);
        for (auto& x : v) x = chance(p_valid) ? (uint8_t)(1 + below(255)) : 0;  // any non-zero byte is true
        return v;
    }
};

inline std::vector<double> widen(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

}  // namespace selftest
