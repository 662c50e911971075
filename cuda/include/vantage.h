/*
 * vantage.h - the C ABI of the Vantage CUDA kernels (libvantage_cuda.so).
 *
 * Every kernel of dev.vantage.kernels.{logprob, advantage, dueling, loss} has one launcher here,
 * with the semantics its Java method documents (and kernel-math.md). The Java CUDA backend binds
 * this header with JavaCPP; nothing else is exported.
 *
 * Conventions shared by every launcher
 * ------------------------------------
 * - Pointers are device pointers, dense and row-major, aligned to their element size. Sizes and
 *   offsets are int64_t. A shape [B, T] means B rows of T contiguous elements.
 * - Optional inputs and outputs may be NULL, exactly where the Java argument may be null:
 *   a NULL mask means every element is valid, NULL episode flags mean no flag set, NULL bootstrap
 *   values mean 0, a NULL optional output is not written.
 * - dtypes are vantage_dtype values (the ordinals of dev.vantage.kernels.DType). Logits and logit
 *   gradients may be F32, BF16 or F16; everything else is F32, labels are int32, masks and flags
 *   are BOOL (uint8_t, 0 = false, anything else true). Accumulation is fp32 in the kernels and fp64
 *   in the final cross-block sums; every output is F32 except logit gradients (their own dtype) and
 *   the result arrays (double).
 * - Options are plain scalars and enums, in the units of the Java options classes. A "normalizer"
 *   <= 0 or NaN means "the mode's local default", as an Aggregation without normalizer.
 * - Every launcher is asynchronous on `stream` (0 = the legacy default stream) and returns
 *     0 (VANTAGE_OK)                  when everything was enqueued,
 *     a negative vantage_status        when an argument is invalid (nothing is enqueued),
 *     a positive cudaError_t value     when the CUDA runtime refused a launch or a memset.
 *   Errors that happen while kernels run surface at the caller's next synchronization.
 *   vantage_status_string() names both kinds.
 * - Reductions (losses, metrics, counts, whitening statistics) are written to a caller-provided
 *   device array `result` of doubles, laid out as the VANTAGE_*_RESULT_* indices below; copy it to
 *   the host after synchronizing. Counts are exact integers stored in doubles; flags are 0.0 or 1.0.
 * - Determinism: no floating-point atomics. Every sum is reduced in a fixed order that depends only
 *   on the sizes, so results are bit-identical run to run (and across GPUs of the same target).
 * - Workspace: launchers with a reduction across blocks take scratch device memory. Ask its size
 *   with the matching *_workspace_size() query (a pure host function, callable without a GPU),
 *   pass at least that many bytes, 256-byte aligned (cudaMalloc memory is). Its contents are
 *   undefined before and after the call; one workspace must not serve two calls that may run at
 *   the same time (different streams). A size of 0 allows workspace == NULL.
 * - Labels: launchers that read labels take `status`, a device int32 the launcher clears and then
 *   sets to VANTAGE_STATUS_BAD_LABEL if any label lies outside [0, classes) and is not the ignore
 *   index. Labels are checked by a first kernel before any output is written: when the flag is set,
 *   no output (result included) is written. The binding reads `status` after synchronizing; to name
 *   the offending element it can scan the labels on the host (the error path only).
 * - In-place: an output may be the same buffer as an input of the same shape and dtype where the
 *   Java API allows it (grad_logits == logits in logprob backward and comp_sum; advantage outputs
 *   over their inputs; whiten out == values). Partially overlapping buffers are not allowed.
 * - Empty sizes (0 rows, T = 0, ...) are valid: nothing is read, results are still written.
 *
 * The library links the CUDA runtime statically: it loads on a machine without a driver, where
 * every call that touches the GPU returns cudaErrorInsufficientDriver (35) or cudaErrorNoDevice
 * (100); vantage_device_count() is the probe.
 */
