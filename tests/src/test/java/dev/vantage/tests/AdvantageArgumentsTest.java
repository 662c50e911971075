package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad arguments to the advantage kernels: each throws an {@link IllegalArgumentException} whose
 * message names the argument, and nothing is written to the outputs.
 */
class AdvantageArgumentsTest {
    private static final float UNTOUCHED = 7;

    private static float[] sentinel(int n) {
        float[] out = new float[n];
        Arrays.fill(out, UNTOUCHED);
        return out;
    }

    private static void expect(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + ":"), "message should name '" + argument + "': "
                + e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void gaeAndReturns(String backend) {
        Backend be = Backends.require(backend);
        var adv = be.advantage();
        Tensor r = Tensor.of(new float[6], 2, 3);
        Tensor v = Tensor.of(new float[6], 2, 3);
        float[] out = sentinel(6);
        float[] ret = sentinel(6);
        Tensor a = Tensor.of(out, 2, 3);
        Tensor rt = Tensor.of(ret, 2, 3);
        Tensor wrong = Tensor.of(new float[6], 3, 2);
        Tensor wrongMask = Tensor.ofBool(new byte[6], 3, 2);
        GaeOptions options = GaeOptions.of(0.99, 0.95);

        expect("rewards", () -> adv.gae(null, v, null, Episodes.NONE, a, rt, options));
        expect("rewards", () -> adv.gae(Tensor.of(new float[6], 6), v, null, Episodes.NONE, a, rt, options));
        expect("rewards", () -> adv.gae(Tensor.of(new int[6], 2, 3), v, null, Episodes.NONE, a, rt, options));
        expect("values", () -> adv.gae(r, null, null, Episodes.NONE, a, rt, options));
        expect("values", () -> adv.gae(r, wrong, null, Episodes.NONE, a, rt, options));
        expect("mask", () -> adv.gae(r, v, wrongMask, Episodes.NONE, a, rt, options));
        expect("mask", () -> adv.gae(r, v, Tensor.of(new float[6], 2, 3), Episodes.NONE, a, rt, options));
        expect("episodes", () -> adv.gae(r, v, null, null, a, rt, options));
        expect("terminated", () -> adv.gae(r, v, null, new Episodes(wrongMask, null, null), a, rt, options));
        expect("truncated", () -> adv.gae(r, v, null, new Episodes(null, wrongMask, null), a, rt, options));
        expect("bootstrapValues", () -> adv.gae(r, v, null, new Episodes(null, null, wrong), a, rt, options));
        expect("advantages", () -> adv.gae(r, v, null, Episodes.NONE, null, rt, options));
        expect("advantages", () -> adv.gae(r, v, null, Episodes.NONE, wrong, rt, options));
        expect("returns", () -> adv.gae(r, v, null, Episodes.NONE, a, wrong, options));
        expect("options", () -> adv.gae(r, v, null, Episodes.NONE, a, rt, null));

        expect("rewards", () -> adv.returns(null, null, null, a, 0.9));
        expect("mask", () -> adv.returns(r, wrongMask, null, a, 0.9));
        expect("terminated", () -> adv.returns(r, null, wrongMask, a, 0.9));
        expect("returns", () -> adv.returns(r, null, null, wrong, 0.9));
        expect("returns", () -> adv.returns(r, null, null, null, 0.9));
        expect("gamma", () -> adv.returns(r, null, null, a, 1.5));
        expect("gamma", () -> adv.returns(r, null, null, a, -0.1));
        expect("gamma", () -> adv.returns(r, null, null, a, Double.NaN));
        assertArrayEquals(sentinel(6), out, "nothing may be written on bad input");
        assertArrayEquals(sentinel(6), ret, "nothing may be written on bad input");

        expect("gamma", () -> GaeOptions.of(1.01, 0.9));
        expect("gamma", () -> GaeOptions.of(-0.5, 0.9));
        expect("lambda", () -> GaeOptions.of(0.9, 1.2));
        expect("lambda", () -> GaeOptions.of(0.9, -1e-9));
        expect("lambda", () -> GaeOptions.of(0.9, Double.NaN));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void groupAdvantagesAndBroadcast(String backend) {
        Backend be = Backends.require(backend);
        var adv = be.advantage();
        Tensor scores = Tensor.of(new float[6], 6);
        float[] out = sentinel(6);
        Tensor a = Tensor.of(out, 6);
        GroupOptions four = GroupOptions.of(4);
        GroupOptions three = GroupOptions.of(3);

        expect("scores", () -> adv.grpo(scores, a, four));
        expect("scores", () -> adv.rloo(scores, a, four));
        expect("scores", () -> adv.grpo(null, a, three));
        expect("scores", () -> adv.grpo(Tensor.of(new float[6], 2, 3), a, three));
        expect("advantages", () -> adv.grpo(scores, Tensor.of(new float[5], 5), three));
        expect("advantages", () -> adv.rloo(scores, null, three));
        expect("options", () -> adv.grpo(scores, a, null));
        expect("options", () -> adv.rloo(scores, a, null));

        float[] spread = sentinel(12);
        Tensor s = Tensor.of(spread, 6, 2);
        expect("perSequence", () -> adv.broadcast(Tensor.of(new float[5], 5), null, s));
        expect("perSequence", () -> adv.broadcast(null, null, s));
        expect("mask", () -> adv.broadcast(scores, Tensor.ofBool(new byte[12], 2, 6), s));
        expect("out", () -> adv.broadcast(scores, null, Tensor.of(new float[6], 6)));
        assertArrayEquals(sentinel(6), out, "nothing may be written on bad input");
        assertArrayEquals(sentinel(12), spread, "nothing may be written on bad input");

        expect("groupSize", () -> GroupOptions.of(0));
        expect("epsilon", () -> GroupOptions.of(2).epsilon(-1e-6));
        expect("epsilon", () -> GroupOptions.of(2).epsilon(Double.NaN));
        expect("epsilon", () -> GroupOptions.of(2).epsilon(Double.POSITIVE_INFINITY));
        expect("singleton", () -> GroupOptions.of(2).singleton(null));
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.tests.Backends#names")
    void whiteningAndReinforce(String backend) {
        Backend be = Backends.require(backend);
        var adv = be.advantage();
        Tensor x = Tensor.of(new float[6], 2, 3);
        float[] out = sentinel(6);
        Tensor o = Tensor.of(out, 2, 3);
        WhitenOptions w = WhitenOptions.defaults();

        expect("values", () -> adv.whiten(null, null, o, w));
        expect("values", () -> adv.whiten(Tensor.ofBool(new byte[6], 2, 3), null, o, w));
        expect("mask", () -> adv.whiten(x, Tensor.ofBool(new byte[6], 6), o, w));
        expect("out", () -> adv.whiten(x, null, Tensor.of(new float[6], 3, 2), w));
        expect("out", () -> adv.whiten(x, null, null, w));
        expect("options", () -> adv.whiten(x, null, o, null));
        expect("epsilon", () -> WhitenOptions.defaults().epsilon(0));
        expect("epsilon", () -> WhitenOptions.defaults().epsilon(Double.NaN));

        Tensor scores = Tensor.of(new float[2], 2);
        Tensor kl = Tensor.of(new float[6], 2, 3);
        ReinforceOptions plain = ReinforceOptions.defaults();
        ReinforceOptions withKl = plain.klCoef(0.1);
        expect("advantages", () -> adv.reinforcePlusPlus(scores, null, null, null, plain));
        expect("advantages", () -> adv.reinforcePlusPlus(scores, null, null, Tensor.of(new float[6], 6), plain));
        expect("scores", () -> adv.reinforcePlusPlus(null, null, null, o, plain));
        expect("scores", () -> adv.reinforcePlusPlus(Tensor.of(new float[3], 3), null, null, o, plain));
        expect("mask", () -> adv.reinforcePlusPlus(scores, Tensor.ofBool(new byte[6], 3, 2), null, o, plain));
        expect("kl", () -> adv.reinforcePlusPlus(scores, null, null, o, withKl));
        expect("kl", () -> adv.reinforcePlusPlus(scores, null, Tensor.of(new float[6], 3, 2), o, withKl));
        expect("kl", () -> adv.reinforcePlusPlus(scores, null, Tensor.of(new float[6], 3, 2), o, plain));
        expect("options", () -> adv.reinforcePlusPlus(scores, null, kl, o, null));
        expect("scores", () -> adv.reinforcePlusPlus(scores, null, kl, o, plain.baselineGroupSize(3)));
        assertArrayEquals(sentinel(6), out, "nothing may be written on bad input");

        expect("gamma", () -> plain.gamma(1.5));
        expect("gamma", () -> plain.gamma(-0.1));
        expect("klCoef", () -> plain.klCoef(-1));
        expect("klCoef", () -> plain.klCoef(Double.NaN));
        expect("baselineGroupSize", () -> plain.baselineGroupSize(-1));
    }
}
