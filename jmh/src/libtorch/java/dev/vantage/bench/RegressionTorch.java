package dev.vantage.bench;

import dev.vantage.kernels.loss.RegressionLoss;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * Anchors for {@link RegressionBenchmark} in libtorch: the regression losses it has, with the mean
 * reduction, forward and backward as a training step runs them
 * ({@code loss = F.mse_loss(prediction, target); torch.autograd.grad(loss, prediction)}):
 * {@code mse_loss}, {@code l1_loss} (the kernel's MAE), {@code huber_loss} (δ = 1) and
 * {@code smooth_l1_loss} (β = 1, which is Huber with δ = 1). Each call's temporaries are freed at
 * its end. Methodology in {@link Timed}; the loss and gradient a trial times are checked against the oracle.
 */
@SuppressWarnings("try") // a PointerScope frees what is allocated while it is open; nothing refers to it
public class RegressionTorch extends Timed {
    @Param({"16777216"})
    public String n;

    private RegressionWorkload w;
    private Tensor target;
    private Tensor prediction;

    /** Checks the loss this trial times. */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Torch.threads();
        w = new RegressionWorkload(Map.of("n", n));
        w.generate(Workload.BENCH_SEED);
        target = Torch.floats(w.targetArray, w.n);
        prediction = Torch.leaf(w.predictionArray, w.n);
        switch (method(params)) {
            case "mse": check("mse_loss", RegressionLoss.MSE, this::mseLoss); break;
            case "l1": check("l1_loss", RegressionLoss.MAE, this::l1Loss); break;
            case "huber": check("huber_loss", RegressionLoss.HUBER, this::huberLoss); break;
            default: check("smooth_l1_loss", RegressionLoss.HUBER, this::smoothL1Loss); break;
        }
    }

    @Benchmark
    public float mse() {
        return lossAndGrad(this::mseLoss);
    }

    @Benchmark
    public float l1() {
        return lossAndGrad(this::l1Loss);
    }

    @Benchmark
    public float huber() {
        return lossAndGrad(this::huberLoss);
    }

    @Benchmark
    public float smoothL1() {
        return lossAndGrad(this::smoothL1Loss);
    }

    private Tensor mseLoss(Tensor p, Tensor y) {
        return torch.mse_loss(p, y, Torch.MEAN);
    }

    private Tensor l1Loss(Tensor p, Tensor y) {
        return torch.l1_loss(p, y, Torch.MEAN);
    }

    private Tensor huberLoss(Tensor p, Tensor y) {
        return torch.huber_loss(p, y, Torch.MEAN, w.options.delta());
    }

    private Tensor smoothL1Loss(Tensor p, Tensor y) {
        return torch.smooth_l1_loss(p, y, Torch.MEAN, w.options.delta());
    }

    private float lossAndGrad(BiFunction<Tensor, Tensor, Tensor> loss) {
        try (PointerScope scope = new PointerScope()) {
            Tensor value = loss.apply(prediction, target);
            return Torch.grad(value, null, false, prediction)[0].data_ptr_float().get() + value.item_float();
        }
    }

    private void check(String name, RegressionLoss kind, BiFunction<Tensor, Tensor, Tensor> loss) {
        try (PointerScope scope = new PointerScope()) {
            Tensor value = loss.apply(prediction, target);
            float[] grad = Torch.array(Torch.grad(value, null, false, prediction)[0], w.n);
            w.check("libtorch " + name + " " + w.label(), kind, value.item_double(), grad).require();
        }
    }
}