#ifndef VANTAGE_H
#define VANTAGE_H

#include <stddef.h>
#include <stdint.h>
/* Bindings that only pass streams through (the JNI glue) need no CUDA toolkit headers. */
#ifdef VANTAGE_NO_CUDA_RUNTIME_H
typedef struct CUstream_st* cudaStream_t;
#else
#include <cuda_runtime_api.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions, status, devices ------------------------------------------------------------ */

#define VANTAGE_VERSION_MAJOR 0
#define VANTAGE_VERSION_MINOR 1
#define VANTAGE_VERSION_PATCH 0
/* Incremented whenever a signature or a result layout below changes. */
#define VANTAGE_ABI_VERSION 1

typedef enum vantage_status {
    VANTAGE_OK = 0,
    /* A size is negative, a required pointer is NULL, an enum or option is out of range. */
    VANTAGE_ERROR_INVALID_ARGUMENT = -1,
    /* A dtype that this argument does not accept. */
    VANTAGE_ERROR_UNSUPPORTED_DTYPE = -2,
    /* workspace_bytes is smaller than the matching *_workspace_size(). */
    VANTAGE_ERROR_WORKSPACE_TOO_SMALL = -3
} vantage_status;

/* Bits of the device status word of launchers that read labels. */
#define VANTAGE_STATUS_BAD_LABEL 1

/* VANTAGE_VERSION_MAJOR * 10000 + MINOR * 100 + PATCH. */
int vantage_version(void);
int vantage_abi_version(void);
/* A static string naming a return value of this API: a vantage_status or a cudaError_t. */
const char* vantage_status_string(int status);
/* Number of CUDA devices in *count (0 on error); returns the cudaError_t (35 without a driver). */
int vantage_device_count(int* count);
/* cudaRuntimeGetVersion of the linked runtime (e.g. 13000), and of the driver (0 without one). */
int vantage_runtime_version(int* version);
int vantage_driver_version(int* version);
/* Name (NUL-terminated, truncated to capacity), compute capability and global memory of a device. */
int vantage_device_name(int device, char* name, int capacity);
int vantage_device_capability(int device, int* major, int* minor);
int vantage_device_memory(int device, int64_t* total_bytes);

/* ---- memory helpers -------------------------------------------------------------------------
 * The same runtime the kernels use, so a binding needs no other CUDA library to stage host data.
 * Plain wrappers of cudaMalloc, cudaFree, cudaMemcpyAsync (kind cudaMemcpyDefault), cudaMemsetAsync
 * and cudaStreamSynchronize; they return the cudaError_t. */
int vantage_malloc(void** pointer, int64_t bytes);
int vantage_free(void* pointer);
int vantage_memcpy_async(void* dst, const void* src, int64_t bytes, cudaStream_t stream);
int vantage_memset_async(void* dst, int value, int64_t bytes, cudaStream_t stream);
int vantage_stream_synchronize(cudaStream_t stream);

/* ---- enums: the ordinals of the Java enums ---------------------------------------------------- */

typedef enum vantage_dtype {
    VANTAGE_F32 = 0,
    VANTAGE_BF16 = 1,
    VANTAGE_F16 = 2,
    VANTAGE_I32 = 3,
    VANTAGE_BOOL = 4
} vantage_dtype;

/* dev.vantage.kernels.logprob.Aggregation.Mode */
typedef enum vantage_aggregation {
    VANTAGE_TOKEN_MEAN = 0,
    VANTAGE_SEQ_MEAN_TOKEN_SUM = 1,
    VANTAGE_SEQ_MEAN_TOKEN_MEAN = 2,
    VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM = 3
} vantage_aggregation;

/* dev.vantage.kernels.logprob.KlEstimator */
typedef enum vantage_kl_estimator {
    VANTAGE_KL_K1 = 0,
    VANTAGE_KL_K2 = 1,
    VANTAGE_KL_K3 = 2,
    VANTAGE_KL_K3_PLUS = 3
} vantage_kl_estimator;

