package dev.vantage.kernels.java;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops on the JDK Vector API, for the {@code java-simd} backend. Only
 * {@link SimdBackendProvider} loads this class, reflectively and after its guards, because it
 * links against {@code jdk.incubator.vector}.
 *
 * <p>The softmax loops run in float lanes: {@code exp} is within about 1 ulp, and the sums of a
 * block of at most {@value #BLOCK} elements are (compensated) float lane partials added into
 * double totals, so results differ from the scalar backend in the last bits (summation order and
 * fp32 arguments), within the documented tolerances. {@link #apply} runs in double lanes, as the
 * scalar loops do. Results depend on the machine's vector width, never on the thread count.
 * Tails shorter than a vector are done one element at a time.
 */
final class VectorRowLoops implements RowLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Ints and shorts lane for lane with {@link #F}, for bfloat16 decoding. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Softmax block: 8 KB of floats, read from memory for the block max, then from L1 for the exps. */
    private static final int BLOCK = 2048;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Override
    public void softmax(float[] z, int off, int n, OnlineSoftmax into) {
        // The running max is in logit units (scale > 0 preserves the order); sums are relative to it.
        double scale = into.scale;
        double max = into.max;
        double sum = into.sum;
        double centered = into.centered;
        float s = (float) scale;
        int step = F.length();
        float[] lanes = new float[2 * step];
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
            // One exp per element, e = exp(d) with d = scale·(z - max). The sum is compensated (Kahan):
            // the lane holding the max adds small terms to 1, and log(sum) is the entropy of a peaked row.
            FloatVector m = FloatVector.broadcast(F, (float) max);
            FloatVector sum0 = FloatVector.zero(F);
            FloatVector sum1 = FloatVector.zero(F);
            FloatVector lost0 = FloatVector.zero(F);
            FloatVector lost1 = FloatVector.zero(F);
            FloatVector cen0 = FloatVector.zero(F);
            FloatVector cen1 = FloatVector.zero(F);
            int i = from;
            for (; i + 2 * step <= end; i += 2 * step) {
                FloatVector d0 = FloatVector.fromArray(F, z, i).sub(m).mul(s);
                FloatVector d1 = FloatVector.fromArray(F, z, i + step).sub(m).mul(s);
                FloatVector e0 = d0.lanewise(VectorOperators.EXP);
                FloatVector e1 = d1.lanewise(VectorOperators.EXP);
                FloatVector t0 = sum0.add(e0);
                FloatVector t1 = sum1.add(e1);
                lost0 = lost0.add(sum0.sub(t0).add(e0));
                lost1 = lost1.add(sum1.sub(t1).add(e1));
                sum0 = t0;
                sum1 = t1;
                cen0 = cen0.add(e0.mul(d0));
                cen1 = cen1.add(e1.mul(d1));
            }
            if (i + step <= end) {
                FloatVector d0 = FloatVector.fromArray(F, z, i).sub(m).mul(s);
                FloatVector e0 = d0.lanewise(VectorOperators.EXP);
                FloatVector t0 = sum0.add(e0);
                lost0 = lost0.add(sum0.sub(t0).add(e0));
                sum0 = t0;
                cen0 = cen0.add(e0.mul(d0));
                i += step;
            }
            // Lanes are added in double, so that the compensation is not rounded away again.
            sum0.intoArray(lanes, 0);
            sum1.intoArray(lanes, step);
            double blockSum = lost0.add(lost1).reduceLanes(VectorOperators.ADD);
            for (float lane : lanes) {
                blockSum += lane;
            }
            double blockCentered = cen0.add(cen1).reduceLanes(VectorOperators.ADD);
            if (Double.isNaN(blockCentered) && !Double.isNaN(blockSum)) {
                // Only a -inf logit does this (e = 0, d = -inf): sum its block's e·d again without them.
                blockCentered = maskedCentered(z, from, i, m, s);
            }
            for (; i < end; i++) {
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

    /** {@code Σ e·d} over the whole vectors of {@code [from, end)}, leaving out {@code -inf} logits. */
    private static double maskedCentered(float[] z, int from, int end, FloatVector m, float s) {
        FloatVector cen = FloatVector.zero(F);
        for (int i = from; i < end; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, z, i);
            FloatVector d = x.sub(m).mul(s);
            cen = cen.add(d.lanewise(VectorOperators.EXP).mul(d).blend(0f, x.eq(NEG_INF)));
        }
        return cen.reduceLanes(VectorOperators.ADD);
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
        float s = (float) scale;
        // shift as a float pair: logP keeps the precision of the double shift (a large lse, say).
        float shiftHi = (float) shift;
        float shiftLo = (float) (shift - shiftHi);
        float af = (float) a;
        float bf = (float) b;
        int step = F.length();
        int j = 0;
        for (; j + step <= n; j += step) {
            FloatVector x = FloatVector.fromArray(F, z, zOff + j);
            FloatVector logP = x.mul(s).sub(shiftHi).sub(shiftLo);
            FloatVector p = logP.lanewise(VectorOperators.EXP);
            VectorMask<Float> zero = p.eq(0f).or(x.eq(NEG_INF));
            p.mul(logP.mul(bf).add(af)).blend(0f, zero).intoArray(out, outOff + j);
        }
        ScalarRowLoops.INSTANCE.softmaxGradient(z, zOff + j, n - j, scale, shift, a, b, out, outOff + j);
    }

    @Override
    public void apply(Fn fn, double[] x, int from, int to) {
        // One loop per function: the operator must be a constant for C2 to call the vector math library.
        int step = D.length();
        int i = from;
        switch (fn) {
            case EXP:
                for (; i + step <= to; i += step) {
                    DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.EXP).intoArray(x, i);
                }
                break;
            case EXPM1:
                for (; i + step <= to; i += step) {
                    DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.EXPM1).intoArray(x, i);
                }
                break;
            default:
                for (; i + step <= to; i += step) {
                    DoubleVector.fromArray(D, x, i).lanewise(VectorOperators.LOG1P).intoArray(x, i);
                }
                break;
        }
        ScalarRowLoops.INSTANCE.apply(fn, x, i, to);
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
