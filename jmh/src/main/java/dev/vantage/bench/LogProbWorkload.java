package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.HalfFloats;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.oracle.Inputs;
import dev.vantage.oracle.LogProbOracle;

import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The fused log-softmax, gather and entropy kernel ({@code forward}) and its backward into the
 * logits ({@code backward}) on {@code [rows, vocab]} logits in F32 or BF16.
 *
 * <p>Parameters: {@code shape} ({@code ROWSxVOCAB}), {@code dtype}, and for the report's parity
 * check {@code temperature} (default 1) and {@code ignored}, the fraction of rows whose label is the
 * ignore index (default 0: libtorch's gather accepts no such label). The logits are {@link #row}s.
 * The gradient is written in the logits' dtype, as autograd does.
 */
public final class LogProbWorkload extends Workload {
    // The tolerances of LogProbParityTest.
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-5;
    static final double GRAD_RTOL = 1e-4;
    static final double GRAD_ATOL = 1e-6;

    final int rows;
    final int vocab;
    final DType dtype;
    final LogProbOptions options;
    private final double ignored;

    float[] logitsF32;
    short[] logitsBf16;
    int[] labelArray;
    float[] gradLogpArray;
    float[] gradEntropyArray;
    float[] logpArray;
    float[] entropyArray;
    float[] lseArray;
    private float[] gradF32;
    private short[] gradBf16;

    Tensor logits;
    Tensor labels;
    Tensor logp;
    Tensor entropy;
    Tensor lse;
    Tensor gradLogp;
    Tensor gradEntropy;
    Tensor gradLogits;

    public LogProbWorkload(Map<String, String> params) {
        int[] shape = dims(params.get("shape"));
        this.rows = shape[0];
        this.vocab = shape[1];
        this.dtype = DType.valueOf(params.get("dtype"));
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dtype: expected F32 or BF16, got " + dtype);
        }
        this.options = LogProbOptions.defaults().temperature(Double.parseDouble(params.getOrDefault("temperature", "1")));
        this.ignored = Double.parseDouble(params.getOrDefault("ignored", "0"));
    }

    @Override
    public String label() {
        String extra = (options.temperature() == 1 ? "" : " T=" + options.temperature())
                + (ignored == 0 ? "" : String.format(Locale.ROOT, " %.0f%% ignored", 100 * ignored));
        return rows + "x" + vocab + " " + dtype + extra;
    }

    @Override
    public Traffic traffic(String kernel) {
        long logitBytes = (long) rows * vocab * dtype.byteSize();
        switch (kernel) {
            case "forward":
                // logits and labels in; logp, entropy and lse out
                return new Traffic(logitBytes + 4L * rows, 12L * rows);
            case "backward":
                // logits, labels, lse, entropy and both upstream gradients in; the gradient out
                return new Traffic(logitBytes + 20L * rows, logitBytes);
            default:
                throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    protected void fill(long seed) {
        int n = rows * vocab;
        if (dtype == DType.F32) {
            logitsF32 = new float[n];
            gradF32 = new float[n];
        } else {
            logitsBf16 = new short[n];
            gradBf16 = new short[n];
        }
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = row(seed, r, vocab);
            if (dtype == DType.F32) {
                System.arraycopy(row, 0, logitsF32, r * vocab, vocab);
            } else {
                for (int j = 0; j < vocab; j++) {
                    logitsBf16[r * vocab + j] = HalfFloats.floatToBf16(row[j]);
                }
            }
        });
        Inputs in = new Inputs(seed);
        labelArray = in.labels(rows, vocab, ignored, options.ignoreIndex());
        gradLogpArray = in.floats(rows, Inputs.Spread.NORMAL);
        gradEntropyArray = in.floats(rows, Inputs.Spread.NORMAL);
        logpArray = new float[rows];
        entropyArray = new float[rows];
        lseArray = new float[rows];

        logits = placed(dtype == DType.F32 ? Tensor.of(logitsF32, rows, vocab)
                : Tensor.ofBf16(logitsBf16, rows, vocab));
        gradLogits = placed(dtype == DType.F32 ? Tensor.of(gradF32, rows, vocab) : Tensor.ofBf16(gradBf16, rows, vocab));
        labels = placed(Tensor.of(labelArray, rows));
        gradLogp = placed(Tensor.of(gradLogpArray, rows));
        gradEntropy = placed(Tensor.of(gradEntropyArray, rows));
        logp = placed(Tensor.of(logpArray, rows));
        entropy = placed(Tensor.of(entropyArray, rows));
        lse = placed(Tensor.of(lseArray, rows));
    }

    /** Row {@code r} as the kernel sees it (after rounding to the dtype), for the oracle. */
    double[] decoded(int r) {
        double[] out = new double[vocab];
        for (int j = 0; j < vocab; j++) {
            int at = r * vocab + j;
            out[j] = dtype == DType.F32 ? logitsF32[at] : HalfFloats.bf16ToFloat(logitsBf16[at]);
        }
        return out;
    }

    /** The forward; for {@code backward} also the backward, on the forward's lse and entropy. */
    @Override
    void run(Backend backend, String kernel) {
        backend.logprob().forward(logits, labels, logp, entropy, lse, options);
        if (kernel.equals("backward")) {
            backend.logprob().backward(logits, labels, lse, entropy, gradLogp, gradEntropy, gradLogits, options);
        } else if (!kernel.equals("forward")) {
            throw new IllegalArgumentException("kernel: " + kernel);
        }
    }

    @Override
    Parity compare(String what, String kernel) {
        return kernel.equals("forward") ? checkForward(what, logpArray, entropyArray, lseArray) : checkBackward(what);
    }

    /** Compares per-row outputs of a forward (entropy and lse may be null) with the oracle on the sample rows. */
    Parity checkForward(String what, float[] logpOut, float[] entropyOut, float[] lseOut) {
        Parity parity = new Parity(what);
        for (int r : sampleRows(rows)) {
            LogProbOracle.Forward ref = oracle(r);
            parity.add("logp", r, ref.logp[0], logpOut[r], RTOL, ATOL);
            if (entropyOut != null) {
                parity.add("entropy", r, ref.entropy[0], entropyOut[r], RTOL, ATOL);
            }
            if (lseOut != null) {
                parity.add("lse", r, ref.lse[0], lseOut[r], RTOL, ATOL);
            }
        }
        return parity;
    }

    private Parity checkBackward(String what) {
        Parity parity = new Parity(what);
        // A BF16 gradient adds its rounding: half an ulp, at most 2^-8 relative (8 significant bits).
        double rtol = GRAD_RTOL + (dtype == DType.BF16 ? 0x1p-8 : 0);
        for (int r : sampleRows(rows)) {
            double gLp = gradLogpArray[r];
            double gH = gradEntropyArray[r];
            double[] ref = LogProbOracle.backward(decoded(r), 1, vocab, new int[] {labelArray[r]}, options.temperature(),
                    options.ignoreIndex(), new double[] {gLp}, new double[] {gH});
            // The saved lse is fp32: log p carries an absolute error of about ulp(lse).
            double atol = GRAD_ATOL * (1 + Math.abs(oracle(r).lse[0])) * (1 + Math.abs(gLp) + Math.abs(gH));
            for (int j = 0; j < vocab; j++) {
                int at = r * vocab + j;
                double actual = dtype == DType.F32 ? gradF32[at] : HalfFloats.bf16ToFloat(gradBf16[at]);
                parity.add("dlogits", at, ref[j], actual, rtol, atol);
            }
        }
        return parity;
    }

    private LogProbOracle.Forward oracle(int r) {
        return LogProbOracle.forward(decoded(r), 1, vocab, new int[] {labelArray[r]}, options.temperature(),
                options.ignoreIndex());
    }
}
