// Checks of family 3: dueling heads.
#pragma once

#include "harness.h"
#include "reference.h"

namespace selftest {

inline const char* dueling_name(vantage_dueling_mode m) {
    return m == VANTAGE_DUELING_NAIVE ? "naive" : m == VANTAGE_DUELING_MAX ? "max" : "mean";
}

// Forward and backward of one configuration against the reference.
inline void expect_dueling(Report& r, const std::string& name, const std::vector<float>& value,
                           const std::vector<float>& adv, const std::vector<uint8_t>* mask, const std::vector<float>& grad_q,
                           int64_t B, int64_t A, int64_t Z, vantage_dueling_mode mode) {
    Dev<float> d_value(value), d_adv(adv), d_grad_q(grad_q), q(B * A * Z), grad_value(B * Z), grad_adv(B * A * Z);
    Dev<uint8_t> d_mask(mask ? *mask : std::vector<uint8_t>());
    const uint8_t* m = mask ? d_mask.p : nullptr;
    std::vector<double> want_q, want_gv, want_ga;
    ref::dueling(value, adv, mask, grad_q, B, A, Z, mode, want_q, want_gv, want_ga);
    if (r.ok(vantage_dueling_forward(d_value, d_adv, m, q, B, A, Z, mode, 0), name))
        compare(r, name + " Q", q.get(), want_q, {1e-5, 1e-6});
    if (r.ok(vantage_dueling_backward(d_adv, m, d_grad_q, grad_value, grad_adv, B, A, Z, mode, 0), name)) {
        compare(r, name + " dV", grad_value.get(), want_gv, {1e-5, 1e-5});
        compare(r, name + " dA", grad_adv.get(), want_ga, {1e-5, 1e-5});
    }
}

inline void check_dueling(Report& r) {
    const vantage_dueling_mode modes[] = {VANTAGE_DUELING_NAIVE, VANTAGE_DUELING_MAX, VANTAGE_DUELING_MEAN};
    {  // kernel-math §14.11: V = 0.5, A = [1, -0.5, 2], upstream g = [0.2, 0, -1]
        const double q[3][3] = {{1.5, 0, 2.5}, {-0.5, -2, 0.5}, {0.6666667, -0.8333333, 1.6666667}};
        const double da[3][3] = {{0.2, 0, -1}, {0.2, 0, -0.2}, {0.4666667, 0.2666667, -0.7333333}};
        for (int k = 0; k < 3; k++) {
            Dev<float> v(std::vector<float>{0.5f}), a(std::vector<float>{1, -0.5f, 2}), g(std::vector<float>{0.2f, 0, -1}),
                out(3), gv(1), ga(3);
            if (r.ok(vantage_dueling_forward(v, a, nullptr, out, 1, 3, 1, modes[k], 0), "§14.11"))
                compare(r, fmt("§14.11 %s Q", dueling_name(modes[k])), out.get(), std::vector<double>(q[k], q[k] + 3), {1e-6, 1e-7});
            if (r.ok(vantage_dueling_backward(a, nullptr, g, gv, ga, 1, 3, 1, modes[k], 0), "§14.11")) {
                compare(r, fmt("§14.11 %s dV", dueling_name(modes[k])), gv.get(), {-0.8}, {1e-6, 1e-7});
                compare(r, fmt("§14.11 %s dA", dueling_name(modes[k])), ga.get(), std::vector<double>(da[k], da[k] + 3), {1e-6, 1e-7});
            }
        }
    }
    Rng rng(7);
    struct Shape {
        int64_t B, A, Z;
    };
    // Lane groups of 1 to 32 (Z = 1), several groups a warp, more actions than lanes, and atoms.
    const Shape shapes[] = {{1, 1, 1}, {7, 3, 1}, {100, 18, 1}, {33, 1000, 1}, {65, 40, 1}, {1000, 2, 1},
                            {10, 4, 51}, {3, 7, 2}, {17, 1, 5}};
    for (const Shape& s : shapes) {
        for (vantage_dueling_mode mode : modes) {
            for (int variant = 0; variant < 3; variant++) {
                // 0: no mask; 1: random mask with empty rows; 2: integer advantages (ties) with a mask
                std::vector<float> value = rng.normals(s.B * s.Z), adv = rng.normals(s.B * s.A * s.Z, 2),
                                   grad_q = rng.normals(s.B * s.A * s.Z);
                if (variant == 2)
                    for (auto& x : adv) x = (float)std::floor(rng.uniform(-2, 2));
                std::vector<uint8_t> mask = rng.mask(s.B * s.A, 0.7);
                if (s.B > 2) std::fill(mask.begin() + s.A, mask.begin() + 2 * s.A, 0);
                expect_dueling(r,
                               fmt("dueling %s B=%lld A=%lld Z=%lld %s", dueling_name(mode), (long long)s.B, (long long)s.A,
                                   (long long)s.Z, variant == 0 ? "unmasked" : variant == 1 ? "masked" : "ties, masked"),
                               value, adv, variant == 0 ? nullptr : &mask, grad_q, s.B, s.A, s.Z, mode);
            }
        }
    }
    r.check(vantage_dueling_forward(nullptr, nullptr, nullptr, nullptr, 1, 0, 1, VANTAGE_DUELING_MEAN, 0) ==
                VANTAGE_ERROR_INVALID_ARGUMENT,
            "dueling rejects zero actions");
    {  // a NaN advantage among the valid actions: the row is NaN in max and mean, one element in naive
        std::vector<float> value = {1.f, 2.f}, adv = {0.5f, NAN, 2.f, 1.f, 3.f, -1.f}, grad_q = rng.normals(6);
        std::vector<uint8_t> mask = {1, 1, 0, 1, 1, 1};
        for (vantage_dueling_mode mode : modes)
            expect_dueling(r, fmt("dueling %s NaN advantage", dueling_name(mode)), value, adv, &mask, grad_q, 2, 3, 1, mode);
    }
}

}  // namespace selftest
