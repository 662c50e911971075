package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Backend;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The CUDA backend bound to a stream the caller owns (from {@link CudaBackends#onStream}), for
 * running the kernels inside another stack's stream order without a round trip to the host.
 *
 * <p>Calls whose tensors are all on the device, that return nothing and read no labels, are only
 * enqueued: ratio, KL, implicit reward, sequence sums, aggregation backward, GAE, returns, GRPO,
 * RLOO, broadcast and the dueling heads. Calls that return a result (PPO, aggregate, whiten,
 * REINFORCE++, the losses), read labels (log-prob forward and backward, comp-sum) or stage host
 * tensors wait for the stream before they return. Errors of enqueued kernels surface at the next
 * waiting call or {@link #synchronize}.
 *
 * <p>Its workspace and staging memory belong to this object: {@link #close} waits for the stream
 * and frees them. It does not destroy the caller's stream. Calls from several threads are
 * serialized, as the stream serializes them anyway.
 */
public final class CudaStream implements AutoCloseable {
    private final long handle;
    private final Lane lane;
    private final ReentrantLock lock = new ReentrantLock();
    private final Backend backend;
    private boolean closed;

    CudaStream(long handle) {
        this.handle = handle;
        this.lane = new Lane(handle, false);
        this.backend = Backend.of(new CudaBackendProvider(new Bound(), null));
    }

    /** The backend whose calls run on this stream. */
    public Backend backend() {
        return backend;
    }

    /** The raw {@code cudaStream_t} (0: the legacy default stream). */
    public long handle() {
        return handle;
    }

    /** Waits until every kernel enqueued on the stream has finished; reports their errors. */
    public void synchronize() {
        lock.lock();
        try {
            requireOpen();
            Native.synchronize(handle, "vantage_stream_synchronize", "stream=0x" + Long.toHexString(handle));
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the stream and frees this binding's memory; later calls fail. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                lane.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("stream 0x" + Long.toHexString(handle) + ": this CudaStream is closed");
        }
    }

    @Override
    public String toString() {
        return "CudaStream[0x" + Long.toHexString(handle) + (closed ? ", closed]" : "]");
    }

    /** The one lane, held under the lock for the length of a call. */
    private final class Bound implements Lanes {
        @Override
        public Lane acquire() {
            lock.lock();
            if (closed) {
                lock.unlock();
                requireOpen();
            }
            return lane;
        }

        @Override
        public void release(Lane released) {
            lock.unlock();
        }
    }
}
