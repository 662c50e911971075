// Checks of family 5: the sequence objectives (DPO, KTO, APA, A-LoL, PRIME's reward model) and
// PRIME's advantages.
//
// Tolerances: the objectives sum their rows in fp64 and form every coefficient in fp64, so their
// results match the fp64 reference to rel 1e-9 (summation order only) and their float gradients to
// the reference rounded to float (rel 2e-6); A-LoL's TOKEN weights are fp32 exponentials (rel 1e-6),
// APA is an fp32 per-token loss (rel 2e-5; its residual's rounding is absolute: 1e-6 of the largest
// gradient), PRIME's advantages an fp32 scan and whitening (1e-4).
#pragma once

#include <functional>

#include "checks_advantage.h"
#include "harness.h"
#include "reference.h"

namespace selftest {

// Device copies placed `offset` elements past a 256-byte boundary: offset 1 takes the element-wise
// path even where T % 4 == 0.
template <typename T>
struct Placed {
    Dev<T> mem;
    int offset;
    Placed(const std::vector<T>& host, int off) : mem(host.size() + off), offset(off) {
        std::vector<T> padded(off, T(0));
        padded.insert(padded.end(), host.begin(), host.end());
        mem.put(padded);
    }
    T* p() const { return mem.p + offset; }
    std::vector<T> get() const {
        std::vector<T> all = mem.get();
        return std::vector<T>(all.begin() + offset, all.end());
    }
};

// Inputs of one objective case on [B, T]: policy log-probs, a reference in both layouts (the
// per-sequence one is the masked row sum of the per-token one), a mask.
struct SeqCase {
    int64_t B, T;
    std::vector<float> logp, ref_tokens, ref_seq;
    std::vector<uint8_t> mask;
    bool masked;
    std::string name;

