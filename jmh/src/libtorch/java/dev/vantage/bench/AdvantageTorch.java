package dev.vantage.bench;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;

/**
 * Anchor for {@link AdvantageBenchmark#gae} in libtorch: the per-step tensor loop of verl's
 * {@code compute_gae_advantage_return} (TRL's PPO trainer has the same loop), on the same inputs:
 * <pre>
 * for t in reversed(range(T)):
 *     delta = r[:, t] + γ·next - v[:, t]
 *     a     = delta + γλ·last
 *     next  = v[:, t]·m[:, t] + (1 - m[:, t])·next
 *     last  = a·m[:, t] + (1 - m[:, t])·last
 *     advs.append(last)
 * adv = stack(advs[::-1], 1);  returns = (adv + v)·m
 * </pre>
 * ({@code 1 - m} is computed once per call rather than twice per step, which only helps it; the
 * returns are masked so that they compare with the kernel's.) Each call's temporaries are freed at
 * its end. Methodology in {@link Timed}; both outputs are checked against the oracle.
 */
@SuppressWarnings("try") // a PointerScope frees what is allocated while it is open; nothing refers to it
public class AdvantageTorch extends Timed {
    @Param({"1024x1024"})
    public String shape;

    private AdvantageWorkload w;
    private Tensor rewards;
    private Tensor values;
    private Tensor mask;
    private final Scalar gamma = new Scalar(AdvantageWorkload.GAMMA);
    private final Scalar gammaLambda = new Scalar(AdvantageWorkload.GAMMA * AdvantageWorkload.LAMBDA);
    private final Scalar one = new Scalar(1.0);

    @Setup(Level.Trial)
    public void setUp() {
        Torch.threads();
        w = new AdvantageWorkload(Map.of("shape", shape));
        w.generate(Workload.BENCH_SEED);
        rewards = Torch.floats(w.rewardArray, w.rows, w.time);
        values = Torch.floats(w.valueArray, w.rows, w.time);
        mask = Torch.floats(w.maskArray, w.rows, w.time);
        int n = w.rows * w.time;
        try (PointerScope scope = new PointerScope()) {
            Tensor[] out = gae();
            w.checkGae("libtorch gae " + w.label(), Torch.array(out[0], n), Torch.array(out[1], n)).require();
        }
    }

    @Benchmark
    public float gaeLoop() {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] out = gae();
            return out[0].data_ptr_float().get() + out[1].data_ptr_float().get();
        }
    }

    private Tensor[] gae() {
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        Tensor next = torch.zeros(new long[] {w.rows}, f32);
        Tensor last = torch.zeros(new long[] {w.rows}, f32);
        Tensor keep = mask.neg().add(one); // 1 - m
        Tensor[] steps = new Tensor[w.time];
        for (int t = w.time - 1; t >= 0; t--) {
            Tensor m = mask.select(1, t);
            Tensor notM = keep.select(1, t);
            Tensor v = values.select(1, t);
            Tensor delta = rewards.select(1, t).add(next.mul(gamma)).sub(v);
            Tensor a = delta.add(last.mul(gammaLambda));
            next = v.mul(m).add(notM.mul(next));
            last = a.mul(m).add(notM.mul(last));
            steps[t] = last;
        }
        Tensor adv = torch.stack(new TensorVector(steps), 1);
        return new Tensor[] {adv, adv.add(values).mul(mask)};
    }
}