/* dev.vantage.kernels.advantage.GroupOptions.Singleton */
typedef enum vantage_singleton {
    VANTAGE_SINGLETON_ZERO = 0,
    VANTAGE_SINGLETON_SCORE = 1
} vantage_singleton;

/* dev.vantage.kernels.dueling.DuelingMode */
typedef enum vantage_dueling_mode {
    VANTAGE_DUELING_NAIVE = 0,
    VANTAGE_DUELING_MAX = 1,
    VANTAGE_DUELING_MEAN = 2
} vantage_dueling_mode;

/* dev.vantage.kernels.loss.Reduction */
typedef enum vantage_reduction {
    VANTAGE_REDUCTION_NONE = 0,
    VANTAGE_REDUCTION_SUM = 1,
    VANTAGE_REDUCTION_MEAN = 2
} vantage_reduction;

/* dev.vantage.kernels.loss.RegressionLoss */
typedef enum vantage_regression_loss {
    VANTAGE_MAE = 0,
    VANTAGE_MSE = 1,
    VANTAGE_MBE = 2,
    VANTAGE_RAE = 3,
    VANTAGE_RSE = 4,
    VANTAGE_MAPE = 5,
    VANTAGE_RMSE = 6,
    VANTAGE_MSLE = 7,
    VANTAGE_RMSLE = 8,
    VANTAGE_NRMSE = 9,
    VANTAGE_RRMSE = 10,
    VANTAGE_HUBER = 11,
    VANTAGE_LOG_COSH = 12,
    VANTAGE_QUANTILE = 13
} vantage_regression_loss;

/* dev.vantage.kernels.loss.RegressionOptions.Normalizer */
typedef enum vantage_nrmse_normalizer {
    VANTAGE_NRMSE_MEAN = 0,
    VANTAGE_NRMSE_RANGE = 1,
    VANTAGE_NRMSE_STD = 2
} vantage_nrmse_normalizer;

/* ---- result layouts (indices into the double arrays `result`) ------------------------------ */

/* AggregateResult */
#define VANTAGE_AGGREGATE_VALUE 0
#define VANTAGE_AGGREGATE_TOKENS 1
#define VANTAGE_AGGREGATE_DEGENERATE 2
#define VANTAGE_AGGREGATE_RESULT_SIZE 3

/* PpoResult */
#define VANTAGE_PPO_LOSS 0
#define VANTAGE_PPO_CLIP_FRACTION 1
#define VANTAGE_PPO_CLIP_FRACTION_LOWER 2
#define VANTAGE_PPO_APPROX_KL 3
#define VANTAGE_PPO_TOKENS 4
#define VANTAGE_PPO_DEGENERATE 5
#define VANTAGE_PPO_RESULT_SIZE 6

/* WhitenResult (whiten and reinforce_plus_plus) */
#define VANTAGE_WHITEN_MEAN 0
#define VANTAGE_WHITEN_VARIANCE 1
#define VANTAGE_WHITEN_COUNT 2
#define VANTAGE_WHITEN_DEGENERATE 3
#define VANTAGE_WHITEN_RESULT_SIZE 4

/* LossResult (comp_sum and regression) */
#define VANTAGE_LOSS_VALUE 0
#define VANTAGE_LOSS_COUNT 1
#define VANTAGE_LOSS_DEGENERATE 2
#define VANTAGE_LOSS_RESULT_SIZE 3

/* ==== family 1: token log-prob ratios (LogProbKernels) ======================================== */

/*
 * Fused log-softmax, gather and entropy, one read of the logits [rows, vocab]:
 * x = logits / temperature, lse = log Σ exp x, logp = x[label] - lse (0 where label ==
 * ignore_index), entropy = lse - Σ p x. -inf logits are masked-out entries; a row with no finite
 * logit, a +inf or a NaN gives NaN in logp, entropy and lse. entropy and lse may be NULL.
 * temperature > 0 and finite. status: see "Labels" above.
 */
