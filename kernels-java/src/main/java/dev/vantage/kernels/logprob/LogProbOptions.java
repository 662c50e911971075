package dev.vantage.kernels.logprob;

import dev.vantage.kernels.internal.Args;

/**
 * Options of the fused log-softmax, gather and entropy kernel: the sampling temperature (logits
 * are divided by it before anything else, as the sampler did) and the label that marks ignored rows.
 */
public final class LogProbOptions {
    /** PyTorch's default {@code ignore_index}. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    private static final LogProbOptions DEFAULTS = new LogProbOptions(1.0, DEFAULT_IGNORE_INDEX);

    private final double temperature;
    private final int ignoreIndex;

    private LogProbOptions(double temperature, int ignoreIndex) {
        this.temperature = temperature;
        this.ignoreIndex = ignoreIndex;
    }

    /** Temperature 1, ignore index -100. */
    public static LogProbOptions defaults() {
        return DEFAULTS;
    }

    /** The same options with another temperature; it must be finite and > 0. */
    public LogProbOptions temperature(double temperature) {
        return new LogProbOptions(Args.positive("temperature", temperature, false), ignoreIndex);
    }

    /** The same options with another ignore index; rows with this label give log-prob 0 and no gradient. */
    public LogProbOptions ignoreIndex(int ignoreIndex) {
        return new LogProbOptions(temperature, ignoreIndex);
    }

    public double temperature() {
        return temperature;
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    @Override
    public String toString() {
        return "LogProbOptions[temperature=" + temperature + ", ignoreIndex=" + ignoreIndex + "]";
    }
}
