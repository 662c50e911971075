package dev.vantage.bench;

import java.util.List;
import java.util.Map;

import static dev.vantage.bench.Family.params;

/**
 * The kernel families the report runs, one entry each. A family is added with a {@link Workload}
 * subclass, a JMH class with one {@code @Benchmark} per kernel (see {@link LogProbBenchmark}), and
 * an entry here; the report, the copy baseline and the charts follow from the entry.
 */
public final class Registry {
    /** Issue 7's shapes first: the quick run shows its targets. */
    private static final List<String> LOGPROB_QUICK = List.of("2048x32000", "256x151936");
    private static final List<String> LOGPROB_FULL = List.of("256x151936", "512x32000", "512x151936", "2048x32000",
            "2048x151936", "8192x32000", "8192x151936");

    public static final Family LOGPROB = new Family("logprob", LogProbBenchmark.class, List.of("forward", "backward"),
            LogProbWorkload::new,
            params("shape", LOGPROB_QUICK, "dtype", List.of("F32", "BF16")),
            params("shape", LOGPROB_FULL, "dtype", List.of("F32", "BF16")),
            List.of(parity("37x32000", "F32"), parity("37x32000", "BF16"), parity("3x151936", "F32"),
                    parity("3x151936", "BF16")),
            List.of(new Family.Anchor(LogProbNaive.class.getName(), "forward", "naive Java", "forward"),
                    new Family.Anchor("dev.vantage.bench.LogProbTorch", "logSoftmaxGatherEntropy",
                            "libtorch lsm+gather+H", "forward"),
                    new Family.Anchor("dev.vantage.bench.LogProbTorch", "logSoftmaxGatherOut",
                            "libtorch lsm+gather (out)", "forward")));

    public static final List<Family> FAMILIES = List.of(LOGPROB);

    private Registry() {
    }

    /** A parity size with a temperature and ignored rows, so those paths are checked too. */
    private static Map<String, String> parity(String shape, String dtype) {
        return Map.of("shape", shape, "dtype", dtype, "temperature", "0.7", "ignored", "0.1");
    }
}
