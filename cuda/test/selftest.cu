// Self-test of libvantage_cuda: every kernel against a host double-precision reference on random
// inputs and on the edge cases of kernel-math.md (including its §14 vectors). One line per check,
// then "N passed, N failed". Exit status: 0 all passed, 1 a check failed, 2 no usable CUDA device,
// 3 bad usage. `selftest --bench` times the kernels instead (see bench.h).
#include "harness.h"
#include "reference.h"
#include "bench.h"
#include "checks_advantage.h"
#include "checks_dueling.h"
#include "checks_logprob.h"
#include "checks_loss.h"
#include "checks_objective.h"

using namespace selftest;

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: selftest [--bench [--quick]] [--only NAME]\n"
                 "  (no option)   run every check: one line each, then 'N passed, N failed'\n"
                 "  --only NAME   run the check groups whose name contains NAME (logprob, token, ppo,\n"
                 "                advantage, prime, dueling, comp_sum, regression,\n"
                 "                objective)\n"
                 "  --bench       time every kernel at the sizes of issue 3 (--quick: smaller sizes)\n");
    return kExitUsage;
}

// Prints the device, or why there is none; false when no kernel can run here.
bool probe() {
    int count = 0, runtime = 0, driver = 0;
    vantage_runtime_version(&runtime);
    vantage_driver_version(&driver);
    std::printf("libvantage_cuda %d (ABI %d), CUDA runtime %d, driver %d\n", vantage_version(), vantage_abi_version(),
                runtime, driver);
    int rc = vantage_device_count(&count);
    if (rc != 0 || count == 0) {
        std::printf("no usable CUDA device: vantage_device_count returned %d (%s), %d devices\n", rc,
                    vantage_status_string(rc), count);
        return false;
    }
    char name[256];
    int major = 0, minor = 0;
    int64_t memory = 0;
    vantage_device_name(0, name, sizeof name);
    vantage_device_capability(0, &major, &minor);
    vantage_device_memory(0, &memory);
    std::printf("device 0: %s, compute capability %d.%d, %.1f GiB\n", name, major, minor, memory / 1073741824.0);
    // The test's own runtime must see the device too (it links its own static copy).
    cudaError_t e = cudaSetDevice(0);
    if (e != cudaSuccess) {
        std::printf("no usable CUDA device: cudaSetDevice: %s\n", cudaGetErrorString(e));
        return false;
    }
    return true;
}

struct Group {
    const char* name;
    void (*run)(Report&);
};

}  // namespace

int main(int argc, char** argv) {
    bool bench = false, quick = false;
    const char* only = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--bench")) bench = true;
        else if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else return usage();
    }
    if (!probe()) return kExitNoDevice;
    if (bench) return run_benchmarks(quick);

    const Group groups[] = {
        {"logprob_forward", check_logprob_forward},
        {"logprob_backward", check_logprob_backward},
        {"token_kernels", check_token_kernels},
        {"ppo_aggregate", check_ppo_and_aggregate},
        {"advantage_gae", check_gae_and_returns},
        {"advantage_groups", check_groups_and_whitening},
        {"advantage_prime", check_prime},
        {"dueling", check_dueling},
        {"loss_comp_sum", check_comp_sum},
        {"loss_regression", check_regression},
        {"objective", check_objectives},
    };
    Report report;
    for (const Group& g : groups) {
        if (only != nullptr && std::strstr(g.name, only) == nullptr) continue;
        std::printf("== %s\n", g.name);
        g.run(report);
    }
    std::printf("%d passed, %d failed\n", report.passed, report.failed);
    return report.failed == 0 ? 0 : kExitFailed;
}
