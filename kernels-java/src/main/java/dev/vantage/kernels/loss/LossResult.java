package dev.vantage.kernels.loss;

/**
 * A reduced loss.
 *
 * @param value      the loss after reduction (for {@link Reduction#NONE}, the sum of the per-element losses)
 * @param count      number of valid elements (rows for comp-sum) that entered it
 * @param degenerate true when there was nothing to reduce, or a documented ε guard replaced a
 *                   vanishing denominator
 */
public record LossResult(double value, long count, boolean degenerate) {
}
