package dev.vantage.kernels.cuda;

import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code cuda/include/vantage.h}: one static native per C function, with
 * device pointers and streams passed as raw addresses ({@code long}). Nothing here checks
 * arguments; the ops classes call it with validated tensors. {@link CudaProbe} loads it.
 *
 * <p>The JNI glue is compiled without the CUDA headers ({@code VANTAGE_NO_CUDA_RUNTIME_H}) and
 * links {@code libvantage_cuda.so}, which carries a static CUDA runtime, so both load on a machine
 * without a driver.
 */
@Platform(value = "linux-x86_64", define = "VANTAGE_NO_CUDA_RUNTIME_H", include = "vantage.h", link = "vantage_cuda")
@NoException
final class CudaLibrary {
    /** The ABI this binding was written against ({@code VANTAGE_ABI_VERSION}). */
    static final int ABI_VERSION = 1;

    /**
     * {@code cudaStreamPerThread}: the calling thread's own default stream, so that threads using
     * the shared backend do not serialize on one stream ({@code driver_types.h} defines it as 0x2).
     */
    static final long STREAM_PER_THREAD = 0x2;

    private CudaLibrary() {
    }

    // ---- versions, status, devices ------------------------------------------------------------

    static native int vantage_version();

    static native int vantage_abi_version();

    static native @Cast("const char*") String vantage_status_string(int status);

    static native int vantage_device_count(int[] count);

    static native int vantage_runtime_version(int[] version);

    static native int vantage_driver_version(int[] version);

    static native int vantage_device_name(int device, @Cast("char*") byte[] name, int capacity);

    static native int vantage_device_capability(int device, int[] major, int[] minor);

    static native int vantage_device_memory(int device, @Cast("int64_t*") long[] totalBytes);

    // ---- memory helpers -----------------------------------------------------------------------

    static native int vantage_malloc(@Cast("void**") long[] pointer, long bytes);

    static native int vantage_free(@Cast("void*") long pointer);

    static native int vantage_memcpy_async(@Cast("void*") long dst, @Cast("const void*") long src, long bytes,
                                           @Cast("cudaStream_t") long stream);

    static native int vantage_memset_async(@Cast("void*") long dst, int value, long bytes,
                                           @Cast("cudaStream_t") long stream);

    static native int vantage_stream_synchronize(@Cast("cudaStream_t") long stream);

    // ---- constants of the header: enums, status bits, result layouts --------------------------

    @MemberGetter static native int VANTAGE_OK();
    @MemberGetter static native int VANTAGE_ERROR_INVALID_ARGUMENT();
    @MemberGetter static native int VANTAGE_ABI_VERSION();
    @MemberGetter static native int VANTAGE_STATUS_BAD_LABEL();

    @MemberGetter static native int VANTAGE_F32();
    @MemberGetter static native int VANTAGE_BF16();
    @MemberGetter static native int VANTAGE_F16();
    @MemberGetter static native int VANTAGE_I32();
    @MemberGetter static native int VANTAGE_BOOL();
    @MemberGetter static native int VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM();
    @MemberGetter static native int VANTAGE_KL_K3_PLUS();
    @MemberGetter static native int VANTAGE_SINGLETON_SCORE();
    @MemberGetter static native int VANTAGE_DUELING_MEAN();
    @MemberGetter static native int VANTAGE_REDUCTION_MEAN();
    @MemberGetter static native int VANTAGE_QUANTILE();
    @MemberGetter static native int VANTAGE_NRMSE_STD();

