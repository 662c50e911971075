// Family 5: sequence objectives (dev.vantage.kernels.objective.ObjectiveKernels).
//
// DPO, KTO, A-LoL and PRIME's reward-model loss are functions of per-row sums: each is one fused
// pass of sequences.cuh (sums, coefficient, gradient row) followed by a two-stage fp64 sum of the
// per-unit metrics. APA is a per-token loss aggregated like PPO's: it reuses tokens.cuh.
#include "common.cuh"
#include "sequences.cuh"
#include "tokens.cuh"

namespace vantage {
namespace {

// Stable forms of kernel-math §0, in fp64.
__device__ __forceinline__ double softplus(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }

__device__ __forceinline__ double sigmoid(double x) {
    if (x >= 0) return 1 / (1 + exp(-x));
    const double e = exp(x);
    return e / (1 + e);  // NaN falls through to here and stays NaN
}

// A per-token mean of a row with n valid tokens; 0 for an empty row.
__device__ __forceinline__ double row_mean(double total, double n) { return n > 0 ? total / n : 0.0; }

// Chosen row u and rejected row u + P.
struct Dpo {
    static constexpr int kRows = 2, kValues = 5;  // loss, chosen reward, rejected reward, correct, margin
    static constexpr bool kTokenWeights = false;
    int64_t units;  // pairs
    double beta, smoothing, ipo_target, inv_pairs;
    bool ipo;

    __device__ int64_t row(int64_t u, int r) const { return u + r * units; }
    __device__ float token_coef(int64_t) const { return 0.f; }
    __device__ float token_weight(float, float) const { return 0.f; }

    __device__ void finish(int64_t, const RowSums (&s)[2], float (&coef)[2], double (&v)[kValues]) const {
        double chosen = s[0].s - s[0].ref, rejected = s[1].s - s[1].ref;
        if (ipo) {
            chosen = row_mean(chosen, s[0].n);
            rejected = row_mean(rejected, s[1].n);
        }
        double loss, grad_chosen;  // ∂L/∂(chosen ratio) = -∂L/∂(rejected ratio)
        if (ipo) {
            const double h = chosen - rejected - ipo_target;
            loss = h * h;
            grad_chosen = 2 * h * inv_pairs;
        } else {
            const double h = beta * (chosen - rejected);
            loss = (1 - smoothing) * softplus(-h) + smoothing * softplus(h);
            grad_chosen = -beta * ((1 - smoothing) * sigmoid(-h) - smoothing * sigmoid(h)) * inv_pairs;
        }
        coef[0] = (float)(ipo ? row_mean(grad_chosen, s[0].n) : grad_chosen);
        coef[1] = (float)(ipo ? row_mean(-grad_chosen, s[1].n) : -grad_chosen);
        const double chosen_reward = beta * chosen, rejected_reward = beta * rejected;
        v[0] = loss;
        v[1] = chosen_reward;
        v[2] = rejected_reward;
        v[3] = chosen_reward > rejected_reward ? 1.0 : 0.0;
        v[4] = chosen_reward - rejected_reward;
    }
};

struct Kto : OneRow {
    static constexpr int kValues = 5;  // loss, desirable reward, desirable, undesirable reward, undesirable
    const uint8_t* desirable;
    double z0, beta, weight_desirable, weight_undesirable, inv_batch;

    __device__ void finish(int64_t u, const RowSums (&s)[1], float (&coef)[1], double (&v)[kValues]) const {
        const double r = s[0].s - s[0].ref, x = beta * (r - z0);
        const bool good = desirable[u] != 0;
        // σ(-x) for desirable rows, σ(x) for undesirable ones; both slopes are β·σ(x)·σ(-x) times ∓λ.
        const double loss = good ? weight_desirable * sigmoid(-x) : weight_undesirable * sigmoid(x);
        const double slope = beta * sigmoid(x) * sigmoid(-x) * (good ? -weight_desirable : weight_undesirable);
        coef[0] = (float)(slope * inv_batch);
        v[0] = loss;
        v[1] = good ? beta * r : 0.0;
        v[2] = good ? 1.0 : 0.0;
        v[3] = good ? 0.0 : beta * r;
        v[4] = good ? 0.0 : 1.0;
    }
};

template <bool kToken>
struct Alol : OneRow {
    static constexpr int kValues = 2;  // loss, rows with A⁺ > 0
    static constexpr bool kTokenWeights = kToken;
    const float *rewards, *values;
    double low_log, high_log, kl_beta, inv_batch;  // clip bounds of the log-weight (low may be -inf)
    bool sequence_weight;

