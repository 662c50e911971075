package dev.vantage.kernels.cuda;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The lanes of the shared backend: each call runs on the calling thread's default stream
 * ({@code cudaStreamPerThread}) and waits for its kernels, so a lane is idle when it returns to
 * the pool and any thread may take it next. The pool holds as many lanes as calls ever ran at
 * once, for the life of the JVM.
 */
final class SharedLanes implements Lanes {
    static final SharedLanes INSTANCE = new SharedLanes();

    private final ConcurrentLinkedDeque<Lane> idle = new ConcurrentLinkedDeque<>();

    private SharedLanes() {
    }

    @Override
    public Lane acquire() {
        Lane lane = idle.pollFirst();
        return lane != null ? lane : new Lane(CudaLibrary.STREAM_PER_THREAD, true);
    }

    @Override
    public void release(Lane lane) {
        idle.addFirst(lane);
    }
}
