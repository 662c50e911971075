package dev.vantage.kernels.cuda;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * Bulk copies between a heap or NIO tensor and native staging memory (a native-order
 * {@link ByteBuffer}), without touching the rest of the tensor's array or buffer.
 */
final class HostTensors {
    private HostTensors() {
    }

    /** Bytes of the tensor's elements. */
    static long bytes(Tensor t) {
        return t.numel() * t.dtype().byteSize();
    }

    /** Whether the tensor's elements can be copied by address: a writable direct buffer. */
    static boolean direct(Tensor t) {
        return t.memory() == Tensor.Memory.BUFFER && t.buffer().isDirect() && !t.buffer().isReadOnly();
    }

    /** The address of a {@link #direct} tensor's element 0. */
    static long address(Tensor t) {
        return Native.address(t.buffer());
    }

    /** Copies the tensor's elements to {@code dst[0, bytes)}. */
    static void read(Tensor t, ByteBuffer dst) {
        int n = (int) t.numel();
        if (t.memory() == Tensor.Memory.HEAP) {
            Object a = t.array();
            int off = t.arrayOffset();
            if (a instanceof float[]) dst.asFloatBuffer().put(0, (float[]) a, off, n);
            else if (a instanceof int[]) dst.asIntBuffer().put(0, (int[]) a, off, n);
            else if (a instanceof short[]) dst.asShortBuffer().put(0, (short[]) a, off, n);
            else dst.put(0, (byte[]) a, off, n);
            return;
        }
        switch (t.dtype()) {
            case F32: dst.asFloatBuffer().put(0, (FloatBuffer) t.buffer(), 0, n); break;
            case I32: dst.asIntBuffer().put(0, (IntBuffer) t.buffer(), 0, n); break;
            case BF16: case F16: dst.asShortBuffer().put(0, (ShortBuffer) t.buffer(), 0, n); break;
            default: dst.put(0, (ByteBuffer) t.buffer(), 0, n); break;
        }
    }

    /** Copies {@code src[0, bytes)} into the tensor's elements. */
    static void write(ByteBuffer src, Tensor t) {
        int n = (int) t.numel();
        if (t.memory() == Tensor.Memory.HEAP) {
            Object a = t.array();
            int off = t.arrayOffset();
            if (a instanceof float[]) src.asFloatBuffer().get(0, (float[]) a, off, n);
            else if (a instanceof int[]) src.asIntBuffer().get(0, (int[]) a, off, n);
            else if (a instanceof short[]) src.asShortBuffer().get(0, (short[]) a, off, n);
            else src.get(0, (byte[]) a, off, n);
            return;
        }
        switch (t.dtype()) {
            case F32: ((FloatBuffer) t.buffer()).put(0, src.asFloatBuffer(), 0, n); break;
            case I32: ((IntBuffer) t.buffer()).put(0, src.asIntBuffer(), 0, n); break;
            case BF16: case F16: ((ShortBuffer) t.buffer()).put(0, src.asShortBuffer(), 0, n); break;
            default: ((ByteBuffer) t.buffer()).put(0, src, 0, n); break;
        }
    }

    /** A new heap tensor of the same dtype and shape (zeros). */
    static Tensor heapLike(Tensor t) {
        int n = Math.toIntExact(t.numel());
        long[] shape = t.shape();
        DType dtype = t.dtype();
        switch (dtype) {
            case F32: return Tensor.of(new float[n], shape);
            case I32: return Tensor.of(new int[n], shape);
            case BF16: case F16: return Tensor.ofHalf(dtype, new short[n], shape);
            default: return Tensor.ofBool(new byte[n], shape);
        }
    }
}
