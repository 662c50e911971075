package dev.vantage.kernels.spi;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;

/**
 * Backend side of {@link dev.vantage.kernels.dueling.DuelingKernels}; arguments arrive validated.
 * The advantage is viewed as {@code [batch, actions, atoms]} (atoms = 1 without an atom axis) and
 * the value as {@code [batch, atoms]}.
 */
public interface DuelingOps {
    void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, long batch, long actions, long atoms,
                 DuelingMode mode);

    void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                  long batch, long actions, long atoms, DuelingMode mode);
}
