package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.oracle.Inputs;

import java.util.Map;

/**
 * A workload on a right-padded {@code [B, T]} batch of responses (parameter {@code shape},
 * {@code BxT}), with the inputs most token kernels read: the policy's token log-probs (uniform in
 * [-3, 0]), those of a reference within a given distance of them (the old policy for PPO, the
 * reference policy for KL and the objectives), advantages (standard normal) and the mask (each
 * row's length uniform in {@code [T/8, T]}).
 */
abstract class BatchWorkload extends Workload {
    final int rows;
    final int time;

    float[] logpArray;
    float[] refArray;
    float[] advArray;
    byte[] maskArray;

    Tensor logp;
    Tensor ref;
    Tensor advantages;
    Tensor mask;

    BatchWorkload(Map<String, String> params) {
        int[] shape = dims(params.get("shape"));
        this.rows = shape[0];
        this.time = shape[1];
    }

    @Override
    public String label() {
        return rows + "x" + time;
    }

    /** Runs one kernel on the generated inputs. */
    abstract void run(Backend backend, String kernel);

    /** Compares the outputs of the last {@link #run} of {@code kernel} with the oracle. */
    abstract Parity compare(String what, String kernel);

    @Override
    public Parity check(Backend backend, String kernel) {
        run(backend, kernel);
        return compare(backend.name() + " " + kernel + " " + label(), kernel);
    }

    /** Fills the token inputs, the reference within about {@code distance} (one standard deviation) of the policy. */
    void tokens(Inputs in, double distance) {
        int n = rows * time;
        logpArray = in.uniform(n, -3, 0);
        refArray = in.floats(n, Inputs.Spread.NORMAL);
        for (int i = 0; i < n; i++) {
            refArray[i] = (float) (logpArray[i] + distance * refArray[i]);
        }
        advArray = in.floats(n, Inputs.Spread.NORMAL);
        logp = Tensor.of(logpArray, rows, time);
        ref = Tensor.of(refArray, rows, time);
        advantages = Tensor.of(advArray, rows, time);
        mask(in);
    }

    /** Fills the mask alone. */
    void mask(Inputs in) {
        maskArray = in.rightPadded(rows, time, Math.max(1, time / 8));
        mask = Tensor.ofBool(maskArray, rows, time);
    }

    /** The number of valid tokens. */
    long tokenCount() {
        long n = 0;
        for (byte m : maskArray) {
            n += m;
        }
        return n;
    }
}