    @MemberGetter static native int VANTAGE_AGGREGATE_VALUE();
    @MemberGetter static native int VANTAGE_AGGREGATE_TOKENS();
    @MemberGetter static native int VANTAGE_AGGREGATE_DEGENERATE();
    @MemberGetter static native int VANTAGE_AGGREGATE_RESULT_SIZE();
    @MemberGetter static native int VANTAGE_PPO_LOSS();
    @MemberGetter static native int VANTAGE_PPO_CLIP_FRACTION();
    @MemberGetter static native int VANTAGE_PPO_CLIP_FRACTION_LOWER();
    @MemberGetter static native int VANTAGE_PPO_APPROX_KL();
    @MemberGetter static native int VANTAGE_PPO_TOKENS();
    @MemberGetter static native int VANTAGE_PPO_DEGENERATE();
    @MemberGetter static native int VANTAGE_PPO_RESULT_SIZE();
    @MemberGetter static native int VANTAGE_WHITEN_MEAN();
    @MemberGetter static native int VANTAGE_WHITEN_VARIANCE();
    @MemberGetter static native int VANTAGE_WHITEN_COUNT();
    @MemberGetter static native int VANTAGE_WHITEN_DEGENERATE();
    @MemberGetter static native int VANTAGE_WHITEN_RESULT_SIZE();
    @MemberGetter static native int VANTAGE_LOSS_VALUE();
    @MemberGetter static native int VANTAGE_LOSS_COUNT();
    @MemberGetter static native int VANTAGE_LOSS_DEGENERATE();
    @MemberGetter static native int VANTAGE_LOSS_RESULT_SIZE();
    @MemberGetter static native int VANTAGE_DPO_IPO();
    @MemberGetter static native int VANTAGE_ALOL_KL();
    @MemberGetter static native int VANTAGE_PRIME_CODE();
    @MemberGetter static native int VANTAGE_DPO_LOSS();
    @MemberGetter static native int VANTAGE_DPO_CHOSEN_REWARD();
    @MemberGetter static native int VANTAGE_DPO_REJECTED_REWARD();
    @MemberGetter static native int VANTAGE_DPO_ACCURACY();
    @MemberGetter static native int VANTAGE_DPO_MARGIN();
    @MemberGetter static native int VANTAGE_DPO_PAIRS();
    @MemberGetter static native int VANTAGE_DPO_RESULT_SIZE();
    @MemberGetter static native int VANTAGE_KTO_LOSS();
    @MemberGetter static native int VANTAGE_KTO_DESIRABLE_REWARD();
    @MemberGetter static native int VANTAGE_KTO_UNDESIRABLE_REWARD();
    @MemberGetter static native int VANTAGE_KTO_DESIRABLE();
    @MemberGetter static native int VANTAGE_KTO_UNDESIRABLE();
    @MemberGetter static native int VANTAGE_KTO_RESULT_SIZE();

    // ---- family 1: token log-prob ratios ------------------------------------------------------

    static native int vantage_logprob_forward(@Cast("const void*") long logits, @Cast("vantage_dtype") int logitsDtype,
                                              @Cast("const int32_t*") long labels, @Cast("float*") long logp,
                                              @Cast("float*") long entropy, @Cast("float*") long lse, long rows,
                                              long vocab, double temperature, int ignoreIndex,
                                              @Cast("int32_t*") long status, @Cast("cudaStream_t") long stream);

    static native int vantage_logprob_backward(@Cast("const void*") long logits, @Cast("vantage_dtype") int logitsDtype,
                                               @Cast("const int32_t*") long labels, @Cast("const float*") long lse,
                                               @Cast("const float*") long entropy, @Cast("const float*") long gradLogp,
                                               @Cast("const float*") long gradEntropy, @Cast("void*") long gradLogits,
                                               @Cast("vantage_dtype") int gradDtype, long rows, long vocab,
                                               double temperature, int ignoreIndex, @Cast("int32_t*") long status,
                                               @Cast("cudaStream_t") long stream);

