package dev.vantage.tests;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Direct NIO buffers in the native byte order, for the tests that check that off-heap tensors give
 * the same results as heap arrays.
 */
final class DirectBuffers {
    private DirectBuffers() {
    }

    /** {@code n} zero bytes (at least one, so that empty shapes still get a buffer). */
    static ByteBuffer bytes(int n) {
        return ByteBuffer.allocateDirect(Math.max(1, n)).order(ByteOrder.nativeOrder());
    }

    /** {@code n} zero floats. */
    static FloatBuffer floats(int n) {
        return bytes(4 * n).asFloatBuffer();
    }

    /** A copy of {@code values}, positioned at 0. */
    static FloatBuffer floats(float[] values) {
        return floats(values.length).put(values).flip();
    }

    /** An F32 tensor over a direct copy of {@code data}. */
    static Tensor of(float[] data, long... shape) {
        return Tensor.wrap(floats(data), shape);
    }

    /** A BOOL tensor over a direct copy of {@code mask}; null stays null. */
    static Tensor ofBool(byte[] mask, long... shape) {
        return mask == null ? null : Tensor.wrap(bytes(mask.length).put(mask).flip(), DType.BOOL, shape);
    }
}
