package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The machine's practical memory bandwidth, measured in the same run as the kernels and at the
 * same number of bytes, on all cores (the kernels use them all):
 * <ul>
 *   <li>{@code copy}: a plain copy that moves {@code mib} MiB (reads half, writes half), chunk by
 *       chunk with {@link System#arraycopy}: the yardstick of "% of copy";</li>
 *   <li>{@code read}: a read-only pass over {@code mib} MiB, the floor of any kernel that must read
 *       that much: {@link Arrays#mismatch} of two equal halves, which the JIT runs as a vectorised
 *       intrinsic. (A plain summing loop measured 2-3 times slower here: it is limited by the core,
 *       not by memory.)</li>
 * </ul>
 * Methodology in {@link Timed}.
 */
public class Bandwidth extends Timed {
    /** Chunks per call: several per core, so that a slow core does not hold up the others. */
    private static final int CHUNKS = 64;

    /** Bytes moved by one call, in MiB. */
    @Param({"256"})
    public int mib;

    /** Two equal halves, so that the copy writes what is there and the read finds no mismatch. */
    private long[] words;

    @Setup(Level.Trial)
    public void setUp() {
        words = new long[mib << 17];
        // Random words: a page of zeros could be served without touching memory.
        SplittableRandom random = new SplittableRandom(Workload.BENCH_SEED);
        for (int i = 0; i < words.length / 2; i++) {
            words[i] = random.nextLong();
        }
        System.arraycopy(words, 0, words, words.length / 2, words.length / 2);
    }

    /** Copies the first half of the words onto the second half. */
    @Benchmark
    public void copy() {
        int half = words.length / 2;
        IntStream.range(0, CHUNKS).parallel().forEach(c -> {
            int from = chunkStart(c, half);
            System.arraycopy(words, from, words, half + from, chunkStart(c + 1, half) - from);
        });
    }

    /** Compares the first half of the words with the second, which is equal: every word is read once. */
    @Benchmark
    public long read() {
        int half = words.length / 2;
        return IntStream.range(0, CHUNKS).parallel().mapToLong(c -> {
            int from = chunkStart(c, half);
            int to = chunkStart(c + 1, half);
            return Arrays.mismatch(words, from, to, words, half + from, half + to);
        }).sum();
    }

    private static int chunkStart(int chunk, int length) {
        return (int) ((long) chunk * length / CHUNKS);
    }
}
