package dev.vantage.oracle;

/**
 * Float64 reference for the advantage estimators ({@code kernel-math.md} §4 and §5): GAE with
 * terminal and truncated episode ends, discounted returns, GRPO, RLOO, masked whitening and
 * REINFORCE++, as plain loops written independently of every backend. Token arrays are
 * {@code [B, T]} row-major; a null mask means all valid, a null flag array means no flag, null
 * bootstrap values mean 0. Masked outputs are 0.
 *
 * <p>{@link #gaeScan} computes GAE a second way, by the associative scan of §5, so that the loop
 * can be checked against it.
 */
public final class AdvantageOracle {
    private AdvantageOracle() {
    }

    /** GAE advantages and returns (A + V). */
    public static final class Gae {
        public final double[] advantages;
        public final double[] returns;

        Gae(int n) {
            advantages = new double[n];
            returns = new double[n];
        }
    }

    /** Whitened values and the statistics used. */
    public static final class Whitened {
        public final double[] out;
        public final double mean;
        public final double variance;
        public final long count;

        Whitened(double[] out, double mean, double variance, long count) {
            this.out = out;
            this.mean = mean;
            this.variance = variance;
            this.count = count;
        }
    }

    /**
     * GAE by the step-by-step loop over each row's valid steps, walked backwards:
     * {@code δ_t = r_t + γ·(1 - term_t)·Vnext_t - V_t} with {@code Vnext_t} the bootstrap value at a
     * truncation or at the row's last valid step and the next valid step's value otherwise;
     * {@code A_t = δ_t + γλ·A_next}, except that nothing chains after an episode end or after the
     * last valid step.
     */
    public static Gae gae(double[] r, double[] v, byte[] mask, byte[] terminated, byte[] truncated, double[] boot,
                          int rows, int time, double gamma, double lambda) {
        Gae out = new Gae(rows * time);
        for (int b = 0; b < rows; b++) {
            int[] valid = validSteps(mask, b, time);
            for (int k = valid.length - 1; k >= 0; k--) {
                int i = b * time + valid[k];
                boolean last = k == valid.length - 1;
                boolean term = flag(terminated, i);
                boolean trunc = flag(truncated, i);
                double vNext = trunc || last ? (boot == null ? 0 : boot[i]) : v[b * time + valid[k + 1]];
                double delta;
                if (term) {
                    delta = r[i] - v[i];
                } else {
                    delta = r[i] + gamma * vNext - v[i];
                }
                double a = delta;
                if (!term && !trunc && !last) {
                    a = delta + gamma * lambda * out.advantages[b * time + valid[k + 1]];
                }
                out.advantages[i] = a;
                out.returns[i] = a + v[i];
            }
        }
        return out;
    }

