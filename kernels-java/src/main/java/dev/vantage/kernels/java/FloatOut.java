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
 * Heap bfloat16 windows are encoded by the given row loops ({@link #rowView}s take the backend's).
 */
final class FloatOut {
    /** The scratch of {@link #rowView}s, one per thread. */
    private static final ThreadLocal<float[][]> ROW_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {{}});

    float[] a;
    int off;
    private float[] scratch;
    private Tensor target;
    private int start;
    private int len;
    private final RowLoops loops;
    /** Where a row view keeps its scratch for the thread's next one; null for others. */
    private final float[][] shared;

    FloatOut() {
        this(ScalarRowLoops.INSTANCE, null);
    }

    private FloatOut(RowLoops loops, float[][] shared) {
        this.loops = loops;
        this.shared = shared;
        this.scratch = shared == null ? new float[0] : shared[0];
    }

    /** A view of the rows of a row kernel's gradient, as {@link FloatIn#rowView}: encoded by {@code loops}. */
    static FloatOut rowView(RowLoops loops) {
        return new FloatOut(loops, ROW_SCRATCH.get());
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
                if (shared != null) {
                    shared[0] = scratch;
                }
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
