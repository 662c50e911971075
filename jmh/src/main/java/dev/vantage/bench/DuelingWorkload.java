package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.oracle.DuelingOracle;
import dev.vantage.oracle.Inputs;

import java.util.Map;

/**
 * The dueling head {@code Q = V + A - agg(A)} ({@code forward}) and its gradients into V and A
 * ({@code backward}) on {@code [B, A]} advantages without an atom axis or action mask, as a DQN
 * on Atari uses it (A = 18).
 *
 * <p>Parameters: {@code shape} ({@code BxA}) and {@code mode} ({@code MEAN} or {@code MAX}).
 * Tolerances of {@code DuelingParityTest}: rel 1e-6 + abs 1e-6·(1 + the row's largest |input|) for
 * Q, abs 1e-6·(1 + √A) for the gradients.
 */
public final class DuelingWorkload extends Workload {
    static final double RTOL = 1e-6;
    static final double ATOL = 1e-6;

    final int rows;
    final int actions;
    final DuelingMode mode;

    float[] valueArray;
    float[] advArray;
    float[] qArray;
    float[] gradQArray;
    float[] gradValueArray;
    float[] gradAdvArray;

    Tensor value;
    Tensor advantage;
    Tensor q;
    Tensor gradQ;
    Tensor gradValue;
    Tensor gradAdvantage;

    public DuelingWorkload(Map<String, String> params) {
        int[] shape = dims(params.get("shape"));
        this.rows = shape[0];
        this.actions = shape[1];
        this.mode = DuelingMode.valueOf(params.get("mode"));
    }

    @Override
    public String label() {
        return rows + "x" + actions + " " + mode;
    }

    @Override
    public Traffic traffic(String kernel) {
        long n = (long) rows * actions;
        switch (kernel) {
            case "forward":
                return new Traffic(4L * rows + 4 * n, 4 * n);   // V and A in, Q out
            case "backward":
                // gradQ in (and A, for the argmax of MAX); gradV and gradA out
                return new Traffic((mode == DuelingMode.MAX ? 8 : 4) * n, 4L * rows + 4 * n);
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    protected void fill(long seed) {
        Inputs in = new Inputs(seed);
        int n = rows * actions;
        valueArray = in.floats(rows, Inputs.Spread.NORMAL);
        advArray = in.floats(n, Inputs.Spread.NORMAL);
        gradQArray = in.floats(n, Inputs.Spread.NORMAL);
        qArray = new float[n];
        gradValueArray = new float[rows];
        gradAdvArray = new float[n];
        value = placed(Tensor.of(valueArray, rows));
        advantage = placed(Tensor.of(advArray, rows, actions));
        q = placed(Tensor.of(qArray, rows, actions));
        gradQ = placed(Tensor.of(gradQArray, rows, actions));
        gradValue = placed(Tensor.of(gradValueArray, rows));
        gradAdvantage = placed(Tensor.of(gradAdvArray, rows, actions));
    }

    @Override
    void run(Backend backend, String kernel) {
        if (kernel.equals("forward")) {
            backend.dueling().forward(value, advantage, null, q, mode);
        } else if (kernel.equals("backward")) {
            backend.dueling().backward(advantage, null, gradQ, gradValue, gradAdvantage, mode);
        } else {
            throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    Parity compare(String what, String kernel) {
        return kernel.equals("forward") ? checkForward(what, qArray) : checkBackward(what, gradValueArray, gradAdvArray);
    }

    /** Compares Q with the oracle on the sample rows. */
    Parity checkForward(String what, float[] qOut) {
        Parity parity = new Parity(what);
        for (int b : sampleRows(rows)) {
            double[] adv = doubles(advArray, b * actions, (b + 1) * actions);
            double[] ref = DuelingOracle.forward(new double[] {valueArray[b]}, adv, null, 1, actions, 1, oracleMode());
            double largest = Math.abs(valueArray[b]);
            for (double a : adv) {
                largest = Math.max(largest, Math.abs(a));
            }
            for (int i = 0; i < actions; i++) {
                parity.add("q", (long) b * actions + i, ref[i], qOut[b * actions + i], RTOL, ATOL * (1 + largest));
            }
        }
        return parity;
    }

    /** Compares the gradients of V and A with the oracle on the sample rows. */
    Parity checkBackward(String what, float[] gradValueOut, float[] gradAdvOut) {
        Parity parity = new Parity(what);
        double atol = ATOL * (1 + Math.sqrt(actions));
        for (int b : sampleRows(rows)) {
            int from = b * actions;
            double[][] ref = DuelingOracle.backward(doubles(advArray, from, from + actions), null,
                    doubles(gradQArray, from, from + actions), 1, actions, 1, oracleMode());
            parity.add("gradValue", b, ref[0][0], gradValueOut[b], RTOL, atol);
            for (int i = 0; i < actions; i++) {
                parity.add("gradAdvantage", from + i, ref[1][i], gradAdvOut[from + i], RTOL, atol);
            }
        }
        return parity;
    }

    private DuelingOracle.Mode oracleMode() {
        return DuelingOracle.Mode.valueOf(mode.name());
    }
}
