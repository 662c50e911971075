package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.spi.DuelingOps;

import java.util.Arrays;

/**
 * The pure-Java dueling-head aggregation: rows in parallel, each row's {@code [actions, atoms]}
 * block read once for the per-atom aggregate and once more to write. Heads without atoms or a mask
 * (a DQN's) take a shorter path: float aggregates, the loops' {@link RowLoops#centerRows}.
 */
final class JavaDuelingOps implements DuelingOps {
    private final Parallel parallel;
    private final RowLoops loops;

    JavaDuelingOps(Parallel parallel, RowLoops loops) {
        this.parallel = parallel;
        this.loops = loops;
    }

    /**
     * Rows a chunk holds: a multiple of 16, so that the SIMD loops, which sum 16 rows at a time, do
     * not leave a few rows over in every chunk (those go one at a time, with a butterfly each).
     */
    private static long grain(long batch, long width) {
        long grain = Math.max(JavaLogProbOps.rowGrain(width), (batch + Parallel.MAX_CHUNKS - 1) / Parallel.MAX_CHUNKS);
        return (grain + 15) / 16 * 16;
    }

    @Override
    public void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, long batch, long actions,
                        long atoms, DuelingMode mode) {
        int a = (int) actions;
        int z = (int) atoms;
        // Rows are short (tens of actions): views are taken once per chunk, not once per row.
        parallel.forChunks(batch, grain(batch, actions * atoms), (chunk, start, end) -> {
            int n = (int) (end - start);
            FloatIn v = new FloatIn().load(value, start * z, n * z);
            FloatOut out = new FloatOut().begin(q, start * a * z, n * a * z);
            if (z == 1 && actionMask == null) {
                FloatIn x = new FloatIn().load(advantage, start * a, n * a);
                loops.centerRows(x.a, x.off, v.a, v.off, n, a, mode, out.a, out.off, null, 0);
                out.commit();
                return;
            }
            Block block = new Block(advantage, actionMask, start, n, a, z, mode);
            for (int r = 0; r < n; r++) {
                // A row with no valid action gets -inf everywhere, since every mask entry is false.
                block.aggregate(r);
                int adv = block.adv.off + r * a * z;
                int o = out.off + r * a * z;
                int m = block.mask.off + r * a;
                int vo = v.off + r * z;
                byte[] mask = block.mask.a;
                float[] in = block.adv.a;
                float[] qa = out.a;
                for (int k = 0; k < z; k++) {
                    double vk = v.a[vo + k];
                    double aggK = block.agg[k];
                    for (int i = 0; i < a; i++) {
                        int at = i * z + k;
                        // Subtracting the aggregate first keeps the argmax action's Q exactly V in max mode.
                        qa[o + at] = mask[m + i] != 0 ? (float) (vk + (in[adv + at] - aggK)) : Float.NEGATIVE_INFINITY;
                    }
                }
            }
            out.commit();
        });
    }

    @Override
    public void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                         long batch, long actions, long atoms, DuelingMode mode) {
        int a = (int) actions;
        int z = (int) atoms;
        parallel.forChunks(batch, grain(batch, actions * atoms), (chunk, start, end) -> {
            int n = (int) (end - start);
            if (z == 1 && actionMask == null) {
                plainBackward(advantage, gradQ, gradValue, gradAdvantage, start, n, a, mode);
                return;
            }
            Block block = new Block(mode == DuelingMode.MAX ? advantage : null, actionMask, start, n, a, z, mode);
            FloatIn g = new FloatIn().load(gradQ, start * a * z, n * a * z);
            FloatOut gv = new FloatOut().begin(gradValue, start * z, n * z);
            FloatOut ga = new FloatOut().begin(gradAdvantage, start * a * z, n * a * z);
            byte[] mask = block.mask.a;
            for (int r = 0; r < n; r++) {
                int valid = block.aggregate(r);
                int go = g.off + r * a * z;
                int o = ga.off + r * a * z;
                int m = block.mask.off + r * a;
                for (int k = 0; k < z; k++) {
                    double sum = 0;
                    for (int i = 0; i < a; i++) {
                        sum += mask[m + i] != 0 ? g.a[go + i * z + k] : 0;
                    }
                    gv.a[gv.off + r * z + k] = (float) sum;
                    // What each valid action's gradient gives up to the aggregate: ∂agg/∂A_i · Σ gradQ.
                    double share = mode == DuelingMode.MEAN ? (valid == 0 ? 0 : sum / valid) : 0;
                    int argmax = mode == DuelingMode.MAX ? block.argmax[k] : -1;
                    for (int i = 0; i < a; i++) {
                        int at = i * z + k;
                        double taken = i == argmax ? sum : share;
                        ga.a[o + at] = mask[m + i] != 0 ? (float) (g.a[go + at] - taken) : 0f;
                    }
                }
            }
            gv.commit();
            ga.commit();
        });
    }

    /**
     * The backward of {@code n} rows from {@code start} without atoms or a mask, aggregates in float:
     * {@code dV = Σ_i gradQ_i}, {@code dA_i = gradQ_i - dV/A} (mean), {@code - dV} at the argmax (max).
     */
    private void plainBackward(Tensor advantage, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage, long start,
                               int n, int a, DuelingMode mode) {
        FloatIn g = new FloatIn().load(gradQ, start * a, n * a);
        FloatOut gv = new FloatOut().begin(gradValue, start, n);
        FloatOut ga = new FloatOut().begin(gradAdvantage, start * a, n * a);
        // dV = Σ gradQ into gv; dA = gradQ - dV/A (mean), gradQ (naive, and max but at the argmax).
        loops.centerRows(g.a, g.off, null, 0, n, a, mode == DuelingMode.MEAN ? mode : DuelingMode.NAIVE, ga.a, ga.off,
                gv.a, gv.off);
        if (mode == DuelingMode.MAX) {
            FloatIn x = new FloatIn().load(advantage, start * a, n * a);
            int[] argmax = new int[n];
            loops.argmaxRows(x.a, x.off, n, a, argmax);
            for (int r = 0; r < n; r++) {
                int at = r * a + argmax[r];
                ga.a[ga.off + at] = g.a[g.off + at] - gv.a[gv.off + r];
            }
        }
        gv.commit();
        ga.commit();
    }

    /**
     * The advantages and mask of a chunk's rows, and the per-atom aggregate of the row last passed
     * to {@link #aggregate}. Without advantages (the naive and mean backward need none) only the mask
     * is read.
     */
    private static final class Block {
        final FloatIn adv = new FloatIn();
        final MaskIn mask = new MaskIn(true);
        final DuelingMode mode;
        final int actions;
        final int atoms;
        final boolean hasAdvantages;
        /** What the mode subtracts from each atom: 0, the max or the mean over valid actions. */
        final double[] agg;
        /** The max mode's argmax per atom: the lowest index among ties, the first NaN if there is one. */
        final int[] argmax;

        Block(Tensor advantage, Tensor actionMask, long start, int rows, int actions, int atoms, DuelingMode mode) {
            this.mode = mode;
            this.actions = actions;
            this.atoms = atoms;
            this.hasAdvantages = advantage != null;
            this.agg = new double[atoms];
            this.argmax = new int[atoms];
            mask.load(actionMask, start * actions, rows * actions);
            if (hasAdvantages) {
                adv.load(advantage, start * actions * atoms, rows * actions * atoms);
            }
        }

        /** Computes row {@code r}'s aggregate (when the mode has one); returns its number of valid actions. */
        int aggregate(int r) {
            byte[] valid = mask.a;
            int m = mask.off + r * actions;
            int count = 0;
            for (int i = 0; i < actions; i++) {
                count += valid[m + i] != 0 ? 1 : 0;
            }
            if (mode == DuelingMode.NAIVE || !hasAdvantages) {
                return count;
            }
            float[] x = adv.a;
            int base = adv.off + r * actions * atoms;
            for (int k = 0; k < atoms; k++) {
                if (mode == DuelingMode.MEAN) {
                    double sum = 0;
                    for (int i = 0; i < actions; i++) {
                        sum += valid[m + i] != 0 ? x[base + i * atoms + k] : 0;
                    }
                    agg[k] = count > 0 ? sum / count : 0;
                } else {
                    double best = 0;
                    int at = -1;
                    for (int i = 0; i < actions; i++) {
                        double xi = x[base + i * atoms + k];
                        // Strict '>' keeps the lowest index among ties; a NaN wins once and stays (as in PyTorch).
                        if (valid[m + i] != 0 && (at < 0 || xi > best || (xi != xi && best == best))) {
                            best = xi;
                            at = i;
                        }
                    }
                    agg[k] = best;
                    argmax[k] = at;
                }
            }
            return count;
        }
    }
}