    // max(R - V, 0), but NaN stays NaN (a data error must reach the caller).
    __device__ double positive(int64_t b) const {
        const double a = (double)rewards[b] - values[b];
        return (a > 0 || a != a) ? a : 0.0;
    }
    __device__ float token_coef(int64_t b) const { return kToken ? (float)(-positive(b) * inv_batch) : 0.f; }
    __device__ float token_weight(float lp, float ref) const {
        return expf(clamp_keep_nan(lp - ref, (float)low_log, (float)high_log));
    }

    __device__ void finish(int64_t u, const RowSums (&s)[1], float (&coef)[1], double (&v)[kValues]) const {
        const double a = positive(u);
        if (kToken) {
            v[0] = -a * s[0].x;
            coef[0] = 0.f;  // written per token
        } else {
            const double ratio = s[0].s - s[0].ref;
            const double w = sequence_weight ? exp(clamp_keep_nan(ratio, low_log, high_log)) : 1.0;
            v[0] = -a * w * s[0].s + kl_beta * ratio;
            coef[0] = (float)((-a * w + kl_beta) * inv_batch);
        }
        v[1] = a > 0 ? 1.0 : 0.0;
    }
};

struct PrimeRewardModel : OneRow {
    static constexpr int kValues = 1;
    const float* outcomes;
    double beta, inv_batch;

    __device__ void finish(int64_t u, const RowSums (&s)[1], float (&coef)[1], double (&v)[kValues]) const {
        const double logit = beta * (s[0].s - s[0].ref), label = outcomes[u];
        // Binary cross-entropy on the logit: softplus(s) - y·s, slope σ(s) - y.
        v[0] = softplus(logit) - label * logit;
        coef[0] = (float)(beta * (sigmoid(logit) - label) * inv_batch);
    }
};

struct ApaToken {
    const float *logp, *init, *advantages;
    const uint8_t* mask;
    float* grad;
    float inv_lambda;

    // acc: tokens, Σ residual²
    __device__ __forceinline__ void operator()(int64_t i, float weight, float (&acc)[2]) const {
        if (!valid(mask, i)) {
            if (grad != nullptr) grad[i] = 0.f;
            return;
        }
        // The residual of log π_θ against the target log π* = log π_init + A/λ.
        const float residual = fmaf(-advantages[i], inv_lambda, logp[i] - init[i]);
        acc[0] += 1.f;
        acc[1] += residual * residual;
        if (grad != nullptr) grad[i] = 2.f * weight * residual;
    }
};

bool is_finite(double x) { return x > -INFINITY && x < INFINITY; }

// The inputs every sequence objective reads: logp [B, T] and the reference in either layout.
bool sequence_inputs_ok(const float* logp, const float* ref, int ref_per_token, bool ref_required, int64_t batch,
                        int64_t time) {
    if (batch < 0 || time < 0) return false;
    const int64_t ref_elements = ref_per_token ? batch * time : batch;
    return (logp != nullptr || batch * time == 0) && (ref != nullptr || !ref_required || ref_elements == 0);
}

SeqInputs seq_inputs(const float* logp, const float* ref, int ref_per_token, const uint8_t* mask, float* grad,
                     int64_t time) {
    return {logp, ref, mask, grad, time, ref_per_token != 0 && ref != nullptr};
}

double inverse(int64_t n) { return n > 0 ? 1.0 / (double)n : 0.0; }

size_t sequence_workspace(int64_t batch, int64_t units, int values) {
    return batch < 0 ? 0 : SequenceWorkspace(nullptr, units, values).used;
}

}  // namespace
}  // namespace vantage

using namespace vantage;

