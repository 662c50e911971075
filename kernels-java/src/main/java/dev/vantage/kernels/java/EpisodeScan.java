package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

/**
 * The backward recurrence behind GAE, discounted returns and REINFORCE++, one row of a
 * {@code [B, T]} rollout at a time. Masked steps are skipped: the next valid step's value and
 * advantage carry across them (verl), and they get 0. A terminal step bootstraps nothing; a
 * truncated step, and the row's last valid step, bootstrap from their own bootstrap value; neither
 * a terminal nor a truncated step chains into the step after it. Discounted returns are this
 * recurrence with values 0 and λ = 1.
 *
 * <p>A chunk of rows owns one instance; {@link #load} points its views at a row, {@link #run}
 * walks it. GAE and returns without episode flags run on {@link LaneScan}, several rows at a time,
 * which sends here the rows it cannot take (a mask that is not a prefix, arrays at other offsets).
 */
final class EpisodeScan {
    private final FloatIn values = new FloatIn();
    private final FloatIn bootstrap = new FloatIn();
    private final MaskIn mask = new MaskIn(true);
    private final MaskIn terminated = new MaskIn(false);
    private final MaskIn truncated = new MaskIn(false);

    /** Views the row of {@code len} steps from element {@code start}; null tensors read as 0 / no flag / all valid. */
    EpisodeScan load(Tensor values, Tensor mask, Tensor terminated, Tensor truncated, Tensor bootstrap, long start,
                     int len) {
        this.values.load(values, start, len);
        this.mask.load(mask, start, len);
        this.terminated.load(terminated, start, len);
        this.truncated.load(truncated, start, len);
        this.bootstrap.load(bootstrap, start, len);
        return this;
    }

    /**
     * Runs the loaded row with rewards {@code r[ro, ro + len)}, writing the advantages to
     * {@code adv[ao, ao + len)} and, when {@code ret} is not null, advantage + value to
     * {@code ret[reto, reto + len)}. A step reads all its inputs before it writes, and what it carries
     * is held in locals, so the outputs may be the very arrays the inputs are read from.
     */
    void run(float[] r, int ro, int len, double gamma, double gammaLambda, float[] adv, int ao, float[] ret, int reto) {
        byte[] m = mask.a;
        int mo = mask.off;
        byte[] term = terminated.a;
        int termo = terminated.off;
        byte[] trunc = truncated.a;
        int trunco = truncated.off;
        float[] v = values.a;
        int vo = values.off;
        float[] boot = bootstrap.a;
        int booto = bootstrap.off;
        double nextValue = 0;
        double nextAdvantage = 0;
        boolean last = true;
        for (int t = len - 1; t >= 0; t--) {
            if (m[mo + t] == 0) {
                adv[ao + t] = 0;
                if (ret != null) {
                    ret[reto + t] = 0;
                }
                continue;
            }
            double value = v[vo + t];
            double advantage;
            // Episode ends are branches, not factors of 0, so a NaN beyond an end stays in its own episode.
            if (term[termo + t] != 0) {
                advantage = r[ro + t] - value;
            } else if (trunc[trunco + t] != 0 || last) {
                advantage = r[ro + t] + gamma * boot[booto + t] - value;
            } else {
                advantage = r[ro + t] + gamma * nextValue - value + gammaLambda * nextAdvantage;
            }
            adv[ao + t] = (float) advantage;
            if (ret != null) {
                ret[reto + t] = (float) (advantage + value);
            }
            nextValue = value;
            nextAdvantage = advantage;
            last = false;
        }
    }
}