int vantage_logprob_forward(const void* logits, vantage_dtype logits_dtype, const int32_t* labels,
                            float* logp, float* entropy, float* lse,
                            int64_t rows, int64_t vocab, double temperature, int32_t ignore_index,
                            int32_t* status, cudaStream_t stream);

/*
 * d logits = (1/T)·[grad_logp·(1{j=label} - p_j) - grad_entropy·p_j·(log p_j + H)], recomputing
 * p from the logits and the saved lse: one read of the logits, one write of the gradient.
 * grad_logp and grad_entropy may be NULL (zero); entropy is required when grad_entropy is given.
 * Ignored rows get no log-prob term. grad_logits may equal logits (same dtype): in place.
 */
int vantage_logprob_backward(const void* logits, vantage_dtype logits_dtype, const int32_t* labels,
                             const float* lse, const float* entropy, const float* grad_logp,
                             const float* grad_entropy, void* grad_logits, vantage_dtype grad_dtype,
                             int64_t rows, int64_t vocab, double temperature, int32_t ignore_index,
                             int32_t* status, cudaStream_t stream);

/*
 * ratio = exp(clamp(logp - old_logp, ±log_ratio_clamp)), grad_ratio = ratio where the clamp is
 * inactive, else 0; both 0 at masked elements. log_ratio_clamp > 0; +infinity disables it.
 * grad_ratio may be NULL. n = number of elements.
 */
int vantage_ratio(const float* logp, const float* old_logp, const uint8_t* mask, float* ratio,
                  float* grad_ratio, int64_t n, double log_ratio_clamp, cudaStream_t stream);

/*
 * PPO clipped surrogate with dual clip over [batch, time], aggregated, with ∂L/∂logp written to
 * grad_logp (may be NULL) and the PpoResult to result[VANTAGE_PPO_RESULT_SIZE].
 * 0 <= clip_low < 1, clip_high >= 0, dual_clip > 1 (+infinity disables), log_ratio_clamp > 0
 * (+infinity disables).
 */
size_t vantage_ppo_loss_workspace_size(int64_t batch, int64_t time);
int vantage_ppo_loss(const float* logp, const float* old_logp, const float* advantages,
                     const uint8_t* mask, float* grad_logp, int64_t batch, int64_t time,
                     double clip_low, double clip_high, double dual_clip, double log_ratio_clamp,
                     vantage_aggregation aggregation, double normalizer, double* result,
                     void* workspace, size_t workspace_bytes, cudaStream_t stream);

/*
 * Per-element KL estimate of KL(π_θ ‖ π_ref) and ∂kl/∂logp (grad_kl may be NULL); 0 at masked
 * elements. verl_clamp != 0: verl's clamps on K3 (see KlOptions).
 */
int vantage_kl(const float* logp, const float* ref_logp, const uint8_t* mask, float* kl,
               float* grad_kl, int64_t n, vantage_kl_estimator estimator, int verl_clamp,
               cudaStream_t stream);

/* reward = beta·(logp - ref_logp), 0 at masked elements. beta finite. */
int vantage_implicit_reward(const float* logp, const float* ref_logp, const uint8_t* mask,
                            float* reward, int64_t n, double beta, cudaStream_t stream);

/* sums[b] = Σ_t m[b,t]·values[b,t] over [batch, time]. */
int vantage_sequence_sum(const float* values, const uint8_t* mask, float* sums, int64_t batch,
                         int64_t time, cudaStream_t stream);

/* grad_values[b,t] = grad_sums[b]·m[b,t]. */
int vantage_sequence_sum_backward(const float* grad_sums, const uint8_t* mask, float* grad_values,
                                  int64_t batch, int64_t time, cudaStream_t stream);