extern "C" {

size_t vantage_dpo_workspace_size(int64_t batch, int64_t time) {
    (void)time;
    return sequence_workspace(batch, batch / 2, Dpo::kValues);
}

int vantage_dpo(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask, float* grad_logp,
                int64_t batch, int64_t time, double beta, double label_smoothing, vantage_dpo_loss loss, double* result,
                void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(sequence_inputs_ok(logp, ref_logp, ref_per_token, true, batch, time) && batch % 2 == 0 && result != nullptr);
    VANTAGE_REQUIRE(beta > 0 && is_finite(beta) && label_smoothing >= 0 && label_smoothing <= 0.5);
    VANTAGE_REQUIRE(loss == VANTAGE_DPO_SIGMOID || loss == VANTAGE_DPO_IPO);
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_dpo_workspace_size(batch, time));
    const int64_t pairs = batch / 2;
    const Dpo obj{pairs, beta, label_smoothing, 1 / (2 * beta), inverse(pairs), loss == VANTAGE_DPO_IPO};
    const double inv_pairs = inverse(pairs);
    return run_sequence(obj, seq_inputs(logp, ref_logp, ref_per_token, mask, grad_logp, time),
                        [=] __device__(const double(&t)[Dpo::kValues]) {
                            for (int k = 0; k < Dpo::kValues; k++) result[k] = t[k] * inv_pairs;
                            result[VANTAGE_DPO_PAIRS] = (double)pairs;
                        },
                        workspace, stream);
}

size_t vantage_kto_workspace_size(int64_t batch, int64_t time) {
    (void)time;
    return sequence_workspace(batch, batch, Kto::kValues);
}

int vantage_kto(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask,
                const uint8_t* desirable, double reference_kl, float* grad_logp, int64_t batch, int64_t time,
                double beta, double desirable_weight, double undesirable_weight, double* result, void* workspace,
                size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(sequence_inputs_ok(logp, ref_logp, ref_per_token, true, batch, time) && result != nullptr);
    VANTAGE_REQUIRE(desirable != nullptr || batch == 0);
    VANTAGE_REQUIRE(is_finite(reference_kl) && beta > 0 && is_finite(beta));
    VANTAGE_REQUIRE(desirable_weight > 0 && is_finite(desirable_weight) && undesirable_weight > 0 && is_finite(undesirable_weight));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_kto_workspace_size(batch, time));
    const double inv_batch = inverse(batch);
    const Kto obj{{batch}, desirable, reference_kl > 0 ? reference_kl : 0.0, beta, desirable_weight, undesirable_weight,
                  inv_batch};
    return run_sequence(obj, seq_inputs(logp, ref_logp, ref_per_token, mask, grad_logp, time),
                        [=] __device__(const double(&t)[Kto::kValues]) {
                            result[VANTAGE_KTO_LOSS] = t[0] * inv_batch;
                            result[VANTAGE_KTO_DESIRABLE_REWARD] = t[2] > 0 ? t[1] / t[2] : 0.0;
                            result[VANTAGE_KTO_UNDESIRABLE_REWARD] = t[4] > 0 ? t[3] / t[4] : 0.0;
                            result[VANTAGE_KTO_DESIRABLE] = t[2];
                            result[VANTAGE_KTO_UNDESIRABLE] = t[4];
                        },
                        workspace, stream);
}

size_t vantage_apa_workspace_size(int64_t batch, int64_t time) { return vantage_aggregate_workspace_size(batch, time); }

int vantage_apa(const float* logp, const float* init_logp, const float* advantages, const uint8_t* mask,
                float* grad_logp, int64_t batch, int64_t time, double lambda, vantage_aggregation aggregation,
                double normalizer, double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(batch >= 0 && time >= 0 && result != nullptr && valid_aggregation(aggregation));
    VANTAGE_REQUIRE((logp && init_logp && advantages) || batch * time == 0);
    VANTAGE_REQUIRE(lambda > 0 && is_finite(lambda));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_apa_workspace_size(batch, time));
    const ApaToken token{logp, init_logp, advantages, mask, grad_logp, (float)(1 / lambda)};
    return aggregate_tokens<2>(batch, time, mask, grad_logp != nullptr, aggregation, normalizer, token, result, workspace,
                               stream);
}

