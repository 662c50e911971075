package dev.vantage.kernels.cuda;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlEstimator;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.DpoOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JNI glue itself: the library loads (it needs no driver), and the host-side functions of the
 * C ABI answer through it with the values the header defines.
 */
class NativeLibraryTest {
    @Test
    void theLibraryLoadsWhenItWasBuilt() {
        CudaProbe probe = CudaProbe.get();
        if (Gpu.nativeSkipped()) {
            assertFalse(probe.loaded());
            assertTrue(probe.availability().reason().startsWith("native library not built (no nvcc at build time)"),
                    probe.availability().reason());
        } else {
            assertTrue(probe.loaded(), probe.availability().reason());
            assertTrue(probe.details().get(0).contains("libjniCudaLibrary.so"), probe.details().toString());
        }
    }

    @Test
    void versionsAndStatusStringsComeThroughTheGlue() {
        Gpu.requireLibrary();
        assertEquals(100, CudaLibrary.vantage_version(), "0.1.0 as MAJOR*10000 + MINOR*100 + PATCH");
        assertEquals(CudaLibrary.ABI_VERSION, CudaLibrary.vantage_abi_version());
        assertEquals(CudaLibrary.ABI_VERSION, CudaLibrary.VANTAGE_ABI_VERSION(), "the header the glue was compiled with");
        assertEquals(0, CudaLibrary.VANTAGE_OK());
        assertEquals("ok", CudaLibrary.vantage_status_string(0));
        assertTrue(CudaLibrary.vantage_status_string(-1).startsWith("invalid argument"));
        assertEquals("workspace smaller than the *_workspace_size() query", CudaLibrary.vantage_status_string(-3));
        assertEquals("CUDA driver version is insufficient for CUDA runtime version", CudaLibrary.vantage_status_string(35));
        assertEquals("no CUDA-capable device is detected", CudaLibrary.vantage_status_string(100));

        int[] runtime = {-1};
        assertEquals(0, CudaLibrary.vantage_runtime_version(runtime));
        assertTrue(runtime[0] >= 12000 && runtime[0] % 10 == 0, "runtime version " + runtime[0]);
    }

    @Test
    void deviceCountMatchesTheProbe() {
        Gpu.requireLibrary();
        int[] count = {-1};
        int status = CudaLibrary.vantage_device_count(count);
        if (Gpu.available()) {
            assertEquals(0, status);
            assertTrue(count[0] > 0);
        } else {
            assertTrue(status != 0 || count[0] == 0, "status " + status + ", count " + count[0]);
            assertEquals(0, count[0], "the count is 0 on error");
            int[] driver = {-1};
            CudaLibrary.vantage_driver_version(driver);
            if (status == 35) {
                assertEquals(0, driver[0], "no driver, driver version 0");
                long[] pointer = {7};
                assertEquals(35, CudaLibrary.vantage_malloc(pointer, 256));
                assertEquals(0, pointer[0], "a failed vantage_malloc clears the pointer");
            }
        }
    }

    @Test
    void theJavaEnumsAreTheHeadersEnums() {
        Gpu.requireLibrary();
        assertEquals(DType.F32.ordinal(), CudaLibrary.VANTAGE_F32());
        assertEquals(DType.BF16.ordinal(), CudaLibrary.VANTAGE_BF16());
        assertEquals(DType.F16.ordinal(), CudaLibrary.VANTAGE_F16());
        assertEquals(DType.I32.ordinal(), CudaLibrary.VANTAGE_I32());
        assertEquals(DType.BOOL.ordinal(), CudaLibrary.VANTAGE_BOOL());
        // The C enums count up from 0 like the Java ones; their last members pin the order's length.
        assertEquals(Aggregation.Mode.SEQ_MEAN_TOKEN_SUM_NORM.ordinal(), CudaLibrary.VANTAGE_SEQ_MEAN_TOKEN_SUM_NORM());
        assertEquals(KlEstimator.K3_PLUS.ordinal(), CudaLibrary.VANTAGE_KL_K3_PLUS());
        assertEquals(GroupOptions.Singleton.SCORE.ordinal(), CudaLibrary.VANTAGE_SINGLETON_SCORE());
        assertEquals(DuelingMode.MEAN.ordinal(), CudaLibrary.VANTAGE_DUELING_MEAN());
        assertEquals(Reduction.MEAN.ordinal(), CudaLibrary.VANTAGE_REDUCTION_MEAN());
        assertEquals(RegressionLoss.QUANTILE.ordinal(), CudaLibrary.VANTAGE_QUANTILE());
        assertEquals(RegressionOptions.Normalizer.STD.ordinal(), CudaLibrary.VANTAGE_NRMSE_STD());
        assertEquals(DpoOptions.Loss.IPO.ordinal(), CudaLibrary.VANTAGE_DPO_IPO());
        assertEquals(AlolOptions.Variant.KL.ordinal(), CudaLibrary.VANTAGE_ALOL_KL());
        assertEquals(PrimeOptions.Form.CODE.ordinal(), CudaLibrary.VANTAGE_PRIME_CODE());
        assertEquals(1, CudaLibrary.VANTAGE_STATUS_BAD_LABEL());
    }

