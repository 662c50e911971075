package dev.vantage.kernels.advantage;

import dev.vantage.kernels.internal.Args;

/** Discount γ and trace decay λ of GAE, both in [0, 1]. */
public final class GaeOptions {
    private final double gamma;
    private final double lambda;

    private GaeOptions(double gamma, double lambda) {
        this.gamma = gamma;
        this.lambda = lambda;
    }

    public static GaeOptions of(double gamma, double lambda) {
        return new GaeOptions(Args.inClosed("gamma", gamma, 0, 1), Args.inClosed("lambda", lambda, 0, 1));
    }

    public double gamma() {
        return gamma;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public String toString() {
        return "GaeOptions[gamma=" + gamma + ", lambda=" + lambda + "]";
    }
}
