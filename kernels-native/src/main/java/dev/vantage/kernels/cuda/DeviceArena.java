package dev.vantage.kernels.cuda;

/**
 * Device memory for staging host tensors during one call, handed out by bumping an offset. Slices
 * never move while a call holds them: when the current chunk is full a larger one is added, and
 * {@link #reset} folds the chunks into one, so that steady state is one chunk and no allocation.
 */
final class DeviceArena {
    static final long ALIGNMENT = 256;
    private static final long MIN_CHUNK = 1 << 20;

    private long[] addresses = new long[4];
    private long[] sizes = new long[4];
    private int count;
    private long used;

    /** A slice of {@code bytes} (0 allowed), 256-byte aligned and never null. */
    long take(long bytes) {
        long need = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (count == 0 || used + need > sizes[count - 1]) {
            add(Math.max(Math.max(MIN_CHUNK, need), 2 * total()));
        }
        long slice = addresses[count - 1] + used;
        used += need;
        return slice;
    }

    /**
     * Ends a call: the slices become free. Several chunks are replaced by one of their total size,
     * after waiting for the stream, whose copies and kernels may still use them.
     */
    void reset(long stream) {
        used = 0;
        if (count > 1) {
            long total = total();
            CudaLibrary.vantage_stream_synchronize(stream);
            free();
            add(total);
        }
    }

    /** Bytes held on the device. */
    long total() {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += sizes[i];
        }
        return total;
    }

    /** Frees every chunk; a failure here means the context is gone, and its memory with it. */
    void free() {
        while (count > 0) {
            count--;
            Lane.freeQuietly(addresses[count]);
        }
        used = 0;
    }

    private void add(long bytes) {
        if (count == addresses.length) {
            addresses = java.util.Arrays.copyOf(addresses, 2 * count);
            sizes = java.util.Arrays.copyOf(sizes, 2 * count);
        }
        addresses[count] = Native.malloc(bytes);
        sizes[count] = bytes;
        count++;
        used = 0;
    }
}
