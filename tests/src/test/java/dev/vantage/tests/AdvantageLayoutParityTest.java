package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The advantage kernels give the same bits whatever the memory layout of their tensors (heap
 * arrays, direct buffers), when an output is the same tensor as an input, and, on the Java backend,
 * whatever the number of threads. Exact comparisons: these are the same computation.
 */
class AdvantageLayoutParityTest {
    private static final int ROWS = 301;
    private static final int TIME = 1000;

    /** A {@code [ROWS, TIME]} rollout with interior masks, both episode ends, scores and KL. */
    private static final class Data {
        final Inputs in = new Inputs(83);
        final float[] rewards = in.floats(ROWS * TIME, Inputs.Spread.OUTLIERS);
        final float[] values = in.floats(ROWS * TIME, Inputs.Spread.NORMAL);
        final float[] bootstrap = in.floats(ROWS * TIME, Inputs.Spread.NORMAL);
        final float[] kl = in.uniform(ROWS * TIME, -0.2, 1);
        final float[] scores = in.floats(ROWS * 16, Inputs.Spread.WIDE);
        final float[] many = in.floats(1_000_003, Inputs.Spread.UNIFORM);
        final byte[] manyMask = in.mask(1_000_003, 0.6);
        final byte[] mask = in.mask(ROWS * TIME, 0.85);
        final byte[] terminated = in.mask(ROWS * TIME, 0.01);
        final byte[] truncated = in.mask(ROWS * TIME, 0.01);
    }

    private static final Data DATA = new Data();

    /** Makes tensors in one memory layout; {@link #read} gets a float tensor's elements back. */
    interface Layout {
        Tensor f32(float[] data, long... shape);

        Tensor bool(byte[] data, long... shape);

        float[] read(Tensor t);
    }

    static final Layout HEAP = new Layout() {
        @Override
        public Tensor f32(float[] data, long... shape) {
            return Tensor.of(data.clone(), shape);
        }

        @Override
        public Tensor bool(byte[] data, long... shape) {
            return Tensor.ofBool(data.clone(), shape);
        }

        @Override
        public float[] read(Tensor t) {
            return ((float[]) t.array()).clone();
        }
    };

    static final Layout DIRECT = new Layout() {
        @Override
        public Tensor f32(float[] data, long... shape) {
            return DirectBuffers.of(data, shape);
        }

        @Override
        public Tensor bool(byte[] data, long... shape) {
            return DirectBuffers.ofBool(data, shape);
        }

        @Override
        public float[] read(Tensor t) {
            float[] out = new float[(int) t.numel()];
            ((FloatBuffer) t.buffer()).get(0, out);
            return out;
        }
    };

    /** Every output (and whitening statistics) of every kernel, in a fixed order. */
    private static List<Object> runAll(Backend be, Layout layout) {
        Data d = DATA;
        List<Object> results = new ArrayList<>();
        long[] bt = {ROWS, TIME};
        Tensor mask = layout.bool(d.mask, bt);
        Episodes episodes = new Episodes(layout.bool(d.terminated, bt), layout.bool(d.truncated, bt),
                layout.f32(d.bootstrap, bt));
        Tensor adv = layout.f32(new float[ROWS * TIME], bt);
        Tensor ret = layout.f32(new float[ROWS * TIME], bt);
        be.advantage().gae(layout.f32(d.rewards, bt), layout.f32(d.values, bt), mask, episodes, adv, ret,
                GaeOptions.of(0.99, 0.95));
        results.add(layout.read(adv));
        results.add(layout.read(ret));

        Tensor returns = layout.f32(new float[ROWS * TIME], bt);
        be.advantage().returns(layout.f32(d.rewards, bt), mask, episodes.terminated(), returns, 0.97);
        results.add(layout.read(returns));

        int n = d.scores.length;
        Tensor groupOut = layout.f32(new float[n], n);
        be.advantage().grpo(layout.f32(d.scores, n), groupOut, GroupOptions.of(16));
        results.add(layout.read(groupOut));
        be.advantage().rloo(layout.f32(d.scores, n), groupOut, GroupOptions.of(16));
        results.add(layout.read(groupOut));

        Tensor spread = layout.f32(new float[ROWS * TIME], bt);
        be.advantage().broadcast(layout.f32(d.scores, ROWS), mask, spread);
        results.add(layout.read(spread));

        Tensor whitened = layout.f32(new float[d.many.length], d.many.length);
        results.add(be.advantage().whiten(layout.f32(d.many, d.many.length), layout.bool(d.manyMask, d.many.length),
                whitened, WhitenOptions.defaults()));
        results.add(layout.read(whitened));

        Tensor reinforce = layout.f32(new float[ROWS * TIME], bt);
        results.add(be.advantage().reinforcePlusPlus(layout.f32(d.scores, ROWS), mask, layout.f32(d.kl, bt), reinforce,
                ReinforceOptions.defaults().gamma(0.99).klCoef(0.05).baselineGroupSize(7)));
        results.add(layout.read(reinforce));
        return results;
    }

