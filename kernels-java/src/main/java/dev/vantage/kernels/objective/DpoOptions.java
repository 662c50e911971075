package dev.vantage.kernels.objective;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the DPO family: β, cDPO label smoothing ε and the loss form.
 * <ul>
 *   <li>{@link Loss#SIGMOID} (Rafailov et al. 2023, Eq. 7): with summed sequence log-probs,
 *       {@code h = β·[(S_w - Sref_w) - (S_l - Sref_l)]},
 *       {@code L = (1-ε)·softplus(-h) + ε·softplus(h)}.</li>
 *   <li>{@link Loss#IPO} (Azar et al. 2023): with length-normalized (mean) sequence log-probs,
 *       {@code h = (S̄_w - S̄ref_w) - (S̄_l - S̄ref_l)}, {@code L = (h - 1/(2β))²} (TRL's form; ε unused).</li>
 * </ul>
 */
public final class DpoOptions {
    /** The loss form. */
    public enum Loss {
        SIGMOID, IPO
    }

    private static final DpoOptions DEFAULTS = new DpoOptions(0.1, 0.0, Loss.SIGMOID);

    private final double beta;
    private final double labelSmoothing;
    private final Loss loss;

    private DpoOptions(double beta, double labelSmoothing, Loss loss) {
        this.beta = beta;
        this.labelSmoothing = labelSmoothing;
        this.loss = loss;
    }

    /** β = 0.1 (HALOs, TRL), no smoothing, sigmoid loss. */
    public static DpoOptions defaults() {
        return DEFAULTS;
    }

    /** β > 0, finite. */
    public DpoOptions beta(double beta) {
        return new DpoOptions(Args.positive("beta", beta, false), labelSmoothing, loss);
    }

    /** cDPO's ε in [0, 0.5]: the probability that a preference label is flipped. */
    public DpoOptions labelSmoothing(double epsilon) {
        return new DpoOptions(beta, Args.inClosed("labelSmoothing", epsilon, 0, 0.5), loss);
    }

    public DpoOptions loss(Loss loss) {
        return new DpoOptions(beta, labelSmoothing, Args.notNull("loss", loss));
    }

    public double beta() {
        return beta;
    }

    public double labelSmoothing() {
        return labelSmoothing;
    }

    public Loss loss() {
        return loss;
    }

    @Override
    public String toString() {
        return "DpoOptions[beta=" + beta + ", labelSmoothing=" + labelSmoothing + ", loss=" + loss + "]";
    }
}