/* Aggregation of [batch, time] values to result[VANTAGE_AGGREGATE_RESULT_SIZE]. */
size_t vantage_aggregate_workspace_size(int64_t batch, int64_t time);
int vantage_aggregate(const float* values, const uint8_t* mask, int64_t batch, int64_t time,
                      vantage_aggregation aggregation, double normalizer, double* result,
                      void* workspace, size_t workspace_bytes, cudaStream_t stream);

/* Backward of vantage_aggregate: grad_values = grad_loss·∂L/∂values (all 0 when D = 0).
 * Uses the same workspace size as vantage_aggregate. grad_loss finite. */
int vantage_aggregate_backward(const uint8_t* mask, double grad_loss, float* grad_values,
                               int64_t batch, int64_t time, vantage_aggregation aggregation,
                               double normalizer, void* workspace, size_t workspace_bytes,
                               cudaStream_t stream);

/* ==== family 2: advantages (AdvantageKernels) ================================================ */

/*
 * GAE over [batch, time] with terminated/truncated flags and bootstrap values (each may be NULL),
 * computed as a reverse affine scan parallel over batch and time. Masked steps are skipped (the
 * next valid step's values carry across them) and get 0. returns (may be NULL) = advantages +
 * values. 0 <= gamma, lambda <= 1. Outputs may alias inputs of the same shape.
 */
size_t vantage_gae_workspace_size(int64_t batch, int64_t time);  /* 0 when time <= 256 */
int vantage_gae(const float* rewards, const float* values, const uint8_t* mask,
                const uint8_t* terminated, const uint8_t* truncated, const float* bootstrap_values,
                float* advantages, float* returns, int64_t batch, int64_t time, double gamma,
                double lambda, void* workspace, size_t workspace_bytes, cudaStream_t stream);

/* Discounted returns G_t = r_t + γ·(1 - terminated_t)·G_next over valid steps. Same workspace
 * size as vantage_gae. */
int vantage_returns(const float* rewards, const uint8_t* mask, const uint8_t* terminated,
                    float* returns, int64_t batch, int64_t time, double gamma, void* workspace,
                    size_t workspace_bytes, cudaStream_t stream);

/* GRPO and RLOO on contiguous groups of group_size scores; batch % group_size == 0. */
int vantage_grpo(const float* scores, float* advantages, int64_t batch, int64_t group_size,
                 int normalize_by_std, int unbiased_std, double epsilon,
                 vantage_singleton singleton, cudaStream_t stream);
int vantage_rloo(const float* scores, float* advantages, int64_t batch, int64_t group_size,
                 vantage_singleton singleton, cudaStream_t stream);

/* out[b,t] = per_sequence[b]·m[b,t]. */
int vantage_broadcast(const float* per_sequence, const uint8_t* mask, float* out, int64_t batch,
                      int64_t time, cudaStream_t stream);

/* Masked whitening of n elements (any shape), result[VANTAGE_WHITEN_RESULT_SIZE]. out may equal
 * values. epsilon > 0. */
size_t vantage_whiten_workspace_size(int64_t n);
int vantage_whiten(const float* values, const uint8_t* mask, float* out, int64_t n,
                   int shift_mean, int unbiased, double epsilon, double* result, void* workspace,
                   size_t workspace_bytes, cudaStream_t stream);

/* REINFORCE++ (with a group baseline when baseline_group_size > 0; batch must be a multiple of
 * it). kl may be NULL when kl_coef == 0. Whitening uses WhitenOptions.defaults(). */
size_t vantage_reinforce_plus_plus_workspace_size(int64_t batch, int64_t time);
int vantage_reinforce_plus_plus(const float* scores, const uint8_t* mask, const float* kl,
                                float* advantages, int64_t batch, int64_t time, double gamma,
                                double kl_coef, int64_t baseline_group_size, double* result,
                                void* workspace, size_t workspace_bytes, cudaStream_t stream);

