package dev.vantage.oracle;

/**
 * Float64 reference for the sequence objectives ({@code kernel-math.md} §6.2 to §9): the losses
 * only, as plain loops over rows. Gradients are checked against central differences of these
 * functions, so no gradient formula is shared with any backend.
 *
 * <p>Token arrays are {@code [B, T]} row-major; {@code mask} may be null (all valid); a reference is
 * given per token ({@code refTokens}, [B, T]) or per sequence ({@code refSums}, [B]); the other is null.
 */
public final class ObjectiveOracle {
    private ObjectiveOracle() {
    }

    /** DPO metrics: {loss, chosen reward, rejected reward, accuracy, margin}, means over pairs. */
    public static double[] dpo(double[] logp, double[] refTokens, double[] refSums, byte[] mask, int batch, int time,
                               double beta, double smoothing, boolean ipo) {
        int pairs = batch / 2;
        double[] out = new double[5];
        for (int p = 0; p < pairs; p++) {
            double chosen = ratio(logp, refTokens, refSums, mask, p, time, ipo);
            double rejected = ratio(logp, refTokens, refSums, mask, p + pairs, time, ipo);
            double loss;
            if (ipo) {
                loss = Math.pow(chosen - rejected - 1 / (2 * beta), 2);
            } else {
                double h = beta * (chosen - rejected);
                loss = (1 - smoothing) * -logSigmoid(h) + smoothing * -logSigmoid(-h);
            }
            out[0] += loss / pairs;
            out[1] += beta * chosen / pairs;
            out[2] += beta * rejected / pairs;
            out[3] += (chosen > rejected ? 1.0 : 0.0) / pairs;
            out[4] += beta * (chosen - rejected) / pairs;
        }
        return out;
    }

    /** KTO loss: mean over rows of λ_D·σ(β(z0 - r)) (desirable) or λ_U·σ(β(r - z0)) (undesirable). */
    public static double kto(double[] logp, double[] refTokens, double[] refSums, byte[] mask, boolean[] desirable,
                             int batch, int time, double referenceKl, double beta, double wD, double wU) {
        double z0 = Math.max(0, referenceKl);
        double total = 0;
        for (int b = 0; b < batch; b++) {
            double r = ratio(logp, refTokens, refSums, mask, b, time, false);
            total += desirable[b] ? wD * sigmoid(beta * (z0 - r)) : wU * sigmoid(beta * (r - z0));
        }
        return batch == 0 ? 0 : total / batch;
    }

    /** APA with a token mean: Σ m·(logp - A/λ - init)² / Σ m. */
    public static double apaTokenMean(double[] logp, double[] init, double[] adv, byte[] mask, double lambda) {
        double total = 0;
        double count = 0;
        for (int i = 0; i < logp.length; i++) {
            if (valid(mask, i)) {
                total += Math.pow(logp[i] - adv[i] / lambda - init[i], 2);
                count++;
            }
        }
        return count == 0 ? 0 : total / count;
    }

    /**
     * A-LoL variants: "SEQUENCE", "TOKEN", "REFERENCE_FREE", "KL". The importance weights are
     * detached: they are computed from {@code weightLogp} (the same values as {@code logp} at the
     * point of evaluation, held fixed when differentiating), clipped to [1-ε, 1+ε] (only the upper
     * bound when ε ≥ 1).
     */
    public static double alol(String variant, double[] logp, double[] weightLogp, double[] refTokens, double[] refSums,
                              byte[] mask, double[] rewards, double[] values, int batch, int time, double eps,
                              double klBeta) {
        double total = 0;
        for (int b = 0; b < batch; b++) {
            double a = Math.max(rewards[b] - values[b], 0);
            double s = sum(logp, mask, b, time);
            double sRef = refSums != null ? refSums[b] : refTokens != null ? sum(refTokens, mask, b, time) : 0;
            switch (variant) {
                case "SEQUENCE":
                    total += a * clip(Math.exp(sum(weightLogp, mask, b, time) - sRef), eps) * -s;
                    break;
                case "TOKEN":
                    for (int t = 0; t < time; t++) {
                        int i = b * time + t;
                        if (valid(mask, i)) {
                            total += a * clip(Math.exp(weightLogp[i] - refTokens[i]), eps) * -logp[i];
                        }
                    }
                    break;
                case "REFERENCE_FREE":
                    total += a * -s;
                    break;
                default:
                    total += a * -s + klBeta * (s - sRef);
            }
        }
        return batch == 0 ? 0 : total / batch;
    }

    /** PRIME reward-model loss: mean of -[y·log σ(s) + (1-y)·log(1-σ(s))], s = β·(S - Sref). */
    public static double primeRewardModel(double[] logp, double[] refTokens, double[] refSums, byte[] mask,
                                          double[] outcomes, int batch, int time, double beta) {
        double total = 0;
        for (int b = 0; b < batch; b++) {
            double s = beta * ratio(logp, refTokens, refSums, mask, b, time, false);
            total += -(outcomes[b] * logSigmoid(s) + (1 - outcomes[b]) * logSigmoid(-s));
        }
        return batch == 0 ? 0 : total / batch;
    }

    /** S - Sref of row b (for IPO, divided by the row's valid-token count; 0 for an empty row). */
    private static double ratio(double[] logp, double[] refTokens, double[] refSums, byte[] mask, int b, int time,
                                boolean mean) {
        double ref = refSums != null ? refSums[b] : sum(refTokens, mask, b, time);
        double diff = sum(logp, mask, b, time) - ref;
        if (!mean) {
            return diff;
        }
        int n = 0;
        for (int t = 0; t < time; t++) {
            n += valid(mask, b * time + t) ? 1 : 0;
        }
        return n == 0 ? 0 : diff / n;
    }

    /** Σ_t m·x over row b. */
    private static double sum(double[] x, byte[] mask, int b, int time) {
        double s = 0;
        for (int t = 0; t < time; t++) {
            if (valid(mask, b * time + t)) {
                s += x[b * time + t];
            }
        }
        return s;
    }

    private static double clip(double w, double eps) {
        return Math.min(Math.max(w, eps < 1 ? 1 - eps : 0), 1 + eps);
    }

    private static boolean valid(byte[] mask, int i) {
        return mask == null || mask[i] != 0;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** log σ(x) = -log(1 + e^{-x}), written to stay finite for large |x|. */
    private static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }
}
