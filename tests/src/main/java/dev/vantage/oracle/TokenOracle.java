package dev.vantage.oracle;

import java.util.function.ToDoubleFunction;

/**
 * Float64 reference for the per-token kernels of the log-prob family ({@code kernel-math.md} §0,
 * §2, §3 and §6.1): importance ratio, PPO clipped surrogate with dual clip, KL estimators, PRIME's
 * implicit reward, masked sequence sums and the four loss aggregations. Plain loops straight from
 * the formulas, written independently of every backend.
 *
 * <p>Tokens are {@code [B, T]} row-major arrays; a mask is a byte per token (0 = masked) and a
 * null mask means every token is valid. Masked tokens contribute nothing and get 0 outputs.
 */
public final class TokenOracle {
    private TokenOracle() {
    }

    /** verl's {@code loss_agg_mode} values. */
    public enum Mode { TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM, SEQ_MEAN_TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM_NORM }

    /** Schulman's KL estimators; K3_PLUS is k3's value with k2's gradient. */
    public enum Kl { K1, K2, K3, K3_PLUS }

    static boolean valid(byte[] mask, int i) {
        return mask == null || mask[i] != 0;
    }

    // ---- aggregation (§0) ----------------------------------------------------------------------

    /** An aggregate and its gradient {@code ∂L/∂l} per token. */
    public static final class Aggregate {
        public double value;
        /** The denominator D (0: degenerate). */
        public double denominator;
        public long tokens;
        public boolean degenerate;
        public double[] weights;
    }

