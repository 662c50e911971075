package dev.vantage.kernels.cuda;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import org.bytedeco.javacpp.Pointer;

/**
 * Interop with other CUDA stacks: device memory and streams they own, used in place.
 *
 * <pre>
 * // memory and a stream from the JavaCPP CUDA presets (or PyTorch, or any JavaCPP Pointer):
 * try (CudaStream s = CudaBackends.onStream(presetsStream)) {          // a CUstream_st
 *     Tensor logits = CudaBackends.tensor(presetsLogits, DType.BF16, n, v);
 *     ...
 *     s.backend().logprob().forward(logits, labels, logp, null, lse, LogProbOptions.defaults());
 *     s.synchronize();
 * }
 * </pre>
 *
 * The presets' own classes are never needed: a {@link Pointer} is read for its address (and, for
 * memory, its position and limit). The memory must belong to device 0, where this backend runs.
 * {@link Vantage#backend(String) Vantage.backend("cuda")} is the synchronous shared backend.
 */
public final class CudaBackends {
    private CudaBackends() {
    }

    /**
     * A device tensor over {@code pointer.address() + position·sizeof}, e.g. memory from the presets'
     * {@code cudaMalloc}. When the pointer knows its extent (a limit past its position), the tensor
     * must fit in it. The caller keeps the memory alive while the tensor is used.
     */
    public static Tensor tensor(Pointer pointer, DType dtype, long... shape) {
        if (pointer == null || pointer.isNull()) {
            throw new IllegalArgumentException("pointer: must not be null");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype: must not be null");
        }
        long elementBytes = Math.max(1, pointer.sizeof());
        Tensor t = Tensor.ofDevice(pointer.address() + pointer.position() * elementBytes, dtype, shape);
        long available = (pointer.limit() - pointer.position()) * elementBytes;
        long needed = t.numel() * dtype.byteSize();
        if (pointer.limit() > pointer.position() && needed > available) {
            throw new IllegalArgumentException("pointer: " + t + " needs " + needed + " bytes, the pointer has "
                    + available + " from its position");
        }
        return t;
    }

    /** A device tensor over a raw device address (see {@link Tensor#ofDevice}). */
    public static Tensor tensor(long address, DType dtype, long... shape) {
        return Tensor.ofDevice(address, dtype, shape);
    }

    /**
     * The backend bound to a caller's stream, given as its raw {@code cudaStream_t} (0 is the legacy
     * default stream). Close it when done; that does not destroy the stream.
     *
     * @throws dev.vantage.kernels.BackendUnavailableException when CUDA cannot run here
     */
    public static CudaStream onStream(long stream) {
        CudaProbe.get().requireAvailable();
        return new CudaStream(stream);
    }

    /** {@link #onStream(long)} for a stream held by a JavaCPP pointer, such as the presets' {@code CUstream_st}. */
    public static CudaStream onStream(Pointer stream) {
        if (stream == null) {
            throw new IllegalArgumentException("stream: must not be null (a null address is the legacy default stream)");
        }
        return onStream(stream.address());
    }
}
