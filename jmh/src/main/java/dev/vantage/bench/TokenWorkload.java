package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.AggregateResult;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.TokenOracle;

import java.util.Map;

/**
 * The per-token kernels of the log-prob family on a right-padded {@code [B, T]} batch (see
 * {@link BatchWorkload}): {@code ratio} (the importance ratio and its derivative, verl's log-ratio
 * clamp), {@code ppo} (the clipped surrogate with verl's defaults and its gradient), {@code kl} (K3
 * and its derivative), {@code implicitReward} (PRIME's, β = {@value ObjectiveWorkload#PRIME_BETA}),
 * {@code sequenceSum} (the masked sum of each row's log-probs) and {@code sequenceSumBackward} (a
 * [B] gradient spread over the valid tokens), {@code aggregate} (GRPO's sequence mean of token
 * means) and {@code aggregateBackward} (its gradient). The old policy (also KL's and the implicit
 * reward's reference) is within about 0.2 of the policy, so that some ratios are clipped.
 *
 * <p>Parameter: {@code shape} ({@code BxT}). Tolerances of {@code LogProbPpoParityTest},
 * {@code LogProbKlParityTest} and {@code LogProbAggregationParityTest}: per-token outputs rel 1e-6
 * + abs 1e-12; sums (the loss, the aggregate, approxKl) rel 1e-10 + abs 1e-10 times the aggregate
 * of |l| (approxKl: abs 1e-12); sequence sums rel 1e-6 + abs 1e-12 times the row's sum of |values|;
 * clip fractions rel 1e-12; the sequence sums' gradient exactly (a copy of each row's value).
 */
public final class TokenWorkload extends BatchWorkload {
    static final double RTOL = 1e-6;
    static final double ATOL = 1e-12;
    static final double SUM_TOL = 1e-10;

    final PpoOptions ppo = PpoOptions.defaults();
    final KlOptions kl = KlOptions.defaults();
    final Aggregation aggregation = Aggregation.grpo();

    float[] outArray;
    float[] gradArray;
    float[] sumsArray;
    float[] gradSumsArray;

    Tensor out;
    Tensor grad;
    Tensor sums;
    Tensor gradSums;
    private PpoResult ppoResult;
    private AggregateResult aggregate;

    public TokenWorkload(Map<String, String> params) {
        super(params);
    }

