package dev.vantage.kernels;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * A dense, row-major, contiguous view of elements of one {@link DType}, with a shape.
 *
 * <p>A tensor does not own its memory: it views a Java array, an NIO buffer or (with a native
 * backend) device memory. Creating one copies nothing. The same tensor can be passed as input to
 * many calls; outputs are tensors the caller created over memory the kernel may overwrite.
 *
 * <p>Heap arrays and buffers may be longer than the tensor: the tensor views the first
 * {@code numel} elements from its offset. (The factories that take an offset take the shape as an
 * explicit {@code long[]}, so that {@code of(data, 2)} can only mean "shape [2]".) Buffers must use the platform's native byte order,
 * because native backends copy their bytes as they are.
 */
public final class Tensor {
    /** Where a tensor's elements live. */
    public enum Memory {
        /** A Java array on the heap. */
        HEAP,
        /** An NIO buffer (usually direct, off-heap). */
        BUFFER,
        /** Memory of an accelerator, addressed by a native backend. */
        DEVICE
    }

    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final Memory memory;
    private final Object array;
    private final int arrayOffset;
    private final Buffer buffer;
    private final long address;

    private Tensor(DType dtype, long[] shape, Memory memory, Object array, int arrayOffset,
                   Buffer buffer, long address) {
        this.dtype = dtype;
        this.shape = shape;
        this.numel = numel(shape);
        this.memory = memory;
        this.array = array;
        this.arrayOffset = arrayOffset;
        this.buffer = buffer;
        this.address = address;
    }

    // ---- heap arrays ---------------------------------------------------------------------------

    /** An F32 tensor over {@code data[0, numel)}. */
    public static Tensor of(float[] data, long... shape) {
        return of(data, 0, shape);
    }

    /** An F32 tensor over {@code data[offset, offset + numel)}. */
    public static Tensor of(float[] data, int offset, long[] shape) {
        return heap(DType.F32, data, data == null ? 0 : data.length, offset, shape);
    }

    /** An I32 tensor (labels, indices) over {@code data[0, numel)}. */
    public static Tensor of(int[] data, long... shape) {
        return of(data, 0, shape);
    }

    /** An I32 tensor over {@code data[offset, offset + numel)}. */
    public static Tensor of(int[] data, int offset, long[] shape) {
        return heap(DType.I32, data, data == null ? 0 : data.length, offset, shape);
    }

    /** A BOOL tensor (mask: 0 false, anything else true) over {@code data[0, numel)}. */
    public static Tensor ofBool(byte[] data, long... shape) {
        return ofBool(data, 0, shape);
    }

    /** A BOOL tensor over {@code data[offset, offset + numel)}. */
    public static Tensor ofBool(byte[] data, int offset, long[] shape) {
        return heap(DType.BOOL, data, data == null ? 0 : data.length, offset, shape);
    }

    /** A BF16 tensor over bfloat16 bit patterns (see {@link HalfFloats}). */
    public static Tensor ofBf16(short[] bits, long... shape) {
        return ofHalf(DType.BF16, bits, shape);
    }

    /** An F16 tensor over IEEE binary16 bit patterns (see {@link HalfFloats}). */
    public static Tensor ofF16(short[] bits, long... shape) {
        return ofHalf(DType.F16, bits, shape);
    }

    /** A 16-bit floating-point tensor ({@code BF16} or {@code F16}) over {@code bits[0, numel)}. */
    public static Tensor ofHalf(DType dtype, short[] bits, long... shape) {
        return ofHalf(dtype, bits, 0, shape);
    }

    /** A 16-bit floating-point tensor ({@code BF16} or {@code F16}) over {@code bits[offset, offset + numel)}. */
    public static Tensor ofHalf(DType dtype, short[] bits, int offset, long[] shape) {
        if (dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("dtype: expected BF16 or F16 for short[] data, got " + dtype);
        }
        return heap(dtype, bits, bits == null ? 0 : bits.length, offset, shape);
    }

    private static Tensor heap(DType dtype, Object data, int length, int offset, long[] shape) {
        if (data == null) {
            throw new IllegalArgumentException("data: must not be null");
        }
        long[] dims = checkShape(shape);
        long n = numel(dims);
        if (offset < 0 || offset > length || n > length - offset) {
            throw new IllegalArgumentException("data: shape " + Arrays.toString(dims) + " needs " + n
                    + " elements from offset " + offset + ", but the array has length " + length);
        }
        return new Tensor(dtype, dims, Memory.HEAP, data, offset, null, 0);
    }

    // ---- NIO buffers ---------------------------------------------------------------------------

    /** An F32 tensor over the buffer's remaining elements, from its position. */
    public static Tensor wrap(FloatBuffer data, long... shape) {
        return buffer(DType.F32, data, shape);
    }

    /** An I32 tensor over the buffer's remaining elements, from its position. */
    public static Tensor wrap(IntBuffer data, long... shape) {
        return buffer(DType.I32, data, shape);
    }

    /** A BF16 or F16 tensor over the buffer's remaining elements, from its position. */
    public static Tensor wrap(ShortBuffer data, DType dtype, long... shape) {
        if (dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("dtype: expected BF16 or F16 for a ShortBuffer, got " + dtype);
        }
        return buffer(dtype, data, shape);
    }

