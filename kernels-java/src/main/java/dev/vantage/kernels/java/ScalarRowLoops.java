package dev.vantage.kernels.java;

import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;

/** The row loops in plain Java, one element at a time, in double: the {@code java} backend. */
final class ScalarRowLoops implements RowLoops {
    static final ScalarRowLoops INSTANCE = new ScalarRowLoops();
    /** Logits {@link #softmaxBf16} decodes at once. */
    private static final int BF16_PIECE = 512;

    private ScalarRowLoops() {
    }

    @Override
    public void softmax(float[] z, int off, int n, OnlineSoftmax into) {
        double scale = into.scale;
        float m = into.max;
        double d = into.sum;
        double s = into.centered;
        for (int j = 0; j < n; j++) {
            float x = z[off + j];
            if (x > m) {
                // New maximum: rescale what was summed relative to the old one.
                if (d > 0) {
                    double t = ((double) m - x) * scale;
                    double c = Math.exp(t);
                    s = c * (s + t * d);
                    d = c * d;
                }
                d += 1;
                m = x;
            } else if (x != Float.NEGATIVE_INFINITY) {
                double t = ((double) x - m) * scale;
                double e = Math.exp(t);
                d += e;
                s += e * t;
            }
        }
        into.max = m;
        into.sum = d;
        into.centered = s;
    }

    /** Decodes a piece at a time into a small buffer: this backend's softmax is element by element anyway. */
    @Override
    public void softmaxBf16(short[] bits, int off, int n, OnlineSoftmax into) {
        float[] piece = new float[Math.min(n, BF16_PIECE)];
        for (int at = 0; at < n; at += piece.length) {
            int len = Math.min(piece.length, n - at);
            bf16ToFloat(bits, off + at, piece, len);
            softmax(piece, 0, len, into);
        }
    }

    /** Keeps nothing: a float copy of e^x would cost this backend the precision of its double exp. */
    @Override
    public boolean softmaxKeeping(float[] z, int off, int n, OnlineSoftmax into, float[] exps) {
        softmax(z, off, n, into);
        return false;
    }

    @Override
    public void softmaxGradient(float[] z, int zOff, int n, double scale, double shift, double a, double b,
                                float[] out, int outOff) {
        for (int j = 0; j < n; j++) {
            float zj = z[zOff + j];
            double logP = zj * scale - shift;
            double p = Math.exp(logP);
            out[outOff + j] = p == 0 || zj == Float.NEGATIVE_INFINITY ? 0f : (float) (p * (a + b * logP));
        }
    }

    @Override
    public void apply(Fn fn, double[] x, int from, int to) {
        switch (fn) {
            case EXP:
                for (int i = from; i < to; i++) {
                    x[i] = Math.exp(x[i]);
                }
                break;
            case EXPM1:
                for (int i = from; i < to; i++) {
                    x[i] = Math.expm1(x[i]);
                }
                break;
            default:
                for (int i = from; i < to; i++) {
                    x[i] = Math.log1p(x[i]);
                }
                break;
        }
    }

    /** No loop of its own: the regression kernel's per-element code is this backend's. */
    @Override
    public int regression(RegressionLoss kind, RegressionOptions o, FloatIn y, FloatIn p, MaskIn mask, int n,
                          double gradFactor, FloatOut loss, FloatOut grad, double[] acc, int at) {
        return 0;
    }

    @Override
    public void moments(float[] x, int xOff, byte[] mask, int mOff, int n, double center, double[] acc, int at) {
        for (int i = 0; i < n; i++) {
            if (mask == null || mask[mOff + i] != 0) {
                double d = x[xOff + i] - center;
                acc[at] += 1;
                acc[at + 1] += d;
                acc[at + 2] += Math.abs(d);
                acc[at + 3] += d * d;
            }
        }
    }

    @Override
    public void centerRows(float[] x, int xOff, float[] add, int addOff, int rows, int n, DuelingMode mode, float[] out,
                           int outOff, float[] aggregates, int aggOff) {
        for (int r = 0; r < rows; r++) {
            centerRow(x, xOff + r * n, add == null ? 0 : add[addOff + r], n, mode, out, outOff + r * n, aggregates,
                    aggOff + r);
        }
    }

    /** One row of {@link #centerRows}, {@code x[base, base + n)} into {@code out[o, o + n)}. */
    static void centerRow(float[] x, int base, float plus, int n, DuelingMode mode, float[] out, int o,
                          float[] aggregates, int at) {
        float agg = 0;
        if (mode == DuelingMode.MAX) {
            agg = x[base + maxIndex(x, base, n)];
        } else if (mode == DuelingMode.MEAN || aggregates != null) {
            for (int i = 0; i < n; i++) {
                agg += x[base + i];
            }
        }
        float center = mode == DuelingMode.MEAN ? agg / n : mode == DuelingMode.MAX ? agg : 0;
        for (int i = 0; i < n; i++) {
            // Subtracting the aggregate first keeps the argmax action's Q exactly V in max mode.
            out[o + i] = plus + (x[base + i] - center);
        }
        if (aggregates != null) {
            aggregates[at] = agg;
        }
    }

    @Override
    public void argmaxRows(float[] x, int xOff, int rows, int n, int[] argmax) {
        for (int r = 0; r < rows; r++) {
            argmax[r] = maxIndex(x, xOff + r * n, n);
        }
    }

    /** The index of the max of {@code x[base, base + n)}: the lowest among ties, the first NaN if any. */
    static int maxIndex(float[] x, int base, int n) {
        float best = x[base];
        int index = 0;
        for (int i = 1; i < n; i++) {
            float xi = x[base + i];
            if (xi > best || (xi != xi && best == best)) {
                best = xi;
                index = i;
            }
        }
        return index;
    }

    @Override
    public void gaeDeltas(float[] r, float[] v, int off, int n, double gamma, double[] d, int dOff) {
        for (int t = 0; t < n; t++) {
            double next = v == null ? 0 : v[off + t + 1];
            double value = v == null ? 0 : v[off + t];
            d[dOff + t] = r[off + t] + gamma * next - value;
        }
    }

    @Override
    public void gaeOutputs(double[] a, int aOff, int n, float[] v, float[] adv, float[] ret, int off) {
        for (int t = 0; t < n; t++) {
            double at = a[aOff + t];
            adv[off + t] = (float) at;
            if (ret != null) {
                ret[off + t] = (float) (at + (v == null ? 0 : v[off + t]));
            }
        }
    }

    @Override
    public void bf16ToFloat(short[] bits, int off, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = HalfFloats.bf16ToFloat(bits[off + i]);
        }
    }

    @Override
    public void floatToBf16(float[] in, short[] bits, int off, int n) {
        for (int i = 0; i < n; i++) {
            bits[off + i] = HalfFloats.floatToBf16(in[i]);
        }
    }
}