    /**
     * GAE by the associative scan of §5: each step is the affine map {@code x -> a_t·x + b_t} with
     * {@code a_t = γλ·(1 - done_t)}, {@code b_t = δ_t} (the identity at masked steps), the next
     * valid value found by a reverse scan with "first valid", and {@code A_t} the b-component of the
     * Hillis–Steele inclusive suffix scan {@code e_t ⊗ … ⊗ e_{T-1}} under
     * {@code (a_i, b_i) ⊗ (a_j, b_j) = (a_i·a_j, b_i + a_i·b_j)}. Masked steps keep the value the
     * scan leaves there (what verl's carried loop leaves), unlike {@link #gae}.
     */
    public static double[] gaeScan(double[] r, double[] v, byte[] mask, byte[] terminated, byte[] truncated,
                                   double[] boot, int rows, int time, double gamma, double lambda) {
        double[] out = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            // Exclusive reverse scan of (valid, value) under first-valid: the next valid step's value.
            boolean[] has = new boolean[time + 1];
            double[] val = new double[time + 1];
            for (int t = 0; t < time; t++) {
                has[t] = mask == null || mask[b * time + t] != 0;
                val[t] = v[b * time + t];
            }
            for (int d = 1; d <= time; d *= 2) {
                boolean[] h2 = has.clone();
                double[] v2 = val.clone();
                for (int t = 0; t + d <= time; t++) {
                    if (!has[t]) {
                        h2[t] = has[t + d];
                        v2[t] = val[t + d];
                    }
                }
                has = h2;
                val = v2;
            }
            double[] a = new double[time];
            double[] c = new double[time];
            for (int t = 0; t < time; t++) {
                int i = b * time + t;
                if (mask != null && mask[i] == 0) {
                    a[t] = 1;
                    continue;
                }
                boolean term = flag(terminated, i);
                boolean trunc = flag(truncated, i);
                boolean last = !has[t + 1];
                double vNext = trunc || last ? (boot == null ? 0 : boot[i]) : val[t + 1];
                a[t] = term || trunc ? 0 : gamma * lambda;
                c[t] = r[i] + (term ? 0 : gamma * vNext) - v[i];
            }
            for (int d = 1; d < time; d *= 2) {
                double[] a2 = a.clone();
                double[] c2 = c.clone();
                for (int t = 0; t + d < time; t++) {
                    a2[t] = a[t] * a[t + d];
                    c2[t] = c[t] + a[t] * c[t + d];
                }
                a = a2;
                c = c2;
            }
            System.arraycopy(c, 0, out, b * time, time);
        }
        return out;
    }

    /** Discounted returns {@code G_t = r_t + γ·G_next} over valid steps, cut after terminal steps. */
    public static double[] returns(double[] r, byte[] mask, byte[] terminated, int rows, int time, double gamma) {
        double[] g = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            int[] valid = validSteps(mask, b, time);
            double next = 0;
            for (int k = valid.length - 1; k >= 0; k--) {
                int i = b * time + valid[k];
                if (flag(terminated, i)) {
                    next = 0;
                }
                g[i] = r[i] + gamma * next;
                next = g[i];
            }
        }
        return g;
    }

    /**
     * GRPO per contiguous group of {@code k}: {@code (R - mean)/(std + ε)} or {@code R - mean}; a
     * group of equal finite scores gives 0; a group of one gives 0, or with {@code singletonScore} the score
     * (divided by {@code 1 + ε} with std normalization).
     */
    public static double[] grpo(double[] scores, int k, boolean byStd, boolean unbiased, double epsilon,
                                boolean singletonScore) {
        double[] out = new double[scores.length];
        for (int g = 0; g < scores.length; g += k) {
            if (k == 1) {
                double s = scores[g];
                out[g] = singletonScore ? (byStd ? s / (1 + epsilon) : s) : s - s;
                continue;
            }
            double mean = 0;
            for (int i = 0; i < k; i++) {
                mean += scores[g + i];
            }
            mean /= k;
            double var = 0;
            boolean allEqual = true;
            for (int i = 0; i < k; i++) {
                var += (scores[g + i] - mean) * (scores[g + i] - mean);
                allEqual &= scores[g + i] == scores[g];
            }
            double std = Math.sqrt(var / (unbiased ? k - 1 : k));
            for (int i = 0; i < k; i++) {
                if (allEqual && Double.isFinite(scores[g])) {
                    out[g + i] = 0;
                } else {
                    out[g + i] = byStd ? (scores[g + i] - mean) / (std + epsilon) : scores[g + i] - mean;
                }
            }
        }
        return out;
    }

    /** RLOO per contiguous group of {@code k}: the score minus the mean of the others (K = 1: 0 or the score). */
    public static double[] rloo(double[] scores, int k, boolean singletonScore) {
        double[] out = new double[scores.length];
        for (int g = 0; g < scores.length; g += k) {
            for (int i = 0; i < k; i++) {
                double s = scores[g + i];
                if (k == 1) {
                    out[g] = singletonScore ? s : s - s;
                    continue;
                }
                double others = 0;
                for (int j = 0; j < k; j++) {
                    if (j != i) {
                        others += scores[g + j];
                    }
                }
                out[g + i] = s - others / (k - 1);
            }
        }
        return out;
    }

    /** Masked whitening: {@code (x - μ)/sqrt(var + ε)} (+ μ unless shiftMean) on valid elements, 0 elsewhere. */
    public static Whitened whiten(double[] x, byte[] mask, boolean shiftMean, boolean unbiased, double epsilon) {
        long n = 0;
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (mask == null || mask[i] != 0) {
                n++;
                sum += x[i];
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double var = 0;
        if (n >= 2) {
            for (int i = 0; i < x.length; i++) {
                if (mask == null || mask[i] != 0) {
                    var += (x[i] - mean) * (x[i] - mean);
                }
            }
            var /= unbiased ? n - 1 : n;
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (mask == null || mask[i] != 0) {
                out[i] = (x[i] - mean) / Math.sqrt(var + epsilon) + (shiftMean ? 0 : mean);
            }
        }
        return new Whitened(out, mean, var, n);
    }

    /**
     * REINFORCE++: outcome {@code scores[b]} (minus its group's mean with {@code baselineK > 0}) on
     * each row's last valid step, {@code -β·kl} on every valid step, discounted returns with γ, then
     * masked whitening with verl's defaults.
     */
    public static Whitened reinforcePlusPlus(double[] scores, byte[] mask, double[] kl, int rows, int time,
                                             double gamma, double beta, int baselineK) {
        double[] reward = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            double outcome = scores[b];
            if (baselineK > 0) {
                int g = b / baselineK * baselineK;
                double mean = 0;
                for (int i = 0; i < baselineK; i++) {
                    mean += scores[g + i];
                }
                outcome -= mean / baselineK;
            }
            int[] valid = validSteps(mask, b, time);
            for (int t : valid) {
                reward[b * time + t] = beta == 0 ? 0 : -beta * kl[b * time + t];
            }
            if (valid.length > 0) {
                reward[b * time + valid[valid.length - 1]] += outcome;
            }
        }
        return whiten(returns(reward, mask, null, rows, time, gamma), mask, true, true, 1e-8);
    }

    private static int[] validSteps(byte[] mask, int row, int time) {
        int n = 0;
        for (int t = 0; t < time; t++) {
            if (mask == null || mask[row * time + t] != 0) {
                n++;
            }
        }
        int[] steps = new int[n];
        n = 0;
        for (int t = 0; t < time; t++) {
            if (mask == null || mask[row * time + t] != 0) {
                steps[n++] = t;
            }
        }
        return steps;
    }

    private static boolean flag(byte[] flags, int i) {
        return flags != null && flags[i] != 0;
    }

    /**
     * PRIME's returns before whitening ({@code kernel-math.md} §6.3), per group of {@code k} rows:
     * process rewards with a leave-one-out baseline built from each response's mean process reward
     * (the paper's {@code r - Σ_{j≠i} r̄_j/(K-1)} or, with {@code codeForm}, the official code's
     * {@code r·K/(K-1) - Σ_j r̄_j/(K-1)}), plus the RLOO outcome advantage on the last valid token,
     * summed from each token to the end of its response.
     */
    public static double[] primeReturns(double[] rewards, double[] outcomes, byte[] mask, int rows, int time, int k,
                                        double processCoef, double outcomeCoef, boolean codeForm) {
        double[] meanReward = new double[rows];
        for (int b = 0; b < rows; b++) {
            double total = 0;
            int n = 0;
            for (int t = 0; t < time; t++) {
                if (mask == null || mask[b * time + t] != 0) {
                    total += rewards[b * time + t];
                    n++;
                }
            }
            meanReward[b] = n == 0 ? 0 : total / n;
        }
        double[] g = new double[rows * time];
        for (int b = 0; b < rows; b++) {
            int first = b / k * k;
            double othersMean = 0;
            double othersOutcome = 0;
            double allMeans = 0;
            for (int j = first; j < first + k; j++) {
                allMeans += meanReward[j];
                if (j != b) {
                    othersMean += meanReward[j];
                    othersOutcome += outcomes[j];
                }
            }
            double outcome = outcomes[b] - othersOutcome / (k - 1);
            double running = 0;
            boolean last = true;
            for (int t = time - 1; t >= 0; t--) {
                int i = b * time + t;
                if (mask != null && mask[i] == 0) {
                    continue;
                }
                double process = codeForm ? rewards[i] * k / (k - 1) - allMeans / (k - 1)
                        : rewards[i] - othersMean / (k - 1);
                running += processCoef * process + (last ? outcomeCoef * outcome : 0);
                g[i] = running;
                last = false;
            }
        }
        return g;
    }
}
