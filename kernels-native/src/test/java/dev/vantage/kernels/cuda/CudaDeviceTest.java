package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.java.JavaBackendProvider;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only a GPU can show: device tensors in place, host staging of every memory kind, a caller's
 * stream, concurrent threads, the device label check, and the host-copy path of the objectives.
 * Skipped, with the probe's reason, without a usable device. Kernel accuracy is the parity suite's
 * job (tests/); here the CUDA backend is compared with itself (bit for bit, same kernels) and with
 * the Java backend within rel 1e-5 + abs 1e-5.
 */
class CudaDeviceTest {
    private static final double TOLERANCE = 1e-5;

    private Backend cuda;
    private final Backend java = Backend.of(new JavaBackendProvider(2));
    private final SplittableRandom random = new SplittableRandom(42);

    @BeforeEach
    void requireGpu() {
        Gpu.require();
        cuda = Vantage.backend("cuda");
    }

    private float[] normal(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (random.nextGaussian() * 3);
        }
        return out;
    }

    private static void assertNear(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= TOLERANCE + TOLERANCE * Math.abs(expected[i]),
                    "element " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void deviceHeapAndBufferTensorsGiveTheSameBits() {
        int rows = 37;
        int vocab = 4097;
        float[] logits = normal(rows * vocab);
        short[] bf16 = new short[logits.length];
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = HalfFloats.floatToBf16(logits[i]);
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % 5 == 0 ? -100 : random.nextInt(vocab);
        }
        LogProbOptions options = LogProbOptions.defaults().temperature(0.7);

        float[] heapLogp = new float[rows];
        cuda.logprob().forward(Tensor.ofBf16(bf16, rows, vocab), Tensor.of(labels, rows), Tensor.of(heapLogp, rows), null,
                null, options);

        ByteBuffer direct = ByteBuffer.allocateDirect(2 * bf16.length).order(ByteOrder.nativeOrder());
        direct.asShortBuffer().put(bf16);
        FloatBuffer bufferLogp = ByteBuffer.allocateDirect(4 * rows).order(ByteOrder.nativeOrder()).asFloatBuffer();
        cuda.logprob().forward(Tensor.wrap(direct, DType.BF16, rows, vocab), Tensor.of(labels, rows),
                Tensor.wrap(bufferLogp, rows), null, null, options);

        float[] deviceLogp = new float[rows];
        try (DeviceBuffer dl = DeviceBuffer.allocate(DType.BF16, rows, vocab);
             DeviceBuffer dy = DeviceBuffer.allocate(DType.I32, rows);
             DeviceBuffer dp = DeviceBuffer.allocate(DType.F32, rows)) {
            dl.copyFrom(Tensor.ofBf16(bf16, rows, vocab));
            dy.copyFrom(Tensor.of(labels, rows));
            cuda.logprob().forward(dl.tensor(DType.BF16, rows, vocab), dy.tensor(DType.I32, rows),
                    dp.tensor(DType.F32, rows), null, null, options);
            dp.copyTo(Tensor.of(deviceLogp, rows));
        }
        float[] fromBuffer = new float[rows];
        bufferLogp.get(0, fromBuffer);
        assertArrayEquals(heapLogp, fromBuffer);
        assertArrayEquals(heapLogp, deviceLogp);

        float[] javaLogp = new float[rows];
        java.logprob().forward(Tensor.ofBf16(bf16, rows, vocab), Tensor.of(labels, rows), Tensor.of(javaLogp, rows), null,
                null, options);
        assertNear(javaLogp, heapLogp);
    }

    @Test
    void aBadDeviceLabelIsNamedAndNothingIsWritten() {
        int rows = 6;
        int vocab = 11;
        int[] labels = {0, 3, -100, 11, 2, 1};
        float[] logp = new float[rows];
        Arrays.fill(logp, 7f);
        try (DeviceBuffer dl = DeviceBuffer.allocate(DType.F32, rows, vocab);
             DeviceBuffer dy = DeviceBuffer.allocate(DType.I32, rows)) {
            dl.copyFrom(Tensor.of(normal(rows * vocab), rows, vocab));
            dy.copyFrom(Tensor.of(labels, rows));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda.logprob().forward(dl.tensor(DType.F32, rows, vocab), dy.tensor(DType.I32, rows),
                            Tensor.of(logp, rows), null, null, LogProbOptions.defaults()));
            assertEquals("labels: element 3 is 11, expected a value in [0, 11) or the ignore index -100", e.getMessage());
        }
        float[] untouched = new float[rows];
        Arrays.fill(untouched, 7f);
        assertArrayEquals(untouched, logp);
    }

    @Test
    void aCallersStreamRunsDeviceCallsAsynchronously() {
        int batch = 64;
        int time = 513;
        float[] rewards = normal(batch * time);
        float[] values = normal(batch * time);
        float[] expected = new float[batch * time];
        GaeOptions options = GaeOptions.of(0.99, 0.95);
        cuda.advantage().gae(Tensor.of(rewards, batch, time), Tensor.of(values, batch, time), null, Episodes.NONE,
                Tensor.of(expected, batch, time), null, options);

        float[] actual = new float[batch * time];
        try (CudaStream stream = CudaBackends.onStream(0L);
             DeviceBuffer r = DeviceBuffer.allocate(DType.F32, batch, time);
             DeviceBuffer v = DeviceBuffer.allocate(DType.F32, batch, time);
             DeviceBuffer a = DeviceBuffer.allocate(DType.F32, batch, time)) {
            r.copyFrom(Tensor.of(rewards, batch, time));
            v.copyFrom(Tensor.of(values, batch, time));
            for (int i = 0; i < 3; i++) {
                stream.backend().advantage().gae(r.tensor(DType.F32, batch, time), v.tensor(DType.F32, batch, time), null,
                        Episodes.NONE, a.tensor(DType.F32, batch, time), null, options);
            }
            stream.synchronize();
            a.copyTo(Tensor.of(actual, batch, time));
        }
        assertArrayEquals(expected, actual);
    }

    @Test
    void concurrentThreadsGetTheSingleThreadedBits() throws Exception {
        int batch = 16;
        int time = 1025;
        float[] logp = normal(batch * time);
        float[] old = normal(batch * time);
        float[] adv = normal(batch * time);
        float[] expectedGrad = new float[batch * time];
        PpoResult expected = ppo(logp, old, adv, expectedGrad, batch, time);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        float[] grad = new float[batch * time];
                        assertEquals(expected, ppo(logp, old, adv, grad, batch, time));
                        assertArrayEquals(expectedGrad, grad);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private PpoResult ppo(float[] logp, float[] old, float[] adv, float[] grad, int batch, int time) {
        return cuda.logprob().ppoLoss(Tensor.of(logp, batch, time), Tensor.of(old, batch, time),
                Tensor.of(adv, batch, time), null, Tensor.of(grad, batch, time), PpoOptions.defaults());
    }

    @Test
    void objectivesOnDeviceTensorsMatchTheJavaBackend() {
        int batch = 8;
        int time = 33;
        float[] logp = normal(batch * time);
        float[] ref = normal(batch * time);
        float[] javaGrad = new float[batch * time];
        DpoResult expected = java.objective().dpo(Tensor.of(logp, batch, time), Tensor.of(ref, batch, time), null,
                Tensor.of(javaGrad, batch, time), DpoOptions.defaults());
        float[] grad = new float[batch * time];
        try (DeviceBuffer l = DeviceBuffer.allocate(DType.F32, batch, time);
             DeviceBuffer r = DeviceBuffer.allocate(DType.F32, batch, time);
             DeviceBuffer g = DeviceBuffer.allocate(DType.F32, batch, time)) {
            l.copyFrom(Tensor.of(logp, batch, time));
            r.copyFrom(Tensor.of(ref, batch, time));
            DpoResult actual = cuda.objective().dpo(l.tensor(DType.F32, batch, time), r.tensor(DType.F32, batch, time),
                    null, g.tensor(DType.F32, batch, time), DpoOptions.defaults());
            g.copyTo(Tensor.of(grad, batch, time));
            assertEquals(expected, actual, "the same Java kernel on copies of the same data");
        }
        assertArrayEquals(javaGrad, grad);
    }
}