    @Override
    public Traffic traffic(String kernel) {
        long n = (long) rows * time;
        switch (kernel) {
            case "ppo":
                return new Traffic(13 * n, 4 * n);  // logp, old, advantages, mask in; gradLogp out
            case "ratio":
            case "kl":
                return new Traffic(9 * n, 8 * n);   // logp, old or reference, mask in; the value and its derivative out
            case "implicitReward":
                return new Traffic(9 * n, 4 * n);
            case "sequenceSum":
                return new Traffic(5 * n, 4L * rows); // values and mask in, [B] sums out
            case "sequenceSumBackward":
                return new Traffic(4L * rows + n, 4 * n); // [B] gradient and mask in, the values' gradient out
            case "aggregate":
                return new Traffic(5 * n, 0);       // values and mask in; a scalar out
            case "aggregateBackward":
                return new Traffic(n, 4 * n);       // the mask in, the gradient out
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    protected void fill(long seed) {
        Inputs in = new Inputs(seed);
        tokens(in, 0.2);
        gradSumsArray = in.floats(rows, Inputs.Spread.NORMAL);
        outArray = new float[rows * time];
        gradArray = new float[rows * time];
        sumsArray = new float[rows];
        out = placed(Tensor.of(outArray, rows, time));
        grad = placed(Tensor.of(gradArray, rows, time));
        sums = placed(Tensor.of(sumsArray, rows));
        gradSums = placed(Tensor.of(gradSumsArray, rows));
    }

    /**
     * Runs one kernel; the old policy of the ratio and PPO is the reference; {@code sequenceSum} sums the
     * log-probs; {@code aggregate} takes the advantages as values.
     */
    @Override
    void run(Backend backend, String kernel) {
        switch (kernel) {
            case "ratio":
                backend.logprob().ratio(logp, ref, mask, out, grad, ppo.logRatioClamp());
                break;
            case "ppo":
                ppoResult = backend.logprob().ppoLoss(logp, ref, advantages, mask, grad, ppo);
                break;
            case "kl":
                backend.logprob().kl(logp, ref, mask, out, grad, kl);
                break;
            case "implicitReward":
                backend.logprob().implicitReward(logp, ref, mask, out, ObjectiveWorkload.PRIME_BETA);
                break;
            case "sequenceSum":
                backend.logprob().sequenceSum(logp, mask, sums);
                break;
            case "sequenceSumBackward":
                backend.logprob().sequenceSumBackward(gradSums, mask, grad);
                break;
            case "aggregate":
                aggregate = backend.logprob().aggregate(advantages, mask, aggregation);
                break;
            case "aggregateBackward":
                backend.logprob().aggregateBackward(mask, aggregation, 1, grad);
                break;
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    Parity compare(String what, String kernel) {
        Parity parity = new Parity(what);
        double[] lp = doubles(logpArray);
        double[] reference = doubles(refArray);
        double[] adv = doubles(advArray);
        switch (kernel) {
            case "ratio":
                compareRows(parity, "ratio", TokenOracle.ratio(lp, reference, maskArray, ppo.logRatioClamp()), outArray);
                compareRows(parity, "gradRatio", TokenOracle.ratioGradient(lp, reference, maskArray,
                        ppo.logRatioClamp()), gradArray);
                break;
            case "implicitReward":
                compareRows(parity, "reward", TokenOracle.implicitReward(lp, reference, maskArray,
                        ObjectiveWorkload.PRIME_BETA), outArray);
                break;
            case "sequenceSum": {
                double[] expected = TokenOracle.sequenceSum(lp, maskArray, rows, time);
                double[] abs = TokenOracle.sequenceSum(abs(lp), maskArray, rows, time);
                for (int b = 0; b < rows; b++) {
                    parity.add("sums", b, expected[b], sumsArray[b], RTOL, ATOL * abs[b]);
                }
                break;
            }
            case "sequenceSumBackward":
                compareSpread(parity, "gradValues", doubles(gradSumsArray), gradArray, 0, 0);
                break;
            case "ppo": {
                TokenOracle.PpoConfig config = new TokenOracle.PpoConfig();
                config.clipLow = ppo.clipLow();
                config.clipHigh = ppo.clipHigh();
                config.dualClip = ppo.dualClip();
                config.logRatioClamp = ppo.logRatioClamp();
                config.mode = TokenOracle.Mode.valueOf(ppo.aggregation().mode().name());
                TokenOracle.Ppo ref = TokenOracle.ppo(lp, reference, adv, maskArray, rows, time, config);
                parity.add("loss", 0, ref.loss, ppoResult.loss(), SUM_TOL, SUM_TOL * ref.absLoss);
                parity.add("clipFraction", 0, ref.clipFraction, ppoResult.clipFraction(), 1e-12, 0);
                parity.add("approxKl", 0, ref.approxKl, ppoResult.approxKl(), SUM_TOL, 1e-12);
                parity.add("tokens", 0, ref.tokens, ppoResult.tokens(), 0, 0);
                compareRows(parity, "gradLogp", ref.grad, gradArray);
                break;
            }
            case "kl": {
                TokenOracle.Kl estimator = TokenOracle.Kl.valueOf(kl.estimator().name());
                compareRows(parity, "kl", TokenOracle.kl(lp, reference, maskArray, estimator, kl.verlClamp()), outArray);
                compareRows(parity, "gradKl", TokenOracle.klGradient(lp, reference, maskArray, estimator,
                        kl.verlClamp()), gradArray);
                break;
            }
            default: {
                TokenOracle.Mode mode = TokenOracle.Mode.valueOf(aggregation.mode().name());
                TokenOracle.Aggregate ref = TokenOracle.aggregate(adv, maskArray, rows, time, mode, Double.NaN);
                if (kernel.equals("aggregate")) {
                    double scale = TokenOracle.aggregate(abs(adv), maskArray, rows, time, mode, Double.NaN).value;
                    parity.add("value", 0, ref.value, aggregate.value(), SUM_TOL, SUM_TOL * scale);
                    parity.add("tokens", 0, ref.tokens, aggregate.tokens(), 0, 0);
                } else {
                    compareRows(parity, "gradValues", ref.weights, gradArray);
                }
            }
        }
        return parity;
    }

    private static double[] abs(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]);
        }
        return out;
    }

    private void compareRows(Parity parity, String output, double[] expected, float[] actual) {
        for (int b : sampleRows(rows)) {
            for (int i = b * time; i < (b + 1) * time; i++) {
                parity.add(output, i, expected[i], actual[i], RTOL, ATOL);
            }
        }
    }
}
