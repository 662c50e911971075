package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A window of a BOOL tensor: {@code a[off + i] != 0} is element {@code start + i}. A heap tensor is
 * viewed in place, a buffer copied; a null tensor reads as {@code nullValue} everywhere (all valid
 * for masks, all false for episode flags).
 */
final class MaskIn {
    /** Null windows up to this long read from a shared array (views are read only): no allocation. */
    private static final int SHARED = 1 << 16;
    private static final byte[] ONES = ones();
    private static final byte[] ZEROS = new byte[SHARED];

    byte[] a;
    int off;
    private byte[] scratch = new byte[0];
    private final byte nullValue;

    MaskIn(boolean nullValue) {
        this.nullValue = (byte) (nullValue ? 1 : 0);
    }

    MaskIn load(Tensor t, long start, int len) {
        if (t != null && t.memory() == Tensor.Memory.HEAP) {
            a = (byte[]) t.array();
            off = t.arrayOffset() + (int) start;
            return this;
        }
        if (t == null && len <= SHARED) {
            a = filled(nullValue != 0, len);
            off = 0;
            return this;
        }
        if (scratch.length < len) {
            scratch = new byte[len];
        }
        a = scratch;
        off = 0;
        if (t == null) {
            Arrays.fill(scratch, 0, len, nullValue);
        } else {
            ((ByteBuffer) t.buffer()).get((int) start, scratch, 0, len);
        }
        return this;
    }

    /**
     * At least {@code len} ones (or zeros), not to be written: the shared array where it is long
     * enough, else a new one.
     */
    static byte[] filled(boolean ones, int len) {
        if (len <= SHARED) {
            return ones ? ONES : ZEROS;
        }
        byte[] out = new byte[len];
        if (ones) {
            Arrays.fill(out, (byte) 1);
        }
        return out;
    }

    private static byte[] ones() {
        byte[] ones = new byte[SHARED];
        Arrays.fill(ones, (byte) 1);
        return ones;
    }
}
