package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.oracle.AdvantageOracle;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vantage.tests.Close.assertClose;
import static dev.vantage.tests.Close.concat;
import static dev.vantage.tests.Close.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * GAE and discounted returns on every backend, against {@link AdvantageOracle}. Tolerance per
 * element: rel 1e-5 + abs 1e-5·(1 + max |expected| over the row), because a recurrence that
 * accumulates in fp32 errs in proportion to the row's partial sums, not to each element (the Java
 * backend accumulates in double and only rounds its outputs).
 */
class AdvantageGaeParityTest {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;

    /** How the valid steps of a random case are laid out. */
    enum Masks { ALL, RIGHT_PADDED, INTERIOR }

    /** Which episode ends a random case has. */
    enum Ends {
        /** LLM responses: none. */
        NONE,
        /** Terminal and truncated steps with bootstrap values. */
        FLAGS,
        /** No flags, bootstrap values: rollout fragments cut at their last valid step. */
        FRAGMENT
    }

    /** A random {@code [rows, time]} rollout and its float64 copy for the oracle. */
    static final class Rollout {
        final int rows;
        final int time;
        final float[] rewards;
        final float[] values;
        final float[] bootstrap;
        final byte[] mask;
        final byte[] terminated;
        final byte[] truncated;

        Rollout(long seed, int rows, int time, Masks masks, Ends ends, Inputs.Spread spread) {
            Inputs in = new Inputs(seed);
            int n = rows * time;
            this.rows = rows;
            this.time = time;
            rewards = in.floats(n, spread);
            values = in.floats(n, Inputs.Spread.NORMAL);
            bootstrap = ends == Ends.NONE ? null : in.floats(n, Inputs.Spread.NORMAL);
            mask = masks == Masks.ALL ? null
                    : masks == Masks.RIGHT_PADDED ? in.rightPadded(rows, time, 0) : in.mask(n, 0.8);
            terminated = ends == Ends.FLAGS ? in.mask(n, 0.03) : null;
            truncated = ends == Ends.FLAGS ? in.mask(n, 0.03) : null;
        }

        Episodes episodes() {
            return new Episodes(bool(terminated), bool(truncated), bootstrap == null ? null : f32(bootstrap));
        }

        AdvantageOracle.Gae oracle(double gamma, double lambda) {
            return AdvantageOracle.gae(toDouble(rewards), toDouble(values), mask, terminated, truncated,
                    bootstrap == null ? null : toDouble(bootstrap), rows, time, gamma, lambda);
        }

        Tensor f32(float[] data) {
            return Tensor.of(data, rows, time);
        }

        Tensor bool(byte[] data) {
            return data == null ? null : Tensor.ofBool(data, rows, time);
        }
    }

    /** Runs GAE on {@code be}; returns {advantages, returns}. */
    static float[][] gae(Backend be, Rollout x, double gamma, double lambda) {
        float[] adv = new float[x.rows * x.time];
        float[] ret = new float[x.rows * x.time];
        be.advantage().gae(x.f32(x.rewards), x.f32(x.values), x.bool(x.mask), x.episodes(), x.f32(adv), x.f32(ret),
                GaeOptions.of(gamma, lambda));
        return new float[][] {adv, ret};
    }

    /** Row by row, with the absolute tolerance scaled by the row's largest expected magnitude. */
    static void assertRowsClose(String what, double[] expected, float[] actual, int rows, int time) {
        for (int b = 0; b < rows; b++) {
            double[] row = Arrays.copyOfRange(expected, b * time, (b + 1) * time);
            double scale = 1;
            for (double e : row) {
                if (Double.isFinite(e)) {
                    scale = Math.max(scale, Math.abs(e));
                }
            }
            assertClose(what + " row " + b, row, actual, b * time, RTOL, ATOL * scale);
        }
    }

