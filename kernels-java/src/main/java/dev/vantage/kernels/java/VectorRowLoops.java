package dev.vantage.kernels.java;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops on the JDK Vector API, for the {@code java-simd} backend. Only
 * {@link SimdBackendProvider} loads this class, reflectively and after its guards, because it
 * links against {@code jdk.incubator.vector}.
 *
 * <p>The softmax loops run in float lanes: {@code exp} ({@link VectorMath}) is within 1 ulp, and
 * the sums of a block of at most {@value #BLOCK} elements are (compensated) float lane partials
 * added in order into double totals, so results differ from the scalar backend in the last bits
 * (summation order and fp32 arguments), within the documented tolerances. {@link #apply} runs in
 * double lanes, as the scalar loops do. Results depend on the machine's vector width, never on the
 * thread count or the JIT tier. Tails shorter than a vector are done one element at a time.
 *
 * <p>A block is computed in passes over per-thread scratch in L1 (arguments, then exp, then the
 * sums or outputs), because {@link VectorMath}'s loops must own their vectors to be compiled well.
 */
final class VectorRowLoops implements RowLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Ints and shorts lane for lane with {@link #F}, for bfloat16 decoding. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Block of a row: 8 KB of floats, read from memory for its max, then worked on in L1. */
    private static final int BLOCK = 2048;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** A thread's scratch: a block's arguments and exponentials, lanes to add in order. */
    private static final class Scratch {
        final float[] args = new float[BLOCK];
        final float[] exps = new float[BLOCK];
        final double[] wide = new double[BLOCK];
        final double[] pass = new double[VectorMath.PASS];
        final float[] lanes = new float[2 * F.length()];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void softmax(float[] z, int off, int n, OnlineSoftmax into) {
        Scratch w = SCRATCH.get();
        // The running max is in logit units (scale > 0 preserves the order); sums are relative to it.
        double scale = into.scale;
        double max = into.max;
        double sum = into.sum;
        double centered = into.centered;
        float s = (float) scale;
        int step = F.length();
        for (int from = off; from < off + n; from += BLOCK) {
            int end = Math.min(from + BLOCK, off + n);
            float blockMax = max(z, from, end);
            if (blockMax == NEG_INF) {
                continue;
            }
            if (!(blockMax <= max)) {
                // A new maximum (or NaN, which propagates): rescale what was summed relative to the old one.
                double newMax = Math.max(max, blockMax);
                if (sum > 0) {
                    double d = (max - newMax) * scale;
                    double c = Math.exp(d);
                    centered = c * (centered + d * sum);
                    sum = c * sum;
                }
                max = newMax;
            }
            // d = scale·(z - max) and e = exp(d) over the block's whole vectors, then Σ e and Σ e·d.
            int whole = (end - from) - (end - from) % step;
            FloatVector m = FloatVector.broadcast(F, (float) max);
            for (int i = 0; i < whole; i += step) {
                FloatVector.fromArray(F, z, from + i).sub(m).mul(s).intoArray(w.args, i);
            }
            VectorMath.exp(w.args, w.exps, whole);
            double blockSum = expSum(w, whole);
            double blockCentered = centeredSum(w, z, from, whole, false);
            if (Double.isNaN(blockCentered) && !Double.isNaN(blockSum)) {
                // Only a -inf logit does this (e = 0, d = -inf): add the block's e·d again without them.
                blockCentered = centeredSum(w, z, from, whole, true);
            }
            for (int i = from + whole; i < end; i++) {
                if (z[i] != NEG_INF) {
                    double d = (z[i] - max) * scale;
                    double e = Math.exp(d);
                    blockSum += e;
                    blockCentered += e * d;
                }
            }
            sum += blockSum;
            centered += blockCentered;
        }
        into.max = (float) max;
        into.sum = sum;
        into.centered = centered;
    }

    /**
     * {@code Σ e} over the scratch, compensated (Kahan): the lane holding the max adds small terms
     * to 1, and log(sum) is the entropy of a peaked row.
     */
    private static double expSum(Scratch w, int n) {
        FloatVector sum0 = FloatVector.zero(F);
        FloatVector sum1 = FloatVector.zero(F);
        FloatVector lost0 = FloatVector.zero(F);
        FloatVector lost1 = FloatVector.zero(F);
        int step = F.length();
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            FloatVector e0 = FloatVector.fromArray(F, w.exps, i);
            FloatVector e1 = FloatVector.fromArray(F, w.exps, i + step);
            FloatVector t0 = sum0.add(e0);
            FloatVector t1 = sum1.add(e1);
            lost0 = lost0.add(sum0.sub(t0).add(e0));
            lost1 = lost1.add(sum1.sub(t1).add(e1));
            sum0 = t0;
            sum1 = t1;
        }
        if (i < n) {
            FloatVector e0 = FloatVector.fromArray(F, w.exps, i);
            FloatVector t0 = sum0.add(e0);
            lost0 = lost0.add(sum0.sub(t0).add(e0));
            sum0 = t0;
        }
        return lanes(sum0, sum1, w.lanes) + lanes(lost0, lost1, w.lanes);
    }

    /** {@code Σ e·d} over the scratch; {@code masked}: leaving out the {@code -inf} logits of z. */
    private static double centeredSum(Scratch w, float[] z, int from, int n, boolean masked) {
        FloatVector cen0 = FloatVector.zero(F);
        FloatVector cen1 = FloatVector.zero(F);
        int step = F.length();
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            FloatVector t0 = FloatVector.fromArray(F, w.exps, i).mul(FloatVector.fromArray(F, w.args, i));
            FloatVector t1 = FloatVector.fromArray(F, w.exps, i + step).mul(FloatVector.fromArray(F, w.args, i + step));
            if (masked) {
                t0 = t0.blend(0f, FloatVector.fromArray(F, z, from + i).eq(NEG_INF));
                t1 = t1.blend(0f, FloatVector.fromArray(F, z, from + i + step).eq(NEG_INF));
            }
            cen0 = cen0.add(t0);
            cen1 = cen1.add(t1);
        }
        if (i < n) {
            FloatVector t0 = FloatVector.fromArray(F, w.exps, i).mul(FloatVector.fromArray(F, w.args, i));
            if (masked) {
                t0 = t0.blend(0f, FloatVector.fromArray(F, z, from + i).eq(NEG_INF));
            }
            cen0 = cen0.add(t0);
        }
        return lanes(cen0, cen1, w.lanes);
    }

    /**
     * The lanes of {@code a} then of {@code b}, added in order in double. Not reduceLanes: its order
     * is unspecified and differs between the JIT tiers, and results must not depend on warm-up.
     */
    private static double lanes(FloatVector a, FloatVector b, float[] lanes) {
        a.intoArray(lanes, 0);
        b.intoArray(lanes, F.length());
        double sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    /** {@code max_j z_j} over {@code [from, end)}; NaN if there is one. */
    private static float max(float[] z, int from, int end) {
        FloatVector max0 = FloatVector.broadcast(F, NEG_INF);
        FloatVector max1 = FloatVector.broadcast(F, NEG_INF);
        int step = F.length();
        int i = from;
        for (; i + 2 * step <= end; i += 2 * step) {
            max0 = max0.max(FloatVector.fromArray(F, z, i));
            max1 = max1.max(FloatVector.fromArray(F, z, i + step));
        }
        for (; i + step <= end; i += step) {
            max0 = max0.max(FloatVector.fromArray(F, z, i));
        }
        float max = max0.max(max1).reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) {
            max = Math.max(max, z[i]);
        }
        return max;
    }

    @Override
    public void softmaxGradient(float[] z, int zOff, int n, double scale, double shift, double a, double b,
                                float[] out, int outOff) {
        Scratch w = SCRATCH.get();
        float s = (float) scale;
        // shift as a float pair: log p keeps the precision of the double shift (a large lse, say).
        float shiftHi = (float) shift;
        float shiftLo = (float) (shift - shiftHi);
        float af = (float) a;
        float bf = (float) b;
        int step = F.length();
        for (int start = 0; start < n; start += BLOCK) {
            int len = Math.min(BLOCK, n - start);
            int whole = len - len % step;
            for (int i = 0; i < whole; i += step) {
                FloatVector.fromArray(F, z, zOff + start + i).mul(s).sub(shiftHi).sub(shiftLo).intoArray(w.args, i);
            }
            VectorMath.exp(w.args, w.exps, whole);
            for (int i = 0; i < whole; i += step) {
                // p = 0 covers -inf logits (log p = -inf) too: 0, not 0·(-inf).
                FloatVector p = FloatVector.fromArray(F, w.exps, i);
                FloatVector logP = FloatVector.fromArray(F, w.args, i);
                p.mul(logP.mul(bf).add(af)).blend(0f, p.eq(0f)).intoArray(out, outOff + start + i);
            }
            ScalarRowLoops.INSTANCE.softmaxGradient(z, zOff + start + whole, len - whole, scale, shift, a, b, out,
                    outOff + start + whole);
        }
    }

    @Override
    public void apply(Fn fn, double[] x, int from, int to) {
        Scratch w = SCRATCH.get();
        int done;
        if (fn == Fn.EXP) {
            done = VectorMath.exp(x, from, to, w.pass);
        } else if (fn == Fn.LOG1P) {
            done = VectorMath.log1p(x, from, to);
        } else {
            // expm1 needs e^x beside x: a block at a time through the scratch.
            done = from;
            while (to - done >= D.length()) {
                int len = Math.min(BLOCK, to - done);
                System.arraycopy(x, done, w.wide, 0, len);
                VectorMath.exp(w.wide, 0, len, w.pass);
                done = VectorMath.expm1(x, done, done + len, w.wide);
            }
        }
        ScalarRowLoops.INSTANCE.apply(fn, x, done, to);
    }

    @Override
    public void bf16ToFloat(short[] bits, int off, float[] out, int n) {
        // A bfloat16 is the upper half of a float: widen, shift, reinterpret.
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            ((IntVector) ShortVector.fromArray(S, bits, off + i).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = Float.intBitsToFloat(bits[off + i] << 16);
        }
    }
}
