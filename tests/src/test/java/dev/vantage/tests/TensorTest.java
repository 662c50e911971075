package dev.vantage.tests;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static dev.vantage.tests.LogProbParityTest.expectMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor construction, views and their argument checks. */
class TensorTest {
    @Test
    void heapTensorsViewTheArrayWithoutCopying() {
        float[] data = new float[10];
        Tensor t = Tensor.of(data, 2, 3);
        assertSame(data, t.array());
        assertEquals(DType.F32, t.dtype());
        assertEquals(Tensor.Memory.HEAP, t.memory());
        assertEquals(6, t.numel());
        assertEquals(3, t.dim(-1));
        assertArrayEquals(new long[] {2, 3}, t.shape());
        Tensor tail = Tensor.of(data, 4, new long[] {6});
        assertEquals(4, tail.arrayOffset());
        assertTrue(t.overlaps(tail));
        assertFalse(Tensor.of(data, 0, new long[] {4}).overlaps(tail));
        assertEquals(DType.BF16, Tensor.ofBf16(new short[4], 4).dtype());
        assertEquals(DType.F16, Tensor.ofF16(new short[4], 2, 2).dtype());
        assertEquals(DType.BOOL, Tensor.ofBool(new byte[1], 1).dtype());
        assertEquals(1, Tensor.of(new float[1]).numel(), "a scalar has one element");
        assertEquals(0, Tensor.of(new float[0], 0, 5).numel());
    }

    @Test
    void viewsKeepStorageAndCheckTheElementCount() {
        float[] data = new float[12];
        Tensor t = Tensor.of(data, 3, 4).view(2, 6);
        assertArrayEquals(new long[] {2, 6}, t.shape());
        assertSame(data, t.array());
        expectMessage("shape", () -> Tensor.of(data, 3, 4).view(5, 2));
    }

    @Test
    void buffersMustBeNativeOrderAndLongEnough() {
        ByteBuffer bytes = ByteBuffer.allocateDirect(24).order(ByteOrder.nativeOrder());
        Tensor t = Tensor.wrap(bytes, DType.F32, 2, 3);
        assertEquals(Tensor.Memory.BUFFER, t.memory());
        assertTrue(t.buffer() instanceof FloatBuffer);
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        expectMessage("data", () -> Tensor.wrap(ByteBuffer.allocateDirect(24).order(other), DType.F32, 6));
        expectMessage("data", () -> Tensor.wrap(bytes.asFloatBuffer(), 7));
        expectMessage("data", () -> Tensor.wrap(ByteBuffer.allocateDirect(7).order(ByteOrder.nativeOrder()), DType.F32,
                1));
        expectMessage("dtype", () -> Tensor.wrap(bytes.asShortBuffer(), DType.F32, 2));
    }

    @Test
    void badShapesAndArraysAreRejected() {
        expectMessage("shape", () -> Tensor.of(new float[4], 2, -2));
        expectMessage("shape", () -> Tensor.of(new float[4], (long[]) null));
        expectMessage("shape", () -> Tensor.of(new float[4], 1L << 32, 1L << 32));
        expectMessage("data", () -> Tensor.of(new int[3], 4));
        expectMessage("data", () -> Tensor.of(new float[4], 2, new long[] {3}));
        expectMessage("data", () -> Tensor.of(new float[4], -1, new long[] {1}));
        expectMessage("data", () -> Tensor.ofBool(null, 1));
        expectMessage("dtype", () -> Tensor.ofHalf(DType.F32, new short[2], 2));
        expectMessage("address", () -> Tensor.ofDevice(0, DType.F32, 4));
        expectMessage("address", () -> Tensor.ofDevice(2, DType.F32, 4));
    }
}
