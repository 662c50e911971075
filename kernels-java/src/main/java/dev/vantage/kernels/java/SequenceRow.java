package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

/**
 * One row of a sequence objective's {@code [B, T]} inputs, with its masked sums: the policy's
 * sequence log-prob {@code S = Σ m·logp}, the reference's {@code Sref} (summed the same way, or read
 * from a per-sequence {@code [B]} tensor) and the valid-token count. Views are reused row to row.
 */
final class SequenceRow {
    final FloatIn logp = new FloatIn();
    final FloatIn ref = new FloatIn();
    final MaskIn mask = new MaskIn(true);
    double sum;
    double refSum;
    int length;

    private final Tensor logpTensor;
    private final Tensor refTensor;
    private final Tensor maskTensor;
    private final int time;
    private final boolean refPerToken;

    SequenceRow(Tensor logp, Tensor ref, Tensor mask, long time) {
        this.logpTensor = logp;
        this.refTensor = ref;
        this.maskTensor = mask;
        this.time = (int) time;
        this.refPerToken = ref != null && ref.rank() == 2;
    }

    /** Loads row {@code b} and computes its sums; a null reference sums to 0. */
    SequenceRow load(long b) {
        long start = b * time;
        logp.load(logpTensor, start, time);
        mask.load(maskTensor, start, time);
        if (refPerToken) {
            ref.load(refTensor, start, time);
        }
        double s = 0;
        double r = 0;
        int n = 0;
        for (int t = 0; t < time; t++) {
            if (mask.a[mask.off + t] != 0) {
                s += logp.a[logp.off + t];
                if (refPerToken) {
                    r += ref.a[ref.off + t];
                }
                n++;
            }
        }
        if (!refPerToken && refTensor != null) {
            r = ref.load(refTensor, b, 1).a[ref.off];
        }
        sum = s;
        refSum = r;
        length = n;
        return this;
    }

    /** Writes {@code grad[b, t] = coefficient·m[b, t]} for the loaded row {@code b}. */
    void writeGradient(Tensor grad, long b, double coefficient, FloatOut out) {
        out.begin(grad, b * time, time);
        float c = (float) coefficient;
        for (int t = 0; t < time; t++) {
            out.a[out.off + t] = mask.a[mask.off + t] != 0 ? c : 0f;
        }
        out.commit();
    }
}
