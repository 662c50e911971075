package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.spi.DuelingOps;

import static dev.vantage.kernels.cuda.CudaLibrary.vantage_dueling_backward;
import static dev.vantage.kernels.cuda.CudaLibrary.vantage_dueling_forward;

/** The dueling-head family on the C ABI. */
final class CudaDuelingOps implements DuelingOps {
    private final Lanes lanes;

    CudaDuelingOps(Lanes lanes) {
        this.lanes = lanes;
    }

    @Override
    public void forward(Tensor value, Tensor advantage, Tensor actionMask, Tensor q, long batch, long actions,
                        long atoms, DuelingMode mode) {
        try (Call c = Call.open(lanes, "vantage_dueling_forward", sizes(batch, actions, atoms))) {
            c.run(vantage_dueling_forward(c.in(value), c.in(advantage), c.in(actionMask), c.out(q), batch, actions, atoms,
                    mode.ordinal(), c.stream()));
        }
    }

    @Override
    public void backward(Tensor advantage, Tensor actionMask, Tensor gradQ, Tensor gradValue, Tensor gradAdvantage,
                         long batch, long actions, long atoms, DuelingMode mode) {
        try (Call c = Call.open(lanes, "vantage_dueling_backward", sizes(batch, actions, atoms))) {
            c.run(vantage_dueling_backward(c.in(advantage), c.in(actionMask), c.in(gradQ), c.out(gradValue),
                    c.out(gradAdvantage), batch, actions, atoms, mode.ordinal(), c.stream()));
        }
    }

    private static String sizes(long batch, long actions, long atoms) {
        return "batch=" + batch + ", actions=" + actions + ", atoms=" + atoms;
    }
}