    /**
     * Aggregates {@code l} ({@code [B, T]}) under {@code mode}; {@code normalizer} NaN means the
     * mode's local denominator (Σm, B' or T).
     */
    public static Aggregate aggregate(double[] l, byte[] mask, int batch, int time, Mode mode, double normalizer) {
        long tokens = 0;
        int rows = 0;
        int[] rowTokens = new int[batch];
        double[] rowSums = new double[batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int i = b * time + t;
                if (valid(mask, i)) {
                    rowTokens[b]++;
                    rowSums[b] += l[i];
                }
            }
            tokens += rowTokens[b];
            if (rowTokens[b] > 0) {
                rows++;
            }
        }
        double d;
        if (!Double.isNaN(normalizer)) {
            d = normalizer;
        } else if (mode == Mode.TOKEN_MEAN) {
            d = tokens;
        } else if (mode == Mode.SEQ_MEAN_TOKEN_SUM_NORM) {
            d = time;
        } else {
            d = rows;
        }
        Aggregate out = new Aggregate();
        out.tokens = tokens;
        out.denominator = d;
        out.weights = new double[batch * time];
        if (d == 0) {
            out.degenerate = true;
            return out;
        }
        double numerator = 0;
        for (int b = 0; b < batch; b++) {
            if (rowTokens[b] == 0) {
                continue;
            }
            double rowWeight = mode == Mode.SEQ_MEAN_TOKEN_MEAN ? 1.0 / (rowTokens[b] * d) : 1.0 / d;
            numerator += mode == Mode.SEQ_MEAN_TOKEN_MEAN ? rowSums[b] / rowTokens[b] : rowSums[b];
            for (int t = 0; t < time; t++) {
                if (valid(mask, b * time + t)) {
                    out.weights[b * time + t] = rowWeight;
                }
            }
        }
        out.value = numerator / d;
        return out;
    }

    // ---- importance ratio and PPO (§3) ---------------------------------------------------------

    static double clamp(double x, double low, double high) {
        return x < low ? low : x > high ? high : x;
    }

    /** {@code exp(clamp(logp - old, ±bound))}; 0 where masked. */
    public static double[] ratio(double[] logp, double[] old, byte[] mask, double bound) {
        double[] out = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            if (valid(mask, i)) {
                out[i] = Math.exp(clamp(logp[i] - old[i], -bound, bound));
            }
        }
        return out;
    }

    /** {@code ∂ρ/∂logp}: ρ where {@code |logp - old| <= bound}, 0 where the clamp is active or masked. */
    public static double[] ratioGradient(double[] logp, double[] old, byte[] mask, double bound) {
        double[] rho = ratio(logp, old, mask, bound);
        double[] out = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            double d = logp[i] - old[i];
            out[i] = Math.abs(d) > bound ? 0 : rho[i];
        }
        return out;
    }

    /** PPO options, mirroring the API's. */
    public static final class PpoConfig {
        public double clipLow = 0.2;
        public double clipHigh = 0.2;
        public double dualClip = 3;
        public double logRatioClamp = 20;
        public Mode mode = Mode.TOKEN_MEAN;
        public double normalizer = Double.NaN;
    }

    /** The PPO loss, its gradient with respect to logp and its metrics. */
    public static final class Ppo {
        public double loss;
        /** The aggregate of |l|: the loss' magnitude before cancellation, for tolerances. */
        public double absLoss;
        public double[] grad;
        public double clipFraction;
        public double clipFractionLower;
        public double approxKl;
        public long tokens;
        public boolean degenerate;
    }

    public static Ppo ppo(double[] logp, double[] old, double[] adv, byte[] mask, int batch, int time, PpoConfig c) {
        int n = batch * time;
        double[] l = new double[n];
        double[] dl = new double[n];
        double clipped = 0;
        double dualClipped = 0;
        double kl = 0;
        long tokens = 0;
        double low = 1 - c.clipLow;
        double high = 1 + c.clipHigh;
        for (int i = 0; i < n; i++) {
            if (!valid(mask, i)) {
                continue;
            }
            double a = adv[i];
            double logRatio = logp[i] - old[i];
            double clampedLogRatio = clamp(logRatio, -c.logRatioClamp, c.logRatioClamp);
            double rho = Math.exp(clampedLogRatio);
            double l1 = -a * rho;
            double l2 = -a * clamp(rho, low, high);
            double lc = Math.max(l1, l2);
            l[i] = a < 0 ? Math.min(lc, -a * c.dualClip) : lc;
            boolean unclipped = (a >= 0 && rho <= high) || (a < 0 && low <= rho && rho <= c.dualClip);
            boolean clamped = Math.abs(logRatio) > c.logRatioClamp;
            dl[i] = Double.isNaN(l[i]) ? Double.NaN : unclipped && !clamped ? -a * rho : 0;
            tokens++;
            clipped += l2 > l1 ? 1 : 0;
            dualClipped += a < 0 && lc > -a * c.dualClip ? 1 : 0;
            kl += -clampedLogRatio;
        }
        Aggregate agg = aggregate(l, mask, batch, time, c.mode, c.normalizer);
        Ppo out = new Ppo();
        out.loss = agg.value;
        out.degenerate = agg.degenerate;
        out.tokens = tokens;
        out.grad = new double[n];
        for (int i = 0; i < n; i++) {
            out.grad[i] = agg.weights[i] == 0 ? 0 : agg.weights[i] * dl[i];
            out.absLoss += agg.weights[i] == 0 ? 0 : agg.weights[i] * Math.abs(l[i]);
        }
        if (tokens > 0) {
            out.clipFraction = clipped / tokens;
            out.clipFractionLower = dualClipped / tokens;
            out.approxKl = kl / tokens;
        }
        return out;
    }

    // ---- KL estimators (§2) and implicit reward (§6.1) -----------------------------------------

    /** Per-token KL estimate of {@code Δ = logp - ref}; verl's clamps when {@code verlClamp}; 0 where masked. */
    public static double[] kl(double[] logp, double[] ref, byte[] mask, Kl estimator, boolean verlClamp) {
        double[] out = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            if (!valid(mask, i)) {
                continue;
            }
            double delta = logp[i] - ref[i];
            switch (estimator) {
                case K1:
                    out[i] = delta;
                    break;
                case K2:
                    out[i] = 0.5 * delta * delta;
                    break;
                default:
                    double u = ref[i] - logp[i];
                    if (verlClamp) {
                        u = clamp(u, -20, 20);
                    }
                    double k3 = Math.expm1(u) - u;
                    out[i] = verlClamp ? clamp(k3, -10, 10) : k3;
                    break;
            }
        }
        return out;
    }

    /**
     * The derivative each estimator documents with respect to logp: that of its value, except
     * K3_PLUS (k2's derivative); 0 where verl's clamps are active.
     */
    public static double[] klGradient(double[] logp, double[] ref, byte[] mask, Kl estimator, boolean verlClamp) {
        double[] out = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            if (!valid(mask, i)) {
                continue;
            }
            double delta = logp[i] - ref[i];
            if (estimator == Kl.K1) {
                out[i] = 1;
            } else if (estimator == Kl.K2 || estimator == Kl.K3_PLUS) {
                out[i] = delta;
            } else {
                double u = ref[i] - logp[i];
                boolean clamped = verlClamp && (Math.abs(u) > 20 || Math.expm1(clamp(u, -20, 20)) - clamp(u, -20, 20) > 10);
                out[i] = clamped ? 0 : -Math.expm1(u);
            }
        }
        return out;
    }

    /** {@code β·(logp - ref)·m}. */
    public static double[] implicitReward(double[] logp, double[] ref, byte[] mask, double beta) {
        double[] out = new double[logp.length];
        for (int i = 0; i < logp.length; i++) {
            if (valid(mask, i)) {
                out[i] = beta * (logp[i] - ref[i]);
            }
        }
        return out;
    }

    // ---- sequence sums -------------------------------------------------------------------------

    /** {@code Σ_t m[b,t]·values[b,t]} per row. */
    public static double[] sequenceSum(double[] values, byte[] mask, int batch, int time) {
        double[] out = new double[batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                if (valid(mask, b * time + t)) {
                    out[b] += values[b * time + t];
                }
            }
        }
        return out;
    }

    // ---- finite differences --------------------------------------------------------------------

    /**
     * Central differences {@code (f(x + h e_i) - f(x - h e_i)) / 2h} of a scalar function, with
     * {@code h = 1e-6·max(1, |x_i|)}; {@code x} is restored afterwards.
     */
    public static double[] centralDifferences(double[] x, ToDoubleFunction<double[]> f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            double h = 1e-6 * Math.max(1, Math.abs(xi));
            x[i] = xi + h;
            double up = f.applyAsDouble(x);
            x[i] = xi - h;
            double down = f.applyAsDouble(x);
            x[i] = xi;
            out[i] = (up - down) / (2 * h);
        }
        return out;
    }
}
