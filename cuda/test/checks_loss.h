// Checks of family 4: the comp-sum loss family and the regression losses.
#pragma once

#include "checks_logprob.h"
#include "harness.h"
#include "reference.h"

namespace selftest {

struct CompSumRun {
    std::vector<float> loss, grad;
    std::vector<double> result;
    int32_t status = 0;
    bool ok = false;
};

inline CompSumRun run_comp_sum(Report& r, const std::string& name, Floats& logits, const std::vector<int32_t>& labels,
                               int64_t classes, double tau, double eps, vantage_reduction reduction, double grad_scale,
                               vantage_dtype grad_dtype, bool in_place, bool with_grad = true) {
    const int64_t rows = (int64_t)labels.size();
    Dev<int32_t> d_labels(labels), status(1);
    Dev<float> loss(rows);
    Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
    Floats grad(grad_dtype, std::vector<float>(in_place || !with_grad ? 0 : rows * classes, 0.f));
    Workspace ws(vantage_comp_sum_workspace_size(rows, classes));
    void* g = !with_grad ? nullptr : in_place ? logits.ptr() : grad.ptr();
    int rc = vantage_comp_sum(logits.ptr(), logits.dtype, d_labels, loss, g, grad_dtype, rows, classes, tau, kIgnore, eps,
                              reduction, grad_scale, result, status, ws.mem, ws.bytes, 0);
    CompSumRun out;
    if (!r.ok(rc, name)) return out;
    out.loss = loss.get();
    if (with_grad) out.grad = in_place ? logits.read() : grad.read();
    out.result = result.get();
    out.status = status.get()[0];
    out.ok = true;
    return out;
}

inline void check_comp_sum(Report& r) {
    {  // kernel-math §14.2: h = [0.2, -1.0, 2.5, 0.7, -0.3], y = 0, unreduced
        const double taus[] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0};
        const double loss[] = {12.5306285971, 5.3568005538, 2.6049559006, 1.4562853824, 0.9260936036, 0.4972689223};
        const double grad[][5] = {{-12.5306285971, 0.3011942119, 9.9741824548, 1.6487212707, 0.6065306597},
                                  {-3.4065429681, 0.0818818479, 2.7115543997, 0.4482169276, 0.1648897929},
                                  {-0.9260936036, 0.0222601788, 0.7371558818, 0.1218510477, 0.0448264953},
                                  {-0.2517653148, 0.0060515923, 0.2004012142, 0.0331260979, 0.0121864104},
                                  {-0.0684442409, 0.0016451696, 0.0544805348, 0.0090055718, 0.0033129647},
                                  {-0.0050584672, 0.0001215886, 0.0040264600, 0.0006655694, 0.0002448493}};
        for (int k = 0; k < 6; k++) {
            Floats h(VANTAGE_F32, {0.2f, -1.0f, 2.5f, 0.7f, -0.3f});
            CompSumRun got = run_comp_sum(r, "§14.2", h, {0}, 5, taus[k], 0, VANTAGE_REDUCTION_NONE, 1, VANTAGE_F32, false);
            if (!got.ok) continue;
            compare(r, fmt("§14.2 tau=%g loss", taus[k]), got.loss, {loss[k]}, {2e-6, 1e-7});
            compare(r, fmt("§14.2 tau=%g grad", taus[k]), got.grad, std::vector<double>(grad[k], grad[k] + 5), {2e-5, 1e-8});
        }
    }
    Rng rng(5);
    {  // the reference gradient itself against central differences (with label smoothing)
        const int64_t C = 7;
        for (double tau : {0.0, 0.7, 1.0, 1.6, 3.0}) {
            std::vector<float> h = rng.normals(C, 1.5);
            std::vector<double> g(C);
            ref::comp_sum_row(h.data(), C, 2, tau, 0.1, g.data());
            std::vector<double> fd = numeric_gradient(h, [&](const std::vector<float>& x) {
                return ref::comp_sum_row(x.data(), C, 2, tau, 0.1, nullptr);
            }, 1e-3);
            compare(r, fmt("reference comp-sum gradient = central differences, tau=%g eps=0.1", tau),
                    std::vector<double>(g), fd, {1e-4, 1e-6});
        }
    }
    struct Combo {
        vantage_dtype in, out;
        bool in_place;
    };
    const Combo combos[] = {{VANTAGE_F32, VANTAGE_F32, false}, {VANTAGE_BF16, VANTAGE_BF16, false},
                            {VANTAGE_F16, VANTAGE_F32, false}, {VANTAGE_BF16, VANTAGE_BF16, true}};
    const int64_t shapes[][2] = {{5, 1}, {9, 10}, {33, 1000}, {6, 4097}, {3, 50257}};
    const double taus[] = {0.0, 0.5, 1.0, 1.00005, 1.7, 2.0, 5.0};
    const vantage_reduction reductions[] = {VANTAGE_REDUCTION_MEAN, VANTAGE_REDUCTION_SUM, VANTAGE_REDUCTION_NONE};
    int variant = 0;
    for (const Combo& c : combos)
        for (const auto& s : shapes)
            for (double tau : taus)
                for (double eps : {0.0, 0.1}) {
                    const int64_t rows = s[0], C = s[1];
                    const vantage_reduction red = reductions[variant++ % 3];
                    std::vector<float> z = rng.normals(rows * C, 2);
                    for (auto& x : z)
                        if (eps == 0 && rng.chance(0.05)) x = -INFINITY;  // masked classes (infinite loss with smoothing)
                    std::vector<int32_t> labels = random_labels(rng, rows, C, 0.2);
                    for (int64_t i = 0; i < rows; i++)
                        if (labels[i] >= 0) z[i * C + labels[i]] = (float)rng.normal(2);
                    Floats logits(c.in, z);
                    const std::string tag = fmt("comp_sum %s->%s%s %lldx%lld tau=%g eps=%g red=%d", dtype_name(c.in),
                                                dtype_name(c.out), c.in_place ? " in place" : "", (long long)rows,
                                                (long long)C, tau, eps, (int)red);
                    CompSumRun got = run_comp_sum(r, tag, logits, labels, C, tau, eps, red, 0.5, c.out, c.in_place);
                    if (!got.ok) continue;
                    std::vector<double> loss(rows), grad(rows * C, 0);
                    double total = 0, count = 0;
                    for (int64_t i = 0; i < rows; i++) {
                        if (labels[i] == kIgnore) continue;
                        loss[i] = ref::comp_sum_row(&logits.values[i * C], C, labels[i], tau, eps, &grad[i * C]);
                        total += loss[i];
                        count++;
                    }
                    const double scale = red == VANTAGE_REDUCTION_MEAN ? (count > 0 ? 0.5 / count : 0) : 0.5;
                    for (auto& g : grad) g *= scale;
                    const double value = red == VANTAGE_REDUCTION_MEAN ? (count > 0 ? total / count : 0) : total;
                    const Tol tol = C > 4096 ? Tol{1e-4, 1e-5} : Tol{2e-5, 2e-6};
                    compare(r, tag + " loss", got.loss, loss, tol);
                    compare(r, tag + " grad", got.grad, grad, c.out == VANTAGE_F32 ? Tol{2e-4, 1e-7} : grad_tol(c.out));
                    compare(r, tag + " result", got.result, {value, count, count == 0 ? 1.0 : 0.0}, {1e-4, 1e-6});
                }
    {  // a -inf label logit: +inf for tau <= 1, 1/(tau - 1) above; a class of one: loss 0, gradient 0
        for (double tau : {0.0, 1.0, 2.5}) {
            Floats h(VANTAGE_F32, {-INFINITY, 0.5f, 1.0f});
            CompSumRun got = run_comp_sum(r, "-inf label", h, {0}, 3, tau, 0, VANTAGE_REDUCTION_SUM, 1, VANTAGE_F32, false, false);
            if (got.ok) compare(r, fmt("comp_sum -inf label logit tau=%g", tau), got.loss, {tau > 1 ? 1 / (tau - 1) : ref::kInf}, {1e-6, 0});
        }
        // τ < 1 and a -inf logit: p^(τ-1) = +inf, so the loss is +inf and the gradient ±inf (never NaN),
        // as on the Java backend; with label smoothing through Σ_k p_k^(τ-1), without it through p_y.
        // A warp row (C = 4) and a block row (C = 5000, the -inf at the end); τ > 1 stays finite.
        for (int64_t C : {4, 5000}) {
            for (double tau : {0.0, 0.5, 1.0, 2.5}) {
                for (int label_masked = 0; label_masked < 2; label_masked++) {
                    const double eps = label_masked ? 0.0 : 0.1;
                    std::vector<float> z = rng.normals(C);
                    z[label_masked ? 0 : C - 1] = -INFINITY;
                    Floats h(VANTAGE_F32, z);
                    CompSumRun got = run_comp_sum(r, "-inf logit", h, {0}, C, tau, eps, VANTAGE_REDUCTION_SUM, 1, VANTAGE_F32, false);
                    if (!got.ok) continue;
                    std::vector<double> grad(C);
                    const double loss = ref::comp_sum_row(h.values.data(), C, 0, tau, eps, grad.data());
                    const std::string tag = fmt("comp_sum C=%lld tau=%g %s", (long long)C, tau,
                                                label_masked ? "-inf label logit, no smoothing" : "-inf class, smoothing 0.1");
                    compare(r, tag + " loss", got.loss, {loss}, {2e-5, 1e-7});
                    compare(r, tag + " grad (±inf where p^(tau-1) is infinite)", got.grad, grad, {2e-4, 1e-7});
                }
            }
        }
        Floats one(VANTAGE_F32, {3.0f, -2.0f});
        CompSumRun got = run_comp_sum(r, "C=1", one, {0, 0}, 1, 0.5, 0.1, VANTAGE_REDUCTION_MEAN, 1, VANTAGE_F32, false);
        if (got.ok) {
            compare(r, "comp_sum C=1 loss 0", got.loss, {0.0, 0.0}, {0, 1e-7});
            compare(r, "comp_sum C=1 gradient 0", got.grad, {0.0, 0.0}, {0, 1e-7});
        }
        // tau = 0 on an unlikely target overflows float: +inf, as the double value rounded to float.
        Floats far(VANTAGE_F32, {-100.0f, 0.0f, 0.0f});
        got = run_comp_sum(r, "tau=0 overflow", far, {0}, 3, 0.0, 0, VANTAGE_REDUCTION_SUM, 1, VANTAGE_F32, false, false);
        if (got.ok) compare(r, "comp_sum tau=0 overflow gives +inf", got.loss, {ref::kInf}, {0, 0});
    }
    {  // every row ignored: MEAN is 0 and degenerate, gradients 0
        Floats h(VANTAGE_F32, rng.normals(4 * 50));
        CompSumRun got = run_comp_sum(r, "all ignored", h, {kIgnore, kIgnore, kIgnore, kIgnore}, 50, 1.0, 0,
                                      VANTAGE_REDUCTION_MEAN, 1, VANTAGE_F32, false);
        if (got.ok) {
            compare(r, "comp_sum all ignored: result", got.result, {0.0, 0.0, 1.0}, {0, 0});
            compare(r, "comp_sum all ignored: gradient", got.grad, std::vector<double>(200, 0.0), {0, 0});
        }
    }
    {  // argument checks
        Dev<int32_t> labels(1), status(1);
        Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
        Dev<float> x(4);
        Workspace ws(vantage_comp_sum_workspace_size(1, 4));
        r.check(vantage_comp_sum(x, VANTAGE_F32, labels, nullptr, nullptr, VANTAGE_F32, 1, 4, -1.0, kIgnore, 0,
                                 VANTAGE_REDUCTION_MEAN, 1, result, status, ws.mem, ws.bytes, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
                "comp_sum rejects tau < 0");
        r.check(vantage_comp_sum(x, VANTAGE_F32, labels, nullptr, nullptr, VANTAGE_F32, 1, 4, 1.0, kIgnore, 1.0,
                                 VANTAGE_REDUCTION_MEAN, 1, result, status, ws.mem, ws.bytes, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
                "comp_sum rejects label smoothing 1");
    }
    {  // a bad label: flagged, nothing written
        Floats h(VANTAGE_F32, rng.normals(3 * 20));
        Dev<int32_t> labels(std::vector<int32_t>{1, 20, 2}), status(1);
        Dev<float> loss(3);
        Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
        loss.fill_bytes(0x7f);
        result.fill_bytes(0x7f);
        Workspace ws(vantage_comp_sum_workspace_size(3, 20));
        int rc = vantage_comp_sum(h.ptr(), VANTAGE_F32, labels, loss, h.ptr(), VANTAGE_F32, 3, 20, 1.0, kIgnore, 0,
                                  VANTAGE_REDUCTION_MEAN, 1, result, status, ws.mem, ws.bytes, 0);
        if (r.ok(rc, "comp_sum bad label")) {
            std::vector<float> after = h.read();
            bool untouched = !std::memcmp(after.data(), h.values.data(), after.size() * 4);
            std::vector<double> res = result.get();
            uint64_t bits;
            std::memcpy(&bits, &res[0], 8);
            r.check(status.get()[0] == VANTAGE_STATUS_BAD_LABEL && untouched && bits == 0x7f7f7f7f7f7f7f7full,
                    "comp_sum bad label flagged, logits (in place) and result untouched");
        }
    }
}

inline void check_regression(Report& r) {
    const vantage_regression_loss kinds[] = {VANTAGE_MAE,  VANTAGE_MSE,   VANTAGE_MBE,   VANTAGE_RAE,   VANTAGE_RSE,
                                             VANTAGE_MAPE, VANTAGE_RMSE,  VANTAGE_MSLE,  VANTAGE_RMSLE, VANTAGE_NRMSE,
                                             VANTAGE_RRMSE, VANTAGE_HUBER, VANTAGE_LOG_COSH, VANTAGE_QUANTILE};
    const char* names[] = {"MAE",  "MSE",   "MBE",   "RAE",   "RSE",   "MAPE",     "RMSE",
                           "MSLE", "RMSLE", "NRMSE", "RRMSE", "HUBER", "LOG_COSH", "QUANTILE"};
    auto whole_set = [](vantage_regression_loss k) {
        return k == VANTAGE_RAE || k == VANTAGE_RSE || k == VANTAGE_RMSE || k == VANTAGE_RMSLE || k == VANTAGE_NRMSE ||
               k == VANTAGE_RRMSE;
    };
    struct Run {
        std::vector<double> result;
        std::vector<float> loss, grad;
        bool ok;
    };
    auto run = [&](const std::string& name, vantage_regression_loss kind, const std::vector<float>& y,
                   const std::vector<float>& yh, const std::vector<uint8_t>* mask, vantage_reduction red, double delta,
                   double q, vantage_nrmse_normalizer norm, double gs) {
        const int64_t n = (int64_t)y.size();
        Dev<float> d_y(y), d_yh(yh), loss(n), grad(n);
        Dev<uint8_t> d_mask(mask ? *mask : std::vector<uint8_t>());
        Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
        Workspace ws(vantage_regression_workspace_size(n));
        int rc = vantage_regression(kind, d_y, d_yh, mask ? d_mask.p : nullptr, whole_set(kind) ? nullptr : loss.p, grad,
                                    n, red, delta, q, 1e-7, norm, gs, result, ws.mem, ws.bytes, 0);
        Run out{{}, {}, {}, r.ok(rc, name)};
        if (out.ok) {
            out.result = result.get();
            out.loss = loss.get();
            out.grad = grad.get();
        }
        return out;
    };
    {  // kernel-math §14.12: y = [3, -0.5, 2, 7], ŷ = [2.5, 0, 2, 8] (standard forms only: the "repo" variants
       // of NRMSE and RRMSE and the standard RRMSE are not among the vectors)
        const std::vector<float> y = {3, -0.5f, 2, 7}, yh = {2.5f, 0, 2, 8};
        struct Vec {
            vantage_regression_loss kind;
            double value;
        };
        const Vec vectors[] = {{VANTAGE_MAE, 0.5},          {VANTAGE_MSE, 0.375},          {VANTAGE_MBE, -0.25},
                               {VANTAGE_RAE, 0.2352941176}, {VANTAGE_RSE, 0.0513918630},   {VANTAGE_MAPE, 32.7380952381},
                               {VANTAGE_RMSE, 0.6123724357}, {VANTAGE_MSLE, 0.0079258691}, {VANTAGE_RMSLE, 0.0890273502},
                               {VANTAGE_NRMSE, 0.2129991081}, {VANTAGE_LOG_COSH, 0.1685024611}};
        for (const Vec& v : vectors) {
            Run got = run("§14.12", v.kind, y, yh, nullptr, VANTAGE_REDUCTION_MEAN, 1.0, 0.5, VANTAGE_NRMSE_MEAN, 1);
            if (got.ok) compare_scalar(r, fmt("§14.12 %s", names[v.kind]), got.result[0], v.value, {2e-6, 1e-8});
        }
        Run huber = run("§14.12", VANTAGE_HUBER, y, yh, nullptr, VANTAGE_REDUCTION_MEAN, 0.5, 0.5, VANTAGE_NRMSE_MEAN, 1);
        if (huber.ok) compare_scalar(r, "§14.12 HUBER delta=0.5", huber.result[0], 0.15625, {1e-6, 1e-9});
        double quantiles = 0;
        for (double q : {0.1, 0.5, 0.9}) {
            Run got = run("§14.12", VANTAGE_QUANTILE, y, yh, nullptr, VANTAGE_REDUCTION_SUM, 1.0, q, VANTAGE_NRMSE_MEAN, 1);
            quantiles += got.ok ? got.result[0] : NAN;
        }
        compare_scalar(r, "§14.12 QUANTILE summed over q = 0.1, 0.5, 0.9", quantiles, 3.0, {1e-6, 1e-9});
        Run stable = run("§14.12", VANTAGE_LOG_COSH, {0.f, 0.f}, {800.f, 1e-4f}, nullptr, VANTAGE_REDUCTION_NONE, 1.0,
                         0.5, VANTAGE_NRMSE_MEAN, 1);
        if (stable.ok) compare(r, "§14.12 log-cosh stable form at 800 and 1e-4", stable.loss, {799.3068528194, 5.0e-9}, {1e-6, 1e-12});
    }
    Rng rng(6);
    for (int64_t n : {1, 1000, 100003}) {
        std::vector<float> y = rng.normals(n, 2, 1), yh(n);
        for (int64_t i = 0; i < n; i++) yh[i] = y[i] + (float)rng.normal(0.7);
        if (n > 10) y[5] = 0.f;  // MAPE's ε guard fires on it
        std::vector<uint8_t> mask = rng.mask(n, 0.7);
        for (auto kind : kinds) {
            for (int masked = 0; masked < 2; masked++) {
                const std::vector<uint8_t>* m = masked ? &mask : nullptr;
                const vantage_reduction reds[] = {VANTAGE_REDUCTION_MEAN, VANTAGE_REDUCTION_SUM, VANTAGE_REDUCTION_NONE};
                for (vantage_reduction red : reds) {
                    if (whole_set(kind) && red != VANTAGE_REDUCTION_MEAN) continue;
                    const vantage_nrmse_normalizer norms[] = {VANTAGE_NRMSE_MEAN, VANTAGE_NRMSE_RANGE, VANTAGE_NRMSE_STD};
                    for (vantage_nrmse_normalizer norm : norms) {
                        if (kind != VANTAGE_NRMSE && norm != VANTAGE_NRMSE_MEAN) continue;
                        const std::string tag = fmt("regression %s n=%lld%s red=%d%s", names[kind], (long long)n,
                                                    masked ? " masked" : "", (int)red,
                                                    kind == VANTAGE_NRMSE ? fmt(" norm=%d", (int)norm).c_str() : "");
                        Run got = run(tag, kind, y, yh, m, red, 0.8, 0.3, norm, 0.7);
                        if (!got.ok) continue;
                        ref::RegressionResult want = ref::regression(kind, y, yh, m, red, 0.8, 0.3, 1e-7, norm, 0.7);
                        compare(r, tag + " result", got.result, {want.value, want.count, want.degenerate ? 1.0 : 0.0},
                                {1e-4, 1e-6});
                        compare(r, tag + " grad", got.grad, want.grad, {1e-4, 1e-9});
                        if (!whole_set(kind)) compare(r, tag + " loss", got.loss, want.loss, {1e-5, 1e-7});
                    }
                }
            }
        }
    }
    {  // the reference gradients of the whole-set kinds against central differences
        std::vector<float> y = rng.normals(9, 2, 1), yh = rng.normals(9, 2, 1.5);
        for (auto kind : {VANTAGE_RAE, VANTAGE_RSE, VANTAGE_RMSE, VANTAGE_RMSLE, VANTAGE_NRMSE, VANTAGE_RRMSE}) {
            ref::RegressionResult want = ref::regression(kind, y, yh, nullptr, VANTAGE_REDUCTION_MEAN, 1, 0.5, 1e-7,
                                                         VANTAGE_NRMSE_STD, 1);
            std::vector<double> fd = numeric_gradient(yh, [&](const std::vector<float>& x) {
                return ref::regression(kind, y, x, nullptr, VANTAGE_REDUCTION_MEAN, 1, 0.5, 1e-7, VANTAGE_NRMSE_STD, 1).value;
            }, 1e-3);
            compare(r, fmt("reference %s gradient = central differences", names[kind]), want.grad, fd, {2e-3, 1e-5});
        }
    }
    {  // argument checks
        Dev<float> x(4);
        Dev<double> result(VANTAGE_LOSS_RESULT_SIZE);
        Workspace ws(vantage_regression_workspace_size(4));
        r.check(vantage_regression(VANTAGE_RMSE, x, x, nullptr, nullptr, nullptr, 4, VANTAGE_REDUCTION_SUM, 1, 0.5, 1e-7,
                                   VANTAGE_NRMSE_MEAN, 1, result, ws.mem, ws.bytes, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
                "regression rejects SUM on a whole-set loss");
        r.check(vantage_regression(VANTAGE_QUANTILE, x, x, nullptr, nullptr, nullptr, 4, VANTAGE_REDUCTION_SUM, 1, 1.0, 1e-7,
                                   VANTAGE_NRMSE_MEAN, 1, result, ws.mem, ws.bytes, 0) == VANTAGE_ERROR_INVALID_ARGUMENT,
                "regression rejects quantile 1");
    }
    {  // nothing valid: 0, degenerate; a constant target trips RAE's guard
        std::vector<float> y = rng.normals(50), yh = rng.normals(50);
        std::vector<uint8_t> none(50, 0);
        for (auto kind : kinds) {
            Run got = run("empty", kind, y, yh, &none, VANTAGE_REDUCTION_MEAN, 1, 0.5, VANTAGE_NRMSE_MEAN, 1);
            if (got.ok) {
                compare(r, fmt("regression %s all masked: 0, degenerate", names[kind]), got.result, {0.0, 0.0, 1.0}, {0, 0});
                compare(r, fmt("regression %s all masked: gradient 0", names[kind]), got.grad, std::vector<double>(50, 0.0), {0, 0});
            }
        }
        Run got = run("constant target", VANTAGE_RAE, std::vector<float>(50, 2.f), yh, nullptr, VANTAGE_REDUCTION_MEAN, 1,
                      0.5, VANTAGE_NRMSE_MEAN, 1);
        if (got.ok) r.check(got.result[2] == 1.0, "regression RAE constant target: ε guard flags degenerate");
    }
}

}  // namespace selftest
