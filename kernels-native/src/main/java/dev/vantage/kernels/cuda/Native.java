package dev.vantage.kernels.cuda;

import org.bytedeco.javacpp.Pointer;

import java.nio.Buffer;

/** The memory helpers of the C ABI, with every status turned into a {@link CudaException}. */
final class Native {
    private Native() {
    }

    static void check(String function, String sizes, int status) {
        if (status != 0) {
            throw new CudaException(function, sizes, status);
        }
    }

    static long malloc(long bytes) {
        long[] pointer = new long[1];
        check("vantage_malloc", "bytes=" + bytes, CudaLibrary.vantage_malloc(pointer, bytes));
        return pointer[0];
    }

    static void free(long pointer) {
        check("vantage_free", "pointer=0x" + Long.toHexString(pointer), CudaLibrary.vantage_free(pointer));
    }

    /** Copies between any two addresses (host or device) on the stream; {@code what} names the caller. */
    static void copy(long dst, long src, long bytes, long stream, String what) {
        if (bytes > 0) {
            check("vantage_memcpy_async", "bytes=" + bytes + ", for " + what,
                    CudaLibrary.vantage_memcpy_async(dst, src, bytes, stream));
        }
    }

    static void synchronize(long stream, String function, String sizes) {
        check(function, sizes, CudaLibrary.vantage_stream_synchronize(stream));
    }

    /**
     * The address of index 0 of a direct buffer (not of its position: tensors index their buffers
     * absolutely, as the Java backend does), for copies without a host bounce.
     */
    static long address(Buffer direct) {
        return new Pointer(direct).address();
    }
}
