package dev.vantage.kernels.java;

import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;

/**
 * The hot inner loops of the Java kernels, the one place where the scalar backend and the SIMD
 * backend differ: {@link ScalarRowLoops} in plain Java and double, {@code VectorRowLoops} on the
 * JDK Vector API. Everything around them (validation, chunking, views, edge cases, reductions over
 * rows) is shared, so both backends run the same kernel logic.
 */
interface RowLoops {
    /**
     * The largest {@code logP} a caller may pass to {@link #softmaxGradient}: implementations may
     * compute {@code exp} in float, which overflows above 88.7. A softmax over the row's own lse has
     * {@code logP <= 0}; callers with larger arguments use {@link ScalarRowLoops} (double).
     */
    double FLOAT_EXP_SAFE = 80;

    /**
     * Adds the segment {@code z[off, off + n)} of a row to its running softmax statistics
     * {@code into} (see {@link OnlineSoftmax}); {@code -inf} entries are skipped, NaN propagates.
     */
    void softmax(float[] z, int off, int n, OnlineSoftmax into);

    /** {@link #softmax} of the bfloat16 logits {@code bits[off, off + n)}. */
    void softmaxBf16(short[] bits, int off, int n, OnlineSoftmax into);

    /**
     * {@link #softmax} of a whole row into a freshly reset {@code into}, which may also keep the
     * row's exponentials {@code exps[j] = exp(scale·z_j - m)} relative to its max, {@code m} being
     * {@code scale·max} rounded to a float (0 where that is below {@code e^-86}, a {@code -inf}
     * logit included), when that costs the implementation next to nothing; returns whether it did.
     * A gradient that is a multiple of the softmax then needs no second exp pass.
     */
    boolean softmaxKeeping(float[] z, int off, int n, OnlineSoftmax into, float[] exps);

    /**
     * The softmax-gradient row {@code out_j = p_j·(a + b·logP_j)} with {@code logP_j = scale·z_j - shift}
     * and {@code p_j = exp(logP_j)}; {@code out_j = 0} where {@code z_j = -inf} (a vocabulary mask)
     * or {@code p_j} is 0, so that no {@code 0·∞} turns into NaN there. The caller fixes the label's
     * entry. The log-prob backward and the comp-sum gradient are both this row. Requires
     * {@code logP_j <= }{@link #FLOAT_EXP_SAFE}.
     */
    void softmaxGradient(float[] z, int zOff, int n, double scale, double shift, double a, double b, float[] out,
                         int outOff);

    /**
     * {@code x[i] = fn(x[i])} for {@code from <= i < to}, in double: the transcendental part of an
     * elementwise kernel, whose arguments and uses stay in the kernel.
     */
    void apply(Fn fn, double[] x, int from, int to);

    /**
     * The whole vectors of a block of an elementwise regression loss, where the implementation has
     * a loop for {@code kind}: adds {@code Σ term_i} over the valid elements ({@code mask} null:
     * all) to {@code acc[at]}, writes {@code term_i} through {@code loss} and
     * {@code gradFactor·∂term_i/∂ŷ_i} through {@code grad} (each unless null; 0 where invalid) for
     * {@code i} from 0 on; for MAPE, also adds the number of valid elements whose ε guard fires to
     * {@code acc[at + 1]}. Returns where it stopped (0 where it has no loop for kind); the caller
     * does the rest and commits the outputs.
     */
    int regression(RegressionLoss kind, RegressionOptions o, FloatIn y, FloatIn p, MaskIn mask, int n,
                   double gradFactor, FloatOut loss, FloatOut grad, double[] acc, int at);

    /**
     * Adds, over the valid elements of {@code x[xOff, xOff + n)} ({@code mask[mOff + i] != 0}; mask
     * null: all), their count and the sums of {@code d}, {@code |d|} and {@code d²} with
     * {@code d = x_i - center} in double, to {@code acc[at]} to {@code acc[at + 3]}: the moments of a
     * target about 0 or about its mean.
     */
    void moments(float[] x, int xOff, byte[] mask, int mOff, int n, double center, double[] acc, int at);

    /**
     * The plain rows of a dueling head, {@code x[r·n + i]} for {@code r < rows}, {@code i < n}
     * (offsets added to the flat indices): {@code out[r·n + i] = add[r] + (x[r·n + i] - c_r)} in
     * float, {@code c_r} being the row's mean (MEAN), max (MAX) or 0 (NAIVE); {@code add} null: 0.
     * Unless {@code aggregates} is null, {@code aggregates[aggOff + r]} gets the row's max in MAX
     * mode, its sum otherwise. The max follows {@link ScalarRowLoops#maxIndex}'s rule (a NaN wins,
     * ties go to the lowest index, so a {@code -0} before a {@code +0} is the max); out may be x.
     */
    void centerRows(float[] x, int xOff, float[] add, int addOff, int rows, int n, DuelingMode mode, float[] out,
                    int outOff, float[] aggregates, int aggOff);

    /**
     * The index of each row's max into {@code argmax[r]}, rows as in {@link #centerRows}: the lowest
     * index among ties, the first NaN if there is one.
     */
    void argmaxRows(float[] x, int xOff, int rows, int n, int[] argmax);

    /**
     * GAE's deltas {@code d[dOff + t] = (r_t + γ·v_{t+1}) - v_t} in double for {@code t < n}, where
     * {@code r_t = r[off + t]}, {@code v_t = v[off + t]} ({@code v} null: 0); reads
     * {@code v[off + n]}. Bit-identical in both implementations: no fused multiply-add.
     */
    void gaeDeltas(float[] r, float[] v, int off, int n, double gamma, double[] d, int dOff);

    /**
     * GAE's outputs from the advantages {@code a[aOff + t]}, {@code t < n}, in double:
     * {@code adv[off + t] = (float) a}, and unless {@code ret} is null
     * {@code ret[off + t] = (float) (a + v[off + t])} ({@code v} null: 0).
     */
    void gaeOutputs(double[] a, int aOff, int n, float[] v, float[] adv, float[] ret, int off);

    /** Decodes {@code n} bfloat16 values from {@code bits[off]} into {@code out[0, n)} (exact). */
    void bf16ToFloat(short[] bits, int off, float[] out, int n);

    /**
     * Encodes {@code in[0, n)} as bfloat16 into {@code bits[off, off + n)}, bit for bit as
     * {@link dev.vantage.kernels.HalfFloats#floatToBf16} (nearest, ties to even; a NaN stays a NaN).
     */
    void floatToBf16(float[] in, short[] bits, int off, int n);

    /** The elementwise functions of {@link #apply}. */
    enum Fn {
        EXP, EXPM1, LOG1P
    }
}
