package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.advantage.WhitenResult;
import dev.vantage.oracle.AdvantageOracle;
import dev.vantage.oracle.Inputs;

import java.util.Arrays;
import java.util.Map;

/**
 * The advantage estimators on a right-padded {@code [B, T]} batch of LLM responses (the mask of
 * {@link BatchWorkload}, no episode flags): {@code gae} (advantages and returns, γ = 0.99, λ = 0.95),
 * {@code returns} (discounted, γ = 0.99), {@code grpo} and {@code rloo} (group advantages of the
 * [B] scores in groups of {@value #GROUP}, spread over each response's valid tokens with
 * {@code broadcast}: what a trainer does with them), {@code broadcast} alone (the [B] scores spread
 * over each response's valid tokens), {@code whiten} (masked whitening),
 * {@code reinforce} (REINFORCE++ with a group baseline and a KL penalty, γ = 1) and {@code prime}
 * (PRIME's leave-one-out process and outcome advantages, the paper's form; the rewards array serves
 * as the implicit process rewards).
 *
 * <p>Parameter: {@code shape} ({@code BxT}). Tolerances of the parity suite
 * ({@code AdvantageGaeParityTest}, {@code AdvantageWhitenParityTest}): rel 1e-5 + abs 1e-5, the
 * absolute part scaled by the row's largest expected magnitude for the recurrences.
 */
public final class AdvantageWorkload extends BatchWorkload {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;
    static final double GAMMA = 0.99;
    static final double LAMBDA = 0.95;
    /** Responses per prompt. */
    static final int GROUP = 8;

    final GaeOptions gae = GaeOptions.of(GAMMA, LAMBDA);
    final GroupOptions groups = GroupOptions.of(GROUP);
    final ReinforceOptions reinforce = ReinforceOptions.defaults().klCoef(0.05).baselineGroupSize(GROUP);
    final PrimeOptions prime = PrimeOptions.of(GROUP);

    float[] rewardArray;
    float[] valueArray;
    float[] scoreArray;
    /** What each kernel writes over the batch: GAE's advantages, the returns, the group advantages, the whitened values. */
    float[] outArray;
    float[] retArray;
    private float[] perSequenceArray;
    private WhitenResult whitened;

    Tensor rewards;
    Tensor values;
    Tensor scores;
    Tensor out;
    Tensor returns;
    private Tensor perSequence;

    public AdvantageWorkload(Map<String, String> params) {
        super(params);
        if (rows % GROUP != 0) {
            throw new IllegalArgumentException("shape: B = " + rows + " is not a multiple of the group size " + GROUP);
        }
    }

