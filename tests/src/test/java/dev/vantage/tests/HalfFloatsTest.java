package dev.vantage.tests;

import dev.vantage.kernels.HalfFloats;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 16-bit conversions, checked against definitions written here from the formats' specs:
 * decoding every one of the 65536 patterns of each format, and encoding by "nearest, ties to even"
 * against a brute-force search over the neighbouring patterns.
 */
class HalfFloatsTest {

    /** binary16 from its definition: (-1)^s · 2^(e-15) · (1 + m/1024), subnormals 2^-14 · m/1024. */
    private static double f16Definition(int bits) {
        int s = (bits >> 15) & 1;
        int e = (bits >> 10) & 0x1f;
        int m = bits & 0x3ff;
        double sign = s == 1 ? -1 : 1;
        if (e == 0x1f) {
            return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (e == 0) {
            return sign * Math.scalb(m / 1024.0, -14);
        }
        return sign * Math.scalb(1 + m / 1024.0, e - 15);
    }

    @Test
    void decodesEveryF16Pattern() {
        for (int bits = 0; bits < 65536; bits++) {
            double expected = f16Definition(bits);
            float actual = HalfFloats.f16ToFloat((short) bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), "pattern " + Integer.toHexString(bits));
            } else {
                assertEquals(expected, actual, 0.0, "pattern " + Integer.toHexString(bits));
                assertEquals(Math.copySign(1.0, expected), Math.copySign(1.0, actual), "sign of " + bits);
            }
        }
    }

    @Test
    void decodesEveryBf16PatternAsTheTopHalfOfAFloat() {
        for (int bits = 0; bits < 65536; bits++) {
            float expected = Float.intBitsToFloat(bits << 16);
            float actual = HalfFloats.bf16ToFloat((short) bits);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual));
        }
    }

    @Test
    void encodesToTheNearestPatternTiesToEven() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < 200_000; k++) {
            // Random bit patterns cover every exponent, subnormals and the overflow range.
            float x = Float.intBitsToFloat(rng.nextInt());
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(x))));
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x))));
                continue;
            }
            checkNearest(x, HalfFloats.floatToF16(x), false);
            checkNearest(x, HalfFloats.floatToBf16(x), true);
        }
        // Exact ties: halfway between 1 and the next f16 (1 + 2^-10) goes to the even 1; the next tie goes up.
        assertEquals(1.0f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1 + 0x1p-11f)));
        assertEquals(1 + 0x1p-9f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1 + 3 * 0x1p-11f)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat(HalfFloats.floatToF16(65520f)));
        assertEquals(65504f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(65519.99f)));
        assertEquals(1.0f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1 + 0x1p-8f)));
        assertEquals(1 + 0x1p-6f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1 + 3 * 0x1p-8f)));
    }

    /** No other pattern is closer to x, and on a tie the chosen one has an even mantissa. */
    private static void checkNearest(float x, short chosen, boolean bf16) {
        double got = decode(chosen, bf16);
        double err = Math.abs(got - x);
        for (int delta = -1; delta <= 1; delta += 2) {
            int neighbour = (chosen + delta) & 0xffff;
            if (((neighbour ^ chosen) & 0x8000) != 0) {
                continue;
            }
            double other = decode((short) neighbour, bf16);
            if (Double.isNaN(other)) {
                continue;
            }
            double otherErr = Math.abs(other - x);
            if (Double.isInfinite(got) && !Double.isInfinite(x)) {
                // Overflow: the largest finite value must be at least half an ulp below x.
                double maxFinite = bf16 ? HalfFloats.bf16ToFloat((short) 0x7f7f) : 65504;
                double halfUlp = bf16 ? Math.scalb(1.0, 119) : 16;
                assertTrue(Math.abs(x) >= maxFinite + halfUlp, x + " overflowed");
                return;
            }
            assertTrue(err <= otherErr, x + " -> " + got + " but " + other + " is closer");
            if (err == otherErr && !Double.isInfinite(other)) {
                assertEquals(0, chosen & 1, x + " tie must round to even");
            }
        }
    }

    private static double decode(short bits, boolean bf16) {
        return bf16 ? HalfFloats.bf16ToFloat(bits) : HalfFloats.f16ToFloat(bits);
    }
}
