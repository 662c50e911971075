// Checks of family 2: GAE and returns (the scan), group advantages, broadcast, whitening,
// REINFORCE++.
#pragma once

#include "harness.h"
#include "reference.h"

namespace selftest {

// Random episode flags and masks for [B, T]; `layout` 0: no mask, 1: right padding, 2: interior holes.
struct Episode {
    std::vector<uint8_t> mask, term, trunc;
    std::vector<float> boot;
};

inline Episode random_episode(Rng& rng, int64_t B, int64_t T, int layout) {
    Episode e{std::vector<uint8_t>(B * T, 1), rng.mask(B * T, 0.03), rng.mask(B * T, 0.03), rng.normals(B * T)};
    for (int64_t b = 0; b < B; b++) {
        const int64_t length = layout == 1 ? rng.below(T + 1) : T;
        for (int64_t t = 0; t < T; t++) {
            uint8_t& m = e.mask[b * T + t];
            m = t < length ? 1 : 0;
            if (layout == 2 && rng.chance(0.2)) m = 0;
        }
    }
    return e;
}

inline Tol scan_tol(int64_t T) { return {1e-4, 2e-5 * std::sqrt((double)T + 1)}; }

inline void check_gae_and_returns(Report& r) {
    {  // kernel-math §14.3: γ = 0.99, λ = 0.95, terminal after t = 2, bootstrap 0.7 at the last column
        Dev<float> rew(std::vector<float>{0, 0, 1, 0, 0.5f}), val(std::vector<float>{0.5f, 0.4f, 0.9f, 0.2f, 0.3f}),
            boot(std::vector<float>{0, 0, 0, 0, 0.7f}), adv(5), ret(5);
        Dev<uint8_t> term(std::vector<uint8_t>{0, 0, 1, 0, 0});
        Workspace ws(vantage_gae_workspace_size(1, 5));
        int rc = vantage_gae(rew, val, nullptr, term, nullptr, boot, adv, ret, 1, 5, 0.99, 0.95, ws.mem, ws.bytes, 0);
        if (r.ok(rc, "§14.3")) {
            compare(r, "§14.3 advantages", adv.get(), {0.446239525, 0.58505, 0.1, 0.9368665, 0.893}, {1e-6, 1e-7});
            compare(r, "§14.3 returns", ret.get(), {0.946239525, 0.98505, 1.0, 1.1368665, 1.193}, {1e-6, 1e-7});
        }
    }
    Rng rng(8);
    // One tile, tile boundaries, rows of several tiles and of several groups of 32 tiles; T % 8 == 0
    // takes the vector loads, other T the element loads.
    const int64_t shapes[][2] = {{1, 1}, {3, 7}, {5, 256}, {4, 257}, {7, 1000}, {6, 1024}, {2, 8200}, {2, 100000}, {64, 4096}};
    const double params[][2] = {{0.99, 0.95}, {1.0, 1.0}, {0.9, 0.0}};
    for (const auto& s : shapes) {
        const int64_t B = s[0], T = s[1], n = B * T;
        for (int layout = 0; layout < 3; layout++) {
            const double gamma = params[layout][0], lambda = params[layout][1];
            Episode e = random_episode(rng, B, T, layout);
            std::vector<float> rewards = rng.normals(n), values = rng.normals(n);
            const std::vector<uint8_t>* mask = layout == 0 ? nullptr : &e.mask;
            std::vector<double> want_adv, want_ret;
            ref::gae(rewards, &values, mask, &e.term, &e.trunc, &e.boot, B, T, gamma, lambda, want_adv, want_ret);
            Dev<float> d_rew(rewards), d_val(values), d_boot(e.boot), adv(n), ret(n);
            Dev<uint8_t> d_mask(e.mask), d_term(e.term), d_trunc(e.trunc);
            Workspace ws(vantage_gae_workspace_size(B, T));
            const std::string tag = fmt("gae %lldx%lld %s gamma=%g lambda=%g", (long long)B, (long long)T,
                                        layout == 0 ? "unmasked" : layout == 1 ? "right-padded" : "interior holes", gamma, lambda);
            int rc = vantage_gae(d_rew, d_val, mask ? d_mask.p : nullptr, d_term, d_trunc, d_boot, adv, ret, B, T, gamma,
                                 lambda, ws.mem, ws.bytes, 0);
            if (r.ok(rc, tag)) {
                compare(r, tag + " advantages", adv.get(), want_adv, scan_tol(T));
                compare(r, tag + " returns", ret.get(), want_ret, scan_tol(T));
            }
            // In place over the rewards, without flags, bootstrap values or a returns output.
            ref::gae(rewards, &values, mask, nullptr, nullptr, nullptr, B, T, gamma, lambda, want_adv, want_ret);
            rc = vantage_gae(d_rew, d_val, mask ? d_mask.p : nullptr, nullptr, nullptr, nullptr, d_rew, nullptr, B, T, gamma,
                             lambda, ws.mem, ws.bytes, 0);
            if (r.ok(rc, tag + " in place")) compare(r, tag + " in place, no flags", d_rew.get(), want_adv, scan_tol(T));
            d_rew.put(rewards);
            // Discounted returns.
            std::vector<double> want_g, unused;
            ref::gae(rewards, nullptr, mask, &e.term, nullptr, nullptr, B, T, gamma, 1.0, want_g, unused);
            rc = vantage_returns(d_rew, mask ? d_mask.p : nullptr, d_term, ret, B, T, gamma, ws.mem, ws.bytes, 0);
            if (r.ok(rc, "returns")) compare(r, fmt("returns %lldx%lld layout %d gamma=%g", (long long)B, (long long)T, layout, gamma),
                                            ret.get(), want_g, scan_tol(T));
        }
    }
    {  // truncation bootstraps but does not chain; termination does neither
        const std::vector<float> rew = {1, 1, 1, 1}, val = {0.5f, 0.5f, 0.5f, 0.5f}, boot = {0, 2, 0, 0};
        for (int truncated = 0; truncated < 2; truncated++) {
            std::vector<uint8_t> flag = {0, 1, 0, 0};
            Dev<float> d_rew(rew), d_val(val), d_boot(boot), adv(4);
            Dev<uint8_t> d_flag(flag);
            Workspace ws(vantage_gae_workspace_size(1, 4));
            int rc = vantage_gae(d_rew, d_val, nullptr, truncated ? nullptr : d_flag.p, truncated ? d_flag.p : nullptr, d_boot,
                                 adv, nullptr, 1, 4, 0.9, 0.8, ws.mem, ws.bytes, 0);
            std::vector<double> want, unused;
            ref::gae(rew, &val, nullptr, truncated ? nullptr : &flag, truncated ? &flag : nullptr, &boot, 1, 4, 0.9, 0.8, want,
                     unused);
            if (r.ok(rc, "episode end")) compare(r, truncated ? "gae truncation bootstraps from 2.0, no chaining" : "gae termination: no bootstrap",
                                                adv.get(), want, {1e-6, 1e-7});
        }
    }
    {  // argument checks; rows of one tile need no workspace
        Dev<float> x(8);
        r.check(vantage_gae(x, x, nullptr, nullptr, nullptr, nullptr, x, nullptr, 1, 8, 0.99, 1.5, nullptr, 0, 0) ==
                    VANTAGE_ERROR_INVALID_ARGUMENT,
                "gae rejects lambda 1.5");
        r.check(vantage_gae_workspace_size(1000, 256) == 0 &&
                    r.ok(vantage_gae(x, x, nullptr, nullptr, nullptr, nullptr, x, nullptr, 1, 8, 0.99, 0.95, nullptr, 0, 0), "gae"),
                "gae of rows up to 256 steps runs without a workspace");
    }
    {  // bit-identical reruns of a long row
        const int64_t B = 3, T = 50000;
        Dev<float> rew(rng.normals(B * T)), val(rng.normals(B * T)), a1(B * T), a2(B * T);
        Workspace ws(vantage_gae_workspace_size(B, T));
        vantage_gae(rew, val, nullptr, nullptr, nullptr, nullptr, a1, nullptr, B, T, 0.99, 0.95, ws.mem, ws.bytes, 0);
        vantage_gae(rew, val, nullptr, nullptr, nullptr, nullptr, a2, nullptr, B, T, 0.99, 0.95, ws.mem, ws.bytes, 0);
        if (r.ok(VANTAGE_OK, "gae rerun")) r.check(a1.get() == a2.get(), "gae 3x50000 bit-identical on a second run");
    }
}

inline void check_groups_and_whitening(Report& r) {
    {  // kernel-math §14.7
        Dev<float> scores(std::vector<float>{1, 0, 1, 1}), out(4);
        if (r.ok(vantage_grpo(scores, out, 4, 4, 1, 1, 1e-6, VANTAGE_SINGLETON_ZERO, 0), "§14.7"))
            compare(r, "§14.7 GRPO", out.get(), {0.499999, -1.499997, 0.499999, 0.499999}, {2e-6, 1e-7});
        if (r.ok(vantage_rloo(scores, out, 4, 4, VANTAGE_SINGLETON_ZERO, 0), "§14.7"))
            compare(r, "§14.7 RLOO", out.get(), {0.3333333333, -1.0, 0.3333333333, 0.3333333333}, {1e-6, 1e-7});
        Dev<float> x(std::vector<float>{1, 2, 0, 4, 0, 0}), w(6);
        Dev<uint8_t> m(std::vector<uint8_t>{1, 1, 0, 1, 0, 0});
        Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
        Workspace ws(vantage_whiten_workspace_size(6));
        if (r.ok(vantage_whiten(x, m, w, 6, 1, 1, 1e-8, result, ws.mem, ws.bytes, 0), "§14.7")) {
            compare(r, "§14.7 masked whitening", w.get(), {-0.87287156, -0.21821789, 0, 1.09108945, 0, 0}, {1e-6, 1e-7});
            compare(r, "§14.7 whitening statistics", result.get(), {2.3333333, 2.3333333, 3, 0}, {1e-6, 0});
        }
    }
    Rng rng(9);
    for (int64_t k : {1, 2, 5, 16, 64, 100}) {
        const int64_t B = k * 37;
        std::vector<float> scores = rng.normals(B, 1.5);
        std::fill(scores.begin(), scores.begin() + k, 0.25f);  // a group of equal scores
        if (k > 1) scores[3 * k + 1] = NAN;                    // a NaN group
        Dev<float> d_scores(scores), out(B);
        for (int normalize = 0; normalize < 2; normalize++)
            for (int unbiased = 0; unbiased < 2; unbiased++)
                for (vantage_singleton single : {VANTAGE_SINGLETON_ZERO, VANTAGE_SINGLETON_SCORE}) {
                    if (!r.ok(vantage_grpo(d_scores, out, B, k, normalize, unbiased, 1e-6, single, 0), "grpo")) continue;
                    compare(r, fmt("grpo K=%lld std=%d unbiased=%d singleton=%d", (long long)k, normalize, unbiased, (int)single),
                            out.get(), ref::groups(scores, k, ref::Group::Grpo, normalize, unbiased, 1e-6, single), {1e-5, 1e-6});
                }
        for (vantage_singleton single : {VANTAGE_SINGLETON_ZERO, VANTAGE_SINGLETON_SCORE})
            if (r.ok(vantage_rloo(d_scores, out, B, k, single, 0), "rloo"))
                compare(r, fmt("rloo K=%lld singleton=%d", (long long)k, (int)single), out.get(),
                        ref::groups(scores, k, ref::Group::Rloo, false, false, 0, single), {1e-5, 1e-6});
    }
    r.check(vantage_grpo(nullptr, nullptr, 10, 3, 1, 1, 1e-6, VANTAGE_SINGLETON_ZERO, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
            "grpo rejects a batch that is not a multiple of the group size");
    {  // broadcast
        const int64_t B = 9, T = 1001;
        std::vector<float> per = rng.normals(B);
        std::vector<uint8_t> mask = rng.mask(B * T, 0.6);
        Dev<float> d_per(per), out(B * T);
        Dev<uint8_t> d_mask(mask);
        if (r.ok(vantage_broadcast(d_per, d_mask, out, B, T, 0), "broadcast")) {
            std::vector<double> want(B * T);
            for (int64_t i = 0; i < B * T; i++) want[i] = mask[i] ? per[i / T] : 0;
            compare(r, "broadcast 9x1001 masked", out.get(), want, {0, 0});
        }
    }
    for (int64_t n : {0, 1, 2, 1000, 1000003}) {  // whitening: empty, one valid, two, large; options; in place
        std::vector<float> x = rng.normals(n, 3, 2);
        std::vector<uint8_t> mask = rng.mask(n, 0.8);
        if (n == 1) mask[0] = 1;
        Dev<float> d_x(x), out(n);
        Dev<uint8_t> d_mask(mask);
        Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
        Workspace ws(vantage_whiten_workspace_size(n));
        for (int shift = 0; shift < 2; shift++)
            for (int unbiased = 0; unbiased < 2; unbiased++) {
                const std::string tag = fmt("whiten n=%lld shift=%d unbiased=%d", (long long)n, shift, unbiased);
                if (!r.ok(vantage_whiten(d_x, d_mask, out, n, shift, unbiased, 1e-8, result, ws.mem, ws.bytes, 0), tag)) continue;
                std::vector<double> want;
                ref::Whitened s = ref::whiten(widen(x), &mask, shift, unbiased, 1e-8, want);
                compare(r, tag, out.get(), want, {2e-5, 2e-5});
                compare(r, tag + " statistics", result.get(), {s.mean, s.variance, s.count, s.degenerate ? 1.0 : 0.0}, {1e-5, 1e-6});
            }
        if (r.ok(vantage_whiten(d_x, nullptr, d_x, n, 1, 1, 1e-8, result, ws.mem, ws.bytes, 0), "whiten in place")) {
            std::vector<double> want;
            ref::whiten(widen(x), nullptr, true, true, 1e-8, want);
            compare(r, fmt("whiten n=%lld in place, unmasked", (long long)n), d_x.get(), want, {2e-5, 2e-5});
        }
    }
    {  // constant input: variance 0, output 0
        Dev<float> x(std::vector<float>(100, 4.5f)), out(100);
        Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
        Workspace ws(vantage_whiten_workspace_size(100));
        if (r.ok(vantage_whiten(x, nullptr, out, 100, 1, 1, 1e-8, result, ws.mem, ws.bytes, 0), "whiten constant"))
            compare(r, "whiten constant input gives 0", out.get(), std::vector<double>(100, 0.0), {0, 0});
    }
    const int64_t shapes[][2] = {{4, 7}, {8, 300}, {6, 5000}};
    for (const auto& s : shapes) {  // REINFORCE++: reference = baseline, token rewards, returns, whitening
        const int64_t B = s[0], T = s[1];
        for (int64_t baseline : {0, 2}) {
            for (double beta : {0.0, 0.05}) {
                std::vector<float> scores = rng.normals(B), kl = rng.normals(B * T, 0.1);
                Episode e = random_episode(rng, B, T, 1);
                std::vector<double> end(scores.begin(), scores.end());
                if (baseline > 0) end = ref::groups(scores, baseline, ref::Group::Baseline, false, false, 0, VANTAGE_SINGLETON_ZERO);
                std::vector<double> g, unused, want;
                ref::gae(beta > 0 ? kl : std::vector<float>(B * T, 0.f), nullptr, &e.mask, nullptr, nullptr, nullptr, B, T,
                         0.99, 1.0, g, unused, &end, -beta);
                ref::Whitened st = ref::whiten(g, &e.mask, true, true, 1e-8, want);
                Dev<float> d_scores(scores), d_kl(kl), adv(B * T);
                Dev<uint8_t> d_mask(e.mask);
                Dev<double> result(VANTAGE_WHITEN_RESULT_SIZE);
                Workspace ws(vantage_reinforce_plus_plus_workspace_size(B, T));
                const std::string tag = fmt("reinforce++ %lldx%lld baseline=%lld beta=%g", (long long)B, (long long)T,
                                            (long long)baseline, beta);
                int rc = vantage_reinforce_plus_plus(d_scores, d_mask, beta > 0 ? d_kl.p : nullptr, adv, B, T, 0.99, beta,
                                                     baseline, result, ws.mem, ws.bytes, 0);
                if (!r.ok(rc, tag)) continue;
                compare(r, tag, adv.get(), want, {1e-4, 1e-4});
                compare(r, tag + " statistics", result.get(), {st.mean, st.variance, st.count, st.degenerate ? 1.0 : 0.0},
                        {1e-4, 1e-6});
            }
        }
    }
}

}  // namespace selftest
