package dev.vantage.tests;

import dev.vantage.kernels.Tensor;
import dev.vantage.oracle.Inputs;

import java.nio.FloatBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Inputs and tensors shared by the token-level log-prob parity tests ({@code [B, T]} batches). */
final class TokenCases {
    private TokenCases() {
    }

    /** How a test masks its tokens. */
    enum Masking {
        /** No mask tensor: every token valid. */
        NONE,
        /** Each token valid with probability 0.7. */
        RANDOM,
        /** Right-padded rows of random length, one of them (when there are 3+) fully masked. */
        RIGHT_PADDED
    }

    static byte[] mask(Inputs in, int batch, int time, Masking masking) {
        switch (masking) {
            case NONE:
                return null;
            case RANDOM:
                return in.mask(batch * time, 0.7);
            default:
                byte[] m = in.rightPadded(batch, time, 0);
                if (batch >= 3) {
                    Arrays.fill(m, time, 2 * time, (byte) 0);
                }
                return m;
        }
    }

    static Tensor maskTensor(byte[] mask, long... shape) {
        return mask == null ? null : Tensor.ofBool(mask, shape);
    }

    /** {@code scale·sample} per element: log-ratio or KL differences of a chosen spread. */
    static float[] scaled(Inputs in, int n, Inputs.Spread spread, double scale) {
        float[] out = in.floats(n, spread);
        for (int i = 0; i < n; i++) {
            out[i] = (float) (out[i] * scale);
        }
        return out;
    }

    /** Log-probs: {@code -|N(0, 2²)|}, so every one is <= 0 as a real one is. */
    static float[] logProbs(Inputs in, int n) {
        float[] out = in.floats(n, Inputs.Spread.NORMAL);
        for (int i = 0; i < n; i++) {
            out[i] = -2 * Math.abs(out[i]);
        }
        return out;
    }

    /** {@code base + delta}, rounded to float. */
    static float[] plus(float[] base, float[] delta) {
        float[] out = new float[base.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((double) base[i] + delta[i]);
        }
        return out;
    }

    static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }

    // ---- direct buffers ------------------------------------------------------------------------


    /** The elements of an F32 buffer tensor. */
    static float[] read(Tensor t) {
        float[] out = new float[(int) t.numel()];
        ((FloatBuffer) t.buffer()).get(0, out);
        return out;
    }

    static void assertSameBits(String what, double expected, double actual) {
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                what + ": expected " + expected + ", got " + actual);
    }
}