    const std::vector<uint8_t>* m() const { return masked ? &mask : nullptr; }
    ref::Ref ref(bool per_token) const { return {per_token ? &ref_tokens : &ref_seq, per_token}; }
};

// layout 0: no mask; 1: right padding with an empty row; 2: holes. dist 0: log-probs near -1.5,
// 1: uniform in [-12, 0], 2: near 0 with a reference far off (large ratios).
inline SeqCase seq_case(Rng& rng, int64_t B, int64_t T, int layout, int dist) {
    SeqCase c{B, T, {}, {}, {}, std::vector<uint8_t>(B * T, 1), layout != 0, ""};
    c.name = fmt("%lldx%lld %s %s", (long long)B, (long long)T,
                 layout == 0 ? "unmasked" : layout == 1 ? "right-padded" : "holes",
                 dist == 0 ? "normal" : dist == 1 ? "uniform" : "large ratios");
    c.logp = dist == 0 ? rng.normals(B * T, 1, -1.5) : dist == 1 ? rng.uniforms(B * T, -12, 0) : rng.uniforms(B * T, -0.3, 0);
    c.ref_tokens.resize(B * T);
    for (int64_t i = 0; i < B * T; i++) c.ref_tokens[i] = c.logp[i] + (float)rng.normal(dist == 2 ? 3 : 0.3);
    for (int64_t b = 0; b < B; b++) {
        const int64_t length = layout == 1 ? (b == 1 ? 0 : rng.below(T + 1)) : T;
        for (int64_t t = 0; t < T; t++) {
            uint8_t& m = c.mask[b * T + t];
            m = t < length ? (uint8_t)(1 + rng.below(255)) : 0;
            if (layout == 2 && rng.chance(0.3)) m = 0;
            if (!m) c.logp[b * T + t] = c.ref_tokens[b * T + t] = NAN;  // padding must not reach the sums
        }
    }
    for (int64_t b = 0; b < B; b++) c.ref_seq.push_back((float)ref::row_sum(c.ref_tokens, c.m(), b, T));
    return c;
}

// The case on the device; grad is filled with NaN so that an unwritten element shows.
struct SeqDevice {
    Placed<float> logp, ref_tokens, ref_seq;
    Placed<uint8_t> mask;
    Dev<float> grad_mem;
    int offset;
    SeqDevice(const SeqCase& c, int off)
        : logp(c.logp, off), ref_tokens(c.ref_tokens, off), ref_seq(c.ref_seq, off), mask(c.mask, off),
          grad_mem(c.B * c.T + off), offset(off) {}
    const float* ref(bool per_token) const { return per_token ? ref_tokens.p() : ref_seq.p(); }
    const uint8_t* m(const SeqCase& c) const { return c.masked ? mask.p() : nullptr; }
    float* grad() {
        grad_mem.fill_bytes(0xff);
        return grad_mem.p + offset;
    }
    std::vector<float> grad_values() const {
        std::vector<float> all = grad_mem.get();
        return std::vector<float>(all.begin() + offset, all.end());
    }
};

constexpr Tol kResultTol = {1e-9, 1e-12};
constexpr Tol kGradTol = {2e-6, 1e-12};

// Compares a run's result and gradient with the reference.
inline void expect_objective(Report& r, const std::string& tag, int rc, const Dev<double>& result, const SeqDevice& dev,
                             const ref::Objective& want, Tol result_tol = kResultTol, Tol grad_tol = kGradTol) {
    if (!r.ok(rc, tag)) return;
    compare(r, tag + " result", result.get(), want.result, result_tol);
    compare(r, tag + " grad", dev.grad_values(), want.grad, grad_tol);
}

inline void check_objective_vectors(Report& r) {
    // kernel-math §14.6 DPO: S_w = -10, Sref_w = -11, S_l = -12, Sref_l = -11.5, β = 0.1; one pair,
    // split over two tokens per row (per-token reference) or given as sums (per-sequence).
    for (int per_token = 0; per_token < 2; per_token++) {
        Dev<float> lp(std::vector<float>{-4, -6, -5, -7}), grad(4);
        Dev<float> rf(per_token ? std::vector<float>{-5, -6, -6, -5.5f} : std::vector<float>{-11, -11.5f});
        Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
        Workspace ws(vantage_dpo_workspace_size(2, 2));
        const int rc = vantage_dpo(lp, rf, per_token, nullptr, grad, 2, 2, 0.1, 0.0, VANTAGE_DPO_SIGMOID, result, ws.mem,
                                   ws.bytes, 0);
        const std::string tag = fmt("§14.6 DPO (reference per %s)", per_token ? "token" : "sequence");
        if (!r.ok(rc, tag)) continue;
        compare_scalar(r, tag + " loss", result.get()[VANTAGE_DPO_LOSS], 0.6209570478, {1e-9, 1e-10});
        compare(r, tag + " dL/dS_w, dL/dS_l per token", grad.get(), {-0.0462570155, -0.0462570155, 0.0462570155, 0.0462570155},
                {1e-7, 1e-10});
    }
    {  // §14.6 KTO: z0 = 0.3, β = 0.1; a desirable row with r = 2 and an undesirable one with r = 1
        Dev<float> lp(std::vector<float>{2, 1}), rf(std::vector<float>{0, 0}), grad(2);
        Dev<uint8_t> desirable(std::vector<uint8_t>{1, 0});
        Dev<double> result(VANTAGE_KTO_RESULT_SIZE);
        Workspace ws(vantage_kto_workspace_size(2, 1));
        const int rc = vantage_kto(lp, rf, 0, nullptr, desirable, 0.3, grad, 2, 1, 0.1, 1, 1, result, ws.mem, ws.bytes, 0);
        if (r.ok(rc, "§14.6 KTO")) {
            compare_scalar(r, "§14.6 KTO loss (mean of the two rows)", result.get()[VANTAGE_KTO_LOSS],
                           (0.4576020592 + 0.5174928577) / 2, {1e-9, 1e-10});
            compare(r, "§14.6 KTO dL/dr (each over B = 2)", grad.get(), {-0.0248202415 / 2, 0.0249694000 / 2}, {1e-7, 1e-10});
        }
    }
    {  // §14.9 A-LoL (sequence weights), ε = 0.9: S = [-12, -30], Sref = [-12.5, -29], R = [0.9, 0.4], V = [0.6, 0.7]
        Dev<float> lp(std::vector<float>{-12, -30}), rf(std::vector<float>{-12.5f, -29}), rew(std::vector<float>{0.9f, 0.4f}),
            val(std::vector<float>{0.6f, 0.7f}), grad(2);
        Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
        Workspace ws(vantage_alol_workspace_size(2, 1));
        const int rc = vantage_alol(lp, rf, 0, nullptr, rew, val, grad, 2, 1, VANTAGE_ALOL_SEQUENCE, 0.9, 0, result, ws.mem,
                                    ws.bytes, 0);
        if (r.ok(rc, "§14.9")) {
            // R - V of the float inputs is 0.3 to 1.6e-7 relative.
            compare_scalar(r, "§14.9 A-LoL loss", result.get()[VANTAGE_LOSS_VALUE], 2.9676982873, {1e-6, 1e-10});
            compare(r, "§14.9 A-LoL dL/dS", grad.get(), {-0.2473081906, 0}, {1e-6, 1e-10});
        }
    }
    {  // §14.10 APA, λ = 0.1: logp = [-1, -2, -0.5], init = [-1.2, -1.5, -0.5], A = [0.3, -0.2, 0], m = [1, 1, 0]
        Dev<float> lp(std::vector<float>{-1, -2, -0.5f}), init(std::vector<float>{-1.2f, -1.5f, -0.5f}),
            adv(std::vector<float>{0.3f, -0.2f, 0}), grad(3);
        Dev<uint8_t> mask(std::vector<uint8_t>{1, 1, 0});
        Dev<double> result(VANTAGE_AGGREGATE_RESULT_SIZE);
        Workspace ws(vantage_apa_workspace_size(1, 3));
        const int rc = vantage_apa(lp, init, adv, mask, grad, 1, 3, 0.1, VANTAGE_TOKEN_MEAN, 0, result, ws.mem, ws.bytes, 0);
        if (r.ok(rc, "§14.10")) {
            compare(r, "§14.10 APA result (loss, tokens, degenerate)", result.get(), {5.045, 2, 0}, {1e-6, 1e-9});
            compare(r, "§14.10 APA grad", grad.get(), {-2.8, 1.5, 0}, {1e-6, 1e-9});
        }
    }
}

// The reference gradients against central differences of the reference losses (A-LoL's weights held).
inline void check_objective_reference_gradients(Report& r, Rng& rng) {
    const SeqCase c = seq_case(rng, 4, 5, 2, 0);
    std::vector<float> lp = c.logp;
    for (auto& x : lp)
        if (std::isnan(x)) x = -1.f;  // central differences need finite masked entries (they are ignored)
    const std::vector<uint8_t> desirable = {1, 0, 0, 1};
    const std::vector<float> rewards = {0.9f, 0.2f, 0.7f, 0.5f}, values = {0.1f, 0.6f, 0.3f, 0.1f}, outcomes = {1, 0, 0.3f, 1};
    const std::vector<float> advantages = rng.normals(20, 0.5);
    struct Loss {
        const char* name;
        std::function<ref::Objective(const std::vector<float>&)> f;
    };
    const ref::Ref per_token = c.ref(true), per_seq = c.ref(false);
    const Loss losses[] = {
        {"dpo sigmoid eps=0.2", [&](const std::vector<float>& x) { return ref::dpo(x, per_token, c.m(), 4, 5, 0.7, 0.2, false); }},
        {"dpo ipo", [&](const std::vector<float>& x) { return ref::dpo(x, per_seq, c.m(), 4, 5, 0.7, 0, true); }},
        {"kto", [&](const std::vector<float>& x) { return ref::kto(x, per_token, c.m(), desirable, 0.2, 4, 5, 0.6, 1.3, 0.8); }},
        {"alol sequence", [&](const std::vector<float>& x) {
             return ref::alol(VANTAGE_ALOL_SEQUENCE, x, lp, per_seq, c.m(), rewards, values, 4, 5, 0.2, 0); }},
        {"alol token", [&](const std::vector<float>& x) {
             return ref::alol(VANTAGE_ALOL_TOKEN, x, lp, per_token, c.m(), rewards, values, 4, 5, 0.2, 0); }},
        {"alol kl", [&](const std::vector<float>& x) {
             return ref::alol(VANTAGE_ALOL_KL, x, lp, per_token, c.m(), rewards, values, 4, 5, 0.9, 0.4); }},
        {"prime reward model", [&](const std::vector<float>& x) {
             return ref::prime_reward_model(x, per_token, c.m(), outcomes, 4, 5, 0.5); }},
        {"apa seq-mean-token-mean", [&](const std::vector<float>& x) {
             return ref::apa(x, c.ref_tokens, advantages, c.m(), 4, 5, 0.5, VANTAGE_SEQ_MEAN_TOKEN_MEAN, 0); }},
    };
    for (const Loss& l : losses) {
        const std::vector<double> fd = numeric_gradient(lp, [&](const std::vector<float>& x) { return l.f(x).result[0]; }, 1e-3);
        compare(r, fmt("reference %s gradient = central differences", l.name), l.f(lp).grad, fd, {1e-4, 1e-7});
    }
}

inline void check_dpo_and_kto(Report& r, Rng& rng) {
    // Warp units (2T <= 1024) and block units, T % 4 == 0 (vector path) and not, primes, empty batches.
    const int64_t shapes[][2] = {{2, 1}, {6, 7}, {10, 256}, {4, 513}, {16, 4096}, {2, 4097}, {2, 20011}, {130, 33},
                                 {4, 0}, {0, 5}};
    int variant = 0;
    for (const auto& s : shapes) {
        for (int layout = 0; layout < 3; layout++) {
            const SeqCase c = seq_case(rng, s[0], s[1], layout, variant % 3);
            const int offset = variant % 4 == 3 ? 1 : 0;  // now and then a misaligned copy
            SeqDevice dev(c, offset);
            const int64_t B = c.B, T = c.T;
            for (int per_token = 0; per_token < 2; per_token++) {
                const std::string where = c.name + (per_token ? " ref/token" : " ref/seq") + (offset ? " misaligned" : "");
                const double beta = variant % 2 ? 0.1 : 0.7, eps = (variant % 3) * 0.2;
                variant++;
                for (int ipo = 0; ipo < 2; ipo++) {
                    Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
                    Workspace ws(vantage_dpo_workspace_size(B, T));
                    const int rc = vantage_dpo(dev.logp.p(), dev.ref(per_token), per_token, dev.m(c), dev.grad(), B, T, beta,
                                               eps, ipo ? VANTAGE_DPO_IPO : VANTAGE_DPO_SIGMOID, result, ws.mem, ws.bytes, 0);
                    expect_objective(r, fmt("dpo %s beta=%g eps=%g %s", ipo ? "ipo" : "sigmoid", beta, eps, where.c_str()), rc,
                                     result, dev, ref::dpo(c.logp, c.ref(per_token), c.m(), B, T, beta, eps, ipo));
                }
                std::vector<uint8_t> desirable = rng.mask(B, 0.6);
                if (B > 2) desirable[0] = 0, desirable[1] = 1;
                Dev<uint8_t> d_desirable(desirable);
                const double kl = variant % 2 ? 0.4 : -0.3;  // a negative estimate is clamped to 0
                Dev<double> result(VANTAGE_KTO_RESULT_SIZE);
                Workspace ws(vantage_kto_workspace_size(B, T));
                const int rc = vantage_kto(dev.logp.p(), dev.ref(per_token), per_token, dev.m(c), d_desirable, kl, dev.grad(),
                                           B, T, beta, 1.33, 0.8, result, ws.mem, ws.bytes, 0);
                expect_objective(r, fmt("kto kl=%g %s", kl, where.c_str()), rc, result, dev,
                                 ref::kto(c.logp, c.ref(per_token), c.m(), desirable, kl, B, T, beta, 1.33, 0.8));
            }
        }
    }
    {  // no desirable rows, then only desirable ones: the other kind's reward is 0
        const SeqCase c = seq_case(rng, 6, 50, 1, 0);
        SeqDevice dev(c, 0);
        for (int kind = 0; kind < 2; kind++) {
            const std::vector<uint8_t> desirable(6, (uint8_t)kind);
            Dev<uint8_t> d_desirable(desirable);
            Dev<double> result(VANTAGE_KTO_RESULT_SIZE);
            Workspace ws(vantage_kto_workspace_size(6, 50));
            const int rc = vantage_kto(dev.logp.p(), dev.ref(true), 1, dev.m(c), d_desirable, 0.1, dev.grad(), 6, 50, 0.1, 1,
                                       1, result, ws.mem, ws.bytes, 0);
            expect_objective(r, kind ? "kto all desirable" : "kto none desirable", rc, result, dev,
                             ref::kto(c.logp, c.ref(true), c.m(), desirable, 0.1, 6, 50, 0.1, 1, 1));
        }
    }
}

inline void check_alol_and_prime_reward_model(Report& r, Rng& rng) {
    const int64_t shapes[][2] = {{1, 1}, {5, 7}, {9, 1024}, {3, 1025}, {17, 4096}, {2, 30011}, {257, 13}, {3, 0}, {0, 4}};
    const vantage_alol_variant variants[] = {VANTAGE_ALOL_SEQUENCE, VANTAGE_ALOL_TOKEN, VANTAGE_ALOL_REFERENCE_FREE,
                                             VANTAGE_ALOL_KL};
    const char* names[] = {"sequence", "token", "reference-free", "kl"};
    int variant = 0;
    for (const auto& s : shapes) {
        for (int layout = 0; layout < 3; layout++) {
            const SeqCase c = seq_case(rng, s[0], s[1], layout, variant % 3);
            const int offset = variant % 4 == 1 ? 1 : 0;
            SeqDevice dev(c, offset);
            const int64_t B = c.B, T = c.T;
            std::vector<float> rewards = rng.normals(B, 1, 0.5), values = rng.normals(B, 1, 0.2), outcomes = rng.uniforms(B, 0, 1);
            Dev<float> d_rewards(rewards), d_values(values), d_outcomes(outcomes);
            for (int per_token = 0; per_token < 2; per_token++) {
                const std::string where = c.name + (per_token ? " ref/token" : " ref/seq") + (offset ? " misaligned" : "");
                variant++;
                for (int v = 0; v < 4; v++) {
                    if (variants[v] == VANTAGE_ALOL_TOKEN && !per_token) continue;
                    // The reference-free variant reads no reference: pass none on the per-sequence runs.
                    const bool no_ref = variants[v] == VANTAGE_ALOL_REFERENCE_FREE && !per_token;
                    const double clip = variant % 2 ? 0.9 : 1.5, kl = variants[v] == VANTAGE_ALOL_KL ? 0.35 : 0.8;
                    Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
                    Workspace ws(vantage_alol_workspace_size(B, T));
                    const int rc = vantage_alol(dev.logp.p(), no_ref ? nullptr : dev.ref(per_token), per_token, dev.m(c),
                                                d_rewards, d_values, dev.grad(), B, T, variants[v], clip, kl, result, ws.mem,
                                                ws.bytes, 0);
                    const ref::Ref reference = no_ref ? ref::Ref{nullptr, false} : c.ref(per_token);
                    const bool token = variants[v] == VANTAGE_ALOL_TOKEN;
                    expect_objective(r, fmt("alol %s clip=%g %s", names[v], clip, where.c_str()), rc, result, dev,
                                     ref::alol(variants[v], c.logp, c.logp, reference, c.m(), rewards, values, B, T, clip, kl),
                                     token ? Tol{1e-6, 1e-9} : kResultTol, token ? Tol{1e-6, 1e-12} : kGradTol);
                }
                Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
                Workspace ws(vantage_prime_reward_model_workspace_size(B, T));
                const double beta = variant % 2 ? 0.05 : 0.5;
                const int rc = vantage_prime_reward_model(dev.logp.p(), dev.ref(per_token), per_token, dev.m(c), d_outcomes,
                                                          dev.grad(), B, T, beta, result, ws.mem, ws.bytes, 0);
                expect_objective(r, fmt("prime reward model beta=%g %s", beta, where.c_str()), rc, result, dev,
                                 ref::prime_reward_model(c.logp, c.ref(per_token), c.m(), outcomes, B, T, beta));
            }
        }
    }
    {  // A-LoL: every advantage negative (degenerate unless the KL term is on), and a NaN advantage
        const SeqCase c = seq_case(rng, 4, 100, 1, 0);
        SeqDevice dev(c, 0);
        for (int nan = 0; nan < 2; nan++) {
            std::vector<float> rewards(4, -1.f), values(4, 0.5f);
            if (nan) rewards[2] = NAN;
            Dev<float> d_rewards(rewards), d_values(values);
            for (vantage_alol_variant v : {VANTAGE_ALOL_SEQUENCE, VANTAGE_ALOL_KL}) {
                Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
                Workspace ws(vantage_alol_workspace_size(4, 100));
                const int rc = vantage_alol(dev.logp.p(), dev.ref(true), 1, dev.m(c), d_rewards, d_values, dev.grad(), 4, 100,
                                            v, 0.9, 0.2, result, ws.mem, ws.bytes, 0);
                const ref::Objective want = ref::alol(v, c.logp, c.logp, c.ref(true), c.m(), rewards, values, 4, 100, 0.9, 0.2);
                expect_objective(r, fmt("alol %s %s", v == VANTAGE_ALOL_KL ? "kl" : "sequence",
                                        nan ? "NaN advantage propagates" : "no positive advantage"), rc, result, dev, want);
                if (!nan) r.check(want.result[2] == (v == VANTAGE_ALOL_KL ? 0.0 : 1.0), "alol degenerate flag of the reference",
                                  v == VANTAGE_ALOL_KL ? "kl: not degenerate" : "sequence: degenerate");
            }
        }
    }
}

// Log-ratios of ±2·10^4 per sequence: a naive log(sigmoid), exp of the ratio or unclipped weight
// overflows; the stable forms stay finite and match the reference.
inline void check_extreme_ratios(Report& r) {
    const int64_t T = 100;
    for (int sign = 0; sign < 2; sign++) {
        std::vector<float> lp(2 * T), rf(2 * T);
        for (int64_t t = 0; t < T; t++) {
            lp[t] = sign ? 0.f : -200.f, rf[t] = sign ? -200.f : 0.f;          // chosen: ratio ±2e4
            lp[T + t] = sign ? -200.f : 0.f, rf[T + t] = sign ? 0.f : -200.f;  // rejected: the opposite
        }
        SeqCase c{2, T, lp, rf, {}, std::vector<uint8_t>(2 * T, 1), false, fmt("2x100 ratios %s2e4", sign ? "+" : "-")};
        for (int64_t b = 0; b < 2; b++) c.ref_seq.push_back((float)ref::row_sum(rf, nullptr, b, T));
        SeqDevice dev(c, 0);
        for (double eps : {0.0, 0.25}) {
            for (int ipo = 0; ipo < 2; ipo++) {
                Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
                Workspace ws(vantage_dpo_workspace_size(2, T));
                const int rc = vantage_dpo(dev.logp.p(), dev.ref(true), 1, nullptr, dev.grad(), 2, T, 0.1, eps,
                                           ipo ? VANTAGE_DPO_IPO : VANTAGE_DPO_SIGMOID, result, ws.mem, ws.bytes, 0);
                expect_objective(r, fmt("dpo %s eps=%g %s", ipo ? "ipo" : "sigmoid", eps, c.name.c_str()), rc, result, dev,
                                 ref::dpo(lp, c.ref(true), nullptr, 2, T, 0.1, eps, ipo));
            }
        }
        {
            Dev<uint8_t> desirable(std::vector<uint8_t>{1, 0});
            Dev<double> result(VANTAGE_KTO_RESULT_SIZE);
            Workspace ws(vantage_kto_workspace_size(2, T));
            const int rc = vantage_kto(dev.logp.p(), dev.ref(false), 0, nullptr, desirable, 0.3, dev.grad(), 2, T, 0.1, 1, 1,
                                       result, ws.mem, ws.bytes, 0);
            expect_objective(r, "kto " + c.name, rc, result, dev,
                             ref::kto(lp, c.ref(false), nullptr, {1, 0}, 0.3, 2, T, 0.1, 1, 1));
        }
        for (vantage_alol_variant v : {VANTAGE_ALOL_SEQUENCE, VANTAGE_ALOL_TOKEN}) {
            const std::vector<float> rewards = {1.f, 2.f}, values = {0.f, 0.5f};
            Dev<float> d_rewards(rewards), d_values(values);
            Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
            Workspace ws(vantage_alol_workspace_size(2, T));
            const int rc = vantage_alol(dev.logp.p(), dev.ref(true), 1, nullptr, d_rewards, d_values, dev.grad(), 2, T, v, 0.9,
                                        0, result, ws.mem, ws.bytes, 0);
            expect_objective(r, fmt("alol %s %s", v == VANTAGE_ALOL_TOKEN ? "token" : "sequence", c.name.c_str()), rc, result,
                             dev, ref::alol(v, lp, lp, c.ref(true), nullptr, rewards, values, 2, T, 0.9, 0), {1e-6, 1e-9},
                             {1e-6, 1e-12});
        }
        {
            const std::vector<float> outcomes = {1.f, 0.f};
            Dev<float> d_outcomes(outcomes);
            Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
            Workspace ws(vantage_prime_reward_model_workspace_size(2, T));
            const int rc = vantage_prime_reward_model(dev.logp.p(), dev.ref(true), 1, nullptr, d_outcomes, dev.grad(), 2, T,
                                                      0.05, result, ws.mem, ws.bytes, 0);
            expect_objective(r, "prime reward model " + c.name, rc, result, dev,
                             ref::prime_reward_model(lp, c.ref(true), nullptr, outcomes, 2, T, 0.05));
        }
    }
}

inline void check_apa(Report& r, Rng& rng) {
    const int64_t shapes[][2] = {{1, 1}, {5, 9}, {33, 4097}, {2, 70000}, {3, 0}};
    for (const auto& s : shapes) {
        const int64_t B = s[0], T = s[1], n = B * T;
        std::vector<float> lp = rng.normals(n, 1, -1.5), init = rng.normals(n, 1, -1.5), adv = rng.normals(n, 0.5);
        std::vector<uint8_t> mask = rng.mask(n, 0.7);
        if (B > 2) std::fill(mask.begin() + T, mask.begin() + 2 * T, 0);  // an empty row
        Dev<float> d_lp(lp), d_init(init), d_adv(adv), grad(n);
        Dev<uint8_t> d_mask(mask);
        Dev<double> result(VANTAGE_AGGREGATE_RESULT_SIZE);
        Workspace ws(vantage_apa_workspace_size(B, T));
        for (int mode = VANTAGE_TOKEN_MEAN; mode <= VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM; mode++) {
            for (int variant = 0; variant < 3; variant++) {  // masked, unmasked, masked with a normalizer
                const std::vector<uint8_t>* m = variant == 1 ? nullptr : &mask;
                const double normalizer = variant == 2 ? 321.0 : 0.0, lambda = variant == 2 ? 1.0 : 0.1;
                const std::string tag = fmt("apa %lldx%lld mode %d%s%s lambda=%g", (long long)B, (long long)T, mode,
                                            m ? " masked" : "", normalizer > 0 ? " D=321" : "", lambda);
                grad.fill_bytes(0xff);
                const int rc = vantage_apa(d_lp, d_init, d_adv, m ? d_mask.p : nullptr, grad, B, T, lambda,
                                           (vantage_aggregation)mode, normalizer, result, ws.mem, ws.bytes, 0);
                if (!r.ok(rc, tag)) continue;
                const ref::Objective want = ref::apa(lp, init, adv, m, B, T, lambda, (vantage_aggregation)mode, normalizer);
                compare(r, tag + " result", result.get(), want.result, {2e-5, 1e-7});
                // The fp32 residual of terms up to the largest gradient's size: its rounding is absolute.
                double largest = 0;
                for (double g : want.grad) largest = std::max(largest, std::fabs(g));
                compare(r, tag + " grad", grad.get(), want.grad, {2e-5, 1e-6 * largest});
            }
        }
    }
    {  // all masked: degenerate, loss and gradient 0
        Dev<float> x(rng.normals(40)), grad(40);
        Dev<uint8_t> none(std::vector<uint8_t>(40, 0));
        Dev<double> result(VANTAGE_AGGREGATE_RESULT_SIZE);
        Workspace ws(vantage_apa_workspace_size(4, 10));
        if (r.ok(vantage_apa(x, x, x, none, grad, 4, 10, 0.1, VANTAGE_TOKEN_MEAN, 0, result, ws.mem, ws.bytes, 0), "apa")) {
            compare(r, "apa all masked: 0, no tokens, degenerate", result.get(), {0, 0, 1}, {0, 0});
            compare(r, "apa all masked: gradient 0", grad.get(), std::vector<double>(40, 0.0), {0, 0});
        }
    }
}

inline void check_objective_arguments(Report& r) {
    Dev<float> x(64), grad(64);
    Dev<uint8_t> flags(std::vector<uint8_t>(8, 1));
    Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
    Workspace ws(std::max({vantage_dpo_workspace_size(8, 8), vantage_kto_workspace_size(8, 8), vantage_alol_workspace_size(8, 8),
                           vantage_prime_reward_model_workspace_size(8, 8), vantage_apa_workspace_size(8, 8)}));
    const int bad = VANTAGE_ERROR_INVALID_ARGUMENT;
    auto dpo = [&](int64_t B, double beta, double eps, int loss, size_t bytes) {
        return vantage_dpo(x, x, 1, nullptr, grad, B, 8, beta, eps, (vantage_dpo_loss)loss, result, ws.mem, bytes, 0);
    };
    // The launchers check every argument before they enqueue anything: nothing is written.
    grad.fill_bytes(0x7f);
    result.fill_bytes(0x7f);
    r.check(dpo(7, 0.1, 0, 0, ws.bytes) == bad, "dpo rejects an odd number of rows");
    r.check(dpo(8, 0.0, 0, 0, ws.bytes) == bad, "dpo rejects beta 0");
    r.check(dpo(8, NAN, 0, 0, ws.bytes) == bad, "dpo rejects beta NaN");
    r.check(dpo(8, 0.1, 0.6, 0, ws.bytes) == bad, "dpo rejects label smoothing 0.6");
    r.check(dpo(8, 0.1, 0, 2, ws.bytes) == bad, "dpo rejects an unknown loss");
    r.check(dpo(8, 0.1, 0, 0, vantage_dpo_workspace_size(8, 8) - 1) == VANTAGE_ERROR_WORKSPACE_TOO_SMALL,
            "dpo rejects a workspace one byte short");
    r.check(vantage_dpo(x, nullptr, 1, nullptr, grad, 8, 8, 0.1, 0, VANTAGE_DPO_SIGMOID, result, ws.mem, ws.bytes, 0) == bad,
            "dpo rejects a missing reference");
    r.check(vantage_dpo(x, x, 1, nullptr, grad, 8, 8, 0.1, 0, VANTAGE_DPO_SIGMOID, nullptr, ws.mem, ws.bytes, 0) == bad,
            "dpo rejects a missing result");
    r.check(vantage_kto(x, x, 0, nullptr, nullptr, 0.1, grad, 8, 8, 0.1, 1, 1, result, ws.mem, ws.bytes, 0) == bad,
            "kto rejects missing desirable flags");
    r.check(vantage_kto(x, x, 0, nullptr, flags, INFINITY, grad, 8, 8, 0.1, 1, 1, result, ws.mem, ws.bytes, 0) == bad,
            "kto rejects an infinite reference KL");
    r.check(vantage_kto(x, x, 0, nullptr, flags, 0.1, grad, 8, 8, 0.1, 0, 1, result, ws.mem, ws.bytes, 0) == bad,
            "kto rejects a desirable weight of 0");
    r.check(vantage_alol(x, x, 0, nullptr, x, x, grad, 8, 8, VANTAGE_ALOL_TOKEN, 0.9, 0, result, ws.mem, ws.bytes, 0) == bad,
            "alol TOKEN rejects a per-sequence reference");
    r.check(vantage_alol(x, nullptr, 1, nullptr, x, x, grad, 8, 8, VANTAGE_ALOL_SEQUENCE, 0.9, 0, result, ws.mem, ws.bytes, 0) ==
                bad,
            "alol SEQUENCE rejects a missing reference");
    r.check(vantage_alol(x, x, 1, nullptr, x, x, grad, 8, 8, VANTAGE_ALOL_SEQUENCE, 0.0, 0, result, ws.mem, ws.bytes, 0) == bad,
            "alol rejects clip 0");
    r.check(vantage_alol(x, x, 1, nullptr, x, x, grad, 8, 8, VANTAGE_ALOL_KL, 0.9, -1, result, ws.mem, ws.bytes, 0) == bad,
            "alol rejects a negative KL beta");
    r.check(vantage_alol(x, x, 1, nullptr, x, x, grad, 8, 8, (vantage_alol_variant)4, 0.9, 0, result, ws.mem, ws.bytes, 0) == bad,
            "alol rejects an unknown variant");
    r.check(vantage_alol(x, x, 1, nullptr, nullptr, x, grad, 8, 8, VANTAGE_ALOL_SEQUENCE, 0.9, 0, result, ws.mem, ws.bytes, 0) ==
                bad,
            "alol rejects missing rewards");
    r.check(vantage_prime_reward_model(x, x, 1, nullptr, nullptr, grad, 8, 8, 0.05, result, ws.mem, ws.bytes, 0) == bad,
            "prime reward model rejects missing outcomes");
    r.check(vantage_prime_reward_model(x, x, 1, nullptr, x, grad, 8, 8, -0.05, result, ws.mem, ws.bytes, 0) == bad,
            "prime reward model rejects a negative beta");
    r.check(vantage_apa(x, x, x, nullptr, grad, 8, 8, 0.0, VANTAGE_TOKEN_MEAN, 0, result, ws.mem, ws.bytes, 0) == bad,
            "apa rejects lambda 0");
    r.check(vantage_apa(x, nullptr, x, nullptr, grad, 8, 8, 0.1, VANTAGE_TOKEN_MEAN, 0, result, ws.mem, ws.bytes, 0) == bad,
            "apa rejects a missing initial policy");
    r.check(vantage_apa(x, x, x, nullptr, grad, 8, 8, 0.1, (vantage_aggregation)9, 0, result, ws.mem, ws.bytes, 0) == bad,
            "apa rejects an unknown aggregation");
    r.check(vantage_dpo(x, x, 1, nullptr, grad, -2, 8, 0.1, 0, VANTAGE_DPO_SIGMOID, result, ws.mem, ws.bytes, 0) == bad,
            "dpo rejects a negative batch");
    {
        std::vector<float> g = grad.get();
        std::vector<double> res = result.get();
        uint32_t gbits;
        uint64_t rbits;
        std::memcpy(&gbits, &g[5], 4);
        std::memcpy(&rbits, &res[0], 8);
        r.check(gbits == 0x7f7f7f7fu && rbits == 0x7f7f7f7f7f7f7f7full, "rejected calls wrote no gradient and no result");
    }
    {  // an empty batch still writes its result: zeros (DPO), degenerate (A-LoL)
        Dev<double> res(VANTAGE_DPO_RESULT_SIZE);
        res.fill_bytes(0x7f);
        if (r.ok(vantage_dpo(nullptr, nullptr, 1, nullptr, nullptr, 0, 8, 0.1, 0, VANTAGE_DPO_SIGMOID, res, ws.mem, ws.bytes, 0),
                 "dpo empty"))
            compare(r, "dpo of no pairs: all zero", res.get(), std::vector<double>(VANTAGE_DPO_RESULT_SIZE, 0.0), {0, 0});
        if (r.ok(vantage_alol(nullptr, nullptr, 0, nullptr, nullptr, nullptr, nullptr, 0, 8, VANTAGE_ALOL_KL, 0.9, 0.5, res,
                              ws.mem, ws.bytes, 0),
                 "alol empty")) {
            const std::vector<double> got = res.get();
            compare(r, "alol of no rows: 0, count 0, degenerate", std::vector<double>(got.begin(), got.begin() + 3), {0, 0, 1},
                    {0, 0});
        }
    }
}

// Reruns give bit-identical results and gradients (no floating-point atomics anywhere).
inline void check_objective_determinism(Report& r, Rng& rng) {
    const SeqCase c = seq_case(rng, 64, 3000, 2, 1);
    SeqDevice dev(c, 0);
    std::vector<float> grads[2];
    std::vector<double> results[2];
    for (int run = 0; run < 2; run++) {
        Dev<double> result(VANTAGE_DPO_RESULT_SIZE);
        Workspace ws(vantage_dpo_workspace_size(64, 3000));
        vantage_dpo(dev.logp.p(), dev.ref(true), 1, dev.m(c), dev.grad(), 64, 3000, 0.1, 0.1, VANTAGE_DPO_SIGMOID, result, ws.mem,
                    ws.bytes, 0);
        if (!r.ok(VANTAGE_OK, "dpo rerun")) return;
        grads[run] = dev.grad_values();
        results[run] = result.get();
    }
    r.check(grads[0] == grads[1] && !std::memcmp(results[0].data(), results[1].data(), 8 * results[0].size()),
            "dpo 64x3000 bit-identical on a second run");
}

inline void check_objectives(Report& r) {
    Rng rng(11);
    check_objective_vectors(r);
    check_objective_reference_gradients(r, rng);
    check_dpo_and_kto(r, rng);
    check_alol_and_prime_reward_model(r, rng);
    check_extreme_ratios(r);
    check_apa(r, rng);
    check_objective_arguments(r);
    check_objective_determinism(r, rng);
}

// ---- PRIME advantages ------------------------------------------------------------------------

struct PrimeRun {
    std::vector<float> advantages;
    std::vector<double> result;
    bool ok = false;
};

inline PrimeRun run_prime(Report& r, const std::string& tag, const std::vector<float>& rewards,
                          const std::vector<float>& outcomes, const std::vector<uint8_t>* mask, int64_t B, int64_t T,
                          int64_t K, double c_p, double c_o, vantage_prime_form form, bool in_place = false) {
    Dev<float> d_rewards(rewards), d_outcomes(outcomes), adv(B * T);
    Dev<uint8_t> d_mask(mask ? *mask : std::vector<uint8_t>());
    Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
    Workspace ws(vantage_prime_workspace_size(B, T));
    float* out = in_place ? d_rewards.p : adv.p;
    const int rc = vantage_prime(d_rewards, d_outcomes, mask ? d_mask.p : nullptr, out, B, T, K, c_p, c_o, form, result,
                                 ws.mem, ws.bytes, 0);
    PrimeRun run;
    if (!r.ok(rc, tag)) return run;
    run.advantages = in_place ? d_rewards.get() : adv.get();
    run.result = result.get();
    run.ok = true;
    return run;
}

inline void check_prime(Report& r) {
    {  // kernel-math §14.8: K = 3, β = 0.05, q as below (· masked, filled with junk), outcomes [1, 0, 1]
        const float x = 123.f;
        const std::vector<float> q = {0.4f, -0.2f, 1.0f, x, -0.6f, 0.2f, x, x, 0.1f, 0.1f, -0.3f, 0.5f};
        const std::vector<uint8_t> mask = {1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1};
        std::vector<float> rewards(12);
        for (int i = 0; i < 12; i++) rewards[i] = mask[i] ? 0.05f * q[i] : x;
        const std::vector<float> outcomes = {1, 0, 1};
        struct Vector {
            const char* name;
            double c_p, c_o;
            vantage_prime_form form;
            std::vector<double> returns;  // the valid tokens, in order
        };
        const Vector vectors[] = {
            {"paper process returns", 1, 0, VANTAGE_PRIME_PAPER, {0.0675, 0.045, 0.0525, -0.045, -0.0025, 0, 0, 0, 0.02}},
            {"code process returns", 1, 0, VANTAGE_PRIME_CODE, {0.0675, 0.045, 0.0675, -0.045, 0.0075, 0, 0, 0, 0.03}},
            {"outcome RLOO", 0, 1, VANTAGE_PRIME_PAPER, {0.5, 0.5, 0.5, -1, -1, 0.5, 0.5, 0.5, 0.5}},
        };
        for (const Vector& v : vectors) {
            PrimeRun run = run_prime(r, "§14.8", rewards, outcomes, &mask, 3, 4, 3, v.c_p, v.c_o, v.form);
            if (!run.ok) continue;
            // Undo the whitening with its own statistics: G = A·sqrt(var + 1e-8) + mean.
            std::vector<double> returns, masked;
            const double scale = std::sqrt(run.result[VANTAGE_WHITEN_VARIANCE] + 1e-8);
            for (int i = 0; i < 12; i++)
                (mask[i] ? returns : masked).push_back(run.advantages[i] * scale + run.result[VANTAGE_WHITEN_MEAN]);
            compare(r, fmt("§14.8 PRIME %s (whitening undone)", v.name), returns, v.returns, {1e-5, 1e-7});
            std::vector<double> zeros;
            for (int i = 0; i < 12; i++)
                if (!mask[i]) zeros.push_back(run.advantages[i]);
            compare(r, fmt("§14.8 PRIME %s: masked tokens 0", v.name), zeros, std::vector<double>(zeros.size(), 0.0), {0, 0});
        }
    }
    Rng rng(12);
    const int64_t shapes[][3] = {{2, 1, 2}, {8, 7, 4}, {10, 256, 5}, {12, 300, 3}, {8, 4097, 4}, {4, 20000, 2}, {3, 0, 3}};
    int variant = 0;
    for (const auto& s : shapes) {
        const int64_t B = s[0], T = s[1], K = s[2];
        for (int layout = 0; layout < 3; layout++) {
            for (vantage_prime_form form : {VANTAGE_PRIME_PAPER, VANTAGE_PRIME_CODE}) {
                const double coefs[][2] = {{1, 1}, {5, 5}, {0.3, -2}};
                const double c_p = coefs[variant % 3][0], c_o = coefs[variant % 3][1];
                variant++;
                Episode e = random_episode(rng, B, T, layout);
                if (layout == 1 && B > 1) std::fill(e.mask.begin() + T, e.mask.begin() + 2 * T, 0);  // an empty response
                const std::vector<uint8_t>* mask = layout == 0 ? nullptr : &e.mask;
                std::vector<float> rewards = rng.normals(B * T, 0.05), outcomes(B);
                for (auto& o : outcomes) o = rng.chance(0.5) ? 1.f : 0.f;
                const bool in_place = variant % 4 == 0;
                const std::string tag = fmt("prime %lldx%lld K=%lld %s %s c=(%g, %g)%s", (long long)B, (long long)T,
                                            (long long)K, layout == 0 ? "unmasked" : layout == 1 ? "right-padded" : "holes",
                                            form == VANTAGE_PRIME_PAPER ? "paper" : "code", c_p, c_o, in_place ? " in place" : "");
                PrimeRun run = run_prime(r, tag, rewards, outcomes, mask, B, T, K, c_p, c_o, form, in_place);
                if (!run.ok) continue;
                std::vector<double> want;
                const ref::Whitened st =
                    ref::whiten(ref::prime_returns(rewards, outcomes, mask, B, T, K, c_p, c_o, form == VANTAGE_PRIME_PAPER), mask,
                                true, true, 1e-8, want);
                compare(r, tag, run.advantages, want, {1e-4, 1e-4});
                compare(r, tag + " statistics", run.result, {st.mean, st.variance, st.count, st.degenerate ? 1.0 : 0.0},
                        {1e-4, 1e-5});
            }
        }
    }
    {  // argument checks
        Dev<float> x(16);
        Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
        Workspace ws(vantage_prime_workspace_size(4, 4));
        const int bad = VANTAGE_ERROR_INVALID_ARGUMENT;
        r.check(vantage_prime(x, x, nullptr, x, 4, 4, 1, 1, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes, 0) == bad,
                "prime rejects a group of 1");
        r.check(vantage_prime(x, x, nullptr, x, 4, 4, 3, 1, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes, 0) == bad,
                "prime rejects a batch that is not a multiple of the group size");
        r.check(vantage_prime(x, x, nullptr, x, 4, 4, 2, NAN, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes, 0) == bad,
                "prime rejects a NaN coefficient");
        r.check(vantage_prime(x, x, nullptr, x, 4, 4, 2, 1, 1, (vantage_prime_form)2, result, ws.mem, ws.bytes, 0) == bad,
                "prime rejects an unknown form");
        r.check(vantage_prime(x, nullptr, nullptr, x, 4, 4, 2, 1, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes, 0) == bad,
                "prime rejects missing outcomes");
        r.check(vantage_prime(x, x, nullptr, x, 4, 4, 2, 1, 1, VANTAGE_PRIME_PAPER, result, ws.mem, ws.bytes - 1, 0) ==
                    VANTAGE_ERROR_WORKSPACE_TOO_SMALL,
                "prime rejects a workspace one byte short");
    }
    {  // bit-identical reruns of long rows
        const int64_t B = 8, T = 9000;
        std::vector<float> rewards = rng.normals(B * T, 0.05), outcomes = rng.uniforms(B, 0, 1);
        PrimeRun a = run_prime(r, "prime rerun", rewards, outcomes, nullptr, B, T, 4, 1, 1, VANTAGE_PRIME_CODE);
        PrimeRun b = run_prime(r, "prime rerun", rewards, outcomes, nullptr, B, T, 4, 1, 1, VANTAGE_PRIME_CODE);
        if (a.ok && b.ok) r.check(a.advantages == b.advantages && a.result == b.result, "prime 8x9000 bit-identical on a second run");
    }
}

}  // namespace selftest