/* ==== family 3: dueling heads (DuelingKernels) ================================================ */

/*
 * Q = V + A - agg(A) over valid actions, per atom. value [batch, atoms], advantage and q
 * [batch, actions, atoms] (atoms = 1 without an atom axis), action_mask [batch, actions] or NULL.
 * Invalid actions get Q = -inf; a row without valid actions is -inf everywhere.
 */
int vantage_dueling_forward(const float* value, const float* advantage, const uint8_t* action_mask,
                            float* q, int64_t batch, int64_t actions, int64_t atoms,
                            vantage_dueling_mode mode, cudaStream_t stream);

/* grad_value = Σ_valid gradQ, grad_advantage_b = gradQ_b - Σ_valid gradQ·w_b (0 when invalid). */
int vantage_dueling_backward(const float* advantage, const uint8_t* action_mask, const float* grad_q,
                             float* grad_value, float* grad_advantage, int64_t batch,
                             int64_t actions, int64_t atoms, vantage_dueling_mode mode,
                             cudaStream_t stream);

/* ==== family 4: losses (LossKernels) ========================================================== */

/*
 * Comp-sum loss Φ^τ of each row of logits [rows, classes] and its gradient, fused (one kernel:
 * the row is read for the statistics and again to write the gradient). loss (per row, may be
 * NULL), grad_logits (may be NULL, may equal logits), result[VANTAGE_LOSS_RESULT_SIZE].
 * tau >= 0, 0 <= label_smoothing < 1, grad_scale finite.
 */
size_t vantage_comp_sum_workspace_size(int64_t rows, int64_t classes);
int vantage_comp_sum(const void* logits, vantage_dtype logits_dtype, const int32_t* labels,
                     float* loss, void* grad_logits, vantage_dtype grad_dtype, int64_t rows,
                     int64_t classes, double tau, int32_t ignore_index, double label_smoothing,
                     vantage_reduction reduction, double grad_scale, double* result,
                     int32_t* status, void* workspace, size_t workspace_bytes,
                     cudaStream_t stream);

/*
 * A regression loss over n elements and its gradient with respect to the prediction.
 * loss (per element, elementwise kinds only) and grad_prediction may be NULL. The whole-set kinds
 * (RAE, RSE, RMSE, RMSLE, NRMSE, RRMSE) require reduction == MEAN and loss == NULL.
 * delta > 0, 0 < quantile < 1, epsilon > 0, grad_scale finite.
 */
size_t vantage_regression_workspace_size(int64_t n);
int vantage_regression(vantage_regression_loss kind, const float* target, const float* prediction,
                       const uint8_t* mask, float* loss, float* grad_prediction, int64_t n,
                       vantage_reduction reduction, double delta, double quantile, double epsilon,
                       vantage_nrmse_normalizer normalizer, double grad_scale, double* result,
                       void* workspace, size_t workspace_bytes, cudaStream_t stream);

/* ==== sequence objectives (ObjectiveKernels) and PRIME advantages (AdvantageKernels.prime) ====
 *
 * The objectives take the policy's token log-probs logp [batch, time] and write the loss and its
 * metrics to `result` and ∂L/∂logp per token to grad_logp (may be NULL; 0 at masked tokens), in
 * one fused pass: a warp or a block per row (per pair for DPO) sums S = Σ_t m·logp and the
 * reference's Sref, forms the row's coefficient and writes the gradient row. Row sums and
 * coefficients are in fp64 (a sequence log-prob of thousands of tokens is compared with its
 * reference's: fp32 sums would cancel), the batch means a deterministic two-stage fp64 sum.
 *
 * A reference (or initial) policy `ref_logp` is given per token, [batch, time] summed under the
 * same mask (ref_per_token != 0), or per sequence, [batch] sums (ref_per_token == 0). It is a
 * constant. Stable forms keep finite inputs finite (no log(sigmoid), no overflowing exp); NaN and
 * infinities propagate. The workspace queries depend on the sizes only.
 */

