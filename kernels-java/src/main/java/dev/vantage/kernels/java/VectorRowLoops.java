package dev.vantage.kernels.java;

import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntUnaryOperator;

/**
 * The row loops on the JDK Vector API, for the {@code java-simd} backend. Only
 * {@link SimdBackendProvider} loads this class, reflectively and after its guards, because it
 * links against {@code jdk.incubator.vector}.
 *
 * <p>The softmax loops run in float lanes: a max pass over the segment, then one pass with
 * everything in registers (the argument, {@code exp} ({@link #expNeg}, within 6 ulp, fused
 * multiply-adds) and the lane partials of the sums, added in order into double totals every
 * {@value #BLOCK} elements); the gradient is one pass too. Results therefore differ from the scalar
 * backend in the last bits (summation order, fp32 arguments and exp), within the documented
 * tolerances. {@link #apply} runs in double lanes, as the scalar loops do. Results depend on the
 * machine's vector width, never on the thread count or the JIT tier (fused multiply-adds round
 * once in every tier). Tails shorter than a vector are done one element at a time, in double.
 */
final class VectorRowLoops implements RowLoops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats lane for lane with {@link #D}, for conversions. */
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));
    /** Ints and shorts lane for lane with {@link #F}, for bfloat16 decoding. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Bytes lane for lane with {@link #F} (for masks) where there is such a shape: 64 bits or more. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, F.length() * 8)));
    /** The lane swaps {@code i -> i ^ k}, k = half the lanes down to 1, of {@link #allLanes}. */
    private static final VectorShuffle<Float>[] BUTTERFLY = butterfly();
    /**
     * {@link #merge}'s lanes with bit 8, 4, 2 or 1 set, its swaps {@code i -> i ^ h}, and the
     * bit-reversal of a lane index: 16 lanes only.
     */
    private static final VectorMask<Float> BIT_8 = laneBit(8);
    private static final VectorMask<Float> BIT_4 = laneBit(4);
    private static final VectorMask<Float> BIT_2 = laneBit(2);
    private static final VectorMask<Float> BIT_1 = laneBit(1);
    private static final VectorShuffle<Float> SWAP_8 = sixteenLanes(i -> i ^ 8);
    private static final VectorShuffle<Float> SWAP_4 = sixteenLanes(i -> i ^ 4);
    private static final VectorShuffle<Float> SWAP_2 = sixteenLanes(i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP_1 = sixteenLanes(i -> i ^ 1);
    private static final VectorShuffle<Float> BIT_REVERSED = sixteenLanes(i -> Integer.reverse(i) >>> 28);
    /** Elements whose float lane partials are added into the double sums at once. */
    private static final int BLOCK = 2048;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /**
     * The largest {@code u} that {@link #expNeg} takes: callers clamp to it, so that a {@code -inf}
     * logit adds {@code e^-86·86}, not {@code 0·∞}, to the sums. What that and any other argument
     * beyond it add (under 4.5e-38 each) is far below what a sum that holds its max's
     * {@code e^0 = 1} resolves; where a value is kept or written, it is 0 there.
     */
    private static final float U_CEILING = 86f;
    private static final int U_CEILING_BITS = Float.floatToRawIntBits(U_CEILING);
    /** {@link #expNeg} at the ceiling, as bits: what {@link #sums} keeps where u reaches it. */
    private static final int E_CEILING_BITS =
            Float.floatToRawIntBits(expNeg(FloatVector.broadcast(F, U_CEILING)).lane(0));
    private static final float ROUND_F = 0x1.8p23f;
    private static final float LOG2E_F = 1.44269504088896341f;
    private static final float LN2_F = 0.6931471805599453f;

    /**
     * A thread's scratch: lanes to add in order, a block's sums, a block for {@link #apply}'s expm1,
     * a piece of MSLE or log-cosh (its terms and slopes, and what waits for log1p).
     */
    private static final class Scratch {
        final float[] lanes = new float[F.length()];
        final double[] sums = new double[2];
        final double[] wideLanes = new double[F.length()];
        final double[] wide = new double[BLOCK];
        final double[] pass = new double[VectorMath.PASS];
        final float[] terms = new float[PIECE];
        final float[] slopes = new float[PIECE];
        final float[] work = new float[PIECE];
        /** What {@link #sums} found ahead. */
        float aheadMax;
    }

    /** Elements of MSLE or log-cosh at once: their three scratch arrays stay in L1. */
    private static final int PIECE = 1024;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void softmax(float[] z, int off, int n, OnlineSoftmax into) {
        statistics(z, null, off, n, into, null);
    }

    @Override
    public void softmaxBf16(short[] bits, int off, int n, OnlineSoftmax into) {
        statistics(null, bits, off, n, into, null);
    }

    @Override
    public boolean softmaxKeeping(float[] z, int off, int n, OnlineSoftmax into, float[] exps) {
        return statistics(z, null, off, n, into, exps);
    }

    /**
     * Adds the statistics of the segment {@code [off, off + n)} of {@code z}, or of the bfloat16
     * {@code bits} where z is null, to {@code into} and keeps the exponentials in {@code keep} (z
     * only) unless it is null; returns whether it did (not where the max is not finite: a NaN, only
     * {@code -inf} or a {@code +inf} decide alone).
     *
     * <p>The max of what comes next is found while the loop works on this part, so that its loads
     * overlap this part's exponentials, where a max pass of its own would wait on memory with the
     * arithmetic idle (log-prob forward 2048×32000, two threads: 10.9 against 7.4 ms). A long
     * segment goes {@value #BLOCK} elements at a time, each relative to its own max; a short one
     * finds the max of the next segment of the same length where {@code into} lets it read that far
     * ({@link OnlineSoftmax#aheadEnd}), and keeps it there for the next call.
     */
    private static boolean statistics(float[] z, short[] bits, int off, int n, OnlineSoftmax into, float[] keep) {
        Scratch w = SCRATCH.get();
        if (n < F.length()) {
            ScalarRowLoops.INSTANCE.softmax(floats(z, bits, off, n, w), z == null ? 0 : off, n, into);
            return false;
        }
        if (keep != null || n < 2 * BLOCK) {
            Object array = z != null ? z : bits;
            float max = into.aheadOf == array && into.aheadAt == off && into.aheadLength == n ? into.aheadMax
                    : max(z, bits, off, off + n);
            return statistics(z, bits, off, n, max, into, keep, off + 2 * n <= into.aheadEnd, w);
        }
        float max = max(z, bits, off, off + BLOCK);
        for (int from = off; from < off + n; from += BLOCK) {
            int len = Math.min(BLOCK, off + n - from);
            int next = from + len;
            int nextLen = Math.min(BLOCK, off + n - next);
            if (len < F.length()) {
                ScalarRowLoops.INSTANCE.softmax(floats(z, bits, from, len, w), z == null ? 0 : from, len, into);
                break;
            }
            boolean ahead = nextLen == len;
            statistics(z, bits, from, len, max, into, null, ahead, w);
            max = ahead ? into.aheadMax : nextLen > 0 ? max(z, bits, next, next + nextLen) : NEG_INF;
        }
        return false;
    }

    /**
     * {@link #statistics} of a segment whose max is given; with {@code ahead}, also the max of the
     * segment of the same length that follows, into {@code into}'s read-ahead fields.
     */
    private static boolean statistics(float[] z, short[] bits, int off, int n, float max, OnlineSoftmax into,
                                      float[] keep, boolean ahead, Scratch w) {
        if (ahead) {
            into.aheadOf = z != null ? z : bits;
            into.aheadAt = off + n;
            into.aheadLength = n;
        }
        if (!(max > NEG_INF && max < Float.POSITIVE_INFINITY)) {
            into.add(max, 0, 0);
            if (ahead) {
                into.aheadMax = max(z, bits, off + n, off + 2 * n);
            }
            return false;
        }
        int whole = n - n % F.length();
        float scale = (float) into.scale;
        // The loops take u = scale·max - scale·z with scale·max rounded to a float, shiftHi: their
        // e are e^x·e^lost, lost = scale·max - shiftHi. Taken out here, so that lse stays exact.
        float shiftHi = scale * max;
        sums(z, bits, off, whole, scale, shiftHi, keep, ahead ? n : 0, w);
        if (ahead) {
            // The next segment's last partial vector, one element at a time: max's vector loops
            // inlined here a second time pushed C2 past its node budget in this method.
            float aheadMax = w.aheadMax;
            for (int i = off + n + whole; i < off + 2 * n; i++) {
                aheadMax = Math.max(aheadMax, element(z, bits, i));
            }
            into.aheadMax = aheadMax;
        }
        if (keep != null && smallestBits(keep, whole) <= E_CEILING_BITS) {
            zeroBeyondCeiling(z, off, whole, scale, shiftHi, 0, keep, 0);
        }
        double sum = w.sums[0];
        double centered = w.sums[1];
        if (whole < n) {
            tail(z, bits, off, n, scale, shiftHi, keep, w);
            sum += w.sums[0];
            centered += w.sums[1];
        }
        if (Double.isNaN(centered)) {
            // A NaN logit that a max ahead passed over (a negative NaN): u = NaN escapes the
            // ceiling's clamp (negative bits) and makes its e·x NaN; nothing else can.
            into.add(Float.NaN, 0, 0);
            return false;
        }
        double lost = (double) scale * max - shiftHi;
        if (lost != 0) {
            double c = Math.exp(-lost);
            sum *= c;
            centered = c * centered - lost * sum;
        }
        into.add(max, sum, centered);
        return keep != null;
    }

    /** The vector at {@code i} of {@code z}, or decoded from the bfloat16 {@code bits} where z is null. */
    private static FloatVector load(float[] z, short[] bits, int i) {
        return z != null ? FloatVector.fromArray(F, z, i) : bf16(bits, i);
    }

    /** The bfloat16 values at {@code bits[i]}: the upper halves of floats, widened and shifted. */
    private static FloatVector bf16(short[] bits, int i) {
        return ((IntVector) ShortVector.fromArray(S, bits, i).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The element at {@code i} of {@code z}, or of the bfloat16 {@code bits} where z is null. */
    private static float element(float[] z, short[] bits, int i) {
        return z != null ? z[i] : Float.intBitsToFloat(bits[i] << 16);
    }

    /** {@code z} itself, or (z null) {@code bits[off, off + n)} decoded into the scratch from 0 on. */
    private static float[] floats(float[] z, short[] bits, int off, int n, Scratch w) {
        if (z != null) {
            return z;
        }
        for (int i = 0; i < n; i++) {
            w.lanes[i] = element(null, bits, off + i);
        }
        return w.lanes;
    }

    /**
     * {@code Σ e} and {@code Σ e·x} over {@code [off, off + n)} (of z, or of bits where z is null),
     * n a multiple of the vector length, into {@code w.sums}, where {@code x = scale·z - shift <= 0}
     * and {@code e = e^x}; e is kept in {@code keep} from 0 on unless that is null, as
     * {@code e^-}{@link #U_CEILING} where x is below that ({@link #zeroBeyondCeiling} makes those 0).
     * Float lane partials go into the double sums block by block. The max of
     * {@code [off + aheadAt, off + aheadAt + n)} goes into {@code w.aheadMax}, found in the same
     * loop; without a segment ahead (aheadAt 0) the loop reads its own one twice (from L1): a branch
     * on that in the loop made C2 (JDK 17) run it four times slower.
     *
     * <p>No calls here (nor below, once C2 inlines): the loop's constants then stay in registers,
     * where a call in a loop around them would have them spilled and reloaded on every use. No
     * compare and blend either: with one for the ceiling in the keeping branch, C2 (JDK 17) compiled
     * both branches slower (comp-sum 65536×1000, one thread, a plain timing loop: forward 50 against
     * 23 ms, forward and backward 63 against 35 ms). For the same reason the max ahead is an integer
     * max of the {@link #ordered} bits (Java's float max, which orders NaN and signed zeros, cost the
     * loop 40%), kept per block: a vector carried across both loops made C2 (JDK 17) run the loop
     * three times slower.
     */
    private static void sums(float[] z, short[] bits, int off, int n, float scale, float shift, float[] keep,
                             int aheadAt, Scratch w) {
        double sum = 0;
        double centered = 0;
        int top = Integer.MIN_VALUE;
        for (int from = off; from < off + n; from += BLOCK) {
            int end = Math.min(from + BLOCK, off + n);
            FloatVector blockSum = FloatVector.zero(F);
            FloatVector blockCentered = FloatVector.zero(F);
            IntVector aheadTop = IntVector.broadcast(I, Integer.MIN_VALUE);
            for (int i = from; i < end; i += F.length()) {
                FloatVector u = load(z, bits, i).fma(-scale, shift);
                FloatVector safe = atMostCeiling(u);
                FloatVector e = expNeg(safe);
                blockSum = blockSum.add(e);
                blockCentered = e.fma(safe, blockCentered);
                if (keep != null) {
                    e.intoArray(keep, i - off);
                }
                aheadTop = aheadTop.max(ordered(load(z, bits, i + aheadAt).reinterpretAsInts()));
            }
            sum += lanes(blockSum, w.lanes);
            centered -= lanes(blockCentered, w.lanes);
            top = Math.max(top, aheadTop.reduceLanes(VectorOperators.MAX));
        }
        w.sums[0] = sum;
        w.sums[1] = centered;
        w.aheadMax = Float.intBitsToFloat(top ^ ((top >> 31) >>> 1));
    }

    /**
     * Float bits as ints that order as the floats do (a negative float's magnitude bits flipped; the
     * inverse is the same map): a positive NaN ranks above {@code +inf}, a negative one below
     * {@code -inf}. {@link #statistics} finds the latter in {@code Σ e·x}.
     */
    private static IntVector ordered(IntVector bits) {
        return bits.lanewise(VectorOperators.XOR,
                bits.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1));
    }

    /**
     * {@link #sums} of the partial vector at the end of {@code [off, off + n)}, done as the
     * segment's last whole vector, counting only the lanes that sums over the whole ones do not.
     */
    private static void tail(float[] z, short[] bits, int off, int n, float scale, float shift, float[] keep,
                             Scratch w) {
        int step = F.length();
        int whole = n - n % step;
        VectorMask<Float> done = FloatVector.zero(F).addIndex(1).compare(VectorOperators.LT, whole + step - n);
        FloatVector u = load(z, bits, off + n - step).fma(-scale, shift);
        FloatVector safe = atMostCeiling(u);
        FloatVector e = expNeg(safe).blend(0f, done);
        w.sums[0] = lanes(e, w.lanes);
        w.sums[1] = -lanes(e.mul(safe), w.lanes);
        if (keep != null) {
            e.blend(0f, u.compare(VectorOperators.GT, U_CEILING)).intoArray(w.lanes, 0);
            System.arraycopy(w.lanes, whole + step - n, keep, whole, n - whole);
        }
    }

    /**
     * {@code min(u, 86)} for u not NaN (a positive NaN gives 86), as one integer min of the bits: a
     * positive float's bits order as it does, and any negative float's bits are negative ints.
     * Java's float min, which orders NaN and signed zeros, takes several instructions.
     */
    private static FloatVector atMostCeiling(FloatVector u) {
        return atMost(u, U_CEILING_BITS);
    }

    /** {@code min(u, c)} for a positive c given by its bits, as {@link #atMostCeiling}. */
    private static FloatVector atMost(FloatVector u, int c) {
        return u.reinterpretAsInts().min(c).reinterpretAsFloats();
    }

    /**
     * {@code e^-u} for {@code -88 <= u <= 86}, within 6 ulp (relative 4.5e-7, 2e-7 where
     * {@code |u| < 20}): {@code -u = n·ln2 + r} ({@code |r| <= ln2/2}, one fused multiply-add: ln 2's
     * float rounding costs {@code n·2e-9}), a degree-5 minimax polynomial for {@code e^r} (in
     * {@code t = -r}) in fused multiply-adds, and {@code 2^n} added to the exponent field (the range
     * keeps the result normal). Small enough for C2 to inline into the loops, which keeps the vectors
     * in registers.
     */
    private static FloatVector expNeg(FloatVector u) {
        // -u·log2(e) + 1.5·2^23 rounds to an integer n held in the low mantissa bits; shifting those
        // bits left by 23 gives n in the exponent field (the rest of 1.5·2^23 shifts out).
        FloatVector shifted = u.fma(-LOG2E_F, ROUND_F);
        FloatVector n = shifted.sub(ROUND_F);
        FloatVector t = n.fma(FloatVector.broadcast(F, LN2_F), u);
        // e^r = 1 + r + c2·r² + ... + c5·r^5 with r = -t: the odd coefficients change sign.
        FloatVector p = t.fma(-8.3485045022e-03f, 4.1890699087e-02f);
        p = p.fma(t, FloatVector.broadcast(F, -1.6666700805e-01f));
        p = p.fma(t, FloatVector.broadcast(F, 4.9999244131e-01f));
        p = p.fma(t, FloatVector.broadcast(F, -1f));
        p = p.fma(t, FloatVector.broadcast(F, 1f));
        return p.reinterpretAsInts().add(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
                .reinterpretAsFloats();
    }

    /**
     * The lanes of {@code v} added in order in double. Not reduceLanes: its order is unspecified
     * and differs between the JIT tiers, and results must not depend on warm-up.
     */
    private static double lanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    /**
     * {@code max_j z_j} over {@code [from, end)}; NaN if there is one (Java's max). Four maxima:
     * Java's float max is a chain of several instructions (it orders NaN and signed zeros), which
     * would otherwise bound the loop.
     */
    private static float max(float[] z, short[] bits, int from, int end) {
        FloatVector max0 = FloatVector.broadcast(F, NEG_INF);
        FloatVector max1 = max0;
        FloatVector max2 = max0;
        FloatVector max3 = max0;
        int step = F.length();
        int i = from;
        for (; i + 4 * step <= end; i += 4 * step) {
            max0 = max0.max(load(z, bits, i));
            max1 = max1.max(load(z, bits, i + step));
            max2 = max2.max(load(z, bits, i + 2 * step));
            max3 = max3.max(load(z, bits, i + 3 * step));
        }
        for (; i + step <= end; i += step) {
            max0 = max0.max(load(z, bits, i));
        }
        // The max does not depend on the order of its lanes.
        float max = max0.max(max1).max(max2.max(max3)).reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) {
            max = Math.max(max, element(z, bits, i));
        }
        return max;
    }

    /**
     * The smallest of {@code keep[0, n)} (n a multiple of the vector length), as float bits: as
     * {@link #sums} keeps them, no NaN and none negative, so integer order is float order.
     */
    private static int smallestBits(float[] keep, int n) {
        IntVector least = IntVector.broadcast(I, Integer.MAX_VALUE);
        for (int i = 0; i < n; i += F.length()) {
            least = least.min(FloatVector.fromArray(F, keep, i).reinterpretAsInts());
        }
        return least.reduceLanes(VectorOperators.MIN);
    }

    /**
     * Zeroes {@code out[outOff + i]} where {@code u = scale·z[off + i] - shiftHi - shiftLo} is beyond
     * the ceiling, for {@code i < n} (whole vectors): what {@link #sums} keeps and the first pass of
     * {@link #softmaxGradient} writes there is {@code e^-86}, not 0. A second pass, only for rows that
     * have such entries (a masked vocabulary, a spread of more than 86 nats).
     */
    private static void zeroBeyondCeiling(float[] z, int off, int n, float scale, float shiftHi, float shiftLo,
                                          float[] out, int outOff) {
        for (int i = 0; i < n; i += F.length()) {
            VectorMask<Float> beyond = FloatVector.fromArray(F, z, off + i).fma(-scale, shiftHi).add(shiftLo)
                    .compare(VectorOperators.GT, U_CEILING);
            FloatVector.fromArray(F, out, outOff + i).blend(0f, beyond).intoArray(out, outOff + i);
        }
    }

    /**
     * Into a separate output the whole vectors go without the ceiling's compare and blend, which
     * slowed C2's loop twofold (log-prob backward 2048×32000, one thread: 47 against 24 ms): right
     * unless some {@code u} lies beyond the ceiling (or is NaN), which the loop notes as
     * {@code min(u, 86) - u} summed over the lanes; then {@link #zeroBeyondCeiling} fixes the row.
     * In place, where the logits are gone once written, one pass with the blend.
     *
     * <p>One method of more than 325 bytecodes (C2's {@code FreqInlineSize}), so that C2 compiles it
     * on its own: inlined into the caller's row loop, the same loop ran 2.4 times slower (log-prob
     * backward 2048×32000, two threads: 21.5 against 9 ms).
     */
    @Override
    public void softmaxGradient(float[] z, int zOff, int n, double scale, double shift, double a, double b,
                                float[] out, int outOff) {
        int step = F.length();
        if (n < step || Double.isNaN(shift)) {
            // An invalid row (its lse NaN) is NaN but at its -inf logits, which stay 0 as masks:
            // u = NaN there would escape the blend.
            ScalarRowLoops.INSTANCE.softmaxGradient(z, zOff, n, scale, shift, a, b, out, outOff);
            return;
        }
        float s = (float) scale;
        // shift as a float pair: log p keeps the precision of the double shift (a large lse, say).
        float shiftHi = (float) shift;
        float shiftLo = (float) (shift - shiftHi);
        float af = (float) a;
        float bf = (float) b;
        int whole = n - n % step;
        if (whole < n) {
            // A partial vector at the end: the row's last whole vector, its new lanes copied out first
            // (out may be z: the loops below read none of them).
            float[] lanes = SCRATCH.get().lanes;
            gradient(z, zOff + n - step, s, shiftHi, shiftLo, af, bf).intoArray(lanes, 0);
            System.arraycopy(lanes, whole + step - n, out, outOff + whole, n - whole);
        }
        if (out == z) {
            for (int i = 0; i < whole; i += step) {
                FloatVector u = FloatVector.fromArray(F, z, zOff + i).fma(-s, shiftHi).add(shiftLo);
                expNeg(atMostCeiling(u)).mul(u.fma(-bf, af)).blend(0f, u.compare(VectorOperators.GT, U_CEILING))
                        .intoArray(out, outOff + i);
            }
            return;
        }
        FloatVector beyond = FloatVector.zero(F);
        for (int i = 0; i < whole; i += step) {
            FloatVector u = FloatVector.fromArray(F, z, zOff + i).fma(-s, shiftHi).add(shiftLo);
            FloatVector safe = atMostCeiling(u);
            beyond = beyond.add(safe.sub(u));
            expNeg(safe).mul(u.fma(-bf, af)).intoArray(out, outOff + i);
        }
        // Every lane adds 0, a negative number or NaN: the minimum is 0 only if all added 0.
        if (beyond.reduceLanes(VectorOperators.MIN) != 0) {
            zeroBeyondCeiling(z, zOff, whole, s, shiftHi, shiftLo, out, outOff);
        }
    }

    /** The softmax-gradient vector at {@code z[i]}: {@code p·(a + b·log p)} with {@code u = -log p}. */
    private static FloatVector gradient(float[] z, int i, float s, float shiftHi, float shiftLo, float a, float b) {
        FloatVector u = FloatVector.fromArray(F, z, i).fma(-s, shiftHi).add(shiftLo);
        // Beyond the ceiling p is at most 4.5e-38, and a -inf logit's p is 0: 0, not p·(-inf).
        return expNeg(atMostCeiling(u)).mul(u.fma(-b, a)).blend(0f, u.compare(VectorOperators.GT, U_CEILING));
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
    public int regression(RegressionLoss kind, RegressionOptions o, FloatIn y, FloatIn p, MaskIn mask, int n,
                          double gradFactor, FloatOut loss, FloatOut grad, double[] acc, int at) {
        int code = code(kind, o);
        if (code < 0 || mask != null && B.length() != F.length()) {
            return 0;
        }
        Scratch w = SCRATCH.get();
        int whole = n - n % F.length();
        double eps = o.epsilon();
        float parameter = (float) (code == HUBER ? o.delta() : code == QUANTILE ? o.quantile() : eps);
        // The float ε's neighbour that makes the float comparisons those with the double ε:
        // |y| < ε is |y| < the least float >= ε, x > ε is x > the greatest float <= ε.
        float bound = code == MAPE ? (parameter < eps ? Math.nextUp(parameter) : parameter)
                : parameter > eps ? Math.nextDown(parameter) : parameter;
        // MSLE and log-cosh leave their terms and slopes in the scratch a piece at a time, for the
        // loop below to mask, add and write.
        boolean staged = code == MSLE || code == LOG_COSH;
        for (int from = 0; from < whole; from += staged ? PIECE : whole) {
            int len = staged ? Math.min(PIECE, whole - from) : whole;
            if (code == MSLE) {
                msle(y.a, y.off + from, p.a, p.off + from, len, parameter, bound, w);
            } else if (code == LOG_COSH) {
                logCosh(y.a, y.off + from, p.a, p.off + from, len, w);
            }
            regression(staged ? STAGED : code, parameter, bound, y.a, y.off + from, p.a, p.off + from,
                    mask == null ? null : mask.a, mask == null ? 0 : mask.off + from, len, (float) gradFactor,
                    loss == null ? null : loss.a, loss == null ? 0 : loss.off + from, grad == null ? null : grad.a,
                    grad == null ? 0 : grad.off + from, acc, at, w);
        }
        return whole;
    }

    /**
     * The loop's code for kind, -1 where it has none; also -1 for MAPE and MSLE with an ε that is
     * not a normal float, which the float lanes would not take as the double code does.
     */
    private static int code(RegressionLoss kind, RegressionOptions o) {
        boolean floatEpsilon = o.epsilon() >= Float.MIN_NORMAL && o.epsilon() <= Float.MAX_VALUE;
        switch (kind) {
            case MSE:
                return MSE;
            case MAE:
                return MAE;
            case HUBER:
                return HUBER;
            case QUANTILE:
                return QUANTILE;
            case MBE:
                return MBE;
            case MAPE:
                return floatEpsilon ? MAPE : -1;
            case MSLE:
                return floatEpsilon ? MSLE : -1;
            case LOG_COSH:
                return LOG_COSH;
            default:
                return -1;
        }
    }

    private static final int MSE = 0;
    private static final int MAE = 1;
    private static final int HUBER = 2;
    private static final int QUANTILE = 3;
    private static final int MBE = 4;
    private static final int MAPE = 5;
    private static final int MSLE = 6;
    private static final int LOG_COSH = 7;
    /** The loop's code for terms and slopes that a stage left in the scratch. */
    private static final int STAGED = 8;
    private static final int SIGN = 0x80000000;
    /** Log-cosh's |x| is clamped to this for expm1: beyond it, e^{-2|x|} - 1 is -1 in float. */
    private static final int TEN_BITS = Float.floatToRawIntBits(10f);
    private static final VectorMask<Float> NO_LANE = F.maskAll(false);
    /** Vectors whose float term partials are added into the double lane sums at once. */
    private static final int FLUSH = 16;

    /**
     * {@link #regression} over whole vectors with the loss as a code: terms and slopes in float
     * lanes, branch-free, with NaN where the scalar loop has it (a comparison with NaN is false);
     * the term sums go into double lanes every {@value #FLUSH} vectors, added in order at the end,
     * into {@code acc[at]}, and MAPE's count of valid elements whose guard fires into
     * {@code acc[at + 1]}. {@code parameter} is Huber's δ, the quantile q or ε in float;
     * {@code bound} the float that ε's comparisons take (see the caller).
     *
     * <p>The method calls come first in the loop, and MSLE and log-cosh have loops of their own, with
     * no call but to log1p over an array: once a compilation grows past
     * {@code NodeCountInliningCutoff}, C2 inlines no more calls but the Vector API's, and a vector
     * passed to a call it leaves is boxed. With every kind in use in one JVM, this loop alone is
     * about that size: a few more lane ops here (Huber's slope by the sign bit was enough) and every
     * kind runs 2-3x slower there, so time a change with all of them in use.
     */
    private static void regression(int code, float parameter, float bound, float[] y, int yOff, float[] p, int pOff,
                                   byte[] mask, int mOff, int n, float gradFactor, float[] loss, int lossOff,
                                   float[] grad, int gradOff, double[] acc, int at, Scratch w) {
        int step = F.length();
        double[] wide = w.wideLanes;
        java.util.Arrays.fill(wide, 0);
        int deltaBits = Float.floatToRawIntBits(parameter);
        int guards = 0;
        for (int from = 0; from < n; from += FLUSH * step) {
            int end = Math.min(n, from + FLUSH * step);
            FloatVector partial = FloatVector.zero(F);
            for (int i = from; i < end; i += step) {
                VectorMask<Float> invalid = mask == null ? NO_LANE : invalid(mask, mOff + i);
                FloatVector term;
                FloatVector slope;
                if (code == STAGED) {
                    term = FloatVector.fromArray(F, w.terms, i);
                    slope = FloatVector.fromArray(F, w.slopes, i);
                } else {
                    FloatVector target = FloatVector.fromArray(F, y, yOff + i);
                    FloatVector e = target.sub(FloatVector.fromArray(F, p, pOff + i));
                    // -sign(e), for the kinds that take it (e stands in for the others).
                    FloatVector against = code == MAE || code == HUBER || code == MAPE ? negativeSign(e) : e;
                    if (code == MSE) {
                        term = e.mul(e);
                        slope = e.mul(-2f);
                    } else if (code == MAE) {
                        term = e.abs();
                        slope = against;
                    } else if (code == HUBER) {
                        // With c = min(|e|, δ) (an integer min, as atMost): the term c·(|e| - c/2)
                        // (e²/2 inside, δ·(|e| - δ/2) beyond) and the slope -sign(e)·c. (By the sign
                        // bit, as log-cosh's, it takes more nodes, and this loop has none to spare.)
                        FloatVector a = e.abs();
                        FloatVector c = a.reinterpretAsInts().min(deltaBits).reinterpretAsFloats();
                        term = c.lanewise(VectorOperators.FMA, -0.5f, a).mul(c);
                        slope = against.mul(c);
                    } else if (code == QUANTILE) {
                        term = e.mul(FloatVector.broadcast(F, parameter - 1)
                                .blend(parameter, e.compare(VectorOperators.GE, 0f)));
                        slope = e.mul(0f).blend(-parameter, e.compare(VectorOperators.GT, 0f))
                                .blend(1 - parameter, e.compare(VectorOperators.LT, 0f));
                    } else if (code == MAPE) {
                        // 100 / max(|y|, ε) scales both; NaN where y is.
                        FloatVector a = target.abs();
                        VectorMask<Float> guard = a.compare(VectorOperators.LT, bound);
                        FloatVector scale = FloatVector.broadcast(F, 100f).div(a.blend(parameter, guard));
                        term = e.abs().mul(scale);
                        slope = against.mul(scale);
                        guards += guard.andNot(invalid).trueCount();
                    } else {
                        term = e;
                        slope = FloatVector.broadcast(F, -1f);
                    }
                }
                if (mask != null) {
                    term = term.blend(0f, invalid);
                }
                partial = partial.add(term);
                if (loss != null) {
                    term.intoArray(loss, lossOff + i);
                }
                if (grad != null) {
                    // Masked after the factor: a NaN or infinite factor (a whole-set kind's total)
                    // leaves an invalid element 0, not 0·NaN.
                    FloatVector g = slope.mul(gradFactor);
                    (mask != null ? g.blend(0f, invalid) : g).intoArray(grad, gradOff + i);
                }
            }
            partial.intoArray(w.lanes, 0);
            for (int l = 0; l < step; l++) {
                wide[l] += w.lanes[l];
            }
        }
        double sum = 0;
        for (double lane : wide) {
            sum += lane;
        }
        acc[at] += sum;
        if (code == MAPE) {
            acc[at + 1] += guards;
        }
    }

    /**
     * MSLE's terms and slopes of {@code [0, n)} into the scratch: Keras's clamp {@code max(x, ε)}
     * (NaN stays), then {@code log1p(â) - log1p(b̂)} as {@code ±log1p(|â - b̂| / (1 + min(â, b̂)))}:
     * no cancellation where they are close, and an argument >= 0 (the min as an integer min: both
     * are positive). The slope is 0 where ŷ is clamped. The log1p argument, {@code â - b̂} and â wait
     * in the scratch while {@link VectorMath#log1p} runs over the piece.
     */
    private static void msle(float[] y, int yOff, float[] p, int pOff, int n, float epsilon, float bound,
                             Scratch w) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, p, pOff + i);
            a = a.blend(epsilon, a.compare(VectorOperators.LE, bound));
            FloatVector b = FloatVector.fromArray(F, y, yOff + i);
            b = b.blend(epsilon, b.compare(VectorOperators.LE, bound));
            FloatVector difference = a.sub(b);
            difference.abs().div(a.reinterpretAsInts().min(b.reinterpretAsInts()).reinterpretAsFloats().add(1f))
                    .intoArray(w.work, i);
            difference.intoArray(w.terms, i);
            a.intoArray(w.slopes, i);
        }
        VectorMath.log1p(w.work, n);
        for (int i = 0; i < n; i += F.length()) {
            FloatVector d = FloatVector.fromArray(F, w.work, i).reinterpretAsInts()
                    .or(FloatVector.fromArray(F, w.terms, i).reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
            VectorMask<Float> clamped = FloatVector.fromArray(F, p, pOff + i).compare(VectorOperators.LE, bound);
            d.mul(d).intoArray(w.terms, i);
            d.add(d).div(FloatVector.fromArray(F, w.slopes, i).add(1f)).blend(0f, clamped).intoArray(w.slopes, i);
        }
    }

    /**
     * Log-cosh's terms and slopes of {@code [0, n)} into the scratch. With {@code a = |x|}
     * ({@code x = ŷ - y}) and {@code m = e^{-2a} - 1}: {@code tanh a = -m/(2 + m)}, and
     * {@code log cosh x} is {@code -log1p(-tanh²a)/2} below a = 1, where {@code a + log1p(m/2)}
     * cancels, and that from 1 on, where {@code 1 - tanh²a} would. m within 1 ulp: {@code -2a =
     * k·ln2 + r} ({@code |r| <= ln2/2}; ln 2's float rounding costs at most 29·2e-9 here),
     * {@code e^r - 1} by its Taylor series to {@code r^7/7!} (remainder below 2e-8 relative), and
     * {@code 2^k·(e^r - 1) + (2^k - 1)} in one fused multiply-add, which leaves {@code e^r - 1}
     * untouched where k = 0: small a keep their relative precision. a goes in clamped to 10 (an
     * integer min: a >= 0), beyond which m is -1 in float; a NaN comes back through a. The log1p
     * argument and a wait in the scratch while {@link VectorMath#log1p} runs over the piece.
     */
    private static void logCosh(float[] y, int yOff, float[] p, int pOff, int n, Scratch w) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, y, yOff + i).sub(FloatVector.fromArray(F, p, pOff + i));
            FloatVector a = e.abs();
            FloatVector v = a.reinterpretAsInts().min(TEN_BITS).reinterpretAsFloats().mul(-2f);
            FloatVector shifted = v.fma(LOG2E_F, ROUND_F);
            FloatVector k = shifted.sub(ROUND_F);
            FloatVector r = k.lanewise(VectorOperators.FMA, -LN2_F, v);
            FloatVector q = r.fma(1f / 5040, 1f / 720).lanewise(VectorOperators.FMA, r, 1f / 120)
                    .lanewise(VectorOperators.FMA, r, 1f / 24).lanewise(VectorOperators.FMA, r, 1f / 6)
                    .lanewise(VectorOperators.FMA, r, 0.5f);
            FloatVector scale = shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(0x3F800000)
                    .reinterpretAsFloats();
            FloatVector m = scale.fma(q.mul(r).fma(r, r), scale.sub(1f));
            FloatVector tanh = m.abs().div(m.add(2f));
            // tanh x = -sign(e)·tanh a, by the sign bit; NaN where e is.
            tanh.reinterpretAsInts().or(e.reinterpretAsInts().and(SIGN)).lanewise(VectorOperators.XOR, SIGN)
                    .reinterpretAsFloats().blend(e, e.compare(VectorOperators.NE, e)).intoArray(w.slopes, i);
            m.mul(0.5f).blend(tanh.mul(tanh).neg(), a.compare(VectorOperators.LT, 1f)).intoArray(w.work, i);
            a.intoArray(w.terms, i);
        }
        VectorMath.log1p(w.work, n);
        for (int i = 0; i < n; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, w.terms, i);
            FloatVector l = FloatVector.fromArray(F, w.work, i);
            // abs: a 0 term stays +0.
            a.add(l).blend(l.mul(-0.5f), a.compare(VectorOperators.LT, 1f)).abs().intoArray(w.terms, i);
        }
    }

    /** The lanes whose mask byte at {@code mask[at]} is 0. */
    private static VectorMask<Float> invalid(byte[] mask, int at) {
        return ((FloatVector) ByteVector.fromArray(B, mask, at).convertShape(VectorOperators.B2F, F, 0))
                .compare(VectorOperators.EQ, 0f);
    }

    /** {@code -sign(e)}: -1, +1, or {@code -0·e} for ±0 and NaN (as {@code -Math.signum}). */
    private static FloatVector negativeSign(FloatVector e) {
        return e.mul(-0f).blend(-1f, e.compare(VectorOperators.GT, 0f)).blend(1f, e.compare(VectorOperators.LT, 0f));
    }

    /**
     * A float vector a step, as two double vectors with an accumulator each: one would make the
     * loop wait on the latency of its adds. Masked lanes become the center, so NaN there is
     * ignored. Halves by the conversions' parts, not by half-width species: a second float or byte
     * species in the same JVM would leave C2 without the exact vector class in shared Vector API
     * code, and the intrinsics that need it would fail.
     */
    @Override
    public void moments(float[] x, int xOff, byte[] mask, int mOff, int n, double center, double[] acc, int at) {
        int step = F.length();
        int whole = mask != null && B.length() != step ? 0 : n - n % step;
        DoubleVector sum0 = DoubleVector.zero(D);
        DoubleVector sum1 = sum0;
        DoubleVector abs0 = sum0;
        DoubleVector abs1 = sum0;
        DoubleVector squares0 = sum0;
        DoubleVector squares1 = sum0;
        int skipped = 0;
        for (int i = 0; i < whole; i += step) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).sub(center);
            DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).sub(center);
            if (mask != null) {
                ByteVector valid = ByteVector.fromArray(B, mask, mOff + i);
                VectorMask<Double> skip0 = ((DoubleVector) valid.convertShape(VectorOperators.B2D, D, 0))
                        .compare(VectorOperators.EQ, 0);
                VectorMask<Double> skip1 = ((DoubleVector) valid.convertShape(VectorOperators.B2D, D, 1))
                        .compare(VectorOperators.EQ, 0);
                d0 = d0.blend(0, skip0);
                d1 = d1.blend(0, skip1);
                skipped += skip0.trueCount() + skip1.trueCount();
            }
            sum0 = sum0.add(d0);
            sum1 = sum1.add(d1);
            abs0 = abs0.add(d0.abs());
            abs1 = abs1.add(d1.abs());
            squares0 = d0.fma(d0, squares0);
            squares1 = d1.fma(d1, squares1);
        }
        double[] lanes = SCRATCH.get().wideLanes;
        acc[at] += whole - skipped;
        acc[at + 1] += lanes(sum0.add(sum1), lanes);
        acc[at + 2] += lanes(abs0.add(abs1), lanes);
        acc[at + 3] += lanes(squares0.add(squares1), lanes);
        ScalarRowLoops.INSTANCE.moments(x, xOff + whole, mask, mOff + whole, n - whole, center, acc, at);
    }

    /** The lanes of {@code v} added in order (not reduceLanes, see {@link #lanes(FloatVector, float[])}). */
    private static double lanes(DoubleVector v, double[] lanes) {
        v.intoArray(lanes, 0);
        double sum = 0;
        for (int l = 0; l < D.length(); l++) {
            sum += lanes[l];
        }
        return sum;
    }

    /**
     * Rows of at least a vector: the whole vectors, then the row's last vector, whose lanes that a
     * whole vector already holds are left out of the sum. Each row's max reaches every lane through
     * a butterfly ({@link #allLanes}), its sum too or, 16 rows at a time, a tree across rows with
     * the same order ({@link #sumRows}): no lane is added one at a time. The sum's order
     * differs from the scalar loops' (within the tolerance of one float sum). One loop per kind of
     * aggregate, none with a call that C2 would not inline: around one, the loop's vectors would be
     * spilled on every row (measured 2x slower).
     */
    @Override
    public void centerRows(float[] x, int xOff, float[] add, int addOff, int rows, int n, DuelingMode mode, float[] out,
                           int outOff, float[] aggregates, int aggOff) {
        if (n < F.length()) {
            ScalarRowLoops.INSTANCE.centerRows(x, xOff, add, addOff, rows, n, mode, out, outOff, aggregates, aggOff);
        } else if (mode == DuelingMode.MAX) {
            maxRows(x, xOff, add, addOff, rows, n, out, outOff, aggregates, aggOff);
        } else if (mode == DuelingMode.MEAN || aggregates != null) {
            sumRows(x, xOff, add, addOff, rows, n, mode == DuelingMode.MEAN, out, outOff, aggregates, aggOff);
        } else {
            for (int r = 0; r < rows; r++) {
                shiftRow(x, xOff + r * n, n, FloatVector.zero(F), add == null ? 0 : add[addOff + r], out,
                        outOff + r * n);
            }
        }
    }

    /**
     * {@link #centerRows} with the row sums; {@code mean}: centred on the mean, else not centred.
     * With 16 lanes, 16 rows at a time: their lane partials are added across rows in one tree
     * ({@link #sixteenSums}), in half the time of a butterfly per row (0.14 against 0.27 ms for
     * the sums alone of 65536 rows of 18, one thread).
     */
    private static void sumRows(float[] x, int xOff, float[] add, int addOff, int rows, int n, boolean mean,
                                float[] out, int outOff, float[] sums, int sumsOff) {
        int step = F.length();
        // All ones in the lanes of a row's last vector that no whole vector holds, else zeros: an AND
        // keeps those lanes and zeroes the rest, cheaper here than a masked add.
        IntVector fresh = IntVector.zero(I).addIndex(1).compare(VectorOperators.GE, step - n % step).toVector()
                .reinterpretAsInts();
        float[] centers = new float[step];
        float[] tree = new float[16 * step];
        int r = 0;
        for (; step == 16 && r + 16 <= rows; r += 16) {
            sixteenSums(x, xOff + r * n, n, fresh, tree);
            FloatVector sum = FloatVector.fromArray(F, tree, 0);
            if (sums != null) {
                sum.intoArray(sums, sumsOff + r);
            }
            (mean ? sum.div(n) : FloatVector.zero(F)).intoArray(centers, 0);
            for (int k = 0; k < 16; k++) {
                shiftRow(x, xOff + (r + k) * n, n, FloatVector.broadcast(F, centers[k]),
                        add == null ? 0 : add[addOff + r + k], out, outOff + (r + k) * n);
            }
        }
        for (; r < rows; r++) {
            int row = xOff + r * n;
            FloatVector sum = allLanes(partial(x, row, n, fresh), VectorOperators.ADD);
            if (sums != null) {
                sums[sumsOff + r] = sum.lane(0);
            }
            FloatVector center = mean ? sum.div(n) : FloatVector.zero(F);
            shiftRow(x, row, n, center, add == null ? 0 : add[addOff + r], out, outOff + r * n);
        }
    }

    /** The lane partials of a row's sum: its whole vectors, then the fresh lanes of its last. */
    private static FloatVector partial(float[] x, int row, int n, IntVector fresh) {
        int step = F.length();
        FloatVector sum = FloatVector.fromArray(F, x, row);
        for (int i = step; i + step <= n; i += step) {
            sum = sum.add(FloatVector.fromArray(F, x, row + i));
        }
        FloatVector last = FloatVector.fromArray(F, x, row + n - step);
        return sum.add(last.reinterpretAsInts().and(fresh).reinterpretAsFloats());
    }

    /**
     * The sums of 16 rows from {@code row0} into {@code tree[0, 16)}, row k's at k. Pairs of vectors merge
     * level by level ({@link #merge}): after the level that adds lanes {@code h} apart, each vector
     * holds the partials of {@code 16 / h} rows; the last leaves one sum per lane, in bit-reversed
     * row order, which one permutation undoes. Every row's lanes are added in the butterfly's
     * order ({@link #allLanes}), so the rows summed one at a time get the same bits. Each level is
     * a loop through {@code tree} (16 vectors): written out as one expression the tree is more
     * than C2 inlines, and vectors passed between compiled methods are boxed (hence the sums go out
     * through the array, not as a vector returned: that was one allocation per 16 rows).
     */
    private static void sixteenSums(float[] x, int row0, int n, IntVector fresh, float[] tree) {
        for (int k = 0; k < 16; k++) {
            partial(x, row0 + k * n, n, fresh).intoArray(tree, 16 * k);
        }
        for (int k = 0; k < 8; k++) {
            merge(tree, 32 * k, 8).intoArray(tree, 16 * k);
        }
        for (int k = 0; k < 4; k++) {
            merge(tree, 32 * k, 4).intoArray(tree, 16 * k);
        }
        for (int k = 0; k < 2; k++) {
            merge(tree, 32 * k, 2).intoArray(tree, 16 * k);
        }
        merge(tree, 0, 1).rearrange(BIT_REVERSED).intoArray(tree, 0);
    }

    /**
     * Two vectors of row partials (16 lanes), a at {@code tree[at]} and b after it, into one, adding
     * lanes {@code h} apart: where lane bit h is clear {@code a[i] + a[i + h]}, where it is set
     * {@code b[i - h] + b[i]}.
     */
    private static FloatVector merge(float[] tree, int at, int h) {
        FloatVector a = FloatVector.fromArray(F, tree, at);
        FloatVector b = FloatVector.fromArray(F, tree, at + 16);
        VectorMask<Float> set = h == 8 ? BIT_8 : h == 4 ? BIT_4 : h == 2 ? BIT_2 : BIT_1;
        VectorShuffle<Float> swap = h == 8 ? SWAP_8 : h == 4 ? SWAP_4 : h == 2 ? SWAP_2 : SWAP_1;
        return a.blend(b, set).add(b.blend(a, set).rearrange(swap));
    }

    /** With 16 lanes, the lanes whose index has bit h set; null with other widths. */
    private static VectorMask<Float> laneBit(int h) {
        boolean[] set = new boolean[F.length()];
        for (int i = 0; i < set.length; i++) {
            set[i] = (i & h) != 0;
        }
        return F.length() == 16 ? VectorMask.fromArray(F, set, 0) : null;
    }

    /** With 16 lanes, the permutation {@code i -> op(i)}; null with other widths. */
    private static VectorShuffle<Float> sixteenLanes(IntUnaryOperator op) {
        return F.length() == 16 ? VectorShuffle.fromOp(F, op) : null;
    }

    /**
     * {@link #centerRows} on the row max. A max of zero is the row's first zero, whose sign the
     * vector max does not keep (it takes +0 over a -0 that comes first).
     */
    private static void maxRows(float[] x, int xOff, float[] add, int addOff, int rows, int n, float[] out,
                                int outOff, float[] maxima, int maximaOff) {
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * n;
            FloatVector max = rowMax(x, row, n);
            if (max.lane(0) == 0) {
                max = FloatVector.broadcast(F, x[row + firstEqual(x, row, n, 0)]);
            }
            if (maxima != null) {
                maxima[maximaOff + r] = max.lane(0);
            }
            shiftRow(x, row, n, max, add == null ? 0 : add[addOff + r], out, outOff + r * n);
        }
    }

    /**
     * The max of {@code x[row, row + n)}, n at least a vector, in every lane (Java's max: a NaN
     * wins): the whole vectors and the row's last, which may count some elements twice.
     */
    private static FloatVector rowMax(float[] x, int row, int n) {
        FloatVector max = FloatVector.fromArray(F, x, row + n - F.length());
        for (int i = 0; i + F.length() <= n; i += F.length()) {
            max = max.max(FloatVector.fromArray(F, x, row + i));
        }
        return allLanes(max, VectorOperators.MAX);
    }

    /**
     * {@code out[o + i] = plus + (x[row + i] - center)} for {@code i < n}, n at least a vector, as
     * the scalar loops round it; the last vector is loaded before any store, since out may be x.
     */
    private static void shiftRow(float[] x, int row, int n, FloatVector center, float plus, float[] out, int o) {
        int step = F.length();
        FloatVector last = FloatVector.fromArray(F, x, row + n - step);
        for (int i = 0; i + step <= n; i += step) {
            FloatVector.fromArray(F, x, row + i).sub(center).add(plus).intoArray(out, o + i);
        }
        last.sub(center).add(plus).intoArray(out, o + n - step);
    }

    /** As {@link #centerRows}: a vector max, then the first lane equal to it; in order where it is NaN. */
    @Override
    public void argmaxRows(float[] x, int xOff, int rows, int n, int[] argmax) {
        int step = F.length();
        if (n < step) {
            ScalarRowLoops.INSTANCE.argmaxRows(x, xOff, rows, n, argmax);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int row = xOff + r * n;
            float best = rowMax(x, row, n).lane(0);
            argmax[r] = best != best ? ScalarRowLoops.maxIndex(x, row, n) : firstEqual(x, row, n, best);
        }
    }

    /** The first index of {@code x[row, row + n)} (n at least a vector) equal to {@code value}, which is there. */
    private static int firstEqual(float[] x, int row, int n, float value) {
        int step = F.length();
        for (int i = 0; i + step <= n; i += step) {
            VectorMask<Float> equal = FloatVector.fromArray(F, x, row + i).compare(VectorOperators.EQ, value);
            if (equal.anyTrue()) {
                return i + equal.firstTrue();
            }
        }
        return n - step + FloatVector.fromArray(F, x, row + n - step).compare(VectorOperators.EQ, value).firstTrue();
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterfly() {
        int steps = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] swaps = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int k = F.length() >> (s + 1);
            swaps[s] = VectorShuffle.fromOp(F, i -> i ^ k);
        }
        return swaps;
    }

    /**
     * {@code op} over the lanes of v, in every lane: each step combines lane i with lane
     * {@code i ^ k}, the same two values in both, so all lanes end bit-identical (and the order is
     * fixed, unlike reduceLanes').
     */
    private static FloatVector allLanes(FloatVector v, VectorOperators.Binary op) {
        for (VectorShuffle<Float> swap : BUTTERFLY) {
            v = v.lanewise(op, v.rearrange(swap));
        }
        return v;
    }

    /** Float lanes read into double lanes: as many floats as {@link #D} has lanes. */
    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(FD, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The double lanes of x rounded to float lanes. */
    private static FloatVector narrow(DoubleVector x) {
        return (FloatVector) x.convertShape(VectorOperators.D2F, FD, 0);
    }

    /** In double lanes: a multiply, an add and a subtract, each rounded as the scalar loops' are. */
    @Override
    public void gaeDeltas(float[] r, float[] v, int off, int n, double gamma, double[] d, int dOff) {
        int t = 0;
        if (v != null) {
            for (; t + D.length() <= n; t += D.length()) {
                widen(r, off + t).add(widen(v, off + t + 1).mul(gamma)).sub(widen(v, off + t)).intoArray(d, dOff + t);
            }
        } else {
            for (; t + D.length() <= n; t += D.length()) {
                // r + γ·0 - 0 with γ in [0, 1]: r + 0, which turns a -0 into 0 as the scalar loop does.
                widen(r, off + t).add(0.0).intoArray(d, dOff + t);
            }
        }
        ScalarRowLoops.INSTANCE.gaeDeltas(r, v, off + t, n - t, gamma, d, dOff + t);
    }

    @Override
    public void gaeOutputs(double[] a, int aOff, int n, float[] v, float[] adv, float[] ret, int off) {
        int t = 0;
        if (v != null && ret != null) {
            for (; t + D.length() <= n; t += D.length()) {
                DoubleVector at = DoubleVector.fromArray(D, a, aOff + t);
                narrow(at).intoArray(adv, off + t);
                narrow(at.add(widen(v, off + t))).intoArray(ret, off + t);
            }
        } else if (ret == null) {
            for (; t + D.length() <= n; t += D.length()) {
                narrow(DoubleVector.fromArray(D, a, aOff + t)).intoArray(adv, off + t);
            }
        }
        ScalarRowLoops.INSTANCE.gaeOutputs(a, aOff + t, n - t, v, adv, ret, off + t);
    }

    @Override
    public void bf16ToFloat(short[] bits, int off, float[] out, int n) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            bf16(bits, off + i).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = element(null, bits, off + i);
        }
    }

    /** Rounding as integer arithmetic on the bits; NaN lanes take the quiet NaN of their top half. */
    @Override
    public void floatToBf16(float[] in, short[] bits, int off, int n) {
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            IntVector b = FloatVector.fromArray(F, in, i).reinterpretAsInts();
            IntVector top = b.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = b.add(top.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = b.and(Integer.MAX_VALUE).compare(VectorOperators.GT, 0x7f800000);
            ((ShortVector) rounded.blend(top.or(0x0040), nan).convertShape(VectorOperators.I2S, S, 0))
                    .intoArray(bits, off + i);
        }
        for (; i < n; i++) {
            bits[off + i] = HalfFloats.floatToBf16(in[i]);
        }
    }
}