    static native int vantage_ratio(@Cast("const float*") long logp, @Cast("const float*") long oldLogp,
                                    @Cast("const uint8_t*") long mask, @Cast("float*") long ratio,
                                    @Cast("float*") long gradRatio, long n, double logRatioClamp,
                                    @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_ppo_loss_workspace_size(long batch, long time);

    static native int vantage_ppo_loss(@Cast("const float*") long logp, @Cast("const float*") long oldLogp,
                                       @Cast("const float*") long advantages, @Cast("const uint8_t*") long mask,
                                       @Cast("float*") long gradLogp, long batch, long time, double clipLow,
                                       double clipHigh, double dualClip, double logRatioClamp,
                                       @Cast("vantage_aggregation") int aggregation, double normalizer,
                                       @Cast("double*") long result, @Cast("void*") long workspace,
                                       @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native int vantage_kl(@Cast("const float*") long logp, @Cast("const float*") long refLogp,
                                 @Cast("const uint8_t*") long mask, @Cast("float*") long kl, @Cast("float*") long gradKl,
                                 long n, @Cast("vantage_kl_estimator") int estimator, int verlClamp,
                                 @Cast("cudaStream_t") long stream);

    static native int vantage_implicit_reward(@Cast("const float*") long logp, @Cast("const float*") long refLogp,
                                              @Cast("const uint8_t*") long mask, @Cast("float*") long reward, long n,
                                              double beta, @Cast("cudaStream_t") long stream);

    static native int vantage_sequence_sum(@Cast("const float*") long values, @Cast("const uint8_t*") long mask,
                                           @Cast("float*") long sums, long batch, long time,
                                           @Cast("cudaStream_t") long stream);

    static native int vantage_sequence_sum_backward(@Cast("const float*") long gradSums,
                                                    @Cast("const uint8_t*") long mask, @Cast("float*") long gradValues,
                                                    long batch, long time, @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_aggregate_workspace_size(long batch, long time);

    static native int vantage_aggregate(@Cast("const float*") long values, @Cast("const uint8_t*") long mask,
                                        long batch, long time, @Cast("vantage_aggregation") int aggregation,
                                        double normalizer, @Cast("double*") long result, @Cast("void*") long workspace,
                                        @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native int vantage_aggregate_backward(@Cast("const uint8_t*") long mask, double gradLoss,
                                                 @Cast("float*") long gradValues, long batch, long time,
                                                 @Cast("vantage_aggregation") int aggregation, double normalizer,
                                                 @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                                 @Cast("cudaStream_t") long stream);

    // ---- family 2: advantages -----------------------------------------------------------------

    static native @Cast("size_t") long vantage_gae_workspace_size(long batch, long time);

    static native int vantage_gae(@Cast("const float*") long rewards, @Cast("const float*") long values,
                                  @Cast("const uint8_t*") long mask, @Cast("const uint8_t*") long terminated,
                                  @Cast("const uint8_t*") long truncated, @Cast("const float*") long bootstrapValues,
                                  @Cast("float*") long advantages, @Cast("float*") long returns, long batch, long time,
                                  double gamma, double lambda, @Cast("void*") long workspace,
                                  @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native int vantage_returns(@Cast("const float*") long rewards, @Cast("const uint8_t*") long mask,
                                      @Cast("const uint8_t*") long terminated, @Cast("float*") long returns, long batch,
                                      long time, double gamma, @Cast("void*") long workspace,
                                      @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native int vantage_grpo(@Cast("const float*") long scores, @Cast("float*") long advantages, long batch,
                                   long groupSize, int normalizeByStd, int unbiasedStd, double epsilon,
                                   @Cast("vantage_singleton") int singleton, @Cast("cudaStream_t") long stream);

    static native int vantage_rloo(@Cast("const float*") long scores, @Cast("float*") long advantages, long batch,
                                   long groupSize, @Cast("vantage_singleton") int singleton,
                                   @Cast("cudaStream_t") long stream);

    static native int vantage_broadcast(@Cast("const float*") long perSequence, @Cast("const uint8_t*") long mask,
                                        @Cast("float*") long out, long batch, long time,
                                        @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_whiten_workspace_size(long n);

    static native int vantage_whiten(@Cast("const float*") long values, @Cast("const uint8_t*") long mask,
                                     @Cast("float*") long out, long n, int shiftMean, int unbiased, double epsilon,
                                     @Cast("double*") long result, @Cast("void*") long workspace,
                                     @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_reinforce_plus_plus_workspace_size(long batch, long time);

    static native int vantage_reinforce_plus_plus(@Cast("const float*") long scores, @Cast("const uint8_t*") long mask,
                                                  @Cast("const float*") long kl, @Cast("float*") long advantages,
                                                  long batch, long time, double gamma, double klCoef,
                                                  long baselineGroupSize, @Cast("double*") long result,
                                                  @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                                  @Cast("cudaStream_t") long stream);

    // ---- family 3: dueling heads --------------------------------------------------------------

    static native int vantage_dueling_forward(@Cast("const float*") long value, @Cast("const float*") long advantage,
                                              @Cast("const uint8_t*") long actionMask, @Cast("float*") long q,
                                              long batch, long actions, long atoms,
                                              @Cast("vantage_dueling_mode") int mode, @Cast("cudaStream_t") long stream);

    static native int vantage_dueling_backward(@Cast("const float*") long advantage,
                                               @Cast("const uint8_t*") long actionMask, @Cast("const float*") long gradQ,
                                               @Cast("float*") long gradValue, @Cast("float*") long gradAdvantage,
                                               long batch, long actions, long atoms,
                                               @Cast("vantage_dueling_mode") int mode,
                                               @Cast("cudaStream_t") long stream);

    // ---- family 4: losses ---------------------------------------------------------------------

    static native @Cast("size_t") long vantage_comp_sum_workspace_size(long rows, long classes);

    static native int vantage_comp_sum(@Cast("const void*") long logits, @Cast("vantage_dtype") int logitsDtype,
                                       @Cast("const int32_t*") long labels, @Cast("float*") long loss,
                                       @Cast("void*") long gradLogits, @Cast("vantage_dtype") int gradDtype, long rows,
                                       long classes, double tau, int ignoreIndex, double labelSmoothing,
                                       @Cast("vantage_reduction") int reduction, double gradScale,
                                       @Cast("double*") long result, @Cast("int32_t*") long status,
                                       @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                       @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_regression_workspace_size(long n);

    static native int vantage_regression(@Cast("vantage_regression_loss") int kind, @Cast("const float*") long target,
                                         @Cast("const float*") long prediction, @Cast("const uint8_t*") long mask,
                                         @Cast("float*") long loss, @Cast("float*") long gradPrediction, long n,
                                         @Cast("vantage_reduction") int reduction, double delta, double quantile,
                                         double epsilon, @Cast("vantage_nrmse_normalizer") int normalizer,
                                         double gradScale, @Cast("double*") long result, @Cast("void*") long workspace,
                                         @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    // ---- sequence objectives and PRIME advantages ---------------------------------------------

    static native @Cast("size_t") long vantage_dpo_workspace_size(long batch, long time);

    static native int vantage_dpo(@Cast("const float*") long logp, @Cast("const float*") long refLogp, int refPerToken,
                                  @Cast("const uint8_t*") long mask, @Cast("float*") long gradLogp, long batch,
                                  long time, double beta, double labelSmoothing, @Cast("vantage_dpo_loss") int loss,
                                  @Cast("double*") long result, @Cast("void*") long workspace,
                                  @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_kto_workspace_size(long batch, long time);

    static native int vantage_kto(@Cast("const float*") long logp, @Cast("const float*") long refLogp, int refPerToken,
                                  @Cast("const uint8_t*") long mask, @Cast("const uint8_t*") long desirable,
                                  double referenceKl, @Cast("float*") long gradLogp, long batch, long time, double beta,
                                  double desirableWeight, double undesirableWeight, @Cast("double*") long result,
                                  @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                  @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_apa_workspace_size(long batch, long time);

    static native int vantage_apa(@Cast("const float*") long logp, @Cast("const float*") long initLogp,
                                  @Cast("const float*") long advantages, @Cast("const uint8_t*") long mask,
                                  @Cast("float*") long gradLogp, long batch, long time, double lambda,
                                  @Cast("vantage_aggregation") int aggregation, double normalizer,
                                  @Cast("double*") long result, @Cast("void*") long workspace,
                                  @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_alol_workspace_size(long batch, long time);

    static native int vantage_alol(@Cast("const float*") long logp, @Cast("const float*") long refLogp, int refPerToken,
                                   @Cast("const uint8_t*") long mask, @Cast("const float*") long rewards,
                                   @Cast("const float*") long values, @Cast("float*") long gradLogp, long batch,
                                   long time, @Cast("vantage_alol_variant") int variant, double clip, double klBeta,
                                   @Cast("double*") long result, @Cast("void*") long workspace,
                                   @Cast("size_t") long workspaceBytes, @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_prime_reward_model_workspace_size(long batch, long time);

    static native int vantage_prime_reward_model(@Cast("const float*") long logp, @Cast("const float*") long refLogp,
                                                 int refPerToken, @Cast("const uint8_t*") long mask,
                                                 @Cast("const float*") long outcomes, @Cast("float*") long gradLogp,
                                                 long batch, long time, double beta, @Cast("double*") long result,
                                                 @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                                 @Cast("cudaStream_t") long stream);

    static native @Cast("size_t") long vantage_prime_workspace_size(long batch, long time);

    static native int vantage_prime(@Cast("const float*") long processRewards, @Cast("const float*") long outcomes,
                                    @Cast("const uint8_t*") long mask, @Cast("float*") long advantages, long batch,
                                    long time, long groupSize, double processCoef, double outcomeCoef,
                                    @Cast("vantage_prime_form") int form, @Cast("double*") long result,
                                    @Cast("void*") long workspace, @Cast("size_t") long workspaceBytes,
                                    @Cast("cudaStream_t") long stream);
}
