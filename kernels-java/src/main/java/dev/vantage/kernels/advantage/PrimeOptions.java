package dev.vantage.kernels.advantage;

import dev.vantage.kernels.internal.Args;

/**
 * Options of PRIME's advantages (Cui et al. 2025): the group size K ≥ 2 of samples per prompt, the
 * coefficients of the process and outcome terms (the original code uses 1 and 1, verl's recipe 5
 * and 5; after whitening only their ratio matters), and which leave-one-out baseline the process
 * rewards get ({@code kernel-math.md} §6.3).
 */
public final class PrimeOptions {
    /** The process-reward baseline. */
    public enum Form {
        /**
         * The paper's: {@code r'_{i,t} = r_{i,t} - Σ_{j≠i} r̄_j / (K-1)}, with {@code r̄_j} response j's
         * mean process reward.
         */
        PAPER,
        /**
         * The official code's ({@code compute_rloo_returns}): {@code r'_{i,t} = r_{i,t}·K/(K-1) - Σ_j r̄_j / (K-1)};
         * same return at t = 0, different at later tokens.
         */
        CODE
    }

    private final int groupSize;
    private final double processCoef;
    private final double outcomeCoef;
    private final Form form;

    private PrimeOptions(int groupSize, double processCoef, double outcomeCoef, Form form) {
        this.groupSize = groupSize;
        this.processCoef = processCoef;
        this.outcomeCoef = outcomeCoef;
        this.form = form;
    }

    /** Groups of K ≥ 2, coefficients 1 and 1, the paper's form. */
    public static PrimeOptions of(int groupSize) {
        if (groupSize < 2) {
            throw new IllegalArgumentException("groupSize: PRIME's leave-one-out baseline needs K >= 2, got " + groupSize);
        }
        return new PrimeOptions(groupSize, 1, 1, Form.PAPER);
    }

    /** Coefficients of the process and outcome terms; finite. */
    public PrimeOptions coefficients(double process, double outcome) {
        return new PrimeOptions(groupSize, Args.finite("processCoef", process), Args.finite("outcomeCoef", outcome),
                form);
    }

    public PrimeOptions form(Form form) {
        return new PrimeOptions(groupSize, processCoef, outcomeCoef, Args.notNull("form", form));
    }

    public int groupSize() {
        return groupSize;
    }

    public double processCoef() {
        return processCoef;
    }

    public double outcomeCoef() {
        return outcomeCoef;
    }

    public Form form() {
        return form;
    }

    @Override
    public String toString() {
        return "PrimeOptions[groupSize=" + groupSize + ", processCoef=" + processCoef + ", outcomeCoef=" + outcomeCoef
                + ", form=" + form + "]";
    }
}
