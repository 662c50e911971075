package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

import java.util.Arrays;

/**
 * {@link EpisodeScan}'s recurrence for the common case: rows without episode flags whose valid
 * steps are a prefix (right padding). The deltas {@code δ_t = r_t + γ·V_{t+1} - V_t} do not depend
 * on each other: the loops' {@link RowLoops#gaeDeltas} computes a row's in one vector pass. What
 * is left, {@code A_t = δ_t + γλ·A_{t+1}}, waits on the previous step, so one row would run at the
 * latency of a multiply and an add; here {@value #LANES} rows advance together, their chains
 * overlap, and a lane that finishes its row writes it out ({@link RowLoops#gaeOutputs}, vector
 * conversions) and takes the next one, longest rows first. The operations and their order are
 * EpisodeScan's, so the results are bit-identical to it; a row whose mask is not a prefix, and a
 * chunk whose arrays are not at one offset, go to EpisodeScan.
 *
 * <p>A chunk of rows owns one instance.
 */
final class LaneScan {
    static final int LANES = 8;
    /**
     * Each lane's stretch of {@code len} doubles: its row's deltas, turned into advantages in place
     * as the lane steps back. Kept per thread, to the longest rows it has seen (LANES·T doubles).
     */
    private static final ThreadLocal<double[]> CHAINS = ThreadLocal.withInitial(() -> new double[0]);

    private final RowLoops loops;
    private final FloatIn r = new FloatIn();
    private final FloatIn v = new FloatIn();
    private final FloatIn boot = new FloatIn();
    private final MaskIn m = new MaskIn(true);
    private final FloatOut adv = new FloatOut();
    private final FloatOut ret = new FloatOut();
    private final EpisodeScan general = new EpisodeScan();
    /** At least a row of ones and of zeros to compare masks with (shared where short enough). */
    private byte[] ones = new byte[0];
    private byte[] zeros = new byte[0];
    private double[] chain;
    private int len;

    /**
     * Each lane's row (array index of its first step, -1: none) and its valid steps; the lane's next
     * step in the chain, the steps it has left, and the advantage it carries.
     */
    private final int[] rowAt = new int[LANES];
    private final int[] rowSteps = new int[LANES];
    private final int[] at = new int[LANES];
    private final int[] left = new int[LANES];
    private final double[] nextAdvantage = new double[LANES];

    LaneScan(RowLoops loops) {
        this.loops = loops;
    }

    /**
     * Scans rows {@code [start, end)} of {@code [*, len]} tensors; {@code values}, {@code bootstrap}
     * and {@code returns} may be null (values and bootstrap values read as 0, no returns written).
     */
    void run(Tensor rewards, Tensor values, Tensor mask, Tensor bootstrap, Tensor advantages, Tensor returns,
             long start, long end, int len, double gamma, double gammaLambda) {
        int rows = (int) (end - start);
        int n = rows * len;
        long first = start * len;
        boolean hasValues = values != null;
        boolean hasRet = returns != null;
        r.load(rewards, first, n);
        m.load(mask, first, n);
        adv.begin(advantages, first, n);
        if (hasValues) {
            v.load(values, first, n);
        }
        if (hasRet) {
            ret.begin(returns, first, n);
        }
        if (bootstrap != null) {
            boot.load(bootstrap, first, n);
        }
        this.len = len;
        if (CHAINS.get().length < LANES * len) {
            CHAINS.set(new double[LANES * len]);
        }
        chain = CHAINS.get();
        // The lanes index all arrays alike (fewer registers); windows at different offsets are rare.
        int o = r.off;
        boolean aligned = adv.off == o && (!hasValues || v.off == o) && (!hasRet || ret.off == o);
        // Longest rows first, so that the lanes run out of rows at about the same time.
        long[] queue = new long[rows];
        int queued = 0;
        for (int b = 0; b < rows; b++) {
            int row0 = b * len;
            int last = aligned ? lastValid(row0, len) : -2;
            if (last == -2) {
                general.load(values, mask, null, null, bootstrap, first + row0, len)
                        .run(r.a, r.off + row0, len, gamma, gammaLambda, adv.a, adv.off + row0,
                                hasRet ? ret.a : null, ret.off + row0);
                continue;
            }
            Arrays.fill(adv.a, o + row0 + last + 1, o + row0 + len, 0f);
            if (hasRet) {
                Arrays.fill(ret.a, o + row0 + last + 1, o + row0 + len, 0f);
            }
            if (last >= 0) {
                queue[queued++] = (long) last << 32 | row0;
            }
        }
        Arrays.sort(queue, 0, queued);
        Arrays.fill(rowAt, -1);
        Arrays.fill(left, 0);
        while (true) {
            int steps = Integer.MAX_VALUE;
            for (int k = 0; k < LANES; k++) {
                if (left[k] == 0 && rowAt[k] >= 0) {
                    finish(k, hasValues, hasRet);
                }
                if (left[k] == 0 && queued > 0) {
                    long next = queue[--queued];
                    begin(k, o + (int) next, (int) (next >>> 32), bootstrap != null, hasValues, gamma);
                }
                steps = Math.min(steps, left[k]);
            }
            if (steps > 0) {
                steps(steps, gammaLambda);
            } else if (queued == 0) {
                break;
            } // else a lane's row had one valid step: it takes the next
        }
        for (int k = 0; k < LANES; k++) {
            if (rowAt[k] >= 0) {
                single(k, gammaLambda);
                finish(k, hasValues, hasRet);
            }
        }
        adv.commit();
        if (hasRet) {
            ret.commit();
        }
    }

