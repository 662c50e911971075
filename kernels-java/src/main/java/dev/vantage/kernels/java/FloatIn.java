package dev.vantage.kernels.java;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * A window of a floating-point tensor read as floats: {@code a[off + i]} is element
 * {@code start + i}. An F32 heap tensor is viewed in place; buffers and 16-bit types are copied
 * (decoded) into a scratch array that the view keeps for its next load. A null tensor reads as zeros.
 * Heap bfloat16 rows are decoded by the given row loops ({@link #rowView}s take the backend's).
 */
final class FloatIn {
    /** The scratch of {@link #rowView}s, one per thread. */
    private static final ThreadLocal<float[][]> ROW_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {{}});

    float[] a;
    int off;
    private float[] scratch;
    private final RowLoops loops;
    /** Where a row view keeps its scratch for the thread's next one; null for others. */
    private final float[][] shared;

    FloatIn() {
        this(ScalarRowLoops.INSTANCE, null);
    }

    private FloatIn(RowLoops loops, float[][] shared) {
        this.loops = loops;
        this.shared = shared;
        this.scratch = shared == null ? new float[0] : shared[0];
    }

    /**
     * A view of the rows of a row kernel's input, decoded by {@code loops}, whose scratch is the
     * thread's: a chunk body holds one at a time, and calls then allocate none per chunk (bf16
     * log-prob backward 2048×32000: 8.5 MB a call before).
     */
    static FloatIn rowView(RowLoops loops) {
        return new FloatIn(loops, ROW_SCRATCH.get());
    }

    /** Whether {@link #load} views {@code t} in place (no copy, so no scratch to keep small). */
    static boolean inPlace(Tensor t) {
        return t != null && t.memory() == Tensor.Memory.HEAP && t.array() instanceof float[];
    }

    FloatIn load(Tensor t, long start, int len) {
        if (inPlace(t)) {
            a = (float[]) t.array();
            off = t.arrayOffset() + (int) start;
            return this;
        }
        if (scratch.length < len) {
            scratch = new float[len];
            if (shared != null) {
                shared[0] = scratch;
            }
        }
        a = scratch;
        off = 0;
        if (t == null) {
            Arrays.fill(scratch, 0, len, 0f);
        } else if (t.memory() == Tensor.Memory.BUFFER && t.buffer() instanceof FloatBuffer) {
            ((FloatBuffer) t.buffer()).get((int) start, scratch, 0, len);
        } else {
            decodeHalf(t, (int) start, len);
        }
        return this;
    }

    private void decodeHalf(Tensor t, int start, int len) {
        boolean bf16 = t.dtype() == DType.BF16;
        if (t.memory() == Tensor.Memory.HEAP && bf16) {
            loops.bf16ToFloat((short[]) t.array(), t.arrayOffset() + start, scratch, len);
        } else if (t.memory() == Tensor.Memory.HEAP) {
            short[] bits = (short[]) t.array();
            int base = t.arrayOffset() + start;
            for (int i = 0; i < len; i++) {
                scratch[i] = HalfFloats.f16ToFloat(bits[base + i]);
            }
        } else {
            ShortBuffer bits = (ShortBuffer) t.buffer();
            for (int i = 0; i < len; i++) {
                short b = bits.get(start + i);
                scratch[i] = bf16 ? HalfFloats.bf16ToFloat(b) : HalfFloats.f16ToFloat(b);
            }
        }
    }
}
