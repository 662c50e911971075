package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The Java backends scan rows without episode flags whose valid steps are a prefix (right padding)
 * several rows at a time, and every other row one at a time. A terminated tensor of zeros flags
 * nothing but sends every row to the one-at-a-time scan, so both must give the same bits: on rows
 * of every length from none to all, on rows with interior holes or a mask byte other than 1 among
 * them, with NaN and infinite inputs, with and without bootstrap values and values, and with the
 * tensors at different offsets in their arrays.
 */
class AdvantageScanPathsTest {
    private static final int ROWS = 41;
    private static final int TIME = 203;
    private static final int N = ROWS * TIME;

    static Stream<String> javaBackends() {
        return Backends.names().filter(name -> name.startsWith("java"));
    }

    /** Right-padded rows of lengths 0, 1, 2, TIME and random, some with a hole or a 2 in the mask. */
    private static byte[] mask(Inputs in) {
        byte[] mask = in.rightPadded(ROWS, TIME, 0);
        int[] lengths = {0, 1, 2, TIME};
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(mask, b * TIME, (b + 1) * TIME, (byte) 0);
            Arrays.fill(mask, b * TIME, b * TIME + lengths[b], (byte) 1);
        }
        mask[7 * TIME + 3] = 0;  // a hole
        mask[11 * TIME] = 2;     // valid, but not 1
        mask[13 * TIME + TIME - 1] = 1; // valid after padding
        return mask;
    }

    private static float[] withSpecials(float[] x) {
        x[5 * TIME + 17] = Float.NaN;
        x[9 * TIME + TIME - 1] = Float.NaN; // padding, unless the row is full
        x[17 * TIME + 2] = Float.POSITIVE_INFINITY;
        x[19 * TIME + 1] = -0f;
        return x;
    }

    /** A tensor over a copy of {@code data} that starts {@code offset} elements into its array. */
    private static Tensor at(int offset, float[] data) {
        float[] a = new float[offset + data.length];
        System.arraycopy(data, 0, a, offset, data.length);
        return Tensor.of(a, offset, new long[] {ROWS, TIME});
    }

    private static float[] read(Tensor t) {
        return Arrays.copyOfRange((float[]) t.array(), t.arrayOffset(), t.arrayOffset() + N);
    }

    @ParameterizedTest
    @MethodSource("javaBackends")
    void prefixRowsGiveTheBitsOfTheGeneralScan(String backend) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(89);
        float[] r = withSpecials(in.floats(N, Inputs.Spread.OUTLIERS));
        float[] v = withSpecials(in.floats(N, Inputs.Spread.NORMAL));
        float[] boot = in.floats(N, Inputs.Spread.NORMAL);
        Tensor mask = Tensor.ofBool(mask(in), ROWS, TIME);
        Tensor none = Tensor.ofBool(new byte[N], ROWS, TIME);
        GaeOptions options = GaeOptions.of(0.99, 0.95);
        for (int[] offsets : new int[][] {{0, 0, 0, 0}, {3, 3, 3, 3}, {0, 5, 1, 2}}) {
            for (float[] bootstrap : new float[][] {null, boot}) {
                Tensor[] fast = {at(offsets[2], new float[N]), at(offsets[3], new float[N])};
                Tensor[] general = {at(offsets[2], new float[N]), at(offsets[3], new float[N])};
                Tensor bootTensor = bootstrap == null ? null : at(0, bootstrap);
                be.advantage().gae(at(offsets[0], r), at(offsets[1], v), mask, new Episodes(null, null, bootTensor),
                        fast[0], fast[1], options);
                be.advantage().gae(at(offsets[0], r), at(offsets[1], v), mask, new Episodes(none, null, bootTensor),
                        general[0], general[1], options);
                String what = "offsets " + Arrays.toString(offsets) + (bootstrap == null ? "" : ", bootstrap");
                assertArrayEquals(read(general[0]), read(fast[0]), "advantages, " + what);
                assertArrayEquals(read(general[1]), read(fast[1]), "returns, " + what);
            }
            Tensor fast = at(offsets[2], new float[N]);
            Tensor general = at(offsets[2], new float[N]);
            be.advantage().returns(at(offsets[0], r), mask, null, fast, 0.97);
            be.advantage().returns(at(offsets[0], r), mask, none, general, 0.97);
            assertArrayEquals(read(general), read(fast), "discounted returns, offsets " + Arrays.toString(offsets));
        }
    }
}