size_t vantage_alol_workspace_size(int64_t batch, int64_t time) {
    (void)time;
    return sequence_workspace(batch, batch, Alol<false>::kValues);
}

int vantage_alol(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask, const float* rewards,
                 const float* values, float* grad_logp, int64_t batch, int64_t time, vantage_alol_variant variant,
                 double clip, double kl_beta, double* result, void* workspace, size_t workspace_bytes,
                 cudaStream_t stream) {
    VANTAGE_REQUIRE(variant >= VANTAGE_ALOL_SEQUENCE && variant <= VANTAGE_ALOL_KL);
    VANTAGE_REQUIRE(variant != VANTAGE_ALOL_TOKEN || ref_per_token != 0);
    VANTAGE_REQUIRE(sequence_inputs_ok(logp, ref_logp, ref_per_token, variant != VANTAGE_ALOL_REFERENCE_FREE, batch, time));
    VANTAGE_REQUIRE(result != nullptr && ((rewards && values) || batch == 0));
    VANTAGE_REQUIRE(clip > 0 && is_finite(clip) && kl_beta >= 0 && is_finite(kl_beta));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_alol_workspace_size(batch, time));
    const double effective_kl = variant == VANTAGE_ALOL_KL ? kl_beta : 0.0;
    const double inv_batch = inverse(batch);
    auto finish = [=] __device__(const double(&t)[2]) {
        result[VANTAGE_LOSS_VALUE] = t[0] * inv_batch;
        result[VANTAGE_LOSS_COUNT] = t[1];
        result[VANTAGE_LOSS_DEGENERATE] = (batch == 0 || (t[1] == 0 && effective_kl == 0)) ? 1.0 : 0.0;
    };
    const SeqInputs in = seq_inputs(logp, ref_logp, ref_per_token, mask, grad_logp, time);
    // Clipping the log-ratio is clipping the ratio, without exp overflowing on long sequences.
    const double low_log = clip < 1 ? log1p(-clip) : -INFINITY, high_log = log1p(clip);
    const bool sequence_weight = variant == VANTAGE_ALOL_SEQUENCE;
    if (variant == VANTAGE_ALOL_TOKEN) {
        const Alol<true> obj{{batch}, rewards, values, low_log, high_log, effective_kl, inv_batch, sequence_weight};
        return run_sequence(obj, in, finish, workspace, stream);
    }
    const Alol<false> obj{{batch}, rewards, values, low_log, high_log, effective_kl, inv_batch, sequence_weight};
    return run_sequence(obj, in, finish, workspace, stream);
}

size_t vantage_prime_reward_model_workspace_size(int64_t batch, int64_t time) {
    (void)time;
    return sequence_workspace(batch, batch, PrimeRewardModel::kValues);
}

int vantage_prime_reward_model(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask,
                               const float* outcomes, float* grad_logp, int64_t batch, int64_t time, double beta,
                               double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
    VANTAGE_REQUIRE(sequence_inputs_ok(logp, ref_logp, ref_per_token, true, batch, time) && result != nullptr);
    VANTAGE_REQUIRE((outcomes != nullptr || batch == 0) && beta > 0 && is_finite(beta));
    VANTAGE_WORKSPACE(workspace, workspace_bytes, vantage_prime_reward_model_workspace_size(batch, time));
    const double inv_batch = inverse(batch);
    const PrimeRewardModel obj{{batch}, outcomes, beta, inv_batch};
    return run_sequence(obj, seq_inputs(logp, ref_logp, ref_per_token, mask, grad_logp, time),
                        [=] __device__(const double(&t)[1]) {
                            result[VANTAGE_LOSS_VALUE] = t[0] * inv_batch;
                            result[VANTAGE_LOSS_COUNT] = (double)batch;
                            result[VANTAGE_LOSS_DEGENERATE] = batch == 0 ? 1.0 : 0.0;
                        },
                        workspace, stream);
}

}  // extern "C"
