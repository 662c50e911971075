package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.oracle.Inputs;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * One kernel family at one size: its inputs, generated from a seed; the minimal bytes each of its
 * kernels must move; and a check of each kernel against the float64 oracle. The benchmark, its
 * anchors and the report share one workload class per family, so what is timed is what is checked.
 *
 * <p>A workload is built from its size parameters (the benchmark's {@code @Param} values) without
 * generating anything, so the report can ask for {@link #traffic} before anything runs. Its inputs
 * and outputs are host arrays; the tensors its kernels get are {@link #placed} where the backend
 * runs (see {@link Placement}), and {@link #close} frees them.
 */
public abstract class Workload implements AutoCloseable {
    /** The seed of every benchmark's inputs. */
    public static final long BENCH_SEED = 20251125L;

    private Placement placement = Placement.HOST;

    /** Minimal bytes one call of {@code kernel} moves at this size. */
    public abstract Traffic traffic(String kernel);

    /** The size as a table shows it, e.g. {@code 2048x32000 BF16}. */
    public abstract String label();

    /** Generates the inputs and output buffers on the host; the same seed gives the same inputs. */
    public final void generate(long seed) {
        generate(seed, Placement.HOST);
    }

    /** Generates the inputs and output buffers, the kernels' tensors placed by {@code where}. */
    public final void generate(long seed, Placement where) {
        close();
        placement = where;
        fill(seed);
    }

    /** Fills the host arrays and builds the kernels' tensors over them with {@link #placed}. */
    protected abstract void fill(long seed);

    /** The tensor the kernels get for {@code host}. */
    protected final Tensor placed(Tensor host) {
        return placement.place(host);
    }

    /**
     * Runs {@code kernel} once on the generated inputs and compares its outputs with the oracle:
     * every row of a small workload, an evenly spread sample of a large one.
     */
    public final Parity check(Backend backend, String kernel) {
        run(backend, kernel);
        placement.fetch();
        return compare(backend.name() + " " + kernel + " " + label(), kernel);
    }

    /** Runs one kernel on the generated inputs (after what it needs, if another kernel makes its inputs). */
    abstract void run(Backend backend, String kernel);

    /** Compares the outputs of the last {@link #run} of {@code kernel}, in the host arrays, with the oracle. */
    abstract Parity compare(String what, String kernel);

    /** Frees the placed tensors; the host arrays stay. */
    @Override
    public void close() {
        placement.close();
        placement = Placement.HOST;
    }

    /** Rows to compare with the oracle: all of up to 64, else 16 spread from the first to the last. */
    protected static int[] sampleRows(int rows) {
        if (rows <= 64) {
            return IntStream.range(0, rows).toArray();
        }
        int[] sample = new int[16];
        for (int k = 0; k < sample.length; k++) {
            sample[k] = (int) ((long) k * (rows - 1) / (sample.length - 1));
        }
        return sample;
    }

    /** The dimensions of a shape parameter such as {@code 2048x32000}. */
    protected static int[] dims(String shape) {
        int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape: " + shape + " does not fit one Java array");
        }
        return dims;
    }

    /**
     * Row {@code r} of a {@code [rows, n]} input: from its own seed, with the distributions of
     * {@link Inputs.Spread} taken in turn, so rows are generated in parallel and each is
     * reproduced alone for the oracle.
     */
    protected static float[] row(long seed, int r, int n) {
        Inputs.Spread spread = Inputs.Spread.values()[r % Inputs.Spread.values().length];
        return new Inputs(seed ^ (r * 0x9E3779B97F4A7C15L)).floats(n, spread);
    }

    /** {@code [rows, n]} floats made of {@link #row}s, generated in parallel. */
    protected static float[] rows(long seed, int rows, int n) {
        float[] out = new float[rows * n];
        IntStream.range(0, rows).parallel().forEach(r -> System.arraycopy(row(seed, r, n), 0, out, r * n, n));
        return out;
    }

    /**
     * {@code n} floats in blocks of {@value #BLOCK}, each a {@link #row} (so the distributions
     * alternate block by block), generated in parallel.
     */
    protected static float[] floats(long seed, int n) {
        float[] out = new float[n];
        IntStream.range(0, (n + BLOCK - 1) / BLOCK).parallel().forEach(k -> {
            int from = k * BLOCK;
            float[] block = row(seed, k, Math.min(BLOCK, n - from));
            System.arraycopy(block, 0, out, from, block.length);
        });
        return out;
    }

    private static final int BLOCK = 1 << 12;

    /** Elements {@code [from, to)} of {@code x} in double, for the oracle. */
    protected static double[] doubles(float[] x, int from, int to) {
        double[] out = new double[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = x[i];
        }
        return out;
    }

    protected static double[] doubles(float[] x) {
        return doubles(x, 0, x.length);
    }
}