    @Test
    void resultLayoutsFitBeforeTheStatusWord() {
        Gpu.requireLibrary();
        int[] sizes = {CudaLibrary.VANTAGE_AGGREGATE_RESULT_SIZE(), CudaLibrary.VANTAGE_PPO_RESULT_SIZE(),
                CudaLibrary.VANTAGE_WHITEN_RESULT_SIZE(), CudaLibrary.VANTAGE_LOSS_RESULT_SIZE(),
                CudaLibrary.VANTAGE_DPO_RESULT_SIZE(), CudaLibrary.VANTAGE_KTO_RESULT_SIZE()};
        assertEquals(3, sizes[0]);
        assertEquals(6, sizes[1]);
        assertEquals(4, sizes[2]);
        assertEquals(3, sizes[3]);
        assertEquals(6, sizes[4]);
        assertEquals(5, sizes[5]);
        assertEquals(5, CudaLibrary.VANTAGE_DPO_PAIRS());
        assertEquals(4, CudaLibrary.VANTAGE_KTO_UNDESIRABLE());
        for (int size : sizes) {
            assertTrue(size * Double.BYTES <= Lane.STATUS_OFFSET, "result of " + size + " doubles overlaps the status");
        }
        assertEquals(5, CudaLibrary.VANTAGE_PPO_DEGENERATE());
        assertEquals(2, CudaLibrary.VANTAGE_LOSS_DEGENERATE());
    }

    @Test
    void workspaceQueriesAreHostFunctions() {
        Gpu.requireLibrary();
        long small = CudaLibrary.vantage_ppo_loss_workspace_size(3, 7);
        long large = CudaLibrary.vantage_ppo_loss_workspace_size(4096, 8192);
        assertTrue(small >= 0 && large >= small, small + " then " + large);
        assertTrue(CudaLibrary.vantage_aggregate_workspace_size(4096, 8192) >= CudaLibrary.vantage_aggregate_workspace_size(1, 1));
        assertTrue(CudaLibrary.vantage_gae_workspace_size(64, 4097) >= 0);
        assertTrue(CudaLibrary.vantage_whiten_workspace_size(1 << 24) >= CudaLibrary.vantage_whiten_workspace_size(1));
        assertTrue(CudaLibrary.vantage_comp_sum_workspace_size(4096, 32000) >= 0);
        assertTrue(CudaLibrary.vantage_regression_workspace_size(1 << 20) >= 0);
        assertTrue(CudaLibrary.vantage_reinforce_plus_plus_workspace_size(64, 512) >= 0);
        assertTrue(CudaLibrary.vantage_dpo_workspace_size(256, 4096) >= 0);
        assertTrue(CudaLibrary.vantage_kto_workspace_size(256, 4096) >= 0);
        assertTrue(CudaLibrary.vantage_apa_workspace_size(256, 4096) >= 0);
        assertTrue(CudaLibrary.vantage_alol_workspace_size(256, 4096) >= 0);
        assertTrue(CudaLibrary.vantage_prime_reward_model_workspace_size(256, 4096) >= 0);
        assertTrue(CudaLibrary.vantage_prime_workspace_size(256, 4096) >= 0);
    }

    @Test
    void launchersRejectInvalidArgumentsBeforeTouchingTheDevice() {
        Gpu.requireLibrary();
        int invalid = CudaLibrary.VANTAGE_ERROR_INVALID_ARGUMENT();
        assertEquals(-1, invalid);
        long stream = CudaLibrary.STREAM_PER_THREAD;
        assertEquals(invalid, CudaLibrary.vantage_ratio(0, 0, 0, 0, 0, -1, 20.0, stream), "negative n");
        assertEquals(invalid, CudaLibrary.vantage_ratio(0, 0, 0, 0, 0, 5, 20.0, stream), "null pointers with n > 0");
        assertEquals(invalid, CudaLibrary.vantage_kl(0, 0, 0, 0, 0, 5, 2, 0, stream));
        assertEquals(invalid, CudaLibrary.vantage_malloc(new long[1], -1));
        assertEquals(invalid, CudaLibrary.vantage_dpo(0, 0, 1, 0, 0, 4, 3, 0.1, 0, 0, 0, 0, 0, stream),
                "null logp with rows");
        assertEquals(invalid, CudaLibrary.vantage_prime(0, 0, 0, 0, 4, 3, 1, 1, 1, 0, 0, 0, 0, stream),
                "group size 1");
    }
}