    private static void assertSame(List<Object> expected, List<Object> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) instanceof float[]) {
                assertArrayEquals((float[]) expected.get(i), (float[]) actual.get(i), "result " + i);
            } else {
                assertEquals(expected.get(i), actual.get(i), "result " + i);
            }
        }
    }

    @Test
    void javaResultsDoNotDependOnTheThreadCount() {
        assertSame(runAll(Backends.java(1), HEAP), runAll(Backends.java(3), HEAP));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void directBuffersGiveTheSameResultsAsArrays(String backend) {
        Backend be = Backends.require(backend);
        assertSame(runAll(be, HEAP), runAll(be, DIRECT));
    }

    static List<Object[]> layouts() {
        List<Object[]> cases = new ArrayList<>();
        Backends.names().forEach(backend -> {
            cases.add(new Object[] {backend, "heap"});
            cases.add(new Object[] {backend, "direct"});
        });
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void outputsMayOverwriteTheirInputs(String backend, String layoutName) {
        Backend be = Backends.require(backend);
        Layout layout = layoutName.equals("heap") ? HEAP : DIRECT;
        Data d = DATA;
        int rows = 37;
        int time = 211;
        long[] bt = {rows, time};
        int bn = rows * time;
        Tensor mask = layout.bool(Arrays.copyOf(d.mask, bn), bt);
        float[] r = Arrays.copyOf(d.rewards, bn);
        float[] v = Arrays.copyOf(d.values, bn);
        Episodes episodes = new Episodes(layout.bool(Arrays.copyOf(d.terminated, bn), bt),
                layout.bool(Arrays.copyOf(d.truncated, bn), bt),
                layout.f32(Arrays.copyOf(d.bootstrap, bn), bt));
        GaeOptions gaeOptions = GaeOptions.of(0.95, 0.9);

        Tensor adv = layout.f32(new float[bn], bt);
        Tensor ret = layout.f32(new float[bn], bt);
        be.advantage().gae(layout.f32(r, bt), layout.f32(v, bt), mask, episodes, adv, ret, gaeOptions);
        Tensor rewardsThenAdvantages = layout.f32(r, bt);
        Tensor valuesThenReturns = layout.f32(v, bt);
        be.advantage().gae(rewardsThenAdvantages, valuesThenReturns, mask, episodes, rewardsThenAdvantages,
                valuesThenReturns, gaeOptions);
        assertArrayEquals(layout.read(adv), layout.read(rewardsThenAdvantages), "GAE advantages in place");
        assertArrayEquals(layout.read(ret), layout.read(valuesThenReturns), "GAE returns in place");

        Tensor returns = layout.f32(new float[bn], bt);
        be.advantage().returns(layout.f32(r, bt), mask, null, returns, 0.9);
        Tensor rewardsThenReturns = layout.f32(r, bt);
        be.advantage().returns(rewardsThenReturns, mask, null, rewardsThenReturns, 0.9);
        assertArrayEquals(layout.read(returns), layout.read(rewardsThenReturns), "returns in place");

        int n = 16 * 9;
        float[] s = Arrays.copyOf(d.scores, n);
        Tensor grpo = layout.f32(new float[n], n);
        be.advantage().grpo(layout.f32(s, n), grpo, GroupOptions.of(16));
        Tensor scoresThenGrpo = layout.f32(s, n);
        be.advantage().grpo(scoresThenGrpo, scoresThenGrpo, GroupOptions.of(16));
        assertArrayEquals(layout.read(grpo), layout.read(scoresThenGrpo), "GRPO in place");
        Tensor rloo = layout.f32(new float[n], n);
        be.advantage().rloo(layout.f32(s, n), rloo, GroupOptions.of(16));
        Tensor scoresThenRloo = layout.f32(s, n);
        be.advantage().rloo(scoresThenRloo, scoresThenRloo, GroupOptions.of(16));
        assertArrayEquals(layout.read(rloo), layout.read(scoresThenRloo), "RLOO in place");

        Tensor whitened = layout.f32(new float[bn], bt);
        WhitenResult separate = be.advantage().whiten(layout.f32(r, bt), mask, whitened, WhitenOptions.defaults());
        Tensor valuesThenWhitened = layout.f32(r, bt);
        WhitenResult inPlace = be.advantage().whiten(valuesThenWhitened, mask, valuesThenWhitened,
                WhitenOptions.defaults());
        assertEquals(separate, inPlace);
        assertArrayEquals(layout.read(whitened), layout.read(valuesThenWhitened), "whitening in place");

        float[] kl = Arrays.copyOf(d.kl, bn);
        ReinforceOptions options = ReinforceOptions.defaults().klCoef(0.1).baselineGroupSize(37);
        Tensor reinforce = layout.f32(new float[bn], bt);
        be.advantage().reinforcePlusPlus(layout.f32(s, rows), mask, layout.f32(kl, bt), reinforce, options);
        Tensor klThenAdvantages = layout.f32(kl, bt);
        be.advantage().reinforcePlusPlus(layout.f32(s, rows), mask, klThenAdvantages, klThenAdvantages, options);
        assertArrayEquals(layout.read(reinforce), layout.read(klThenAdvantages), "REINFORCE++ over its kl");
    }
}
