package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The state one call needs, used by one call at a time: a stream, a workspace grown to the largest
 * {@code *_workspace_size} seen, a small device scratch for the result array and the label status
 * word, a device arena for staging host tensors, and host staging memory. Nothing is allocated
 * per call once the sizes have been seen; everything is freed by {@link #close}.
 */
final class Lane implements AutoCloseable {
    /** Byte offset of the label status word in the scratch; the result doubles come first. */
    static final long STATUS_OFFSET = 64;
    private static final long SCRATCH_BYTES = 256;
    private static final long HOST_GRAIN = 1 << 16;

    final long stream;
    /** Whether every call waits for its kernels (else only calls that must read something back do). */
    final boolean synchronous;
    final DeviceArena arena = new DeviceArena();
    private long workspace;
    private long workspaceBytes;
    private long scratch;
    private BytePointer host;
    private ByteBuffer hostView;
    private BytePointer hostScratch;

    Lane(long stream, boolean synchronous) {
        this.stream = stream;
        this.synchronous = synchronous;
    }

    /** At least {@code bytes} of workspace (null for 0); growing it first waits for the stream. */
    long workspace(long bytes) {
        if (bytes == 0) {
            return 0;
        }
        if (bytes > workspaceBytes) {
            long size = (bytes + HOST_GRAIN - 1) / HOST_GRAIN * HOST_GRAIN;
            if (workspace != 0) {
                Native.synchronize(stream, "vantage_stream_synchronize", "before growing the workspace");
                Native.free(workspace);
                workspace = 0;
                workspaceBytes = 0;
            }
            workspace = Native.malloc(size);
            workspaceBytes = size;
        }
        return workspace;
    }

    /** Device scratch: result doubles at 0, the label status word at {@link #STATUS_OFFSET}. */
    long scratch() {
        if (scratch == 0) {
            scratch = Native.malloc(SCRATCH_BYTES);
        }
        return scratch;
    }

    /** Copies the result doubles and the status word to the host; returns them as a native-order buffer. */
    ByteBuffer readScratch(String what) {
        if (hostScratch == null) {
            hostScratch = new BytePointer(SCRATCH_BYTES);
        }
        Native.copy(hostScratch.address(), scratch(), STATUS_OFFSET + 4, stream, what);
        return hostScratch.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** Copies a host tensor's elements to device memory at {@code dst}. */
    void toDevice(Tensor t, long dst, String what) {
        long bytes = HostTensors.bytes(t);
        if (HostTensors.direct(t)) {
            Native.copy(dst, HostTensors.address(t), bytes, stream, what);
            return;
        }
        HostTensors.read(t, host(bytes));
        // From pageable memory the copy has consumed the source when it returns: staging is reusable.
        Native.copy(dst, host.address(), bytes, stream, what);
    }

    /** Copies device memory at {@code src} into a host tensor's elements, after the stream's earlier work. */
    void toHost(long src, Tensor t, String what) {
        long bytes = HostTensors.bytes(t);
        if (HostTensors.direct(t)) {
            Native.copy(HostTensors.address(t), src, bytes, stream, what);
        } else {
            ByteBuffer staging = host(bytes);
            // Into pageable memory the copy returns only when it is complete.
            Native.copy(host.address(), src, bytes, stream, what);
            HostTensors.write(staging, t);
        }
    }

    private ByteBuffer host(long bytes) {
        if (host == null || host.capacity() < bytes) {
            if (host != null) {
                host.deallocate();
            }
            host = new BytePointer(Math.max(HOST_GRAIN, (bytes + HOST_GRAIN - 1) / HOST_GRAIN * HOST_GRAIN));
            hostView = host.asByteBuffer().order(ByteOrder.nativeOrder());
        }
        return hostView;
    }

    boolean holdsDeviceMemory() {
        return workspace != 0 || scratch != 0 || arena.total() > 0;
    }

    /** Host bytes this lane holds through JavaCPP (staging and scratch). */
    long hostBytes() {
        return (host == null ? 0 : host.capacity()) + (hostScratch == null ? 0 : hostScratch.capacity());
    }

    /** Frees everything; device errors are ignored (a failed device is what usually brings us here). */
    @Override
    public void close() {
        if (holdsDeviceMemory()) {
            CudaLibrary.vantage_stream_synchronize(stream);
            arena.free();
            freeQuietly(workspace);
            freeQuietly(scratch);
            workspace = scratch = 0;
            workspaceBytes = 0;
        }
        if (host != null) {
            host.deallocate();
            host = null;
            hostView = null;
        }
        if (hostScratch != null) {
            hostScratch.deallocate();
            hostScratch = null;
        }
    }

    static void freeQuietly(long pointer) {
        if (pointer != 0) {
            CudaLibrary.vantage_free(pointer);
        }
    }
}
