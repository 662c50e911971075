package dev.vantage.kernels;

/**
 * Conversions between {@code float} and the two 16-bit floating-point formats, bit-exact with
 * CUDA's {@code __float2bfloat16_rn}/{@code __float2half_rn}: round to nearest, ties to even;
 * NaN stays NaN, overflow becomes infinity, subnormals are kept.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The float a bfloat16 bit pattern stands for (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** The nearest bfloat16 to {@code value}. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            // Keep the sign and force a quiet NaN: truncating could turn a NaN into infinity.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The float an IEEE binary16 bit pattern stands for (exact). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal or zero: mantissa * 2^-24, exact in binary32.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The nearest IEEE binary16 to {@code value}. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            // Infinity stays infinity; NaN becomes a quiet NaN.
            return (short) (sign | 0x7c00 | (magnitude > 0x7f800000 ? 0x200 : 0));
        }
        if (magnitude >= 0x477ff000) {
            // At or above 65520 the nearest half is infinity.
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) {
            // Below 2^-14 the result is subnormal: round |value| / 2^-24 to an integer, ties to even.
            float scaled = Float.intBitsToFloat(magnitude) * 0x1p24f;
            return (short) (sign | (int) Math.rint(scaled));
        }
        int rounded = magnitude + 0xfff + ((magnitude >>> 13) & 1);
        return (short) (sign | ((rounded - 0x38000000) >>> 13));
    }
}
