package dev.vantage.oracle;

/**
 * Float64 reference for the fused log-softmax, gather and entropy kernel ({@code kernel-math.md}
 * §1): the textbook two-pass definitions, written independently of every backend.
 */
public final class LogProbOracle {
    private LogProbOracle() {
    }

    /** Results per row. */
    public static final class Forward {
        public final double[] logp;
        public final double[] entropy;
        public final double[] lse;

        Forward(int rows) {
            logp = new double[rows];
            entropy = new double[rows];
            lse = new double[rows];
        }
    }

    /** {@code z} is {@code [rows, vocab]} row-major, already decoded to double. */
    public static Forward forward(double[] z, int rows, int vocab, int[] labels, double temperature, int ignoreIndex) {
        Forward out = new Forward(rows);
        for (int i = 0; i < rows; i++) {
            double[] x = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            boolean invalid = false;
            for (int j = 0; j < vocab; j++) {
                x[j] = z[i * vocab + j] / temperature;
                invalid |= Double.isNaN(x[j]) || x[j] == Double.POSITIVE_INFINITY;
                max = Math.max(max, x[j]);
            }
            if (invalid || max == Double.NEGATIVE_INFINITY) {
                out.logp[i] = Double.NaN;
                out.entropy[i] = Double.NaN;
                out.lse[i] = Double.NaN;
                continue;
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(x[j] - max);
            }
            double lse = max + Math.log(sum);
            double h = 0;
            for (int j = 0; j < vocab; j++) {
                double p = Math.exp(x[j] - lse);
                if (p > 0) {
                    h -= p * (x[j] - lse);
                }
            }
            out.lse[i] = lse;
            out.entropy[i] = h;
            out.logp[i] = labels[i] == ignoreIndex ? 0 : x[labels[i]] - lse;
        }
        return out;
    }

    /**
     * ∂L/∂z for upstream gradients of logp and entropy:
     * {@code (1/T)·[gLp·(onehot - p) - gH·p·(log p + H)]}; ignored rows take no logp gradient.
     */
    public static double[] backward(double[] z, int rows, int vocab, int[] labels, double temperature,
                                    int ignoreIndex, double[] gradLogp, double[] gradEntropy) {
        Forward f = forward(z, rows, vocab, labels, temperature, ignoreIndex);
        double[] grad = new double[rows * vocab];
        for (int i = 0; i < rows; i++) {
            double gLp = labels[i] == ignoreIndex || gradLogp == null ? 0 : gradLogp[i];
            double gH = gradEntropy == null ? 0 : gradEntropy[i];
            for (int j = 0; j < vocab; j++) {
                double logP = z[i * vocab + j] / temperature - f.lse[i];
                double p = Math.exp(logP);
                double entropyTerm = p > 0 ? gH * p * (logP + f.entropy[i]) : 0;
                grad[i * vocab + j] = (gLp * ((j == labels[i] ? 1 : 0) - p) - entropyTerm) / temperature;
            }
        }
        return grad;
    }
}