/* dev.vantage.kernels.objective.DpoOptions.Loss */
typedef enum vantage_dpo_loss {
    VANTAGE_DPO_SIGMOID = 0,
    VANTAGE_DPO_IPO = 1
} vantage_dpo_loss;

/* dev.vantage.kernels.objective.AlolOptions.Variant */
typedef enum vantage_alol_variant {
    VANTAGE_ALOL_SEQUENCE = 0,
    VANTAGE_ALOL_TOKEN = 1,
    VANTAGE_ALOL_REFERENCE_FREE = 2,
    VANTAGE_ALOL_KL = 3
} vantage_alol_variant;

/* dev.vantage.kernels.advantage.PrimeOptions.Form */
typedef enum vantage_prime_form {
    VANTAGE_PRIME_PAPER = 0,
    VANTAGE_PRIME_CODE = 1
} vantage_prime_form;

/* DpoResult: means over pairs (all 0 when there is no pair) and the pair count. */
#define VANTAGE_DPO_LOSS 0
#define VANTAGE_DPO_CHOSEN_REWARD 1
#define VANTAGE_DPO_REJECTED_REWARD 2
#define VANTAGE_DPO_ACCURACY 3
#define VANTAGE_DPO_MARGIN 4
#define VANTAGE_DPO_PAIRS 5
#define VANTAGE_DPO_RESULT_SIZE 6

/* KtoResult: the loss is the mean over all rows; each reward is the mean over its rows (0 when none). */
#define VANTAGE_KTO_LOSS 0
#define VANTAGE_KTO_DESIRABLE_REWARD 1
#define VANTAGE_KTO_UNDESIRABLE_REWARD 2
#define VANTAGE_KTO_DESIRABLE 3
#define VANTAGE_KTO_UNDESIRABLE 4
#define VANTAGE_KTO_RESULT_SIZE 5

/*
 * DPO on TRL's concatenated layout: rows [0, P) chosen, rows [P, 2P) the rejected responses of the
 * same prompts (batch = 2P, even). SIGMOID: h = β·[(S_w - Sref_w) - (S_l - Sref_l)],
 * L = (1-ε)·softplus(-h) + ε·softplus(h); IPO: the same differences of per-token means (a row
 * without valid tokens has mean 0), L = (h - 1/(2β))², ε unused. Rewards are β·(S - Sref) (IPO: of
 * the means); accuracy counts chosen reward > rejected reward. result[VANTAGE_DPO_RESULT_SIZE].
 * beta > 0 finite, 0 <= label_smoothing <= 0.5.
 */
size_t vantage_dpo_workspace_size(int64_t batch, int64_t time);
int vantage_dpo(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask,
                float* grad_logp, int64_t batch, int64_t time, double beta, double label_smoothing,
                vantage_dpo_loss loss, double* result, void* workspace, size_t workspace_bytes,
                cudaStream_t stream);

/*
 * KTO: row b is desirable where desirable[b] != 0 (BOOL [batch]); r = S - Sref,
 * z0 = max(0, reference_kl); desirable l = λ_D·σ(β(z0 - r)), undesirable l = λ_U·σ(β(r - z0));
 * L = mean over all rows. result[VANTAGE_KTO_RESULT_SIZE]. reference_kl finite, beta and the
 * weights > 0 finite.
 */
size_t vantage_kto_workspace_size(int64_t batch, int64_t time);
int vantage_kto(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask,
                const uint8_t* desirable, double reference_kl, float* grad_logp, int64_t batch,
                int64_t time, double beta, double desirable_weight, double undesirable_weight,
                double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream);

/*
 * APA: per token l = (logp - A/λ - init_logp)², aggregated as vantage_aggregate does
 * (∂l/∂logp = 2·(logp - A/λ - init_logp)); init_logp and advantages F32 [batch, time].
 * result[VANTAGE_AGGREGATE_RESULT_SIZE]. lambda > 0 finite.
 */