    /**
     * Starts lane {@code k} on the row at array index {@code row} whose last valid step is
     * {@code last}: the deltas before that step into the lane's stretch of the chain, then the
     * last step's advantage (its delta, with the bootstrap value for {@code V_{t+1}}).
     */
    private void begin(int k, int row, int last, boolean hasBoot, boolean hasValues, double gamma) {
        int base = k * len;
        loops.gaeDeltas(r.a, hasValues ? v.a : null, row, last, gamma, chain, base);
        int i = row + last;
        double value = hasValues ? v.a[i] : 0;
        double next = hasBoot ? boot.a[boot.off - r.off + i] : 0f;
        double advantage = r.a[i] + gamma * next - value;
        chain[base + last] = advantage;
        rowAt[k] = row;
        rowSteps[k] = last + 1;
        at[k] = base + last - 1;
        left[k] = last;
        nextAdvantage[k] = advantage;
    }

    /** Writes lane {@code k}'s finished row out and frees the lane. */
    private void finish(int k, boolean hasValues, boolean hasRet) {
        int row = rowAt[k];
        loops.gaeOutputs(chain, k * len, rowSteps[k], hasValues ? v.a : null, adv.a, hasRet ? ret.a : null, row);
        rowAt[k] = -1;
    }

    /**
     * The last valid step of the row at window index {@code row0}: -1 if none, -2 if its valid
     * steps are not a prefix (Arrays.mismatch runs vectorised).
     */
    private int lastValid(int row0, int len) {
        if (ones.length < len) {
            ones = MaskIn.filled(true, len);
            zeros = MaskIn.filled(false, len);
        }
        int from = m.off + row0;
        int firstInvalid = Arrays.mismatch(m.a, from, from + len, ones, 0, len);
        if (firstInvalid < 0) {
            return len - 1;
        }
        boolean padded = Arrays.mismatch(m.a, from + firstInvalid, from + len, zeros, 0, len - firstInvalid) < 0;
        return padded ? firstInvalid - 1 : -2;
    }

    /**
     * Runs {@code n} steps of all lanes, {@code A = δ + γλ·A'} in place, written out by hand so
     * that the JIT keeps what each lane carries in registers.
     */
    private void steps(int n, double gammaLambda) {
        double[] c = chain;
        int p0 = at[0];
        int p1 = at[1];
        int p2 = at[2];
        int p3 = at[3];
        int p4 = at[4];
        int p5 = at[5];
        int p6 = at[6];
        int p7 = at[7];
        double a0 = nextAdvantage[0];
        double a1 = nextAdvantage[1];
        double a2 = nextAdvantage[2];
        double a3 = nextAdvantage[3];
        double a4 = nextAdvantage[4];
        double a5 = nextAdvantage[5];
        double a6 = nextAdvantage[6];
        double a7 = nextAdvantage[7];
        for (int s = 0; s < n; s++) {
            a0 = c[p0 - s] + gammaLambda * a0;
            a1 = c[p1 - s] + gammaLambda * a1;
            a2 = c[p2 - s] + gammaLambda * a2;
            a3 = c[p3 - s] + gammaLambda * a3;
            a4 = c[p4 - s] + gammaLambda * a4;
            a5 = c[p5 - s] + gammaLambda * a5;
            a6 = c[p6 - s] + gammaLambda * a6;
            a7 = c[p7 - s] + gammaLambda * a7;
            c[p0 - s] = a0;
            c[p1 - s] = a1;
            c[p2 - s] = a2;
            c[p3 - s] = a3;
            c[p4 - s] = a4;
            c[p5 - s] = a5;
            c[p6 - s] = a6;
            c[p7 - s] = a7;
        }
        nextAdvantage[0] = a0;
        nextAdvantage[1] = a1;
        nextAdvantage[2] = a2;
        nextAdvantage[3] = a3;
        nextAdvantage[4] = a4;
        nextAdvantage[5] = a5;
        nextAdvantage[6] = a6;
        nextAdvantage[7] = a7;
        for (int k = 0; k < LANES; k++) {
            at[k] -= n;
            left[k] -= n;
        }
    }

    /** Runs lane {@code k} to the start of its row. */
    private void single(int k, double gammaLambda) {
        double a = nextAdvantage[k];
        for (int i = at[k], end = at[k] - left[k]; i > end; i--) {
            a = chain[i] + gammaLambda * a;
            chain[i] = a;
        }
        at[k] -= left[k];
        left[k] = 0;
    }
}
