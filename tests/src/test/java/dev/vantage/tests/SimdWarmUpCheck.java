package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.logprob.KlEstimator;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.oracle.Inputs;

import java.util.Arrays;

/**
 * Run in a fresh JVM by {@link SimdBackendTest}: the java-simd kernels' first call (interpreted
 * and C1 code) against a call after warm-up (C2), bit for bit. Prints {@code same} or how many
 * outputs differ.
 */
public final class SimdWarmUpCheck {
    private static final int ROWS = 4;
    private static final int VOCAB = 4099;

    private SimdWarmUpCheck() {
    }

    public static void main(String[] args) {
        Backend be = Vantage.backend("java-simd");
        Inputs in = new Inputs(53);
        float[] logits = in.floats(ROWS * VOCAB, Inputs.Spread.OUTLIERS);
        float[] other = in.floats(ROWS * VOCAB, Inputs.Spread.NORMAL);
        double[] cold = run(be, logits, other);
        for (int i = 0; i < 200; i++) {
            run(be, logits, other);
        }
        double[] warm = run(be, logits, other);
        int differ = 0;
        for (int i = 0; i < cold.length; i++) {
            differ += Double.doubleToLongBits(cold[i]) != Double.doubleToLongBits(warm[i]) ? 1 : 0;
        }
        System.out.println(differ == 0 ? "same" : differ + " of " + cold.length + " outputs differ");
    }

    /**
     * Every kernel that takes exp, expm1 or log1p through the vector loops: fp32 outputs, and the
     * double sums, which show a last-bit difference of a double exp that fp32 rounding would hide.
     */
    private static double[] run(Backend be, float[] logits, float[] other) {
        int n = ROWS * VOCAB;
        int[] labels = new int[ROWS];
        float[] logp = new float[ROWS];
        float[] entropy = new float[ROWS];
        float[] lse = new float[ROWS];
        float[] grad = new float[n];
        float[] ceGrad = new float[n];
        float[] ratio = new float[n];
        float[] kl = new float[n];
        float[] msle = new float[n];
        float[] logCosh = new float[n];
        float[] mape = new float[n];
        Tensor z = Tensor.of(logits, ROWS, VOCAB);
        be.logprob().forward(z, Tensor.of(labels, ROWS), Tensor.of(logp, ROWS), Tensor.of(entropy, ROWS),
                Tensor.of(lse, ROWS), LogProbOptions.defaults());
        be.logprob().backward(z, Tensor.of(labels, ROWS), Tensor.of(lse, ROWS), Tensor.of(entropy, ROWS),
                Tensor.of(logp, ROWS), Tensor.of(entropy, ROWS), Tensor.of(grad, ROWS, VOCAB),
                LogProbOptions.defaults());
        double ce = be.loss().compSum(z, Tensor.of(labels, ROWS), null, Tensor.of(ceGrad, ROWS, VOCAB),
                CompSumOptions.defaults().tau(0.7)).value();
        Tensor x = Tensor.of(logits, n);
        Tensor y = Tensor.of(other, n);
        be.logprob().ratio(x, y, null, Tensor.of(ratio, n), null, Double.POSITIVE_INFINITY);
        be.logprob().kl(x, y, null, Tensor.of(kl, n), null, KlOptions.defaults().estimator(KlEstimator.K3));
        double ppo = be.logprob().ppoLoss(Tensor.of(logits, ROWS, VOCAB), Tensor.of(other, ROWS, VOCAB),
                Tensor.of(other, ROWS, VOCAB), null, null, PpoOptions.defaults().logRatioClamp(5)).loss();
        double msleValue = be.loss().regression(RegressionLoss.MSLE, y, x, null, null, Tensor.of(msle, n),
                RegressionOptions.defaults()).value();
        double logCoshValue = be.loss().regression(RegressionLoss.LOG_COSH, y, x, null, null,
                Tensor.of(logCosh, n), RegressionOptions.defaults()).value();
        // MAPE's lanes, and the target's moments in double lanes (RSE's mean and centered sum).
        double mapeValue = be.loss().regression(RegressionLoss.MAPE, y, x, null, null, Tensor.of(mape, n),
                RegressionOptions.defaults()).value();
        double rseValue = be.loss().regression(RegressionLoss.RSE, y, x, null, null, null,
                RegressionOptions.defaults()).value();
        float[][] parts = {logp, entropy, lse, grad, ceGrad, ratio, kl, msle, logCosh, mape};
        double[] all = new double[Arrays.stream(parts).mapToInt(p -> p.length).sum() + 6];
        int at = 0;
        for (float[] p : parts) {
            for (float v : p) {
                all[at++] = v;
            }
        }
        all[at++] = ce;
        all[at++] = ppo;
        all[at++] = msleValue;
        all[at++] = logCoshValue;
        all[at++] = mapeValue;
        all[at] = rseValue;
        return all;
    }
}