size_t vantage_apa_workspace_size(int64_t batch, int64_t time);
int vantage_apa(const float* logp, const float* init_logp, const float* advantages, const uint8_t* mask,
                float* grad_logp, int64_t batch, int64_t time, double lambda,
                vantage_aggregation aggregation, double normalizer, double* result, void* workspace,
                size_t workspace_bytes, cudaStream_t stream);

/*
 * A-LoL with A⁺ = max(R - V, 0) (NaN stays NaN) from rewards and values (F32 [batch]); weights
 * are clipped in log space to [log(1-ε), log(1+ε)] (no lower bound for ε >= 1) and detached:
 *   SEQUENCE:       L = mean_b[A⁺·w_b·(-S_b)],          w_b  = exp(clip(S_b - Sref_b))
 *   TOKEN:          L = mean_b[A⁺·Σ_t m·w_bt·(-logp)],  w_bt = exp(clip(logp_bt - ref_bt))
 *   REFERENCE_FREE: L = mean_b[A⁺·(-S_b)]               (ref_logp may be NULL)
 *   KL:             L = mean_b[A⁺·(-S_b) + β_KL·(S_b - Sref_b)]
 * TOKEN needs a per-token reference. LossResult: count = rows with A⁺ > 0, degenerate when
 * batch == 0 or (that count is 0 and the variant has no KL term). clip > 0 finite, kl_beta >= 0
 * finite (used by KL only).
 */
size_t vantage_alol_workspace_size(int64_t batch, int64_t time);
int vantage_alol(const float* logp, const float* ref_logp, int ref_per_token, const uint8_t* mask,
                 const float* rewards, const float* values, float* grad_logp, int64_t batch,
                 int64_t time, vantage_alol_variant variant, double clip, double kl_beta,
                 double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream);

/*
 * PRIME's implicit reward model loss: s_b = β·(S_b - Sref_b), L = mean_b[softplus(s_b) - r_b·s_b]
 * with outcomes r (F32 [batch]), ∂L/∂logp = β·m·(σ(s_b) - r_b)/batch. LossResult: count = batch,
 * degenerate when batch == 0. beta > 0 finite.
 */
size_t vantage_prime_reward_model_workspace_size(int64_t batch, int64_t time);
int vantage_prime_reward_model(const float* logp, const float* ref_logp, int ref_per_token,
                               const uint8_t* mask, const float* outcomes, float* grad_logp,
                               int64_t batch, int64_t time, double beta, double* result,
                               void* workspace, size_t workspace_bytes, cudaStream_t stream);

/*
 * PRIME advantages over contiguous groups of group_size >= 2 responses (batch a multiple of it):
 * r̄_j = mean process reward of response j over its valid tokens (0 if none); token rewards
 * c_p·(r_t - Σ_{j≠i} r̄_j/(K-1)) (PAPER) or c_p·(r_t·K/(K-1) - Σ_j r̄_j/(K-1)) (CODE) on valid
 * tokens, plus c_o·(R_i - Σ_{j≠i} R_j/(K-1)) on the last valid token; their γ = 1 returns, whitened
 * as vantage_reinforce_plus_plus does (mean shifted, unbiased, ε = 1e-8) into advantages
 * (0 at masked tokens; may equal process_rewards). result[VANTAGE_WHITEN_RESULT_SIZE].
 * process_coef and outcome_coef finite.
 */
size_t vantage_prime_workspace_size(int64_t batch, int64_t time);
int vantage_prime(const float* process_rewards, const float* outcomes, const uint8_t* mask,
                  float* advantages, int64_t batch, int64_t time, int64_t group_size,
                  double process_coef, double outcome_coef, vantage_prime_form form,
                  double* result, void* workspace, size_t workspace_bytes, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif /* VANTAGE_H */
