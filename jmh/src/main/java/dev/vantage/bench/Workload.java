package dev.vantage.bench;

import dev.vantage.kernels.Backend;

/**
 * One kernel family at one size: its inputs, generated from a seed; the minimal bytes each of its
 * kernels must move; and a check of each kernel against the float64 oracle. The benchmark, its
 * anchors and the report share one workload class per family, so what is timed is what is checked.
 *
 * <p>A workload is built from its size parameters (the benchmark's {@code @Param} values) without
 * generating anything, so the report can ask for {@link #traffic} before anything runs.
 */
public abstract class Workload {
    /** The seed of every benchmark's inputs. */
    public static final long BENCH_SEED = 20251125L;

    /** Minimal bytes one call of {@code kernel} moves at this size. */
    public abstract Traffic traffic(String kernel);

    /** Generates the inputs and output buffers; the same seed gives the same inputs. */
    public abstract void generate(long seed);

    /**
     * Runs {@code kernel} once on the generated inputs and compares its outputs with the oracle:
     * every row of a small workload, an evenly spread sample of a large one.
     */
    public abstract Parity check(Backend backend, String kernel);

    /** The size as a table shows it, e.g. {@code 2048x32000 BF16}. */
    public abstract String label();

    /** Rows to compare with the oracle: all of up to 64, else 16 spread from the first to the last. */
    protected static int[] sampleRows(int rows) {
        if (rows <= 64) {
            return java.util.stream.IntStream.range(0, rows).toArray();
        }
        int[] sample = new int[16];
        for (int k = 0; k < sample.length; k++) {
            sample[k] = (int) ((long) k * (rows - 1) / (sample.length - 1));
        }
        return sample;
    }
}
