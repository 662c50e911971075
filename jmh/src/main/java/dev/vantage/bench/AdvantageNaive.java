package dev.vantage.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Arrays;
import java.util.Map;

/**
 * Anchor for {@link AdvantageBenchmark#gae}: GAE as verl's {@code compute_gae_advantage_return}
 * writes it, transcribed to plain Java on one thread: the time steps from last to first, each a
 * pass over the B rows (a column of the row-major {@code [B, T]} arrays), carrying the next value
 * and the running advantage per row in float, with the mask blended in arithmetically:
 * <pre>
 * delta      = r[:, t] + γ·next - v[:, t]
 * a          = delta + γλ·last
 * next       = v[:, t]·m[:, t] + (1 - m[:, t])·next
 * last       = a·m[:, t] + (1 - m[:, t])·last
 * adv[:, t]  = last;   returns = (adv + v)·m
 * </pre>
 * (verl's returns are {@code adv + v}; the mask makes them 0 where the kernel writes 0.) On
 * right-padded rows this is the kernel's result. Methodology in {@link Timed}; checked against the
 * oracle like the kernel.
 */
public class AdvantageNaive extends Timed {
    @Param({"1024x1024"})
    public String shape;

    private AdvantageWorkload w;
    private float[] next;
    private float[] last;

    @Setup(Level.Trial)
    public void setUp() {
        w = new AdvantageWorkload(Map.of("shape", shape));
        w.generate(Workload.BENCH_SEED);
        next = new float[w.rows];
        last = new float[w.rows];
        gae();
        w.checkGae("naive gae " + w.label(), w.outArray, w.retArray).require();
    }

    @Benchmark
    public void gae() {
        int rows = w.rows;
        int time = w.time;
        float gamma = (float) AdvantageWorkload.GAMMA;
        float gammaLambda = (float) (AdvantageWorkload.GAMMA * AdvantageWorkload.LAMBDA);
        float[] r = w.rewardArray;
        float[] v = w.valueArray;
        byte[] mask = w.maskArray;
        float[] adv = w.outArray;
        float[] ret = w.retArray;
        Arrays.fill(next, 0);
        Arrays.fill(last, 0);
        for (int t = time - 1; t >= 0; t--) {
            for (int b = 0; b < rows; b++) {
                int i = b * time + t;
                float m = mask[i];
                float delta = r[i] + gamma * next[b] - v[i];
                float a = delta + gammaLambda * last[b];
                next[b] = v[i] * m + (1 - m) * next[b];
                last[b] = a * m + (1 - m) * last[b];
                adv[i] = last[b];
                ret[i] = (last[b] + v[i]) * m;
            }
        }
    }
}
