package dev.vantage.kernels.cuda;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory owned by the caller, for chaining kernels on the GPU without host round trips.
 * {@link #tensor} views it as a {@link Tensor} of any dtype and shape that fits; {@link #copyFrom}
 * and {@link #copyTo} move data to and from host (or other device) tensors and return when the
 * copy is complete.
 *
 * <pre>
 * try (DeviceBuffer logits = DeviceBuffer.allocate(DType.F32, n, v);
 *      DeviceBuffer logp = DeviceBuffer.allocate(DType.F32, n)) {
 *     logits.copyFrom(Tensor.of(hostLogits, n, v));
 *     cuda.logprob().forward(logits.tensor(DType.F32, n, v), labels, logp.tensor(DType.F32, n), null, null, options);
 *     logp.copyTo(Tensor.of(hostLogp, n));
 * }
 * </pre>
 *
 * <p>Release is deterministic: {@link #close} frees the memory at once. There is no GC safety net,
 * by design: a tensor view holds only the address, so freeing a buffer because it became
 * unreachable could free memory a view is still using. An unclosed buffer leaks until the process
 * ends; {@link #liveBytes} counts what is allocated and not closed.
 */
public final class DeviceBuffer implements AutoCloseable {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final long address;
    private final long bytes;
    private boolean closed;

    private DeviceBuffer(long address, long bytes) {
        this.address = address;
        this.bytes = bytes;
    }

    /**
     * {@code bytes} of uninitialized device memory on device 0, 256-byte aligned.
     *
     * @throws dev.vantage.kernels.BackendUnavailableException if the native library is not loaded
     * @throws CudaException if the allocation fails (no driver, no device, out of memory)
     */
    public static DeviceBuffer allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected a value >= 0, got " + bytes);
        }
        CudaProbe.get().requireLoaded();
        // cudaMalloc(0) gives a null pointer, which no tensor may have: take one byte.
        long address = Native.malloc(Math.max(bytes, 1));
        LIVE_BYTES.addAndGet(bytes);
        return new DeviceBuffer(address, bytes);
    }

    /** Device memory for one tensor of this dtype and shape. */
    public static DeviceBuffer allocate(DType dtype, long... shape) {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: must not be null");
        }
        return allocate(numel(shape) * dtype.byteSize());
    }

    /** Device bytes allocated by this class and not yet closed, in this JVM. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    public long address() {
        return address;
    }

    public long bytes() {
        return bytes;
    }

    /** A view of the buffer from byte 0 as a tensor; valid until {@link #close}. */
    public Tensor tensor(DType dtype, long... shape) {
        return tensor(0, dtype, shape);
    }

    /** A view from {@code byteOffset}, which must be aligned to the dtype's size. */
    public synchronized Tensor tensor(long byteOffset, DType dtype, long... shape) {
        requireOpen();
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: must not be null");
        }
        long needed = numel(shape) * dtype.byteSize();
        if (byteOffset < 0 || byteOffset > bytes || needed > bytes - byteOffset) {
            throw new IllegalArgumentException("shape: " + Arrays.toString(shape) + " " + dtype + " needs " + needed
                    + " bytes from offset " + byteOffset + ", the buffer has " + bytes);
        }
        return Tensor.ofDevice(address + byteOffset, dtype, shape);
    }

    /** Copies all of {@code src} (host or device) to the start of this buffer; returns when done. */
    public DeviceBuffer copyFrom(Tensor src) {
        copy(src, true);
        return this;
    }

    /** Copies the start of this buffer into all of {@code dst} (host or device); returns when done. */
    public DeviceBuffer copyTo(Tensor dst) {
        copy(dst, false);
        return this;
    }

    private synchronized void copy(Tensor t, boolean in) {
        requireOpen();
        String name = in ? "src" : "dst";
        if (t == null) {
            throw new IllegalArgumentException(name + ": must not be null");
        }
        long n = HostTensors.bytes(t);
        if (n > bytes) {
            throw new IllegalArgumentException(name + ": " + t + " has " + n + " bytes, the buffer has " + bytes);
        }
        Lanes lanes = SharedLanes.INSTANCE;
        Lane lane = lanes.acquire();
        try {
            String what = in ? "DeviceBuffer.copyFrom" : "DeviceBuffer.copyTo";
            if (t.memory() == Tensor.Memory.DEVICE) {
                Native.copy(in ? address : t.address(), in ? t.address() : address, n, lane.stream, what);
            } else if (in) {
                lane.toDevice(t, address, what);
            } else {
                lane.toHost(address, t, what);
            }
            Native.synchronize(lane.stream, what, "bytes=" + n);
        } finally {
            lanes.release(lane);
        }
    }

    /** Frees the memory; views become invalid. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LIVE_BYTES.addAndGet(-bytes);
            Native.free(address);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this DeviceBuffer is closed");
        }
    }

    private static long numel(long[] shape) {
        // Tensor.ofDevice checks the shape itself; this only sizes the allocation.
        if (shape == null) {
            throw new IllegalArgumentException("shape: must not be null");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape: dimensions must be >= 0, got " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return "DeviceBuffer[0x" + Long.toHexString(address) + ", " + bytes + " bytes" + (closed ? ", closed]" : "]");
    }
}