    /** One case per backend and spec: {backend, spec..., spread}, the spread cycling through {@link Inputs.Spread}. */
    static List<Object[]> perBackend(Object[][] specs) {
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            for (int k = 0; k < specs.length; k++) {
                Object[] c = new Object[specs[k].length + 2];
                c[0] = backend;
                System.arraycopy(specs[k], 0, c, 1, specs[k].length);
                c[c.length - 1] = Inputs.Spread.values()[k % Inputs.Spread.values().length];
                cases.add(c);
            }
        });
        return cases;
    }

    // ---- kernel-math.md §14.3 ------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void referenceVector(String backend) {
        Backend be = Backends.require(backend);
        float[] adv = new float[5];
        float[] ret = new float[5];
        Episodes episodes = new Episodes(Tensor.ofBool(new byte[] {0, 0, 1, 0, 0}, 1, 5), null,
                Tensor.of(new float[] {0, 0, 0, 0, 0.7f}, 1, 5));
        be.advantage().gae(Tensor.of(new float[] {0, 0, 1, 0, 0.5f}, 1, 5),
                Tensor.of(new float[] {0.5f, 0.4f, 0.9f, 0.2f, 0.3f}, 1, 5), null, episodes, Tensor.of(adv, 1, 5),
                Tensor.of(ret, 1, 5), GaeOptions.of(0.99, 0.95));
        assertClose("A", new double[] {0.446239525, 0.58505, 0.1, 0.9368665, 0.893}, adv, RTOL, ATOL);
        assertClose("Ret", new double[] {0.946239525, 0.98505, 1.0, 1.1368665, 1.193}, ret, RTOL, ATOL);
    }

    // ---- random rollouts against the oracle ----------------------------------------------------

    static List<Object[]> randomCases() {
        Object[][] specs = {
            {1, 1, 0.99, 0.95, Masks.ALL, Ends.NONE},
            {1, 7, 1.0, 1.0, Masks.INTERIOR, Ends.FLAGS},
            {3, 2, 0.9, 0.0, Masks.RIGHT_PADDED, Ends.FRAGMENT},
            {13, 31, 0.0, 0.5, Masks.INTERIOR, Ends.FLAGS},
            {5, 127, 0.99, 0.95, Masks.RIGHT_PADDED, Ends.FLAGS},
            {3, 4095, 1.0, 0.95, Masks.INTERIOR, Ends.FRAGMENT},
            {2, 4097, 0.999, 1.0, Masks.ALL, Ends.FLAGS},
            {17, 1000, 1.0, 1.0, Masks.INTERIOR, Ends.NONE},
            {64, 32768, 0.99, 0.95, Masks.RIGHT_PADDED, Ends.NONE},
        };
        return perBackend(specs);
    }

    @ParameterizedTest(name = "{0} {1}x{2} γ={3} λ={4} {5} {6} {7}")
    @MethodSource("randomCases")
    void randomGaeAndReturns(String backend, int rows, int time, double gamma, double lambda, Masks masks, Ends ends,
                             Inputs.Spread spread) {
        Backend be = Backends.require(backend);
        Rollout x = new Rollout(37L * rows + time, rows, time, masks, ends, spread);
        float[][] out = gae(be, x, gamma, lambda);
        AdvantageOracle.Gae ref = x.oracle(gamma, lambda);
        assertRowsClose("advantages", ref.advantages, out[0], rows, time);
        assertRowsClose("returns", ref.returns, out[1], rows, time);

        float[] returns = new float[rows * time];
        be.advantage().returns(x.f32(x.rewards), x.bool(x.mask), x.bool(x.terminated), x.f32(returns), gamma);
        assertRowsClose("discounted returns",
                AdvantageOracle.returns(toDouble(x.rewards), x.mask, x.terminated, rows, time, gamma), returns, rows,
                time);
    }

    // ---- episode ends --------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void truncationBootstrapsButDoesNotChain(String backend) {
        Backend be = Backends.require(backend);
        double gamma = 0.9;
        double lambda = 0.8;
        float[] r = {0.5f, -0.2f, 1, 0.3f, 0.7f};
        float[] v = {0.1f, 0.4f, 0.2f, -0.3f, 0.6f};
        float[] boot = {0, 0, 0.8f, 0, 0};
        byte[] atTwo = {0, 0, 1, 0, 0};
        float[] none = gaeRow(be, r, v, null, null, boot, gamma, lambda);
        float[] terminal = gaeRow(be, r, v, atTwo, null, boot, gamma, lambda);
        float[] truncated = gaeRow(be, r, v, null, atTwo, boot, gamma, lambda);
        float[] both = gaeRow(be, r, v, atTwo, atTwo, boot, gamma, lambda);

        double a4 = r[4] - (double) v[4];
        double a3 = r[3] + gamma * v[4] - v[3] + gamma * lambda * a4;
        assertClose("terminal A2", r[2] - (double) v[2], terminal[2], RTOL, ATOL);
        assertClose("truncated A2", r[2] + gamma * boot[2] - v[2], truncated[2], RTOL, ATOL);
        assertClose("terminal and truncated A2", r[2] - (double) v[2], both[2], RTOL, ATOL);
        assertClose("unflagged A2", r[2] + gamma * v[3] - v[2] + gamma * lambda * a3, none[2], RTOL, ATOL);
        for (float[] a : new float[][] {none, terminal, truncated, both}) {
            assertClose("A4", a4, a[4], RTOL, ATOL);
            assertClose("A3", a3, a[3], RTOL, ATOL);
            assertClose("A1", r[1] + gamma * v[2] - v[1] + gamma * lambda * a[2], a[1], RTOL, ATOL);
        }

        // Nothing after the episode end reaches it: change the later episode, A2 stays.
        float[] later = r.clone();
        later[3] += 10;
        assertEquals(terminal[2], gaeRow(be, later, v, atTwo, null, boot, gamma, lambda)[2]);
        assertEquals(truncated[2], gaeRow(be, later, v, null, atTwo, boot, gamma, lambda)[2]);
        assertNotEquals(none[2], gaeRow(be, later, v, null, null, boot, gamma, lambda)[2]);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void rolloutFragmentBootstrapsAtItsLastValidStep(String backend) {
        Backend be = Backends.require(backend);
        double gamma = 0.99;
        double lambda = 0.95;
        float nan = Float.NaN;
        float[] r = {0.1f, 0.2f, -0.4f, 1.5f, 0.3f, 0.2f, 0.9f, 0, 0, 0};
        float[] v = {0.3f, 0.5f, 0.1f, 0.2f, -0.1f, 0.4f, 0.7f, 0, 0, 0};
        // Only the last valid step's bootstrap value is read: NaN elsewhere must not show.
        float[] boot = {nan, nan, nan, nan, nan, 0.6f, 0.25f, nan, nan, nan};
        byte[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
        float[] r2 = concat(r, r);
        float[] v2 = concat(v, v);
        float[] adv = new float[20];
        be.advantage().gae(Tensor.of(r2, 2, 10), Tensor.of(v2, 2, 10), Tensor.ofBool(mask, 2, 10),
                new Episodes(null, null, Tensor.of(concat(boot, boot), 2, 10)), Tensor.of(adv, 2, 10), null,
                GaeOptions.of(gamma, lambda));
        assertClose("row 0 last valid", r[5] + gamma * boot[5] - v[5], adv[5], RTOL, ATOL);
        assertClose("row 1 last valid", r[6] + gamma * boot[6] - v[6], adv[16], RTOL, ATOL);
        AdvantageOracle.Gae ref = AdvantageOracle.gae(toDouble(r2), toDouble(v2), mask, null, null,
                toDouble(concat(boot, boot)), 2, 10, gamma, lambda);
        assertRowsClose("advantages", ref.advantages, adv, 2, 10);
        for (float a : adv) {
            assertFalse(Float.isNaN(a), "an unread bootstrap value leaked: " + Arrays.toString(adv));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void interiorMaskedStepsAreSkippedAndPaddingIsIgnored(String backend) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(61);
        int time = 40;
        float[] r = in.floats(time, Inputs.Spread.NORMAL);
        float[] v = in.floats(time, Inputs.Spread.NORMAL);
        byte[] mask = in.mask(time, 0.6);
        mask[0] = 1;
        int n = 0;
        for (byte m : mask) {
            n += m;
        }
        float[] rValid = new float[n];
        float[] vValid = new float[n];
        for (int t = 0, k = 0; t < time; t++) {
            if (mask[t] != 0) {
                rValid[k] = r[t];
                vValid[k++] = v[t];
            }
        }
        // The same steps, once with masked steps between them, once compacted, once right-padded.
        float[] withGaps = new float[time];
        be.advantage().gae(Tensor.of(r, 1, time), Tensor.of(v, 1, time), Tensor.ofBool(mask, 1, time), Episodes.NONE,
                Tensor.of(withGaps, 1, time), null, GaeOptions.of(0.97, 0.9));
        float[] compact = gaeRow(be, rValid, vValid, null, null, null, 0.97, 0.9);
        float[] padded = new float[time];
        byte[] rightPadding = new byte[time];
        Arrays.fill(rightPadding, 0, n, (byte) 1);
        float[] rPadded = Arrays.copyOf(rValid, time);
        float[] vPadded = Arrays.copyOf(vValid, time);
        Arrays.fill(rPadded, n, time, 1e3f);
        Arrays.fill(vPadded, n, time, -1e3f);
        be.advantage().gae(Tensor.of(rPadded, 1, time), Tensor.of(vPadded, 1, time),
                Tensor.ofBool(rightPadding, 1, time), Episodes.NONE, Tensor.of(padded, 1, time), null,
                GaeOptions.of(0.97, 0.9));
        for (int t = 0, k = 0; t < time; t++) {
            if (mask[t] != 0) {
                assertClose("gaps vs compact, step " + t, compact[k], withGaps[t], 1e-6, 1e-6);
                assertClose("padded vs compact, step " + k, compact[k], padded[k], 1e-6, 1e-6);
                k++;
            } else {
                assertEquals(0f, withGaps[t], "masked step " + t);
            }
        }
        for (int t = n; t < time; t++) {
            assertEquals(0f, padded[t], "padding step " + t);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void unitGammaAndLambdaGiveSuffixSums(String backend) {
        Backend be = Backends.require(backend);
        Inputs in = new Inputs(67);
        int rows = 4;
        int time = 513;
        float[] r = in.floats(rows * time, Inputs.Spread.UNIFORM);
        float[] v = in.floats(rows * time, Inputs.Spread.NORMAL);
        byte[] mask = in.rightPadded(rows, time, 1);
        float[] adv = new float[rows * time];
        be.advantage().gae(Tensor.of(r, rows, time), Tensor.of(v, rows, time), Tensor.ofBool(mask, rows, time),
                Episodes.NONE, Tensor.of(adv, rows, time), null, GaeOptions.of(1, 1));
        float[] returns = new float[rows * time];
        be.advantage().returns(Tensor.of(r, rows, time), Tensor.ofBool(mask, rows, time), null,
                Tensor.of(returns, rows, time), 1);
        double[] suffix = new double[rows * time];
        double[] telescoped = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            double sum = 0;
            for (int t = time - 1; t >= 0; t--) {
                int i = b * time + t;
                if (mask[i] != 0) {
                    sum += r[i];
                    suffix[i] = sum;
                    telescoped[i] = sum - v[i];
                }
            }
        }
        assertRowsClose("returns", suffix, returns, rows, time);
        assertRowsClose("advantages", telescoped, adv, rows, time);
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void nanPropagatesBackwardsWithinItsEpisodeOnly(String backend) {
        Backend be = Backends.require(backend);
        float nan = Float.NaN;
        float[] r = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, nan, 0.8f, nan, 1.0f};
        float[] v = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, nan, 0.1f};
        float[] boot = {0, 0, 0, nan, nan, 0, 0, 0, 0, 0.5f};
        byte[] term = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        byte[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
        for (double lambda : new double[] {0.95, 0}) {
            float[] adv = new float[10];
            float[] ret = new float[10];
            be.advantage().gae(Tensor.of(r, 1, 10), Tensor.of(v, 1, 10), Tensor.ofBool(mask, 1, 10),
                    new Episodes(Tensor.ofBool(term, 1, 10), null, Tensor.of(boot, 1, 10)), Tensor.of(adv, 1, 10),
                    Tensor.of(ret, 1, 10), GaeOptions.of(0.9, lambda));
            String row = "λ = " + lambda + ": " + Arrays.toString(adv);
            for (int t = 0; t < 10; t++) {
                boolean poisoned = t >= 4 && t <= 6;
                assertEquals(poisoned, Float.isNaN(adv[t]), row);
                assertEquals(poisoned, Float.isNaN(ret[t]), row);
            }
            assertEquals(0f, adv[8], row);
        }
        float[] returns = new float[10];
        be.advantage().returns(Tensor.of(r, 1, 10), Tensor.ofBool(mask, 1, 10), Tensor.ofBool(term, 1, 10),
                Tensor.of(returns, 1, 10), 0.9);
        for (int t = 0; t < 10; t++) {
            assertEquals(t >= 4 && t <= 6, Float.isNaN(returns[t]), Arrays.toString(returns));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void emptyRowsAndOneStep(String backend) {
        Backend be = Backends.require(backend);
        float[] adv = {7, 7, 7, 7, 7, 7};
        float[] ret = {7, 7, 7, 7, 7, 7};
        byte[] mask = {0, 0, 0, 1, 0, 0};
        be.advantage().gae(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), Tensor.of(new float[] {1, 1, 1, 1, 1, 1},
                2, 3), Tensor.ofBool(mask, 2, 3), Episodes.NONE, Tensor.of(adv, 2, 3), Tensor.of(ret, 2, 3),
                GaeOptions.of(0.5, 0.5));
        assertClose("advantages", new double[] {0, 0, 0, 3, 0, 0}, adv, RTOL, ATOL);
        assertClose("returns", new double[] {0, 0, 0, 4, 0, 0}, ret, RTOL, ATOL);
        // No time steps at all: nothing to do, nothing thrown.
        be.advantage().gae(Tensor.of(new float[0], 3, 0), Tensor.of(new float[0], 3, 0), null, Episodes.NONE,
                Tensor.of(new float[0], 3, 0), null, GaeOptions.of(1, 1));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static float[] gaeRow(Backend be, float[] r, float[] v, byte[] term, byte[] trunc, float[] boot,
                                  double gamma, double lambda) {
        int time = r.length;
        float[] adv = new float[time];
        Episodes episodes = new Episodes(term == null ? null : Tensor.ofBool(term, 1, time),
                trunc == null ? null : Tensor.ofBool(trunc, 1, time), boot == null ? null : Tensor.of(boot, 1, time));
        be.advantage().gae(Tensor.of(r, 1, time), Tensor.of(v, 1, time), null, episodes, Tensor.of(adv, 1, time), null,
                GaeOptions.of(gamma, lambda));
        return adv;
    }

}
