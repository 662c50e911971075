package dev.vantage.kernels.internal;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;

import java.util.Arrays;
import java.util.Set;

/**
 * Argument checks shared by every public kernel call. Each failure is an
 * {@link IllegalArgumentException} whose message starts with the argument's name and states the
 * expected and the actual value, so the caller can fix the call without reading our source.
 */
public final class Args {
    /** The dtypes logits and their gradients may have. */
    public static final DType[] FLOATING = {DType.F32, DType.BF16, DType.F16};

    private final String backend;
    private final Set<Tensor.Memory> memories;

    /** Checks for a backend that can read tensors in the given memories. */
    public Args(String backend, Set<Tensor.Memory> memories) {
        this.backend = backend;
        this.memories = Set.copyOf(memories);
    }

    /** A required tensor of one of the allowed dtypes, in memory this backend can read. */
    public Tensor tensor(String name, Tensor t, DType... allowed) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        return present(name, t, allowed);
    }

    /** An optional tensor: null passes, otherwise as {@link #tensor}. */
    public Tensor optional(String name, Tensor t, DType... allowed) {
        return t == null ? null : present(name, t, allowed);
    }

    private Tensor present(String name, Tensor t, DType[] allowed) {
        if (!Arrays.asList(allowed).contains(t.dtype())) {
            throw new IllegalArgumentException(name + ": expected dtype " + oneOf(allowed) + ", got " + t.dtype());
        }
        if (!memories.contains(t.memory())) {
            throw new IllegalArgumentException(name + ": the " + backend + " backend reads " + memories
                    + " memory, got a tensor in " + t.memory() + " memory");
        }
        return t;
    }

    /**
     * Required logits {@code [..., V]} with rank >= 2, V >= 1 and a floating dtype; returns the
     * shape of one value per row, {@code [...]}.
     */
    public long[] logitRows(String name, Tensor logits) {
        tensor(name, logits, FLOATING);
        if (logits.rank() < 2 || logits.dim(-1) < 1) {
            throw new IllegalArgumentException(name + ": expected rank >= 2 [..., V] with V >= 1, got shape "
                    + Arrays.toString(logits.shape()));
        }
        return Arrays.copyOf(logits.shape(), logits.rank() - 1);
    }

    /** A required F32 {@code [B, T]} tensor; returns its shape. */
    public long[] batchTime(String name, Tensor t) {
        tensor(name, t, DType.F32);
        rank(name, t, 2, "[B, T]");
        return t.shape();
    }

    /** A required F32 tensor of exactly the given shape. */
    public Tensor f32(String name, Tensor t, long... shape) {
        tensor(name, t, DType.F32);
        shape(name, t, shape);
        return t;
    }

    /** An optional F32 tensor of exactly the given shape. */
    public Tensor optionalF32(String name, Tensor t, long... shape) {
        optional(name, t, DType.F32);
        shape(name, t, shape);
        return t;
    }

    /** An optional BOOL tensor (mask or flags) of exactly the given shape. */
    public Tensor optionalMask(String name, Tensor t, long... shape) {
        optional(name, t, DType.BOOL);
        shape(name, t, shape);
        return t;
    }

    /** Fails unless {@code t} (when present) has exactly the given shape. */
    public static void shape(String name, Tensor t, long... expected) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(t.shape()));
        }
    }

    /** Fails unless {@code t} has the given rank. */
    public static void rank(String name, Tensor t, int expected, String meaning) {
        if (t.rank() != expected) {
            throw new IllegalArgumentException(name + ": expected rank " + expected + " " + meaning + ", got shape "
                    + Arrays.toString(t.shape()));
        }
    }

    /** Fails unless a dimension fits a Java int (heap and NIO memory are int-indexed). */
    public static int intSize(String name, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": size " + size + " exceeds " + Integer.MAX_VALUE);
        }
        return (int) size;
    }

    /** Fails unless {@code value} is finite. */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value, got " + value);
        }
        return value;
    }

    /** Fails unless {@code low <= value <= high} (NaN fails). */
    public static double inClosed(String name, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(name + ": expected a value in [" + low + ", " + high + "], got " + value);
        }
        return value;
    }

    /** Fails unless {@code value > 0} and not NaN (infinity passes only if {@code allowInfinity}). */
    public static double positive(String name, double value, boolean allowInfinity) {
        if (!(value > 0) || (!allowInfinity && value == Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + ": expected a " + (allowInfinity ? "" : "finite ")
                    + "value > 0, got " + value);
        }
        return value;
    }

    /** Fails unless {@code value >= 0} and finite. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + ": expected a finite value >= 0, got " + value);
        }
        return value;
    }

    /** Fails when the reference is null. */
    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        return value;
    }

    private static String oneOf(DType[] allowed) {
        return allowed.length == 1 ? allowed[0].toString() : "one of " + Arrays.toString(allowed);
    }
}
