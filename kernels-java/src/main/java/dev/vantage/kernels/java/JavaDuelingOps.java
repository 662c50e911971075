package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.spi.DuelingOps;

import java.util.Arrays;

/**
 * The pure-Java dueling-head aggregation: rows in parallel, each row's {@code [actions, atoms]}
 * block read once for the per-atom aggregate and once more to write.
 */
final class JavaDuelingOps implements DuelingOps {
    private final Parallel parallel;

    JavaDuelingOps(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, long batch, long actions,
                        long atoms, DuelingMode mode) {
        int a = (int) actions;
        int z = (int) atoms;
        parallel.forChunks(batch, JavaLogProbOps.rowGrain(actions * atoms), (chunk, start, end) -> {
            Row row = new Row(z, mode);
            FloatIn v = new FloatIn();
            FloatOut out = new FloatOut();
            for (long b = start; b < end; b++) {
                // A row with no valid action gets -inf everywhere, since every mask entry is false.
                row.load(advantage, actionMask, b, a, z);
                v.load(value, b * z, z);
                out.begin(q, b * a * z, a * z);
                for (int i = 0; i < a; i++) {
                    boolean ok = row.mask.a[row.mask.off + i] != 0;
                    for (int k = 0; k < z; k++) {
                        int at = i * z + k;
                        // Subtracting the aggregate first keeps the argmax action's Q exactly V in max mode.
                        out.a[out.off + at] = ok ? (float) (v.a[v.off + k] + (row.adv.a[row.adv.off + at] - row.agg[k]))
                                : Float.NEGATIVE_INFINITY;
                    }
                }
                out.commit();
            }
        });
    }

    @Override
    public void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                         long batch, long actions, long atoms, DuelingMode mode) {
        int a = (int) actions;
        int z = (int) atoms;
        parallel.forChunks(batch, JavaLogProbOps.rowGrain(actions * atoms), (chunk, start, end) -> {
            Row row = new Row(z, mode);
            FloatIn g = new FloatIn();
            FloatOut gv = new FloatOut();
            FloatOut ga = new FloatOut();
            double[] sum = new double[z];
            for (long b = start; b < end; b++) {
                int valid = mode == DuelingMode.NAIVE ? row.loadMask(actionMask, b, a)
                        : row.load(advantage, actionMask, b, a, z);
                g.load(gradQ, b * a * z, a * z);
                Arrays.fill(sum, 0);
                for (int i = 0; i < a; i++) {
                    if (row.mask.a[row.mask.off + i] != 0) {
                        for (int k = 0; k < z; k++) {
                            sum[k] += g.a[g.off + i * z + k];
                        }
                    }
                }
                gv.begin(gradValue, b * z, z);
                for (int k = 0; k < z; k++) {
                    gv.a[gv.off + k] = (float) sum[k];
                }
                gv.commit();
                double meanWeight = valid == 0 ? 0 : 1.0 / valid;
                ga.begin(gradAdvantage, b * a * z, a * z);
                for (int i = 0; i < a; i++) {
                    boolean ok = row.mask.a[row.mask.off + i] != 0;
                    for (int k = 0; k < z; k++) {
                        int at = i * z + k;
                        double w = mode == DuelingMode.MEAN ? meanWeight
                                : mode == DuelingMode.MAX && row.argmax[k] == i ? 1 : 0;
                        ga.a[ga.off + at] = ok ? (float) (g.a[g.off + at] - sum[k] * w) : 0f;
                    }
                }
                ga.commit();
            }
        });
    }

    /** One row's advantages, mask and per-atom aggregate; reused across the rows of a chunk. */
    private static final class Row {
        final FloatIn adv = new FloatIn();
        final MaskIn mask = new MaskIn(true);
        final DuelingMode mode;
        /** What the mode subtracts from each atom: 0, the max or the mean over valid actions. */
        final double[] agg;
        /** The max mode's argmax per atom: the lowest index among ties, the first NaN if there is one. */
        final int[] argmax;

        Row(int atoms, DuelingMode mode) {
            this.mode = mode;
            this.agg = new double[atoms];
            this.argmax = new int[atoms];
        }

        int loadMask(Tensor actionMask, long b, int a) {
            mask.load(actionMask, b * a, a);
            int valid = 0;
            for (int i = 0; i < a; i++) {
                valid += mask.a[mask.off + i] != 0 ? 1 : 0;
            }
            return valid;
        }

        /** Loads row {@code b} and computes its aggregate; returns the number of valid actions. */
        int load(Tensor advantage, Tensor actionMask, long b, int a, int z) {
            int valid = loadMask(actionMask, b, a);
            adv.load(advantage, b * a * z, a * z);
            Arrays.fill(agg, 0);
            Arrays.fill(argmax, -1);
            if (mode == DuelingMode.NAIVE) {
                return valid;
            }
            for (int i = 0; i < a; i++) {
                if (mask.a[mask.off + i] == 0) {
                    continue;
                }
                for (int k = 0; k < z; k++) {
                    double x = adv.a[adv.off + i * z + k];
                    if (mode == DuelingMode.MEAN) {
                        agg[k] += x;
                    } else if (argmax[k] < 0 || x > agg[k] || (x != x && agg[k] == agg[k])) {
                        // Strict '>' keeps the lowest index among ties; a NaN wins once and stays (as in PyTorch).
                        agg[k] = x;
                        argmax[k] = i;
                    }
                }
            }
            if (mode == DuelingMode.MEAN && valid > 0) {
                for (int k = 0; k < z; k++) {
                    agg[k] /= valid;
                }
            }
            return valid;
        }
    }
}
