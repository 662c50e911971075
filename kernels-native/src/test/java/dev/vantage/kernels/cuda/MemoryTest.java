package dev.vantage.kernels.cuda;

import dev.vantage.kernels.BackendUnavailableException;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device buffers and staging memory are released: JavaCPP's byte count and the live device bytes
 * come back to where they were after many cycles, on the error path here and on the success path
 * on a GPU. Physical memory is checked loosely (it is the whole process's resident size).
 */
class MemoryTest {
    private static final int CYCLES = 2000;
    private static final long PHYSICAL_SLACK = 64L << 20;

    @Test
    void aFailedAllocationNamesTheErrorAndLeaksNothing() {
        if (!CudaProbe.get().loaded()) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> DeviceBuffer.allocate(64));
            assertTrue(e.getMessage().contains(CudaProbe.get().availability().reason()), e.getMessage());
            return;
        }
        Gpu.requireNoDevice();
        long bytes = Pointer.totalBytes();
        long physical = Pointer.physicalBytes();
        for (int i = 0; i < CYCLES; i++) {
            CudaException e = assertThrows(CudaException.class, () -> DeviceBuffer.allocate(DType.F32, 1024, 1024));
            if (i == 0) {
                int[] count = new int[1];
                int status = CudaLibrary.vantage_device_count(count);
                assertEquals("vantage_malloc", e.function());
                assertEquals(status, e.status());
                assertTrue(e.getMessage().startsWith("vantage_malloc(bytes=4194304) failed: "
                        + CudaLibrary.vantage_status_string(status) + " (cudaError " + status + ")"), e.getMessage());
            }
        }
        assertEquals(0, DeviceBuffer.liveBytes());
        assertEquals(bytes, Pointer.totalBytes());
        assertTrue(Pointer.physicalBytes() - physical < PHYSICAL_SLACK, "physical bytes grew by "
                + (Pointer.physicalBytes() - physical));
    }

    @Test
    void stagingMemoryIsFreedWhenACopyFails() {
        Gpu.requireNoDevice();
        long bytes = Pointer.totalBytes();
        float[] data = new float[100_000];
        for (int i = 0; i < CYCLES / 10; i++) {
            Lane lane = new Lane(CudaLibrary.STREAM_PER_THREAD, true);
            // The host staging is allocated, then the copy fails for want of a driver.
            CudaException e = assertThrows(CudaException.class,
                    () -> lane.toDevice(Tensor.of(data, data.length), 1L << 40, "test"));
            assertEquals("vantage_memcpy_async", e.function());
            assertTrue(lane.hostBytes() >= 4L * data.length);
            assertEquals(bytes + lane.hostBytes(), Pointer.totalBytes(), "JavaCPP counts the staging it holds");
            lane.close();
            assertEquals(0, lane.hostBytes());
            assertEquals(bytes, Pointer.totalBytes());
        }
    }

    @Test
    void directTensorsAreCopiedFromTheirElementZero() {
        Gpu.requireLibrary();
        ByteBuffer bytes = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        long base = new Pointer(bytes.position(8)).address();
        assertEquals(base, Native.address(bytes), "index 0, whatever the position");
        FloatBuffer floats = bytes.position(16).slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
        assertEquals(base + 16, Native.address(floats), "a slice starts at the parent's position");
        floats.position(3);
        Tensor t = Tensor.wrap(floats, 2);
        assertTrue(HostTensors.direct(t));
        assertEquals(base + 16 + 12, HostTensors.address(t), "a tensor's buffer is sliced at its position");
        assertTrue(!HostTensors.direct(Tensor.wrap(floats.asReadOnlyBuffer(), 2)), "read-only buffers take the NIO path");
    }

    @Test
    void hostTensorsRoundTripThroughStagingBytes() {
        ByteBuffer staging = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        float[] floats = {9, 1.5f, -2, 3};
        HostTensors.read(Tensor.of(floats, 1, new long[] {3}), staging);
        float[] back = new float[5];
        HostTensors.write(staging, Tensor.of(back, 2, new long[] {3}));
        assertArrayEquals(new float[] {0, 0, 1.5f, -2, 3}, back);

        IntBuffer ints = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asIntBuffer();
        HostTensors.read(Tensor.of(new int[] {4, -5, 6}, 3), staging);
        HostTensors.write(staging, Tensor.wrap(ints, 3));
        assertEquals(-5, ints.get(1));

        ShortBuffer halves = ShortBuffer.allocate(4);
        HostTensors.read(Tensor.ofBf16(new short[] {0x3f80, (short) 0xc000}, 2), staging);
        HostTensors.write(staging, Tensor.wrap(halves, DType.BF16, 2));
        assertEquals((short) 0xc000, halves.get(1));

        byte[] mask = new byte[3];
        HostTensors.read(Tensor.ofBool(new byte[] {1, 0, 1}, 3), staging);
        HostTensors.write(staging, Tensor.ofBool(mask, 3));
        assertArrayEquals(new byte[] {1, 0, 1}, mask);
        assertEquals(DType.F16, HostTensors.heapLike(Tensor.ofF16(new short[4], 2, 2)).dtype());
    }

    // ---- on a GPU -------------------------------------------------------------------------------

    @Test
    void deviceBuffersAreReleasedOverManyCycles() {
        Gpu.require();
        long bytes = Pointer.totalBytes();
        long live = DeviceBuffer.liveBytes();
        for (int i = 0; i < CYCLES; i++) {
            try (DeviceBuffer buffer = DeviceBuffer.allocate(DType.F32, 256, 1024)) {
                assertEquals(live + (1 << 20), DeviceBuffer.liveBytes());
                assertEquals(0, buffer.address() % 256);
            }
        }
        assertEquals(live, DeviceBuffer.liveBytes());
        assertEquals(bytes, Pointer.totalBytes());
    }

    @Test
    void deviceBuffersCopyHeapDirectAndDeviceTensors() {
        Gpu.require();
        float[] data = new float[1001];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.25f - 7;
        }
        try (DeviceBuffer a = DeviceBuffer.allocate(DType.F32, 1000);
             DeviceBuffer b = DeviceBuffer.allocate(DType.F32, 1000)) {
            a.copyFrom(Tensor.of(data, 1, new long[] {1000}));
            b.copyFrom(a.tensor(DType.F32, 1000));
            FloatBuffer direct = ByteBuffer.allocateDirect(4 * 1002).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.position(2);
            b.copyTo(Tensor.wrap(direct, 1000));
            float[] back = new float[1000];
            b.copyTo(Tensor.of(back, 1000));
            for (int i = 0; i < 1000; i++) {
                assertEquals(data[i + 1], back[i]);
                assertEquals(data[i + 1], direct.get(i + 2));
            }
            assertThrows(IllegalArgumentException.class, () -> a.tensor(DType.F32, 1001));
            assertThrows(IllegalArgumentException.class, () -> a.copyFrom(Tensor.of(new float[1001], 1001)));
        }
        DeviceBuffer closed = DeviceBuffer.allocate(16);
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.tensor(DType.F32, 4));
    }
}
