package dev.vantage.oracle;

import java.util.Arrays;

/**
 * Float64 references for the comp-sum family ({@code kernel-math.md} §11) and the fourteen
 * regression losses (§12), written independently of every backend: plain loops over the
 * definitions, no fused passes.
 */
public final class LossOracle {
    private LossOracle() {
    }

    // ---- comp-sum ------------------------------------------------------------------------------

    /**
     * Each row's comp-sum loss (0 for ignored rows). With label smoothing ε the row loss is
     * {@code (1-ε)·l(y) + (ε/C)·Σ_k l(k)}, where {@code l(k)} is the loss with label k.
     */
    public static double[] compSumRows(double[] h, int rows, int classes, int[] labels, double tau, int ignoreIndex,
                                       double smoothing) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            if (labels[i] == ignoreIndex) {
                continue;
            }
            double[] row = Arrays.copyOfRange(h, i * classes, (i + 1) * classes);
            double loss = (1 - smoothing) * compSum(row, labels[i], tau);
            if (smoothing > 0) {
                double all = 0;
                for (int k = 0; k < classes; k++) {
                    all += compSum(row, k, tau);
                }
                loss += smoothing / classes * all;
            }
            out[i] = loss;
        }
        return out;
    }

    /**
     * {@code Φ^τ(u)}, {@code u = Σ_{k≠y} exp(h_k - h_y)}: through u itself where that is accurate
     * (no overflow, u not tiny, τ not near 1), otherwise through {@code lp = h_y - LSE(h)} as
     * {@code -lp·φ((τ-1)·lp)}, {@code φ(t) = expm1(t)/t}.
     */
    public static double compSum(double[] h, int y, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : h) {
            if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
                return Double.NaN;
            }
            max = Math.max(max, x);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return Double.NaN;
        }
        if (h[y] == Double.NEGATIVE_INFINITY) {
            return tau > 1 ? 1 / (tau - 1) : Double.POSITIVE_INFINITY;
        }
        double u = 0;
        for (int k = 0; k < h.length; k++) {
            if (k != y) {
                u += Math.exp(h[k] - h[y]);
            }
        }
        boolean moderate = max - h[y] <= 30 && u >= 1e-6;
        if (tau == 1 && moderate) {
            return Math.log1p(u);
        }
        if (moderate && Math.abs(tau - 1) >= 1e-3) {
            return (1 - Math.pow(1 + u, 1 - tau)) / (tau - 1);
        }
        double lp = h[y] - lse(h);
        double t = (tau - 1) * lp;
        double phi = Math.abs(t) < 1e-3 ? 1 + t / 2 + t * t / 6 + t * t * t / 24 + t * t * t * t / 120
                : Math.expm1(t) / t;
        return lp == 0 ? 0 : -lp * phi;
    }

    /**
     * Each row's gradient of its own (unreduced) loss: {@code p_y^(τ-1)·(p_k - 1{k=y})}; with
     * smoothing, the q-weighted sum of that over every label k, which is
     * {@code p_j·Σ_k q_k·p_k^(τ-1) - q_j·p_j^(τ-1)}. Ignored rows are 0.
     */
    public static double[] compSumGrad(double[] h, int rows, int classes, int[] labels, double tau, int ignoreIndex,
                                       double smoothing) {
        double[] grad = new double[rows * classes];
        for (int i = 0; i < rows; i++) {
            if (labels[i] == ignoreIndex) {
                continue;
            }
            double[] row = Arrays.copyOfRange(h, i * classes, (i + 1) * classes);
            double lse = lse(row);
            double[] p = new double[classes];
            double[] w = new double[classes];
            double[] q = new double[classes];
            double s = 0;
            for (int k = 0; k < classes; k++) {
                p[k] = Math.exp(row[k] - lse);
                w[k] = tau == 1 ? 1 : Math.exp((tau - 1) * (row[k] - lse)); // p_k^(τ-1)
                q[k] = smoothing / classes + (k == labels[i] ? 1 - smoothing : 0);
                s += q[k] == 0 ? 0 : q[k] * w[k];
            }
            for (int j = 0; j < classes; j++) {
                grad[i * classes + j] = (p[j] == 0 ? 0 : p[j] * s) - (q[j] == 0 ? 0 : q[j] * w[j]);
            }
        }
        return grad;
    }

    /** Two-pass log-sum-exp; NaN for an invalid row. */
    public static double lse(double[] h) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : h) {
            max = Math.max(max, x);
        }
        if (Double.isNaN(max) || Double.isInfinite(max)) {
            return Double.NaN;
        }
        double sum = 0;
        for (double x : h) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }

    // ---- regression ----------------------------------------------------------------------------

    /** The fourteen regression losses (names as in the public API). */
    public enum Regression {
        MAE, MSE, MBE, RAE, RSE, MAPE, RMSE, MSLE, RMSLE, NRMSE, RRMSE, HUBER, LOG_COSH, QUANTILE;

        public boolean elementwise() {
            switch (this) {
                case RAE: case RSE: case RMSE: case RMSLE: case NRMSE: case RRMSE:
                    return false;
                default:
                    return true;
            }
        }
    }

    /** Hyper-parameters: Huber δ, quantile q, guard ε, NRMSE's normalizer ("MEAN", "RANGE" or "STD"). */
    public record Params(double delta, double quantile, double epsilon, String normalizer) {
        public static Params defaults() {
            return new Params(1.0, 0.5, 1e-7, "MEAN");
        }
    }

    /** Per-element loss of an elementwise kind, {@code e = y - ŷ}. */
    public static double element(Regression kind, double y, double p, Params o) {
        double e = y - p;
        switch (kind) {
            case MAE:
                return Math.abs(e);
            case MSE:
                return e * e;
            case MBE:
                return e;
            case MAPE:
                return 100 * Math.abs(e) / Math.max(Math.abs(y), o.epsilon());
            case MSLE:
                return Math.pow(Math.log1p(Math.max(p, o.epsilon())) - Math.log1p(Math.max(y, o.epsilon())), 2);
            case HUBER:
                return Math.abs(e) <= o.delta() ? e * e / 2 : o.delta() * (Math.abs(e) - o.delta() / 2);
            case LOG_COSH: {
                double x = p - y;
                // log cosh x = log((e^x + e^-x)/2) = |x| + log(1 + e^{-2|x|}) - log 2
                return Math.abs(x) < 1e-3 ? x * x / 2 - x * x * x * x / 12
                        : Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.log(2);
            }
            case QUANTILE:
                return o.quantile() * Math.max(e, 0) + (1 - o.quantile()) * Math.max(-e, 0);
            default:
                throw new IllegalArgumentException(kind + " is not elementwise");
        }
    }

    /**
     * The loss over the valid elements (mask null: all): for elementwise kinds the sum, or the mean
     * when {@code mean}; for whole-set kinds their definition. 0 when no element is valid.
     */
    public static double value(Regression kind, double[] y, double[] p, boolean[] mask, Params o, boolean mean) {
        int n = 0;
        double sumY = 0;
        for (int i = 0; i < y.length; i++) {
            if (valid(mask, i)) {
                n++;
                sumY += y[i];
            }
        }
        if (n == 0) {
            return 0;
        }
        if (kind.elementwise()) {
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                if (valid(mask, i)) {
                    sum += element(kind, y[i], p[i], o);
                }
            }
            return mean ? sum / n : sum;
        }
        double meanY = sumY / n;
        double abs = 0;
        double sq = 0;
        double dev = 0;
        double devSq = 0;
        double logSq = 0;
        double ySq = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < y.length; i++) {
            if (valid(mask, i)) {
                double e = y[i] - p[i];
                abs += Math.abs(e);
                sq += e * e;
                dev += Math.abs(y[i] - meanY);
                devSq += (y[i] - meanY) * (y[i] - meanY);
                logSq += element(Regression.MSLE, y[i], p[i], o);
                ySq += y[i] * y[i];
                min = Math.min(min, y[i]);
                max = Math.max(max, y[i]);
            }
        }
        double rmse = Math.sqrt(sq / n);
        switch (kind) {
            case RAE:
                return abs / Math.max(dev, o.epsilon());
            case RSE:
                return sq / Math.max(devSq, o.epsilon());
            case RMSE:
                return rmse;
            case RMSLE:
                return Math.sqrt(logSq / n);
            case NRMSE: {
                double kappa = o.normalizer().equals("MEAN") ? Math.abs(meanY)
                        : o.normalizer().equals("RANGE") ? max - min : Math.sqrt(devSq / n);
                return rmse / Math.max(kappa, o.epsilon());
            }
            default:
                return Math.sqrt(sq / Math.max(ySq, o.epsilon()));
        }
    }

    /**
     * {@code ∂value/∂ŷ_i} from the table of {@code kernel-math.md} §12 (0 on masked elements and
     * when nothing is valid); sign(0) = 0, zero slope where a clamp is active, and 0 for the root
     * losses at 0.
     */
    public static double[] gradient(Regression kind, double[] y, double[] p, boolean[] mask, Params o, boolean mean) {
        double[] g = new double[y.length];
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            n += valid(mask, i) ? 1 : 0;
        }
        if (n == 0) {
            return g;
        }
        double v = value(kind, y, p, mask, o, true);
        double meanY = 0;
        for (int i = 0; i < y.length; i++) {
            meanY += valid(mask, i) ? y[i] / n : 0;
        }
        double dev = 0;
        double devSq = 0;
        double ySq = 0;
        for (int i = 0; i < y.length; i++) {
            if (valid(mask, i)) {
                dev += Math.abs(y[i] - meanY);
                devSq += (y[i] - meanY) * (y[i] - meanY);
                ySq += y[i] * y[i];
            }
        }
        double rmse = value(Regression.RMSE, y, p, mask, o, true);
        double divisor = mean ? n : 1;
        for (int i = 0; i < y.length; i++) {
            if (!valid(mask, i)) {
                continue;
            }
            double e = y[i] - p[i];
            double sign = Math.signum(e);
            double logDiff = Math.log1p(Math.max(p[i], o.epsilon())) - Math.log1p(Math.max(y[i], o.epsilon()));
            double logSlope = p[i] > o.epsilon() ? logDiff / (1 + p[i]) : 0;
            switch (kind) {
                case MAE: g[i] = -sign / divisor; break;
                case MSE: g[i] = -2 * e / divisor; break;
                case MBE: g[i] = -1 / divisor; break;
                case RAE: g[i] = -sign / Math.max(dev, o.epsilon()); break;
                case RSE: g[i] = -2 * e / Math.max(devSq, o.epsilon()); break;
                case MAPE: g[i] = -100 * sign / Math.max(Math.abs(y[i]), o.epsilon()) / divisor; break;
                case RMSE: g[i] = v == 0 ? 0 : -e / (n * v); break;
                case MSLE: g[i] = 2 * logSlope / divisor; break;
                case RMSLE: g[i] = v == 0 ? 0 : logSlope / (n * v); break;
                case NRMSE: g[i] = rmse == 0 ? 0 : -e / (n * rmse * (rmse / v)); break; // κ' = RMSE / NRMSE
                case RRMSE: g[i] = v == 0 ? 0 : -e / (v * Math.max(ySq, o.epsilon())); break;
                case HUBER: g[i] = (Math.abs(e) <= o.delta() ? -e : -o.delta() * sign) / divisor; break;
                case LOG_COSH: g[i] = Math.tanh(p[i] - y[i]) / divisor; break;
                default: g[i] = (e > 0 ? -o.quantile() : e < 0 ? 1 - o.quantile() : 0) / divisor; break;
            }
        }
        return g;
    }

    private static boolean valid(boolean[] mask, int i) {
        return mask == null || mask[i];
    }
}
