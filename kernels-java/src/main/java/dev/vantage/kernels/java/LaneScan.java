package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

import java.util.Arrays;

/**
 * {@link EpisodeScan}'s recurrence for the common case: rows without episode flags whose valid
 * steps are a prefix (right padding). Each step waits for the previous step's advantage, so one
 * row runs at the latency of a multiply and an add; here {@value #LANES} rows advance together,
 * their chains overlap, and a lane that finishes its row takes the next one, longest rows first.
 * The operations and their order are EpisodeScan's, so the results are bit-identical to it; a row
 * whose mask is not a prefix, and a chunk whose arrays are not at one offset, go to EpisodeScan.
 *
 * <p>A chunk of rows owns one instance.
 */
final class LaneScan {
    static final int LANES = 4;

    private final FloatIn r = new FloatIn();
    private final FloatIn v = new FloatIn();
    private final FloatIn boot = new FloatIn();
    private final MaskIn m = new MaskIn(true);
    private final FloatOut adv = new FloatOut();
    private final FloatOut ret = new FloatOut();
    private final EpisodeScan general = new EpisodeScan();
    private byte[] ones = new byte[0];
    private byte[] zeros = new byte[0];

    /** Array index of each lane's next step, the steps it has left, and what it carries. */
    private final int[] at = new int[LANES];
    private final int[] left = new int[LANES];
    private final double[] nextValue = new double[LANES];
    private final double[] nextAdvantage = new double[LANES];

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
        Arrays.fill(left, 0);
        while (true) {
            for (int k = 0; k < LANES; k++) {
                if (left[k] == 0 && queued > 0) {
                    long next = queue[--queued];
                    begin(k, o + (int) next + (int) (next >>> 32), bootstrap != null, hasValues, hasRet, gamma);
                    left[k] = (int) (next >>> 32);
                }
            }
            int steps = Math.min(Math.min(left[0], left[1]), Math.min(left[2], left[3]));
            if (steps > 0) {
                steps(steps, hasValues, hasRet, gamma, gammaLambda);
            } else if (queued == 0) {
                break;
            } // else a lane's row had one valid step: it takes the next
        }
        for (int k = 0; k < LANES; k++) {
            single(k, hasValues, hasRet, gamma, gammaLambda);
        }
        adv.commit();
        if (hasRet) {
            ret.commit();
        }
    }

    /** Starts lane {@code k} on a row, at its last valid step, array index {@code i}. */
    private void begin(int k, int i, boolean hasBoot, boolean hasValues, boolean hasRet, double gamma) {
        double value = hasValues ? v.a[i] : 0;
        double next = hasBoot ? boot.a[boot.off - r.off + i] : 0f;
        double advantage = r.a[i] + gamma * next - value;
        adv.a[i] = (float) advantage;
        if (hasRet) {
            ret.a[i] = (float) (advantage + value);
        }
        at[k] = i - 1;
        nextValue[k] = value;
        nextAdvantage[k] = advantage;
    }

    /**
     * The last valid step of the row at window index {@code row0}: -1 if none, -2 if its valid
     * steps are not a prefix (Arrays.mismatch runs vectorised).
     */
    private int lastValid(int row0, int len) {
        if (ones.length < len) {
            ones = new byte[len];
            Arrays.fill(ones, (byte) 1);
            zeros = new byte[len];
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
     * Runs {@code n} steps of all four lanes, written out by hand so that the JIT keeps what each
     * lane carries in registers. Without values (discounted returns) the loop reads none.
     */
    private void steps(int n, boolean hasValues, boolean hasRet, double gamma, double gammaLambda) {
        float[] ra = r.a;
        float[] va = hasValues ? v.a : ra;
        float[] aa = adv.a;
        float[] ta = hasRet ? ret.a : aa;
        int p0 = at[0];
        int p1 = at[1];
        int p2 = at[2];
        int p3 = at[3];
        double nv0 = nextValue[0];
        double nv1 = nextValue[1];
        double nv2 = nextValue[2];
        double nv3 = nextValue[3];
        double na0 = nextAdvantage[0];
        double na1 = nextAdvantage[1];
        double na2 = nextAdvantage[2];
        double na3 = nextAdvantage[3];
        for (int s = 0; s < n; s++) {
            double v0 = hasValues ? va[p0 - s] : 0;
            double v1 = hasValues ? va[p1 - s] : 0;
            double v2 = hasValues ? va[p2 - s] : 0;
            double v3 = hasValues ? va[p3 - s] : 0;
            double a0 = ra[p0 - s] + gamma * nv0 - v0 + gammaLambda * na0;
            double a1 = ra[p1 - s] + gamma * nv1 - v1 + gammaLambda * na1;
            double a2 = ra[p2 - s] + gamma * nv2 - v2 + gammaLambda * na2;
            double a3 = ra[p3 - s] + gamma * nv3 - v3 + gammaLambda * na3;
            aa[p0 - s] = (float) a0;
            aa[p1 - s] = (float) a1;
            aa[p2 - s] = (float) a2;
            aa[p3 - s] = (float) a3;
            if (hasRet) {
                ta[p0 - s] = (float) (a0 + v0);
                ta[p1 - s] = (float) (a1 + v1);
                ta[p2 - s] = (float) (a2 + v2);
                ta[p3 - s] = (float) (a3 + v3);
            }
            nv0 = v0;
            nv1 = v1;
            nv2 = v2;
            nv3 = v3;
            na0 = a0;
            na1 = a1;
            na2 = a2;
            na3 = a3;
        }
        at[0] = p0 - n;
        at[1] = p1 - n;
        at[2] = p2 - n;
        at[3] = p3 - n;
        nextValue[0] = nv0;
        nextValue[1] = nv1;
        nextValue[2] = nv2;
        nextValue[3] = nv3;
        nextAdvantage[0] = na0;
        nextAdvantage[1] = na1;
        nextAdvantage[2] = na2;
        nextAdvantage[3] = na3;
        for (int k = 0; k < LANES; k++) {
            left[k] -= n;
        }
    }

    /** Runs lane {@code k} to the start of its row. */
    private void single(int k, boolean hasValues, boolean hasRet, double gamma, double gammaLambda) {
        double nv = nextValue[k];
        double na = nextAdvantage[k];
        for (int i = at[k], end = at[k] - left[k]; i > end; i--) {
            double value = hasValues ? v.a[i] : 0;
            double advantage = r.a[i] + gamma * nv - value + gammaLambda * na;
            adv.a[i] = (float) advantage;
            if (hasRet) {
                ret.a[i] = (float) (advantage + value);
            }
            nv = value;
            na = advantage;
        }
        left[k] = 0;
    }
}