    @Override
    public Traffic traffic(String kernel) {
        long n = (long) rows * time;
        switch (kernel) {
            case "gae":
                return new Traffic(9 * n, 8 * n);       // rewards, values, mask in; advantages, returns out
            case "returns":
            case "whiten":
                return new Traffic(5 * n, 4 * n);       // one float array and the mask in, one out
            case "grpo":
            case "rloo":
            case "broadcast":
                return new Traffic(4L * rows + n, 4 * n); // scores and mask in, token advantages out
            case "reinforce":
            case "prime":
                return new Traffic(4L * rows + 5 * n, 4 * n); // scores, a [B, T] float array and the mask in
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    protected void fill(long seed) {
        Inputs in = new Inputs(seed);
        int n = rows * time;
        rewardArray = in.floats(n, Inputs.Spread.NORMAL);
        valueArray = in.floats(n, Inputs.Spread.NORMAL);
        mask(in);
        scoreArray = in.floats(rows, Inputs.Spread.NORMAL);
        outArray = new float[n];
        retArray = new float[n];
        perSequenceArray = new float[rows];
        rewards = placed(Tensor.of(rewardArray, rows, time));
        values = placed(Tensor.of(valueArray, rows, time));
        scores = placed(Tensor.of(scoreArray, rows));
        out = placed(Tensor.of(outArray, rows, time));
        returns = placed(Tensor.of(retArray, rows, time));
        perSequence = placed(Tensor.of(perSequenceArray, rows));
    }

    @Override
    void run(Backend backend, String kernel) {
        switch (kernel) {
            case "gae":
                backend.advantage().gae(rewards, values, mask, Episodes.NONE, out, returns, gae);
                break;
            case "returns":
                backend.advantage().returns(rewards, mask, null, returns, GAMMA);
                break;
            case "grpo":
                backend.advantage().grpo(scores, perSequence, groups);
                backend.advantage().broadcast(perSequence, mask, out);
                break;
            case "rloo":
                backend.advantage().rloo(scores, perSequence, groups);
                backend.advantage().broadcast(perSequence, mask, out);
                break;
            case "broadcast":
                backend.advantage().broadcast(scores, mask, out);
                break;
            case "whiten":
                whitened = backend.advantage().whiten(values, mask, out, WhitenOptions.defaults());
                break;
            case "reinforce":
                whitened = backend.advantage().reinforcePlusPlus(scores, mask, values, out, reinforce);
                break;
            case "prime":
                whitened = backend.advantage().prime(rewards, scores, mask, out, prime);
                break;
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    Parity compare(String what, String kernel) {
        switch (kernel) {
            case "gae":
                return checkGae(what, outArray, retArray);
            case "returns":
                return checkReturns(what);
            case "grpo":
                return checkSpread(what, AdvantageOracle.grpo(doubles(scoreArray), GROUP, true, true, groups.epsilon(),
                        false));
            case "rloo":
                return checkSpread(what, AdvantageOracle.rloo(doubles(scoreArray), GROUP, false));
            case "broadcast":
                return checkSpread(what, doubles(scoreArray));
            case "reinforce":
                return checkWhitened(what, AdvantageOracle.reinforcePlusPlus(doubles(scoreArray), maskArray,
                        doubles(valueArray), rows, time, reinforce.gamma(), reinforce.klCoef(), GROUP));
            case "prime":
                return checkWhitened(what, AdvantageOracle.whiten(AdvantageOracle.primeReturns(doubles(rewardArray),
                        doubles(scoreArray), maskArray, rows, time, GROUP, 1, 1, false), maskArray, true, true,
                        WhitenOptions.defaults().epsilon()));
            default:
                return checkWhitened(what, AdvantageOracle.whiten(doubles(valueArray), maskArray, true, true,
                        WhitenOptions.defaults().epsilon()));
        }
    }

    /** Compares GAE advantages and returns with the oracle on the sample rows. */
    Parity checkGae(String what, float[] adv, float[] ret) {
        Parity parity = new Parity(what);
        for (int b : sampleRows(rows)) {
            AdvantageOracle.Gae ref = AdvantageOracle.gae(rowOf(rewardArray, b), rowOf(valueArray, b), maskRow(b),
                    null, null, null, 1, time, GAMMA, LAMBDA);
            compareRow(parity, "advantages", b, ref.advantages, adv);
            compareRow(parity, "returns", b, ref.returns, ret);
        }
        return parity;
    }

    private Parity checkReturns(String what) {
        Parity parity = new Parity(what);
        for (int b : sampleRows(rows)) {
            compareRow(parity, "returns", b, AdvantageOracle.returns(rowOf(rewardArray, b), maskRow(b), null, 1, time,
                    GAMMA), retArray);
        }
        return parity;
    }

    /** The token advantages against per-sequence values spread over the valid tokens. */
    private Parity checkSpread(String what, double[] perSequence) {
        Parity parity = new Parity(what);
        compareSpread(parity, "advantages", perSequence, outArray, RTOL, ATOL);
        return parity;
    }

    /** The whitened output and its statistics against the oracle's. */
    private Parity checkWhitened(String what, AdvantageOracle.Whitened ref) {
        Parity parity = new Parity(what);
        double scale = 1 + Math.abs(ref.mean) + Math.sqrt(ref.variance);
        parity.add("mean", 0, ref.mean, whitened.mean(), RTOL, ATOL * scale);
        parity.add("variance", 0, ref.variance, whitened.variance(), RTOL, ATOL * scale * scale);
        parity.add("count", 0, ref.count, whitened.count(), 0, 0);
        for (int b : sampleRows(rows)) {
            for (int t = 0; t < time; t++) {
                int at = b * time + t;
                parity.add("whitened", at, ref.out[at], outArray[at], RTOL, ATOL);
            }
        }
        return parity;
    }

    /** Row {@code b} against the oracle's, the absolute tolerance scaled by the row's largest magnitude. */
    private void compareRow(Parity parity, String output, int b, double[] expected, float[] actual) {
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int t = 0; t < time; t++) {
            parity.add(output, (long) b * time + t, expected[t], actual[b * time + t], RTOL, ATOL * scale);
        }
    }

    private double[] rowOf(float[] x, int b) {
        return doubles(x, b * time, (b + 1) * time);
    }

    private byte[] maskRow(int b) {
        return Arrays.copyOfRange(maskArray, b * time, (b + 1) * time);
    }
}
