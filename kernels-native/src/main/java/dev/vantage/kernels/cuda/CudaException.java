package dev.vantage.kernels.cuda;

/**
 * A call into the CUDA library failed: the CUDA runtime refused a launch, a copy or an allocation,
 * or a kernel failed while running (reported at the next synchronization). The message names the
 * error ({@code vantage_status_string}), the C function and the sizes it was called with.
 *
 * <p>Some CUDA errors (an illegal address, a launch failure) leave the device unusable for the
 * rest of the process; every later call then fails with the same error.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String function;

    CudaException(String function, String sizes, int status) {
        super(function + "(" + sizes + ") failed: " + CudaProbe.describe(status));
        this.status = status;
        this.function = function;
    }

    /** The return value: a {@code cudaError_t} when positive, a {@code vantage_status} when negative. */
    public int status() {
        return status;
    }

    /** The C function that returned it, e.g. {@code vantage_logprob_forward}. */
    public String function() {
        return function;
    }
}
