package dev.vantage.oracle;

import java.util.function.ToDoubleFunction;

/** Central finite differences of a float64 scalar function, for checking backward kernels. */
public final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * {@code ∂f/∂x_i ≈ (f(x + h·e_i) - f(x - h·e_i)) / 2h} for every i, with a step relative to
     * {@code |x_i|} so large inputs are not lost to rounding.
     */
    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] grad = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            double step = h * Math.max(1, Math.abs(x[i]));
            probe[i] = x[i] + step;
            double up = f.applyAsDouble(probe);
            probe[i] = x[i] - step;
            double down = f.applyAsDouble(probe);
            probe[i] = x[i];
            grad[i] = (up - down) / (2 * step);
        }
        return grad;
    }
}
