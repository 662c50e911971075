package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.spi.DuelingOps;

/** The pure-Java dueling-head aggregation. */
final class JavaDuelingOps implements DuelingOps {
    private final Parallel parallel;

    JavaDuelingOps(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, long batch, long actions,
                        long atoms, DuelingMode mode) {
        throw new UnsupportedOperationException("dueling forward: not implemented yet");
    }

    @Override
    public void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                         long batch, long actions, long atoms, DuelingMode mode) {
        throw new UnsupportedOperationException("dueling backward: not implemented yet");
    }
}
