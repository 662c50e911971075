package dev.vantage.bench;

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

    /** Fills the token inputs, the reference within about {@code distance} (one standard deviation) of the policy. */
    void tokens(Inputs in, double distance) {
        int n = rows * time;
        logpArray = in.uniform(n, -3, 0);
        refArray = in.floats(n, Inputs.Spread.NORMAL);
        for (int i = 0; i < n; i++) {
            refArray[i] = (float) (logpArray[i] + distance * refArray[i]);
        }
        advArray = in.floats(n, Inputs.Spread.NORMAL);
        logp = placed(Tensor.of(logpArray, rows, time));
        ref = placed(Tensor.of(refArray, rows, time));
        advantages = placed(Tensor.of(advArray, rows, time));
        mask(in);
    }

    /** Fills the mask alone. */
    void mask(Inputs in) {
        maskArray = in.rightPadded(rows, time, Math.max(1, time / 8));
        mask = placed(Tensor.ofBool(maskArray, rows, time));
    }

    /**
     * Compares a {@code [B, T]} output that holds a value per row on the row's valid tokens and 0
     * elsewhere, on the sample rows.
     */
    void compareSpread(Parity parity, String output, double[] perRow, float[] actual, double rtol, double atol) {
        for (int b : sampleRows(rows)) {
            for (int t = 0; t < time; t++) {
                int at = b * time + t;
                parity.add(output, at, maskArray[at] != 0 ? perRow[b] : 0, actual[at], rtol, atol);
            }
        }
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
