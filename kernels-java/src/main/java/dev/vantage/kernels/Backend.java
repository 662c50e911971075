package dev.vantage.kernels;

import dev.vantage.kernels.advantage.AdvantageKernels;
import dev.vantage.kernels.dueling.DuelingKernels;
import dev.vantage.kernels.internal.Args;
import dev.vantage.kernels.logprob.LogProbKernels;
import dev.vantage.kernels.loss.LossKernels;
import dev.vantage.kernels.objective.ObjectiveKernels;
import dev.vantage.kernels.spi.Availability;
import dev.vantage.kernels.spi.BackendProvider;

/**
 * One backend's kernels, grouped by family. Every backend answers the same calls with the same
 * results, within each kernel's documented tolerance. Instances are immutable and thread-safe.
 */
public final class Backend {
    private final BackendProvider provider;
    private final LogProbKernels logprob;
    private final AdvantageKernels advantage;
    private final DuelingKernels dueling;
    private final LossKernels loss;
    private final ObjectiveKernels objective;

    private Backend(BackendProvider provider) {
        this.provider = provider;
        Args args = new Args(provider.name(), provider.memories());
        this.logprob = new LogProbKernels(provider.logprob(), args);
        this.advantage = new AdvantageKernels(provider.advantage(), args);
        this.dueling = new DuelingKernels(provider.dueling(), args);
        this.loss = new LossKernels(provider.loss(), args);
        this.objective = new ObjectiveKernels(provider.objective(), args);
    }

    /**
     * A backend over a provider, for tests and custom providers; {@link Vantage#backend()} is the
     * usual way in.
     *
     * @throws BackendUnavailableException if the provider cannot run here
     */
    public static Backend of(BackendProvider provider) {
        if (provider == null) {
            throw new IllegalArgumentException("provider: must not be null");
        }
        Availability availability = provider.availability();
        if (!availability.available()) {
            throw new BackendUnavailableException("backend '" + provider.name() + "' is unavailable: "
                    + availability.reason());
        }
        return new Backend(provider);
    }

    public String name() {
        return provider.name();
    }

    /** Token log-prob ratios: log-softmax+gather, entropy, ratios, PPO, KL, aggregation. */
    public LogProbKernels logprob() {
        return logprob;
    }

    /** Advantage estimation: GAE, returns, GRPO, RLOO, REINFORCE++, whitening. */
    public AdvantageKernels advantage() {
        return advantage;
    }

    /** Dueling-head aggregation. */
    public DuelingKernels dueling() {
        return dueling;
    }

    /** Comp-sum and regression losses. */
    public LossKernels loss() {
        return loss;
    }

    /** Sequence-level objectives on token log-probs: DPO, KTO, APA, A-LoL, PRIME. */
    public ObjectiveKernels objective() {
        return objective;
    }

    @Override
    public String toString() {
        return "Backend[" + provider.name() + "]";
    }
}
