package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.objective.AlolOptions;
import dev.vantage.kernels.objective.ApaOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.objective.DpoResult;
import dev.vantage.kernels.objective.KtoOptions;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.ObjectiveOracle;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * The sequence objectives on a right-padded {@code [B, T]} batch of token log-probs (see
 * {@link BatchWorkload}), each returning its loss and writing {@code gradLogp} in one call:
 * {@code dpo} (sigmoid, β = 0.1; rows {@code [0, B/2)} chosen, the rest rejected), {@code kto}
 * (half the rows desirable, reference KL 0.1), {@code apa} (λ = 0.1, token mean), {@code alol}
 * (sequence-level weights, ε = 0.9) and {@code prime} (PRIME's implicit reward-model loss, β = 0.05).
 * The reference policy (APA's initial one) is given per token, within about 0.1 of the policy.
 *
 * <p>Parameter: {@code shape} ({@code BxT}). Tolerances of {@code ObjectiveParityTest}: losses and
 * metrics rel 1e-5 + abs 1e-6; gradients rel 1e-4 + abs 1e-5·max|gradient| against central
 * differences (step 1e-5) of the oracle's loss. Each loss is a mean of per-row (DPO: per-pair)
 * terms, so a token's derivative is taken on its own row's (pair's) term, scaled by that term's
 * weight in the mean: the full batch's sum would drown the step in rounding.
 */
public final class ObjectiveWorkload extends BatchWorkload {
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;
    static final double GRAD_RTOL = 1e-4;
    static final double STEP = 1e-5;
    static final double REFERENCE_KL = 0.1;
    static final double PRIME_BETA = 0.05;

    final DpoOptions dpo = DpoOptions.defaults();
    final KtoOptions kto = KtoOptions.defaults();
    final ApaOptions apa = ApaOptions.defaults();
    final AlolOptions alol = AlolOptions.defaults();

    byte[] desirableArray;
    float[] rewardArray;
    float[] valueArray;
    float[] outcomeArray;
    float[] gradArray;

    Tensor desirable;
    Tensor rewards;
    Tensor values;
    Tensor outcomes;
    Tensor grad;
    /** The last call's loss and, for DPO, its metrics. */
    private double[] metrics;

    public ObjectiveWorkload(Map<String, String> params) {
        super(params);
        if (rows % 2 != 0) {
            throw new IllegalArgumentException("shape: DPO needs an even B, got " + rows);
        }
    }

    @Override
    public Traffic traffic(String kernel) {
        long n = (long) rows * time;
        switch (kernel) {
            case "dpo":
            case "prime":
            case "kto":
            case "alol":
                // logp, the reference and the mask in (and a few [B] vectors); gradLogp out
                return new Traffic(9 * n + (kernel.equals("alol") ? 8L : kernel.equals("dpo") ? 0 : 4L) * rows, 4 * n);
            case "apa":
                return new Traffic(13 * n, 4 * n); // logp, initial log-probs, advantages and the mask in
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    protected void fill(long seed) {
        Inputs in = new Inputs(seed);
        tokens(in, 0.1);
        desirableArray = in.mask(rows, 0.5);
        rewardArray = in.uniform(rows, 0, 1);
        valueArray = in.uniform(rows, 0, 1);
        byte[] correct = in.mask(rows, 0.5);
        outcomeArray = new float[rows];
        for (int b = 0; b < rows; b++) {
            outcomeArray[b] = correct[b];
        }
        gradArray = new float[rows * time];
        desirable = placed(Tensor.ofBool(desirableArray, rows));
        rewards = placed(Tensor.of(rewardArray, rows));
        values = placed(Tensor.of(valueArray, rows));
        outcomes = placed(Tensor.of(outcomeArray, rows));
        grad = placed(Tensor.of(gradArray, rows, time));
    }

    @Override
    void run(Backend backend, String kernel) {
        switch (kernel) {
            case "dpo": {
                DpoResult r = backend.objective().dpo(logp, ref, mask, grad, dpo);
                metrics = new double[] {r.loss(), r.chosenReward(), r.rejectedReward(), r.accuracy(), r.margin()};
                break;
            }
            case "kto":
                metrics = new double[] {backend.objective().kto(logp, ref, mask, desirable, REFERENCE_KL, grad, kto)
                        .loss()};
                break;
            case "apa":
                metrics = new double[] {backend.objective().apa(logp, ref, advantages, mask, grad, apa).value()};
                break;
            case "alol":
                metrics = new double[] {backend.objective().alol(logp, ref, mask, rewards, values, grad, alol).value()};
                break;
            case "prime":
                metrics = new double[] {backend.objective().primeRewardModel(logp, ref, mask, outcomes, grad, PRIME_BETA)
                        .value()};
                break;
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    /** The loss, the metrics and the gradient. */
    @Override
    Parity compare(String what, String kernel) {
        Parity parity = new Parity(what);
        double[] all = new Rows(IntStream.range(0, rows).toArray()).metrics(kernel, null);
        String[] names = {"loss", "chosenReward", "rejectedReward", "accuracy", "margin"};
        for (int k = 0; k < metrics.length; k++) {
            parity.add(names[k], 0, all[k], metrics[k], RTOL, ATOL);
        }
        checkGradient(parity, kernel);
        return parity;
    }

    /**
     * On the sample rows: masked tokens exactly 0, and four valid tokens (first, last and two
     * between) against central differences of the oracle's term for the row (or pair).
     */
    private void checkGradient(Parity parity, String kernel) {
        double[][] expected = new double[rows][];
        int[][] tokens = new int[rows][];
        double scale = 0;
        long total = tokenCount();
        for (int b : sampleRows(rows)) {
            int valid = 0;
            while (valid < time && maskArray[b * time + valid] != 0) {
                valid++;
            }
            tokens[b] = new int[] {0, valid / 3, 2 * valid / 3, valid - 1};
            Rows term = kernel.equals("dpo") ? new Rows(b % (rows / 2), b % (rows / 2) + rows / 2) : new Rows(b);
            // The term's weight in the batch's mean: a pair's 1/P; APA's row, itself a token mean, n_b/N; a row's 1/B.
            double weight = kernel.equals("dpo") ? 2.0 / rows : kernel.equals("apa") ? valid / (double) total : 1.0 / rows;
            int offset = b < rows / 2 || !kernel.equals("dpo") ? 0 : time;
            expected[b] = new double[tokens[b].length];
            for (int k = 0; k < tokens[b].length; k++) {
                expected[b][k] = weight * term.derivative(kernel, offset + tokens[b][k]);
                scale = Math.max(scale, Math.abs(expected[b][k]));
            }
        }
        for (int b : sampleRows(rows)) {
            for (int k = 0; k < tokens[b].length; k++) {
                int at = b * time + tokens[b][k];
                parity.add("gradLogp", at, expected[b][k], gradArray[at], GRAD_RTOL, 1e-5 * scale);
            }
            for (int t = 0; t < time; t++) {
                if (maskArray[b * time + t] == 0) {
                    parity.add("gradLogp (masked)", (long) b * time + t, 0, gradArray[b * time + t], 0, 0);
                }
            }
        }
    }

    /** Some rows of the batch in double, as the oracle takes them. */
    private final class Rows {
        final int count;
        final double[] logp;
        final double[] ref;
        final double[] adv;
        final byte[] mask;
        final boolean[] desirable;
        final double[] rewards;
        final double[] values;
        final double[] outcomes;

        Rows(int... which) {
            count = which.length;
            int n = count * time;
            logp = new double[n];
            ref = new double[n];
            adv = new double[n];
            mask = new byte[n];
            desirable = new boolean[count];
            rewards = new double[count];
            values = new double[count];
            outcomes = new double[count];
            for (int k = 0; k < count; k++) {
                int b = which[k];
                for (int t = 0; t < time; t++) {
                    logp[k * time + t] = logpArray[b * time + t];
                    ref[k * time + t] = refArray[b * time + t];
                    adv[k * time + t] = advArray[b * time + t];
                    mask[k * time + t] = maskArray[b * time + t];
                }
                desirable[k] = desirableArray[b] != 0;
                rewards[k] = rewardArray[b];
                values[k] = valueArray[b];
                outcomes[k] = outcomeArray[b];
            }
        }

        /** The oracle's loss (and DPO's metrics) of these rows with {@code x} as their log-probs (null: their own). */
        double[] metrics(String kernel, double[] x) {
            double[] lp = x == null ? logp : x;
            switch (kernel) {
                case "dpo":
                    return ObjectiveOracle.dpo(lp, ref, null, mask, count, time, dpo.beta(), dpo.labelSmoothing(), false);
                case "kto":
                    return new double[] {ObjectiveOracle.kto(lp, ref, null, mask, desirable, count, time, REFERENCE_KL,
                            kto.beta(), kto.desirableWeight(), kto.undesirableWeight())};
                case "apa":
                    return new double[] {ObjectiveOracle.apaTokenMean(lp, ref, adv, mask, apa.lambda())};
                case "alol":
                    // The importance weights are detached: they keep the unperturbed log-probs.
                    return new double[] {ObjectiveOracle.alol(alol.variant().name(), lp, logp, ref, null, mask, rewards,
                            values, count, time, alol.clip(), alol.klBeta())};
                case "prime":
                    return new double[] {ObjectiveOracle.primeRewardModel(lp, ref, null, mask, outcomes, count, time,
                            PRIME_BETA)};
                default:
                    throw new IllegalArgumentException("kernel: " + kernel);
            }
        }

        /** The central difference of the loss in token {@code i} of these rows. */
        double derivative(String kernel, int i) {
            double[] x = logp.clone();
            double h = STEP * Math.max(1, Math.abs(x[i]));
            x[i] = logp[i] + h;
            double up = metrics(kernel, x)[0];
            x[i] = logp[i] - h;
            double down = metrics(kernel, x)[0];
            return (up - down) / (2 * h);
        }
    }
}
