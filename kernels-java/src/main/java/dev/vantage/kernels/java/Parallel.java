package dev.vantage.kernels.java;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Runs a loop body over fixed chunks of {@code [0, n)} on a pool. Chunk boundaries depend only on
 * {@code n} and the grain, never on the number of threads, so a reduction that stores one partial
 * per chunk and adds the partials in chunk order gives bit-identical results on any pool.
 */
final class Parallel {
    /** Upper bound on chunks per call, which bounds the partials a reduction allocates. */
    static final int MAX_CHUNKS = 256;

    /** A loop body over the half-open range {@code [start, end)}, the {@code chunk}-th of the call. */
    @FunctionalInterface
    interface Body {
        void run(int chunk, long start, long end);
    }

    /**
     * A reduction body: adds this chunk's {@code width} partial sums into
     * {@code acc[at, at + width)}, which starts at zero.
     */
    @FunctionalInterface
    interface ReduceBody {
        void run(long start, long end, double[] acc, int at);
    }

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() {
        return threads;
    }

    /** Chunk length for {@code n} items with at least {@code grain} items a chunk. */
    static long chunkLength(long n, long grain) {
        long byCount = (n + MAX_CHUNKS - 1) / MAX_CHUNKS;
        return Math.max(Math.max(grain, byCount), 1);
    }

    /** Number of chunks {@link #forChunks} uses for {@code n} items. */
    static int chunkCount(long n, long grain) {
        return (int) ((n + chunkLength(n, grain) - 1) / chunkLength(n, grain));
    }

    /** Runs {@code body} on every chunk of {@code [0, n)}, in parallel when there are several. */
    void forChunks(long n, long grain, Body body) {
        long length = chunkLength(n, grain);
        int chunks = chunkCount(n, grain);
        if (chunks == 0) {
            return;
        }
        if (pool == null || chunks == 1) {
            for (int c = 0; c < chunks; c++) {
                body.run(c, c * length, Math.min(n, (c + 1) * length));
            }
            return;
        }
        pool.invoke(new Chunks(body, n, length, 0, chunks));
    }

    /**
     * Sums {@code width} quantities over {@code [0, n)}: each chunk accumulates its partials, and
     * the partials are added in chunk order, so the totals do not depend on the thread count.
     */
    double[] reduce(long n, long grain, int width, ReduceBody body) {
        double[] partials = new double[chunkCount(n, grain) * width];
        forChunks(n, grain, (chunk, start, end) -> body.run(start, end, partials, chunk * width));
        double[] totals = new double[width];
        for (int at = 0; at < partials.length; at += width) {
            for (int k = 0; k < width; k++) {
                totals[k] += partials[at + k];
            }
        }
        return totals;
    }

    private static final class Chunks extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient Body body;
        private final long n;
        private final long length;
        private final int from;
        private final int to;

        Chunks(Body body, long n, long length, int from, int to) {
            this.body = body;
            this.n = n;
            this.length = length;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.run(from, from * length, Math.min(n, (from + 1) * length));
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Chunks(body, n, length, from, mid), new Chunks(body, n, length, mid, to));
        }
    }
}
