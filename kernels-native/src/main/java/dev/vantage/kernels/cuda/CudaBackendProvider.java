package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.spi.AdvantageOps;
import dev.vantage.kernels.spi.Availability;
import dev.vantage.kernels.spi.BackendProvider;
import dev.vantage.kernels.spi.DuelingOps;
import dev.vantage.kernels.spi.LogProbOps;
import dev.vantage.kernels.spi.LossOps;
import dev.vantage.kernels.spi.ObjectiveOps;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The CUDA backend ({@code cuda}, priority 100): the hand-written kernels of
 * {@code libvantage_cuda.so} behind the public API, on device 0.
 *
 * <ul>
 *   <li><b>Memory.</b> {@link Tensor.Memory#DEVICE} tensors are used in place (zero copy: a
 *       {@link DeviceBuffer}, or memory of another stack through {@link CudaBackends#tensor}).
 *       As a convenience, {@link Tensor.Memory#HEAP} and {@link Tensor.Memory#BUFFER} tensors are
 *       staged: copied to device memory before the kernels and back after them, so any code written
 *       for the Java backend runs unchanged, at the cost of the copies.</li>
 *   <li><b>Synchronization.</b> Every call of this backend returns when its kernels have finished,
 *       on the calling thread's own default stream ({@code cudaStreamPerThread}), so calls from
 *       several threads run concurrently and safely. That stream waits for the legacy default
 *       stream but for no other: device data written on another stream must be complete (synchronize
 *       it) before the call. A call on a caller's stream
 *       ({@link CudaBackends#onStream}) stays asynchronous when all its tensors are on the device
 *       and it returns nothing and reads no labels; the others wait for the stream.</li>
 *   <li><b>Errors.</b> A CUDA error becomes a {@link CudaException} naming the error, the C
 *       function and the sizes. A label outside {@code [0, V)}, found by the device, becomes the
 *       same {@link IllegalArgumentException} as on the Java backend, and no output is written.</li>
 * </ul>
 *
 * <p>Availability is probed once (see {@code CudaProbe}): without the native library, a driver or
 * a device, this provider reports why and {@link dev.vantage.kernels.Vantage#backend()} picks the
 * next backend.
 */
public final class CudaBackendProvider implements BackendProvider {
    private final Availability forced;
    private final LogProbOps logprob;
    private final AdvantageOps advantage;
    private final DuelingOps dueling;
    private final LossOps loss;
    private final ObjectiveOps objective;

    /** The shared backend (used by {@link java.util.ServiceLoader}); probing waits for the first question. */
    public CudaBackendProvider() {
        this(SharedLanes.INSTANCE, null);
    }

    /** A backend whose calls take their lanes from {@code lanes}; {@code forced} overrides the probe (tests). */
    CudaBackendProvider(Lanes lanes, Availability forced) {
        this.forced = forced;
        this.logprob = new CudaLogProbOps(lanes);
        this.advantage = new CudaAdvantageOps(lanes);
        this.dueling = new CudaDuelingOps(lanes);
        this.loss = new CudaLossOps(lanes);
        this.objective = new CudaObjectiveOps(lanes);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return forced != null ? forced : CudaProbe.get().availability();
    }

    @Override
    public Set<Tensor.Memory> memories() {
        return EnumSet.allOf(Tensor.Memory.class);
    }

    @Override
    public List<String> details() {
        List<String> lines = new ArrayList<>(CudaProbe.get().details());
        lines.add("calls: synchronous, each thread on its own default stream; CudaBackends.onStream for a caller's stream");
        return lines;
    }

    @Override
    public LogProbOps logprob() {
        return logprob;
    }

    @Override
    public AdvantageOps advantage() {
        return advantage;
    }

    @Override
    public DuelingOps dueling() {
        return dueling;
    }

    @Override
    public LossOps loss() {
        return loss;
    }

    @Override
    public ObjectiveOps objective() {
        return objective;
    }
}
