package dev.vantage.kernels.java;

import dev.vantage.kernels.HalfFloats;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The row loops' bfloat16 encoding, bit for bit against {@link HalfFloats#floatToBf16} on both
 * backends' loops: ties either way, NaNs of either sign with payloads, infinities, the largest
 * float (which rounds to infinity), subnormals, zeros, and random bit patterns, at a length that
 * leaves a partial vector. In this package to reach the package-private loops.
 */
class Bf16CodecTest {
    @Test
    void encodingMatchesHalfFloatsBitForBit() throws ReflectiveOperationException {
        float[] values = values();
        List<RowLoops> all = new ArrayList<>(List.of(ScalarRowLoops.INSTANCE));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            all.add((RowLoops) Class.forName("dev.vantage.kernels.java.VectorRowLoops").getDeclaredConstructor()
                    .newInstance());
        }
        for (RowLoops loops : all) {
            short[] bits = new short[values.length + 5];
            loops.floatToBf16(values, bits, 5, values.length);
            for (int i = 0; i < values.length; i++) {
                assertEquals(HalfFloats.floatToBf16(values[i]), bits[5 + i], loops.getClass().getSimpleName()
                        + ": bits of " + Integer.toHexString(Float.floatToRawIntBits(values[i])));
            }
            float[] back = new float[values.length];
            loops.bf16ToFloat(bits, 5, back, values.length);
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(HalfFloats.bf16ToFloat(bits[5 + i])),
                        Float.floatToRawIntBits(back[i]), loops.getClass().getSimpleName() + ": decoding");
            }
        }
    }

    private static float[] values() {
        int[] special = {
            0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001, // ties to even (down, up), below and above a tie
            0xbf808000, 0xbf818000,                         // the same, negative
            0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, // NaNs: quiet, signalling, both signs
            0x7fc10101, 0xffc10101, 0x7f80ffff,             // NaNs with payloads (one only below the top half)
            0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff, // infinities, the largest floats (round to inf)
            0x00000001, 0x00008000, 0x00018000, 0x807fffff, // subnormals
            0x00000000, 0x80000000,                         // zeros
        };
        SplittableRandom random = new SplittableRandom(61);
        float[] out = new float[1000 + 7];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(i < special.length ? special[i] : random.nextInt());
        }
        return out;
    }
}
