package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.loss.LossResult;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One launcher call on a lane. {@link #in} and {@link #out} give the device address of a tensor:
 * device tensors as they are, host tensors through the lane's staging (inputs copied in at once,
 * outputs copied back by {@link #run} after the kernels finished). {@link #run} checks the
 * launcher's status; waits for the stream when the lane is synchronous, a host tensor took part,
 * or a result or the label flag must be read; turns the label flag into an
 * {@link IllegalArgumentException}; and only then writes host outputs. So on a caller's stream a
 * call on device tensors alone, with nothing to read back, stays asynchronous.
 *
 * <pre>
 * try (Call c = Call.open(lanes, "vantage_ratio", "n=" + n)) {
 *     c.run(CudaLibrary.vantage_ratio(c.in(logp), c.in(old), c.in(mask), c.out(ratio), c.out(grad), n, clamp, c.stream()));
 * }
 * </pre>
 */
final class Call implements AutoCloseable {
    private static final int MAX_OUTPUTS = 8;

    private final Lanes lanes;
    private final Lane lane;
    private final String function;
    private final String sizes;
    private final Tensor[] outputs = new Tensor[MAX_OUTPUTS];
    private final long[] outputSlots = new long[MAX_OUTPUTS];
    private int outputCount;
    private boolean readBack;
    private boolean staged;
    private boolean completed;
    private Tensor labels;
    private long classes;
    private int ignoreIndex;
    private ByteBuffer scratch;

    private Call(Lanes lanes, String function, String sizes) {
        this.lanes = lanes;
        this.lane = lanes.acquire();
        this.function = function;
        this.sizes = sizes;
    }

    static Call open(Lanes lanes, String function, String sizes) {
        return new Call(lanes, function, sizes);
    }

    long stream() {
        return lane.stream;
    }

    /** Device address of an input (0 for null); a host tensor is copied to staging now. */
    long in(Tensor t) {
        if (!onHost(t)) {
            return t == null ? 0 : t.address();
        }
        long slot = lane.arena.take(HostTensors.bytes(t));
        lane.toDevice(t, slot, function);
        staged = true;
        return slot;
    }

    /** Device address of an output (0 for null); a host tensor is written back by {@link #run}. */
    long out(Tensor t) {
        if (!onHost(t)) {
            return t == null ? 0 : t.address();
        }
        long slot = lane.arena.take(HostTensors.bytes(t));
        outputs[outputCount] = t;
        outputSlots[outputCount++] = slot;
        return slot;
    }

    private static boolean onHost(Tensor t) {
        return t != null && t.memory() != Tensor.Memory.DEVICE;
    }

    /** Device address of labels whose range the launcher checks through {@link #status}. */
    long labels(Tensor t, long classes, int ignoreIndex) {
        this.labels = t;
        this.classes = classes;
        this.ignoreIndex = ignoreIndex;
        this.readBack = true;
        return in(t);
    }

    /** Device address of the label status word. */
    long status() {
        return lane.scratch() + Lane.STATUS_OFFSET;
    }

    /** Device address of the result doubles, read back by {@link #run}. */
    long result() {
        readBack = true;
        return lane.scratch();
    }

    long workspace(long bytes) {
        return lane.workspace(bytes);
    }

    /** Checks the launcher's return value and completes the call (see the class comment). */
    void run(int status) {
        Native.check(function, sizes, status);
        if (lane.synchronous || staged || outputCount > 0 || readBack) {
            Native.synchronize(lane.stream, function, sizes);
        }
        if (readBack) {
            scratch = lane.readScratch(function);
        }
        if (labels != null && (scratch.getInt((int) Lane.STATUS_OFFSET) & CudaLibrary.VANTAGE_STATUS_BAD_LABEL()) != 0) {
            throw badLabel();
        }
        for (int i = 0; i < outputCount; i++) {
            lane.toHost(outputSlots[i], outputs[i], function);
        }
        completed = true;
    }

    /** Element {@code index} of the result array, after {@link #run}. */
    double result(int index) {
        return scratch.getDouble(index * Double.BYTES);
    }

    /** Result element {@code index} as a count (exact integers are stored in doubles). */
    long count(int index) {
        return (long) result(index);
    }

    /** Result element {@code index} as a flag (0.0 or 1.0). */
    boolean flag(int index) {
        return result(index) != 0;
    }

    /** The first bad label, found on a host copy (the error path only), as the Java backend names it. */
    private IllegalArgumentException badLabel() {
        Tensor host = labels;
        if (labels.memory() == Tensor.Memory.DEVICE) {
            host = HostTensors.heapLike(labels);
            lane.toHost(labels.address(), host, function);
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) HostTensors.bytes(host)).order(ByteOrder.nativeOrder());
        HostTensors.read(host, bytes);
        for (int i = 0; i < host.numel(); i++) {
            int y = bytes.getInt(i * Integer.BYTES);
            if ((y < 0 || y >= classes) && y != ignoreIndex) {
                return new IllegalArgumentException("labels: element " + i + " is " + y + ", expected a value in [0, "
                        + classes + ") or the ignore index " + ignoreIndex);
            }
        }
        return new IllegalArgumentException("labels: the device found a value outside [0, " + classes
                + ") other than the ignore index " + ignoreIndex + " (the labels changed since)");
    }

    // ---- the result records the launchers' result arrays hold ---------------------------------

    AggregateResult aggregateResult() {
        return new AggregateResult(result(CudaLibrary.VANTAGE_AGGREGATE_VALUE()),
                count(CudaLibrary.VANTAGE_AGGREGATE_TOKENS()), flag(CudaLibrary.VANTAGE_AGGREGATE_DEGENERATE()));
    }

    WhitenResult whitenResult() {
        return new WhitenResult(result(CudaLibrary.VANTAGE_WHITEN_MEAN()), result(CudaLibrary.VANTAGE_WHITEN_VARIANCE()),
                count(CudaLibrary.VANTAGE_WHITEN_COUNT()), flag(CudaLibrary.VANTAGE_WHITEN_DEGENERATE()));
    }

    LossResult lossResult() {
        return new LossResult(result(CudaLibrary.VANTAGE_LOSS_VALUE()), count(CudaLibrary.VANTAGE_LOSS_COUNT()),
                flag(CudaLibrary.VANTAGE_LOSS_DEGENERATE()));
    }

    @Override
    public void close() {
        try {
            if (!completed && lane.holdsDeviceMemory()) {
                // A failed call may have enqueued work that still uses the lane's memory; the next
                // user of the lane may run on another stream. Its errors were reported already.
                CudaLibrary.vantage_stream_synchronize(lane.stream);
            }
            lane.arena.reset(lane.stream);
        } finally {
            lanes.release(lane);
        }
    }
}
