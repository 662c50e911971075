package dev.vantage.kernels.java;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A window of an output tensor written as floats: write {@code a[off + i]} for element
 * {@code start + i}, then {@link #commit()}. An F32 heap tensor is written in place; buffers and
 * 16-bit types go through a scratch array that commit copies (encodes, rounding to nearest even) out.
 * Heap bfloat16 windows are encoded by the given row loops (the gradients of long rows take the backend's).
 */
final class FloatOut {
    float[] a;
    int off;
    private float[] scratch = new float[0];
    private Tensor target;
    private int start;
    private int len;
    private final RowLoops loops;

    FloatOut() {
        this(ScalarRowLoops.INSTANCE);
    }

    FloatOut(RowLoops loops) {
        this.loops = loops;
    }

    FloatOut begin(Tensor t, long start, int len) {
        this.target = t;
        this.start = (int) start;
        this.len = len;
        if (t.memory() == Tensor.Memory.HEAP && t.array() instanceof float[]) {
            a = (float[]) t.array();
            off = t.arrayOffset() + (int) start;
        } else {
            if (scratch.length < len) {
                scratch = new float[len];
            }
            a = scratch;
            off = 0;
        }
        return this;
    }

    void commit() {
        if (a != scratch) {
            return;
        }
        if (target.memory() == Tensor.Memory.BUFFER && target.buffer() instanceof FloatBuffer) {
            ((FloatBuffer) target.buffer()).put(start, scratch, 0, len);
            return;
        }
        boolean bf16 = target.dtype() == DType.BF16;
        if (target.memory() == Tensor.Memory.HEAP && bf16) {
            loops.floatToBf16(scratch, (short[]) target.array(), target.arrayOffset() + start, len);
        } else if (target.memory() == Tensor.Memory.HEAP) {
            short[] bits = (short[]) target.array();
            int base = target.arrayOffset() + start;
            for (int i = 0; i < len; i++) {
                bits[base + i] = HalfFloats.floatToF16(scratch[i]);
            }
        } else {
            ShortBuffer bits = (ShortBuffer) target.buffer();
            for (int i = 0; i < len; i++) {
                bits.put(start + i, bf16 ? HalfFloats.floatToBf16(scratch[i]) : HalfFloats.floatToF16(scratch[i]));
            }
        }
    }
}
