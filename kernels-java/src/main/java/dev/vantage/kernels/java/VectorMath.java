package dev.vantage.kernels.java;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, expm1 and log1p over arrays, on vectors, from IEEE adds, multiplies, divides and bit
 * operations only. The JDK's lanewise EXP/EXPM1/LOG1P are not used: their results depend on the
 * JIT tier (the interpreter and C1 run a Java fallback, C2 the native vector math library, and they
 * differ in the last bit for a few percent of inputs), which would make results depend on warm-up
 * and on how chunks fall on threads. These give the same bits in every tier, within 1 ulp (exp) or
 * 2 ulp (expm1, log1p) of {@link Math}, with gradual underflow and overflow as there.
 *
 * <p>exp reduces by ln 2 (Cody-Waite: {@code x = n·ln2 + r}, {@code |r| <= ln2/2}), sums the
 * Taylor series of {@code e^r} to a remainder far below an ulp, and scales by {@code 2^n} built in
 * the exponent field, as {@code 2^h·2^(n-h)} so that both factors stay normal. Each function is a
 * whole loop over an array, with its coefficients written out: a vector passed to a method C2 does
 * not inline would be boxed, and constants stay in registers where array loads would not.
 * Each method does whole vectors only and returns where it stopped; the caller does the tail.
 *
 * <p>The float log1p is for kernels whose terms are fp32 anyway (within 2.5 ulp of the
 * float-rounded {@link Math#log1p}); it works in place on whole vectors only.
 */
final class VectorMath {
    private VectorMath() {
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** Adding then subtracting 1.5·2^23 rounds a float to an integer, held in the low mantissa bits. */
    private static final float ROUND_F = 0x1.8p23f;
    private static final int ROUND_F_BITS = 0x4B400000;
    private static final float LOG2E_F = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the n that occur. */
    private static final float LN2_HI_F = 0.693145751953125f;
    private static final float LN2_LO_F = 1.42860682030941723212e-6f;
    /** The bits of √2/2 in float. */
    private static final int SQRT1_2_BITS = 0x3F3504F3;
    /** fdlibm's logf coefficients: {@code R(z) = Lg1·z + ... + Lg4·z^4}. */
    private static final float LG1 = 0.66666662693f;
    private static final float LG2 = 0.40000972152f;
    private static final float LG3 = 0.28498786688f;
    private static final float LG4 = 0.24279078841f;
    /** Below this e^x rounds to 0, above it to infinity. */
    private static final float MIN_F = -104f;
    private static final float MAX_F = 88.73f;

    private static final double ROUND_D = 0x1.8p52;
    private static final long ROUND_D_BITS = 0x4338000000000000L;
    private static final double LOG2E_D = 1.4426950408889634;
    private static final double LN2_HI_D = 6.93147180369123816490e-01;
    private static final double LN2_LO_D = 1.90821492927058770002e-10;
    private static final double SQRT2 = 1.4142135623730951;

    /**
     * {@code x[i] = log(1 + x[i])} in float lanes for the whole vectors of {@code [0, n)}, for
     * {@code x > -1} with {@code 1 + x} normal, within 2.5 ulp; NaN and {@code +inf} stay. fdlibm's
     * method: {@code 1 + x = 2^k·m} with m in [√2/2, √2), and
     * {@code log m = f - f²/2 + s·(f²/2 + R(s²))} with {@code f = m - 1}, {@code s = f/(2 + f)}
     * and fdlibm's minimax R (2^-34 for these s). Where k = 0, f is x itself, so the rounding of
     * 1 + x costs nothing near 0; elsewhere it costs at most 2^-24 on a result of at least log √2.
     */
    static void log1p(float[] x, int n) {
        for (int i = 0; i + F.length() <= n; i += F.length()) {
            FloatVector t = FloatVector.fromArray(F, x, i);
            // Offset so that m's range [√2/2, √2) starts a binade: k is then the exponent field.
            IntVector bits = t.add(1f).reinterpretAsInts().add(0x3F800000 - SQRT1_2_BITS);
            // k as a float by the rounding constant's bits, and the masks from float compares: the
            // Vector API's convert and mask cast find their species at run time, which C2 does not
            // always fold into the intrinsic.
            FloatVector k = bits.lanewise(VectorOperators.ASHR, 23).add(ROUND_F_BITS - 127).reinterpretAsFloats()
                    .sub(ROUND_F);
            FloatVector f = bits.and(0x007FFFFF).add(SQRT1_2_BITS).reinterpretAsFloats().sub(1f)
                    .blend(t, k.compare(VectorOperators.EQ, 0f));
            FloatVector s = f.div(f.add(2f));
            FloatVector z = s.mul(s);
            FloatVector halfSquare = f.mul(f).mul(0.5f);
            FloatVector r = z.fma(LG4, LG3).lanewise(VectorOperators.FMA, z, LG2)
                    .lanewise(VectorOperators.FMA, z, LG1).mul(z);
            s.fma(halfSquare.add(r), k.mul(LN2_LO_F)).sub(halfSquare).add(f).add(k.mul(LN2_HI_F))
                    .blend(t, t.compare(VectorOperators.NE, t))
                    .blend(t, t.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)).intoArray(x, i);
        }
    }

    /** {@code out[i] = e^x[i]} for the whole vectors of {@code [0, n)}; returns where it stopped. */
    static int exp(float[] x, float[] out, int n) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector shifted = v.mul(LOG2E_F).add(ROUND_F);
            FloatVector k = shifted.sub(ROUND_F);
            FloatVector r = v.sub(k.mul(LN2_HI_F)).sub(k.mul(LN2_LO_F));
            // e^r to r^7/7!: the remainder is below 6e-9 relative for |r| <= ln2/2.
            FloatVector p = r.mul(1f / 5040).add(1f / 720).mul(r).add(1f / 120).mul(r).add(1f / 24).mul(r)
                    .add(1f / 6).mul(r).add(0.5f).mul(r).add(1f).mul(r).add(1f);
            IntVector ki = shifted.reinterpretAsInts().sub(ROUND_F_BITS);
            IntVector h = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector scaleH = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector scaleRest = ki.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(scaleH).mul(scaleRest).blend(0f, v.lt(MIN_F))
                    .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, MAX_F)).intoArray(out, i);
        }
        return i;
    }

    /**
     * {@code x[i] = e^x[i]} for the whole vectors of {@code [from, to)}, using {@code work} (at
     * least {@value #PASS} long); returns where it stopped. Three passes over L1 per piece
     * (reduce, polynomial, scale): one loop with all of it is more than C2 inlines.
     */
    static int exp(double[] x, int from, int to, double[] work) {
        int i = from;
        while (to - i >= D.length()) {
            int end = i + Math.min(PASS, (to - i) - (to - i) % D.length());
            expReduce(x, i, end, work);
            expPolynomial(x, i, end);
            expScale(x, i, end, work);
            i = end;
        }
        return i;
    }

    /** Doubles a pass of {@link #exp} works on: with its work array, well within L1. */
    static final int PASS = 512;

    /**
     * {@code x = n·ln2 + r}: leaves r in x and n in {@code work}. x is first clamped to
     * ±1400, where 2^n already underflows or overflows, so that n stays within the scale's range.
     */
    private static void expReduce(double[] x, int from, int to, double[] work) {
        for (int i = from; i < to; i += D.length()) {
            DoubleVector v = DoubleVector.fromArray(D, x, i).max(-1400).min(1400);
            DoubleVector n = v.mul(LOG2E_D).add(ROUND_D).sub(ROUND_D);
            v.sub(n.mul(LN2_HI_D)).sub(n.mul(LN2_LO_D)).intoArray(x, i);
            n.intoArray(work, i - from);
        }
    }

    /** e^r to r^13/13!: the remainder is below 5e-18 relative for |r| <= ln2/2. */
    private static void expPolynomial(double[] x, int from, int to) {
        for (int i = from; i < to; i += D.length()) {
            DoubleVector r = DoubleVector.fromArray(D, x, i);
            r.mul(1.0 / 6227020800L).add(1.0 / 479001600).mul(r).add(1.0 / 39916800).mul(r)
                    .add(1.0 / 3628800).mul(r).add(1.0 / 362880).mul(r).add(1.0 / 40320).mul(r).add(1.0 / 5040)
                    .mul(r).add(1.0 / 720).mul(r).add(1.0 / 120).mul(r).add(1.0 / 24).mul(r).add(1.0 / 6).mul(r)
                    .add(0.5).mul(r).add(1).mul(r).add(1).intoArray(x, i);
        }
    }

    /**
     * {@code x = e^r·2^n} with n from {@code work}: 2^n as 2^h·2^(n-h), h = floor(n/2), each
     * built in the exponent field, so that gradual underflow and overflow come out of the products.
     */
    private static void expScale(double[] x, int from, int to, double[] work) {
        for (int i = from; i < to; i += D.length()) {
            LongVector n = ((LongVector) DoubleVector.fromArray(D, work, i - from).add(ROUND_D).reinterpretAsLongs())
                    .sub(ROUND_D_BITS);
            // h = floor(n/2) by a logical shift of n + 4096 (> 0): AVX2 has no 64-bit arithmetic shift.
            LongVector h = n.add(4096).lanewise(VectorOperators.LSHR, 1).sub(2048);
            DoubleVector scaleH = h.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector scaleRest = n.sub(h).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector.fromArray(D, x, i).mul(scaleH).mul(scaleRest).intoArray(x, i);
        }
    }

    /**
     * {@code x[i] = e^x[i] - 1} for the whole vectors of {@code [from, to)}, given
     * {@code expX[i - from] = e^x[i]}: the Taylor series below |x| = 1/2, where e^x - 1 would
     * cancel; returns where it stopped.
     */
    static int expm1(double[] x, int from, int to, double[] expX) {
        int i = from;
        for (; i + D.length() <= to; i += D.length()) {
            DoubleVector v = DoubleVector.fromArray(D, x, i);
            // To x^16/16!: the remainder is below 5e-18 relative for |x| < 1/2.
            DoubleVector near = v.mul(1.0 / 20922789888000L).add(1.0 / 1307674368000L).mul(v)
                    .add(1.0 / 87178291200L).mul(v).add(1.0 / 6227020800L).mul(v).add(1.0 / 479001600).mul(v)
                    .add(1.0 / 39916800).mul(v).add(1.0 / 3628800).mul(v).add(1.0 / 362880).mul(v)
                    .add(1.0 / 40320).mul(v).add(1.0 / 5040).mul(v).add(1.0 / 720).mul(v).add(1.0 / 120).mul(v)
                    .add(1.0 / 24).mul(v).add(1.0 / 6).mul(v).add(0.5).mul(v).add(1).mul(v);
            DoubleVector.fromArray(D, expX, i - from).sub(1).blend(near, v.abs().lt(0.5)).intoArray(x, i);
        }
        return i;
    }

    /**
     * {@code x[i] = log(1 + x[i])} for the whole vectors of {@code [from, to)}; returns where it
     * stopped. With {@code u = 1 + x = 2^k·m}, {@code m} in [√2/2, √2), it is
     * {@code k·ln2 + log(m) + c}, where {@code c ≈ (x - (u - 1))/u} restores what rounding u lost
     * (fdlibm's method), and {@code log(m) = 2·atanh(s)}, {@code s = (m - 1)/(m + 1)}.
     */
    static int log1p(double[] x, int from, int to) {
        int i = from;
        for (; i + D.length() <= to; i += D.length()) {
            DoubleVector v = DoubleVector.fromArray(D, x, i);
            DoubleVector u = v.add(1);
            LongVector bits = (LongVector) u.reinterpretAsLongs();
            // The biased exponent as a double without a conversion instruction: (2^52 + e) - 2^52.
            DoubleVector e = bits.lanewise(VectorOperators.LSHR, 52).add(0x4330000000000000L)
                    .reinterpretAsDoubles().sub(0x1p52);
            DoubleVector m = bits.and(0x000FFFFFFFFFFFFFL).or(0x3FF0000000000000L).reinterpretAsDoubles();
            VectorMask<Double> high = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5), high);
            DoubleVector rawK = e.sub(1023);
            DoubleVector k = rawK.blend(rawK.add(1), high);
            DoubleVector f = m.sub(1);
            DoubleVector s = f.div(f.add(2));
            DoubleVector z = s.mul(s);
            // 2·atanh(s) = 2s + s·z·Σ 2z^j/(2j+3), to z^10: the remainder is below 1e-18 relative
            // for |s| <= 0.172.
            DoubleVector series = z.mul(2.0 / 23).add(2.0 / 21).mul(z).add(2.0 / 19).mul(z).add(2.0 / 17).mul(z)
                    .add(2.0 / 15).mul(z).add(2.0 / 13).mul(z).add(2.0 / 11).mul(z).add(2.0 / 9).mul(z)
                    .add(2.0 / 7).mul(z).add(2.0 / 5).mul(z).add(2.0 / 3);
            DoubleVector logM = series.mul(z).mul(s).add(s.add(s));
            // u's rounding error: exact as x - (u - 1) below u = 2, as 1 - (u - x) from there to 2^54.
            DoubleVector lost = v.sub(u.sub(1))
                    .blend(DoubleVector.broadcast(D, 1).sub(u.sub(v)), rawK.compare(VectorOperators.GT, 0))
                    .div(u).blend(0, rawK.compare(VectorOperators.GT, 53));
            k.mul(LN2_HI_D).add(logM.add(lost.add(k.mul(LN2_LO_D))))
                    .blend(Double.NEGATIVE_INFINITY, v.eq(-1)).blend(Double.NaN, v.lt(-1))
                    .blend(Double.POSITIVE_INFINITY, v.eq(Double.POSITIVE_INFINITY))
                    .blend(v, v.compare(VectorOperators.NE, v).or(v.eq(0))).intoArray(x, i);
        }
        return i;
    }
}