    /** A tensor of any dtype over the buffer's remaining bytes, from its position. */
    public static Tensor wrap(ByteBuffer data, DType dtype, long... shape) {
        if (data == null) {
            throw new IllegalArgumentException("data: must not be null");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: must not be null");
        }
        checkOrder(data.order());
        if (data.remaining() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("data: " + data.remaining() + " remaining bytes is not a whole number of "
                    + dtype + " elements");
        }
        ByteBuffer bytes = data.slice().order(data.order());
        Buffer typed;
        switch (dtype) {
            case F32: typed = bytes.asFloatBuffer(); break;
            case I32: typed = bytes.asIntBuffer(); break;
            case BF16: case F16: typed = bytes.asShortBuffer(); break;
            default: typed = bytes; break;
        }
        return buffer(dtype, typed, shape);
    }

    private static Tensor buffer(DType dtype, Buffer data, long[] shape) {
        if (data == null) {
            throw new IllegalArgumentException("data: must not be null");
        }
        if (data instanceof FloatBuffer) {
            checkOrder(((FloatBuffer) data).order());
        } else if (data instanceof IntBuffer) {
            checkOrder(((IntBuffer) data).order());
        } else if (data instanceof ShortBuffer) {
            checkOrder(((ShortBuffer) data).order());
        }
        long[] dims = checkShape(shape);
        long n = numel(dims);
        if (n > data.remaining()) {
            throw new IllegalArgumentException("data: shape " + Arrays.toString(dims) + " needs " + n
                    + " elements, but the buffer has " + data.remaining() + " remaining");
        }
        return new Tensor(dtype, dims, Memory.BUFFER, null, 0, slice(data), 0);
    }

    private static Buffer slice(Buffer data) {
        // Buffer.slice() is covariant only from JDK 9 on each subclass; keep the element type.
        if (data instanceof FloatBuffer) return ((FloatBuffer) data).slice();
        if (data instanceof IntBuffer) return ((IntBuffer) data).slice();
        if (data instanceof ShortBuffer) return ((ShortBuffer) data).slice();
        ByteBuffer bytes = (ByteBuffer) data;
        return bytes.slice().order(bytes.order());
    }

    private static void checkOrder(ByteOrder order) {
        if (order != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("data: buffers must use the native byte order " + ByteOrder.nativeOrder()
                    + " (call order(ByteOrder.nativeOrder()) before writing), got " + order);
        }
    }

    // ---- device memory -------------------------------------------------------------------------

    /**
     * A tensor over device memory at a raw address, for native backends and zero-copy interop.
     * The caller keeps the memory alive while the tensor is used; no backend frees it.
     */
    public static Tensor ofDevice(long address, DType dtype, long... shape) {
        if (address == 0) {
            throw new IllegalArgumentException("address: must not be 0 (null device pointer)");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: must not be null");
        }
        long alignment = dtype.byteSize();
        if (address % alignment != 0) {
            throw new IllegalArgumentException("address: must be aligned to " + alignment + " bytes for " + dtype
                    + ", got 0x" + Long.toHexString(address));
        }
        return new Tensor(dtype, checkShape(shape), Memory.DEVICE, null, 0, null, address);
    }

    // ---- views and accessors -------------------------------------------------------------------

    /** The same elements with another shape of equal element count. */
    public Tensor view(long... newShape) {
        long[] dims = checkShape(newShape);
        if (numel(dims) != numel) {
            throw new IllegalArgumentException("shape: " + Arrays.toString(dims) + " has " + numel(dims)
                    + " elements, the tensor has " + numel + " " + Arrays.toString(shape));
        }
        return new Tensor(dtype, dims, memory, array, arrayOffset, buffer, address);
    }

    public DType dtype() {
        return dtype;
    }

    public Memory memory() {
        return memory;
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    /** The heap array ({@code float[]}, {@code int[]}, {@code short[]} or {@code byte[]}); null unless {@link Memory#HEAP}. */
    public Object array() {
        return array;
    }

    /** Index of element 0 in {@link #array()}. */
    public int arrayOffset() {
        return arrayOffset;
    }

    /**
     * The buffer, positioned at element 0 ({@link FloatBuffer}, {@link IntBuffer}, {@link ShortBuffer}
     * or, for BOOL, {@link ByteBuffer}); null unless {@link Memory#BUFFER}.
     */
    public Buffer buffer() {
        return buffer;
    }

    /** The device address of element 0; 0 unless {@link Memory#DEVICE}. */
    public long address() {
        return address;
    }

    /** Whether both tensors view overlapping memory (conservatively, for buffers and devices). */
    public boolean overlaps(Tensor other) {
        if (memory != other.memory) {
            return false;
        }
        switch (memory) {
            case HEAP:
                if (array != other.array) {
                    return false;
                }
                return arrayOffset < other.arrayOffset + other.numel && other.arrayOffset < arrayOffset + numel;
            case DEVICE: {
                long end = address + numel * dtype.byteSize();
                long otherEnd = other.address + other.numel * other.dtype.byteSize();
                return address < otherEnd && other.address < end;
            }
            default:
                // Two NIO views cannot tell whether they share storage; treat the same object as overlap.
                return buffer == other.buffer;
        }
    }

    /** A shape as text, e.g. {@code [2, 3] F32}. */
    @Override
    public String toString() {
        return Arrays.toString(shape) + " " + dtype + " (" + memory + ")";
    }

    private static long[] checkShape(long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape: must not be null");
        }
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape: dimension " + i + " must be >= 0, got "
                        + Arrays.toString(shape));
            }
            n = shape[i] == 0 ? 0 : (n > Long.MAX_VALUE / shape[i] ? -1 : n * shape[i]);
            if (n < 0) {
                throw new IllegalArgumentException("shape: " + Arrays.toString(shape) + " has more than 2^63 elements");
            }
        }
        return shape.clone();
    }

    private static long numel(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
