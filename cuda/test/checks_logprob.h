// Checks of family 1: logprob forward/backward, ratio, KL, implicit reward, sequence sums, PPO and
// aggregation.
#pragma once

#include "harness.h"
#include "reference.h"

namespace selftest {

constexpr int32_t kIgnore = -100;

struct ForwardResult {
    std::vector<float> logp, entropy, lse;
    int32_t status = 0;
};

inline ForwardResult run_forward(Report& r, const std::string& name, const Floats& logits,
                                 const std::vector<int32_t>& labels, int64_t vocab, double temperature) {
    const int64_t rows = (int64_t)labels.size();
    Dev<int32_t> d_labels(labels), status(1);
    Dev<float> logp(rows), entropy(rows), lse(rows);
    ForwardResult out;
    int rc = vantage_logprob_forward(logits.ptr(), logits.dtype, d_labels, logp, entropy, lse, rows, vocab, temperature,
                                     kIgnore, status, 0);
    if (!r.ok(rc, name)) return out;
    out.logp = logp.get();
    out.entropy = entropy.get();
    out.lse = lse.get();
    out.status = status.get()[0];
    return out;
}

inline void expect_forward(Report& r, const std::string& name, const Floats& logits, const std::vector<int32_t>& labels,
                           int64_t vocab, double temperature, Tol tol) {
    const int64_t rows = (int64_t)labels.size();
    ForwardResult got = run_forward(r, name, logits, labels, vocab, temperature);
    if (got.logp.empty() && rows > 0) return;
    std::vector<double> logp(rows), entropy(rows), lse(rows);
    for (int64_t i = 0; i < rows; i++) {
        ref::LogProbRow row = ref::logprob_row(&logits.values[i * vocab], vocab, labels[i], temperature, kIgnore);
        logp[i] = row.logp;
        entropy[i] = row.entropy;
        lse[i] = row.lse;
    }
    compare(r, name + " logp", got.logp, logp, tol);
    compare(r, name + " entropy", got.entropy, entropy, tol);
    compare(r, name + " lse", got.lse, lse, tol);
}

inline std::vector<int32_t> random_labels(Rng& rng, int64_t rows, int64_t vocab, double p_ignore) {
    std::vector<int32_t> labels(rows);
    for (auto& y : labels) y = rng.chance(p_ignore) ? kIgnore : (int32_t)rng.below(vocab);
    return labels;
}

inline Tol forward_tol(int64_t vocab) { return vocab > 4096 ? Tol{1e-4, 1e-4} : Tol{1e-5, 2e-5}; }

inline void check_logprob_forward(Report& r) {
    const float inf = INFINITY;
    {  // kernel-math §14.1
        Floats logits(VANTAGE_F32, {1.0f, 2.0f, -1.0f, 0.5f, 3.0f, -2.0f, 0.0f, 3.0f});
        ForwardResult got = run_forward(r, "§14.1 forward", logits, {1, 3}, 4, 0.7);
        compare(r, "§14.1 logp", got.logp, {-0.3153463550, -0.7003979685}, {1e-6, 1e-7});
        compare(r, "§14.1 entropy", got.entropy, {0.7915470614, 0.7324815006}, {1e-6, 1e-7});
        compare(r, "§14.1 lse (online tiles = two-pass)", got.lse, {3.172489212106065, 4.986112254190547}, {1e-6, 1e-7});
        Floats masked(VANTAGE_F32, {1.0f, -inf, 0.0f, 2.0f});
        ForwardResult m = run_forward(r, "§14.1 -inf entry", masked, {3}, 4, 1.0);
        compare(r, "§14.1 -inf entry logp", m.logp, {-0.4076059644}, {1e-6, 1e-7});
        compare(r, "§14.1 -inf entry entropy", m.entropy, {0.8323955818}, {1e-6, 1e-7});
    }
    Rng rng(1);
    struct Shape {
        int64_t rows, vocab;
    };
    // Rows of 1 element, primes, warp-row/block-row boundaries, real vocabularies.
    const Shape shapes[] = {{5, 1}, {4, 2}, {7, 31}, {33, 1000}, {9, 4095}, {9, 4096}, {6, 4097}, {3, 50257}, {2, 151936}};
    const vantage_dtype dtypes[] = {VANTAGE_F32, VANTAGE_BF16, VANTAGE_F16};
    for (vantage_dtype dt : dtypes) {
        for (const Shape& s : shapes) {
            for (int variant = 0; variant < 3; variant++) {
                // 0: N(0, 2) at T = 1; 1: offset logits (N(30, 5) as f32, N(8, 3) in 16 bits) at T = 0.7 with
                // 10% -inf entries; 2: the rows start one element off a 16-byte boundary.
                const double mean = variant == 1 ? (dt == VANTAGE_F32 ? 30 : 8) : 0;
                const double sigma = variant == 1 ? (dt == VANTAGE_F32 ? 5 : 3) : 2;
                std::vector<float> z = rng.normals(s.rows * s.vocab, sigma, mean);
                if (variant == 1)
                    for (auto& x : z)
                        if (rng.chance(0.1)) x = -inf;
                std::vector<int32_t> labels = random_labels(rng, s.rows, s.vocab, 0.15);
                if (variant == 1)  // keep most labels on a finite logit
                    for (int64_t i = 0; i < s.rows; i++)
                        if (labels[i] >= 0 && z[i * s.vocab + labels[i]] == -inf) z[i * s.vocab + labels[i]] = (float)mean;
                Floats logits(dt, z, variant == 2 ? 1 : 0);
                const double temperature = variant == 1 ? 0.7 : 1.0;
                expect_forward(r, fmt("forward %s %lldx%lld %s", dtype_name(dt), (long long)s.rows, (long long)s.vocab,
                                      variant == 0 ? "N(0,2)" : variant == 1 ? "offset,-inf,T=0.7" : "misaligned"),
                               logits, labels, s.vocab, temperature, forward_tol(s.vocab));
            }
        }
    }
    {  // invalid rows: all -inf, a +inf, a NaN; a -inf label logit; an ignored invalid row
        const float nan = NAN;
        for (int64_t vocab : {5, 5000}) {
            std::vector<float> z(5 * vocab, 0.5f);
            for (int64_t j = 0; j < vocab; j++) z[0 * vocab + j] = -inf;
            z[1 * vocab + vocab / 2] = inf;
            z[2 * vocab + vocab - 1] = nan;
            z[3 * vocab + 1] = -inf;  // the label of row 3
            for (int64_t j = 0; j < vocab; j++) z[4 * vocab + j] = -inf;
            Floats logits(VANTAGE_F32, z);
            std::vector<int32_t> labels = {0, 0, 0, 1, kIgnore};
            ForwardResult got = run_forward(r, "invalid rows", logits, labels, vocab, 1.0);
            compare(r, fmt("invalid rows V=%lld logp (NaN, NaN, NaN, -inf, ignored 0)", (long long)vocab), got.logp,
                    {ref::kNaN, ref::kNaN, ref::kNaN, -ref::kInf, 0.0}, {0, 0});
            compare(r, fmt("invalid rows V=%lld entropy", (long long)vocab), got.entropy,
                    {ref::kNaN, ref::kNaN, ref::kNaN,
                     ref::logprob_row(&logits.values[3 * vocab], vocab, 1, 1.0, kIgnore).entropy, ref::kNaN},
                    {1e-5, 1e-5});
        }
    }
    {  // a bad label: the status word is set and no output is written
        const int64_t rows = 6, vocab = 300;
        Floats logits(VANTAGE_F32, rng.normals(rows * vocab));
        for (int32_t bad : {(int32_t)vocab, -1, -101}) {
            std::vector<int32_t> labels = random_labels(rng, rows, vocab, 0.2);
            labels[4] = bad;
            Dev<int32_t> d_labels(labels), status(1);
            Dev<float> logp(rows), entropy(rows), lse(rows);
            logp.fill_bytes(0x7f);
            entropy.fill_bytes(0x7f);
            int rc = vantage_logprob_forward(logits.ptr(), VANTAGE_F32, d_labels, logp, entropy, lse, rows, vocab, 1.0,
                                             kIgnore, status, 0);
            if (!r.ok(rc, "bad label")) continue;
            std::vector<float> lp = logp.get(), h = entropy.get();
            bool untouched = true;
            for (int64_t i = 0; i < rows; i++) {
                uint32_t a, b;
                std::memcpy(&a, &lp[i], 4);
                std::memcpy(&b, &h[i], 4);
                untouched &= a == 0x7f7f7f7fu && b == 0x7f7f7f7fu;
            }
            r.check(status.get()[0] == VANTAGE_STATUS_BAD_LABEL && untouched, fmt("bad label %d flagged, outputs untouched", bad),
                    fmt("status %d", status.get()[0]));
        }
    }
    {  // argument checks, and zero rows
        Dev<int32_t> status(1);
        Dev<float> out(1);
        r.check(vantage_logprob_forward(nullptr, VANTAGE_F32, nullptr, out, nullptr, nullptr, 0, 10, 1.0, kIgnore, status, 0) ==
                    VANTAGE_OK, "forward with 0 rows is a no-op");
        r.check(vantage_logprob_forward(out, VANTAGE_F32, nullptr, out, nullptr, nullptr, 1, 1, 0.0, kIgnore, status, 0) ==
                    VANTAGE_ERROR_INVALID_ARGUMENT, "forward rejects temperature 0");
        r.check(vantage_logprob_forward(out, VANTAGE_I32, nullptr, out, nullptr, nullptr, 0, 1, 1.0, kIgnore, status, 0) ==
                    VANTAGE_ERROR_UNSUPPORTED_DTYPE, "forward rejects I32 logits");
    }
    {  // bit-identical run to run
        const int64_t rows = 512, vocab = 32000;
        Floats logits(VANTAGE_BF16, rng.normals(rows * vocab, 3));
        std::vector<int32_t> labels = random_labels(rng, rows, vocab, 0.1);
        ForwardResult a = run_forward(r, "determinism", logits, labels, vocab, 1.0);
        ForwardResult b = run_forward(r, "determinism", logits, labels, vocab, 1.0);
        r.check(!a.logp.empty() && !std::memcmp(a.logp.data(), b.logp.data(), rows * 4) &&
                    !std::memcmp(a.entropy.data(), b.entropy.data(), rows * 4),
                "forward bf16 512x32000 bit-identical on a second run");
    }
}

// Runs the backward and compares it with the reference fed the same lse and entropy.
inline void expect_backward(Report& r, const std::string& name, Floats& logits, vantage_dtype grad_dtype,
                            bool in_place, const std::vector<int32_t>& labels, int64_t vocab, double temperature,
                            Rng& rng, bool with_entropy, Tol tol) {
    const int64_t rows = (int64_t)labels.size();
    std::vector<float> lse(rows), entropy(rows), g_lp = rng.normals(rows), g_h = rng.normals(rows, 0.5);
    for (int64_t i = 0; i < rows; i++) {
        ref::LogProbRow row = ref::logprob_row(&logits.values[i * vocab], vocab, labels[i], temperature, kIgnore);
        lse[i] = (float)row.lse;
        entropy[i] = (float)row.entropy;
    }
    std::vector<double> want(rows * vocab);
    for (int64_t i = 0; i < rows; i++)
        ref::logprob_backward_row(&logits.values[i * vocab], vocab, labels[i], temperature, kIgnore, lse[i], entropy[i],
                                  g_lp[i], with_entropy ? g_h[i] : 0.0, &want[i * vocab]);
    Dev<int32_t> d_labels(labels), status(1);
    Dev<float> d_lse(lse), d_entropy(entropy), d_glp(g_lp), d_gh(g_h);
    Floats grad(grad_dtype, std::vector<float>(in_place ? 0 : rows * vocab, 0.f));
    void* out = in_place ? logits.ptr() : grad.ptr();
    int rc = vantage_logprob_backward(logits.ptr(), logits.dtype, d_labels, d_lse, with_entropy ? d_entropy.p : nullptr,
                                      d_glp, with_entropy ? d_gh.p : nullptr, out, grad_dtype, rows, vocab, temperature,
                                      kIgnore, status, 0);
    if (!r.ok(rc, name)) return;
    compare(r, name, in_place ? logits.read() : grad.read(), want, tol);
}

inline Tol grad_tol(vantage_dtype t) {
    switch (t) {
        case VANTAGE_BF16: return {8e-3, 1e-6};
        case VANTAGE_F16: return {1e-3, 1e-7};
        default: return {1e-4, 1e-7};
    }
}

inline void check_logprob_backward(Report& r) {
    {  // kernel-math §14.1, end to end from the forward's outputs
        Floats logits(VANTAGE_F32, {1.0f, 2.0f, -1.0f, 0.5f, 3.0f, -2.0f, 0.0f, 3.0f});
        ForwardResult f = run_forward(r, "§14.1 forward for backward", logits, {1, 3}, 4, 0.7);
        Dev<int32_t> labels(std::vector<int32_t>{1, 3}), status(1);
        Dev<float> lse(f.lse), entropy(f.entropy), g_lp(std::vector<float>{0.3f, -1.2f}),
            g_h(std::vector<float>{0.5f, 0.25f}), grad(8);
        int rc = vantage_logprob_backward(logits.ptr(), VANTAGE_F32, labels, lse, entropy, g_lp, g_h, grad, VANTAGE_F32, 2, 4,
                                          0.7, kIgnore, status, 0);
        if (r.ok(rc, "§14.1 backward"))
            compare(r, "§14.1 dlogits", grad.get(),
                    {0.0440045831, -0.1322338015, 0.0230195026, 0.0652097159, 0.8452625622, 0.0016691660, 0.0220914239,
                     -0.8690231521},
                    {1e-5, 1e-7});
    }
    Rng rng(2);
    struct Combo {
        vantage_dtype in, out;
        bool in_place;
    };
    const Combo combos[] = {{VANTAGE_F32, VANTAGE_F32, false}, {VANTAGE_BF16, VANTAGE_BF16, false},
                            {VANTAGE_F16, VANTAGE_F16, false}, {VANTAGE_BF16, VANTAGE_F32, false},
                            {VANTAGE_F32, VANTAGE_BF16, false}, {VANTAGE_F16, VANTAGE_F32, false},
                            {VANTAGE_BF16, VANTAGE_BF16, true}, {VANTAGE_F32, VANTAGE_F32, true}};
    const int64_t shapes[][2] = {{5, 1}, {7, 31}, {33, 1000}, {6, 4097}, {3, 50257}, {2, 151936}};
    for (const Combo& c : combos) {
        for (const auto& s : shapes) {
            const int64_t rows = s[0], vocab = s[1];
            for (int misaligned = 0; misaligned < 2; misaligned++) {
                if (misaligned && c.in_place) continue;
                std::vector<float> z = rng.normals(rows * vocab, 2);
                for (auto& x : z)
                    if (rng.chance(0.05)) x = -INFINITY;
                std::vector<int32_t> labels = random_labels(rng, rows, vocab, 0.15);
                for (int64_t i = 0; i < rows; i++)
                    if (labels[i] >= 0) z[i * vocab + labels[i]] = 1.0f;
                Floats logits(c.in, z, misaligned);
                const double temperature = misaligned ? 1.0 : 0.7;
                expect_backward(r,
                                fmt("backward %s->%s%s %lldx%lld%s", dtype_name(c.in), dtype_name(c.out),
                                    c.in_place ? " in place" : "", (long long)rows, (long long)vocab,
                                    misaligned ? " misaligned" : " T=0.7"),
                                logits, c.out, c.in_place, labels, vocab, temperature, rng, true, grad_tol(c.out));
            }
        }
    }
    {  // without the entropy term (entropy and grad_entropy NULL)
        std::vector<int32_t> labels = random_labels(rng, 9, 3000, 0.2);
        Floats logits(VANTAGE_BF16, rng.normals(9 * 3000, 2));
        expect_backward(r, "backward bf16 logp term only", logits, VANTAGE_F32, false, labels, 3000, 1.0, rng, false,
                        grad_tol(VANTAGE_F32));
    }
    {  // the label term's cancellation at confident predictions (Liger-Kernel#1329): bf16 out
        const int64_t vocab = 32000;
        for (double p : {0.9, 0.99, 0.999}) {
            std::vector<float> z(vocab, 0.f);
            z[7] = (float)std::log(p * (vocab - 1) / (1 - p));
            Floats logits(VANTAGE_F32, z);
            ref::LogProbRow row = ref::logprob_row(logits.values.data(), vocab, 7, 1.0, kIgnore);
            Dev<int32_t> labels(std::vector<int32_t>{7}), status(1);
            Dev<float> lse(std::vector<float>{(float)row.lse}), g_lp(std::vector<float>{-1.f});
            Floats grad(VANTAGE_BF16, std::vector<float>(vocab, 0.f));
            int rc = vantage_logprob_backward(logits.ptr(), VANTAGE_F32, labels, lse, nullptr, g_lp, nullptr, grad.ptr(),
                                              VANTAGE_BF16, 1, vocab, 1.0, kIgnore, status, 0);
            if (!r.ok(rc, "label term")) continue;
            const double want = std::exp(z[7] - (double)(float)row.lse) - 1;
            const double got = grad.read()[7];
            r.check(std::fabs(got - want) <= std::fabs(want) * 0x1p-8, fmt("backward bf16 label gradient at p_y=%g", p),
                    fmt("%.6g, expected %.6g", got, want));
        }
    }
}

inline void check_token_kernels(Report& r) {
    Rng rng(3);
    {  // kernel-math §14.4: logp = -1.2, ref = -0.9
        const vantage_kl_estimator est[] = {VANTAGE_KL_K1, VANTAGE_KL_K2, VANTAGE_KL_K3};
        const double value[] = {-0.3, 0.045, 0.0498588076}, grad[] = {1, -0.3, -0.3498588076};
        Dev<float> lp(std::vector<float>{-1.2f}), rf(std::vector<float>{-0.9f}), kl(1), g(1);
        for (int k = 0; k < 3; k++) {
            if (!r.ok(vantage_kl(lp, rf, nullptr, kl, g, 1, est[k], 0, 0), "§14.4")) continue;
            compare_scalar(r, fmt("§14.4 k%d value", k + 1), kl.get()[0], value[k], {1e-6, 1e-8});
            compare_scalar(r, fmt("§14.4 k%d grad", k + 1), g.get()[0], grad[k], {1e-6, 1e-8});
        }
    }
    for (int64_t n : {1, 1000, 100003}) {
        std::vector<float> lp = rng.normals(n, 1, -2), old = lp, rf = lp;
        for (int64_t i = 0; i < n; i++) {
            old[i] = lp[i] + (float)rng.normal(i % 7 == 0 ? 30 : 0.3);  // some beyond the ±20 clamps
            rf[i] = lp[i] + (float)rng.normal(i % 5 == 0 ? 25 : 0.05);  // small |Δ| for the K3 series too
        }
        if (n > 10) {
            lp[3] = NAN;
            rf[4] = -INFINITY;
        }
        std::vector<uint8_t> mask = rng.mask(n, 0.8);
        Dev<float> d_lp(lp), d_old(old), d_rf(rf), out(n), grad(n);
        Dev<uint8_t> d_mask(mask);
        for (double clamp : {20.0, (double)INFINITY}) {
            if (!r.ok(vantage_ratio(d_lp, d_old, d_mask, out, grad, n, clamp, 0), "ratio")) continue;
            std::vector<double> ratio(n), g(n);
            for (int64_t i = 0; i < n; i++) {
                const double lr = (double)lp[i] - old[i];
                const double rho = std::exp(std::isnan(lr) ? lr : ref::clamp(lr, -clamp, clamp));
                ratio[i] = mask[i] ? rho : 0;
                g[i] = mask[i] && !(std::fabs(lr) > clamp) ? rho : 0;
            }
            compare(r, fmt("ratio n=%lld clamp %g", (long long)n, clamp), out.get(), ratio, {2e-6, 0});
            compare(r, fmt("ratio grad n=%lld clamp %g", (long long)n, clamp), grad.get(), g, {2e-6, 0});
        }
        for (int est = VANTAGE_KL_K1; est <= VANTAGE_KL_K3_PLUS; est++) {
            for (int clamp = 0; clamp < 2; clamp++) {
                if (!r.ok(vantage_kl(d_lp, d_rf, d_mask, out, grad, n, (vantage_kl_estimator)est, clamp, 0), "kl")) continue;
                std::vector<double> v(n), g(n);
                for (int64_t i = 0; i < n; i++) {
                    ref::KlToken k = ref::kl_token(lp[i], rf[i], (vantage_kl_estimator)est, clamp);
                    v[i] = mask[i] ? k.value : 0;
                    g[i] = mask[i] ? k.grad : 0;
                }
                compare(r, fmt("kl K%d%s n=%lld value", est == 3 ? 3 : est + 1, est == 3 ? "+" : "", (long long)n) +
                               (clamp ? " verl clamp" : ""), out.get(), v, {1e-5, 1e-12});
                compare(r, fmt("kl K%d%s n=%lld grad", est == 3 ? 3 : est + 1, est == 3 ? "+" : "", (long long)n) +
                               (clamp ? " verl clamp" : ""), grad.get(), g, {1e-5, 1e-12});
            }
        }
        if (r.ok(vantage_implicit_reward(d_lp, d_rf, d_mask, out, n, 0.05, 0), "implicit reward")) {
            std::vector<double> want(n);
            for (int64_t i = 0; i < n; i++) want[i] = mask[i] ? 0.05 * ((double)lp[i] - rf[i]) : 0;
            compare(r, fmt("implicit reward n=%lld", (long long)n), out.get(), want, {1e-5, 1e-7});
        }
    }
    const int64_t bt[][2] = {{1, 1}, {3, 7}, {64, 4097}, {4, 100000}, {300, 33}, {5, 0}};
    for (const auto& s : bt) {
        const int64_t B = s[0], T = s[1];
        std::vector<float> values = rng.normals(B * T, 1, 0.5), grad_sums = rng.normals(B);
        std::vector<uint8_t> mask = rng.mask(B * T, 0.7);
        Dev<float> d_values(values), sums(B), d_grad_sums(grad_sums), grad(B * T);
        Dev<uint8_t> d_mask(mask);
        for (int masked = 0; masked < 2; masked++) {
            const std::vector<uint8_t>* m = masked ? &mask : nullptr;
            const std::string tag = fmt("%lldx%lld%s", (long long)B, (long long)T, masked ? " masked" : "");
            if (r.ok(vantage_sequence_sum(d_values, masked ? d_mask.p : nullptr, sums, B, T, 0), "sequence sum")) {
                std::vector<double> want(B, 0);
                for (int64_t i = 0; i < B * T; i++)
                    if (ref::valid(m, i)) want[i / T] += values[i];
                compare(r, "sequence sum " + tag, sums.get(), want, {1e-5, 1e-4});
            }
            if (r.ok(vantage_sequence_sum_backward(d_grad_sums, masked ? d_mask.p : nullptr, grad, B, T, 0), "sum backward")) {
                std::vector<double> want(B * T);
                for (int64_t i = 0; i < B * T; i++) want[i] = ref::valid(m, i) ? grad_sums[i / T] : 0;
                compare(r, "sequence sum backward " + tag, grad.get(), want, {0, 0});
            }
        }
    }
}

// PPO with each option set against the reference; also the aggregation on its own.
inline void check_ppo_and_aggregate(Report& r) {
    {  // kernel-math §14.5: old = 0, εlow = 0.2, εhigh = 0.28, c = 3; one token each, SUM_NORM with D = 1
        const double log_ratio[] = {0.1, 0.5, -0.5, 0.1, -0.5, 1.5}, A[] = {1, 1, 1, -1, -1, -1};
        const double loss[] = {-1.10517092, -1.28, -0.60653066, 1.10517092, 0.8, 3.0};
        const double grad[] = {-1.10517092, 0, -0.60653066, 1.10517092, 0, 0};
        for (int k = 0; k < 6; k++) {
            Dev<float> lp(std::vector<float>{(float)log_ratio[k]}), old(std::vector<float>{0.f}),
                adv(std::vector<float>{(float)A[k]}), g(1);
            Dev<double> result(VANTAGE_PPO_RESULT_SIZE);
            Workspace ws(vantage_ppo_loss_workspace_size(1, 1));
            int rc = vantage_ppo_loss(lp, old, adv, nullptr, g, 1, 1, 0.2, 0.28, 3.0, 20.0, VANTAGE_TOKEN_MEAN, 0, result,
                                      ws.mem, ws.bytes, 0);
            if (!r.ok(rc, "§14.5")) continue;
            compare_scalar(r, fmt("§14.5 log-ratio %g A=%g loss", log_ratio[k], A[k]), result.get()[VANTAGE_PPO_LOSS],
                           loss[k], {1e-6, 1e-7});
            compare_scalar(r, fmt("§14.5 log-ratio %g A=%g grad", log_ratio[k], A[k]), g.get()[0], grad[k], {1e-6, 1e-7});
        }
    }
    Rng rng(4);
    struct Case {
        int64_t B, T;
        double clip_low, clip_high, dual, clamp;
    };
    const Case cases[] = {{1, 1, 0.2, 0.2, 3, 20},       {7, 13, 0.2, 0.28, 3, 20},      {64, 4097, 0.2, 0.2, INFINITY, 20},
                          {3, 20000, 0.1, 0.3, 2, INFINITY}, {1000, 37, 0.2, 0.2, 3, 1.0}, {4, 0, 0.2, 0.2, 3, 20}};
    for (const Case& c : cases) {
        const int64_t n = c.B * c.T;
        std::vector<float> lp = rng.normals(n, 1, -1), old(n), adv = rng.normals(n);
        for (int64_t i = 0; i < n; i++) {
            old[i] = lp[i] + (float)rng.normal(i % 11 == 0 ? 2 : 0.2);
            // Keep the ratio off the clip, dual-clip and clamp boundaries by more than float rounding,
            // where float and double may legitimately take different branches.
            auto near = [](double a, double b) { return std::fabs(a - b) < 1e-5 * std::fabs(b); };
            const double lr = (double)lp[i] - old[i], rho = std::exp(lr);
            if (near(rho, 1 - c.clip_low) || near(rho, 1 + c.clip_high) || near(rho, c.dual) || near(std::fabs(lr), c.clamp))
                old[i] += 1e-3f;
        }
        std::vector<uint8_t> mask = rng.mask(n, 0.75);
        if (c.B > 3) std::fill(mask.begin() + c.T, mask.begin() + 2 * c.T, 0);  // an empty row
        Dev<float> d_lp(lp), d_old(old), d_adv(adv), grad(n);
        Dev<uint8_t> d_mask(mask);
        Dev<double> result(VANTAGE_PPO_RESULT_SIZE);
        Workspace ws(vantage_ppo_loss_workspace_size(c.B, c.T));
        for (int mode = VANTAGE_TOKEN_MEAN; mode <= VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM; mode++) {
            for (int variant = 0; variant < 3; variant++) {  // masked, unmasked, masked with a normalizer
                const bool masked = variant != 1;
                const double normalizer = variant == 2 ? 123.0 : 0.0;
                const std::vector<uint8_t>* m = masked ? &mask : nullptr;
                const std::string tag = fmt("ppo %lldx%lld mode %d%s%s clip [%g,%g] dual %g clamp %g", (long long)c.B,
                                            (long long)c.T, mode, masked ? " masked" : "", variant == 2 ? " D=123" : "",
                                            c.clip_low, c.clip_high, c.dual, c.clamp);
                int rc = vantage_ppo_loss(d_lp, d_old, d_adv, masked ? d_mask.p : nullptr, grad, c.B, c.T, c.clip_low,
                                          c.clip_high, c.dual, c.clamp, (vantage_aggregation)mode, normalizer, result,
                                          ws.mem, ws.bytes, 0);
                if (!r.ok(rc, tag)) continue;
                std::vector<double> l(n), dl(n);
                double clipped = 0, dual = 0, kl = 0;
                for (int64_t i = 0; i < n; i++) {
                    ref::TokenLoss t = ref::ppo_token(lp[i], old[i], adv[i], c.clip_low, c.clip_high, c.dual, c.clamp);
                    l[i] = t.loss;
                    dl[i] = t.grad;
                    if (!ref::valid(m, i)) continue;
                    clipped += t.clipped;
                    dual += t.dual_clipped;
                    kl += (double)old[i] - lp[i];
                }
                ref::Aggregated agg = ref::aggregate(l, m, c.B, c.T, (vantage_aggregation)mode, normalizer);
                std::vector<double> want_grad(n);
                for (int64_t i = 0; i < n; i++) want_grad[i] = ref::valid(m, i) ? dl[i] * agg.weight[i] : 0;
                std::vector<double> res = result.get();
                const double per = agg.tokens > 0 ? 1 / agg.tokens : 0;
                compare(r, tag + " result",
                        std::vector<double>(res.begin(), res.end()),
                        {agg.loss, clipped * per, dual * per, kl * per, agg.tokens, agg.degenerate ? 1.0 : 0.0},
                        {2e-5, 1e-6});
                compare(r, tag + " grad", grad.get(), want_grad, {1e-5, 1e-9});
            }
        }
    }
    {  // aggregate and its backward; an all-masked batch is degenerate
        const int64_t shapes[][2] = {{1, 1}, {5, 9}, {33, 5000}, {2, 70000}, {3, 0}};
        for (const auto& s : shapes) {
            const int64_t B = s[0], T = s[1], n = B * T;
            std::vector<float> values = rng.normals(n, 2, 1);
            for (int all_masked = 0; all_masked < 2; all_masked++) {
                std::vector<uint8_t> mask = all_masked ? std::vector<uint8_t>(n, 0) : rng.mask(n, 0.6);
                Dev<float> d_values(values), grad(n);
                Dev<uint8_t> d_mask(mask);
                Dev<double> result(VANTAGE_AGGREGATE_RESULT_SIZE);
                Workspace ws(vantage_aggregate_workspace_size(B, T));
                for (int mode = VANTAGE_TOKEN_MEAN; mode <= VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM; mode++) {
                    for (double normalizer : {0.0, 7.5}) {
                        const std::string tag = fmt("aggregate %lldx%lld mode %d%s%s", (long long)B, (long long)T, mode,
                                                    all_masked ? " all masked" : "", normalizer > 0 ? " D=7.5" : "");
                        std::vector<double> l = widen(values);
                        ref::Aggregated agg = ref::aggregate(l, &mask, B, T, (vantage_aggregation)mode, normalizer);
                        int rc = vantage_aggregate(d_values, d_mask, B, T, (vantage_aggregation)mode, normalizer, result,
                                                   ws.mem, ws.bytes, 0);
                        if (r.ok(rc, tag))
                            compare(r, tag, result.get(), {agg.loss, agg.tokens, agg.degenerate ? 1.0 : 0.0}, {2e-5, 1e-6});
                        rc = vantage_aggregate_backward(d_mask, -2.5, grad, B, T, (vantage_aggregation)mode, normalizer,
                                                        ws.mem, ws.bytes, 0);
                        if (!r.ok(rc, tag + " backward")) continue;
                        std::vector<double> want(n);
                        for (int64_t i = 0; i < n; i++) want[i] = -2.5 * agg.weight[i];
                        compare(r, tag + " backward", grad.get(), want, {1e-6, 0});
                    }
                }
            }
        }
    }
    {  // argument checks
        Dev<float> x(4);
        Dev<double> result(VANTAGE_PPO_RESULT_SIZE);
        const size_t need = vantage_ppo_loss_workspace_size(2, 2);
        Workspace ws(need);
        r.check(vantage_ppo_loss(x, x, x, nullptr, nullptr, 2, 2, 0.2, 0.2, 3, 20, VANTAGE_TOKEN_MEAN, 0, result, ws.mem,
                                 need - 1, 0) == VANTAGE_ERROR_WORKSPACE_TOO_SMALL,
                "ppo_loss rejects a workspace one byte short");
        r.check(vantage_ppo_loss(x, x, x, nullptr, nullptr, 2, 2, 0.2, 0.2, 1.0, 20, VANTAGE_TOKEN_MEAN, 0, result, ws.mem,
                                 need, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
                "ppo_loss rejects a dual clip of 1");
        r.check(vantage_aggregate(x, nullptr, 2, 2, (vantage_aggregation)7, 0, result, ws.mem, need, 0) ==
                    VANTAGE_ERROR_INVALID_ARGUMENT,
                "aggregate rejects an unknown mode");
    }
    {  // the global normalizer gives each half its exact share; bit-identical reruns
        const int64_t B = 16, T = 3000, n = B * T;
        std::vector<float> values = rng.normals(n);
        std::vector<uint8_t> mask = rng.mask(n, 0.5);
        Dev<float> d_values(values);
        Dev<uint8_t> d_mask(mask);
        Dev<double> whole(3), first(3), second(3), again(3);
        Workspace ws(vantage_aggregate_workspace_size(B, T));
        double tokens = 0;
        for (uint8_t m : mask) tokens += m != 0;
        vantage_aggregate(d_values, d_mask, B, T, VANTAGE_TOKEN_MEAN, 0, whole, ws.mem, ws.bytes, 0);
        vantage_aggregate(d_values, d_mask, B / 2, T, VANTAGE_TOKEN_MEAN, tokens, first, ws.mem, ws.bytes, 0);
        vantage_aggregate(d_values.p + n / 2, d_mask.p + n / 2, B / 2, T, VANTAGE_TOKEN_MEAN, tokens, second, ws.mem,
                          ws.bytes, 0);
        vantage_aggregate(d_values, d_mask, B, T, VANTAGE_TOKEN_MEAN, 0, again, ws.mem, ws.bytes, 0);
        if (r.ok(VANTAGE_OK, "normalizer shares")) {
            compare_scalar(r, "aggregate: halves with the global normalizer add up to the whole",
                           first.get()[0] + second.get()[0], whole.get()[0], {1e-6, 1e-9});
            r.check(whole.get()[0] == again.get()[0], "aggregate bit-identical on a second run");
        }
    }
}

}  // namespace selftest
