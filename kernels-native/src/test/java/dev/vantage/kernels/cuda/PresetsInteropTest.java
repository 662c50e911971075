package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.java.JavaBackendProvider;
import dev.vantage.kernels.logprob.KlOptions;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Zero-copy interop with the JavaCPP CUDA presets ({@code org.bytedeco:cuda}, same JavaCPP line):
 * memory from their {@code cudaMalloc} and a stream from their {@code cudaStreamCreate}, handed to
 * the backend as plain {@link Pointer}s. Their native library needs {@code libcuda.so.1} and a
 * {@code libcudart.so.13}, so it is touched only after the probe found a device; if it cannot load
 * there, the test is skipped with the loader's message.
 */
class PresetsInteropTest {
    private static void requirePresets() {
        Gpu.require();
        Throwable failure = null;
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
        } catch (Throwable t) {
            failure = t;
        }
        Throwable reason = failure;
        assumeTrue(reason == null, () -> "the CUDA presets cannot load here: " + reason);
    }

    @Test
    void presetsMemoryAndStreamAreUsedInPlace() {
        requirePresets();
        int n = 10_007;
        SplittableRandom random = new SplittableRandom(7);
        float[] logp = new float[n];
        float[] ref = new float[n];
        for (int i = 0; i < n; i++) {
            logp[i] = (float) random.nextGaussian();
            ref[i] = (float) random.nextGaussian();
        }
        float[] expected = new float[n];
        Backend java = Backend.of(new JavaBackendProvider(1));
        java.logprob().kl(Tensor.of(logp, n), Tensor.of(ref, n), null, Tensor.of(expected, n), null, KlOptions.defaults());

        long bytes = 4L * n;
        Pointer memory = new Pointer();
        CUstream_st stream = new CUstream_st();
        assertEquals(0, cudaMalloc(memory, 3 * bytes));
        assertEquals(0, cudaStreamCreate(stream));
        try (FloatPointer host = new FloatPointer(n)) {
            FloatPointer at = new FloatPointer(memory);
            assertEquals(0, cudaMemcpy(at, host.put(logp), bytes, cudaMemcpyHostToDevice));
            assertEquals(0, cudaMemcpy(at.position(n), host.put(ref), bytes, cudaMemcpyHostToDevice));
            try (CudaStream s = CudaBackends.onStream(stream)) {
                assertEquals(stream.address(), s.handle());
                // Positions select the three regions of one allocation, as a FloatPointer user would.
                s.backend().logprob().kl(CudaBackends.tensor(new FloatPointer(memory).position(0), DType.F32, n),
                        CudaBackends.tensor(new FloatPointer(memory).position(n), DType.F32, n), null,
                        CudaBackends.tensor(new FloatPointer(memory).position(2L * n), DType.F32, n), null,
                        KlOptions.defaults());
                assertEquals(0, cudaStreamSynchronize(stream));
            }
            assertEquals(0, cudaMemcpy(host, new FloatPointer(memory).position(2L * n), bytes, cudaMemcpyDeviceToHost));
            float[] actual = new float[n];
            host.get(actual);
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-5 + 1e-5 * Math.abs(expected[i]),
                        "element " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        } finally {
            cudaStreamDestroy(stream);
            cudaFree(memory);
        }
    }
}
