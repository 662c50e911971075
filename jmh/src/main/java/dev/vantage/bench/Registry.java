package dev.vantage.bench;

import java.util.List;
import java.util.Map;

import static dev.vantage.bench.Family.params;

/**
 * The kernel families the report runs, one entry each. A family is added with a {@link Workload}
 * subclass, a JMH class with one {@code @Benchmark} per kernel (see {@link LogProbBenchmark}), and
 * an entry here; the report, the copy baseline and the charts follow from the entry. Entries with
 * the same name (the loss family's comp-sum and regression kernels, which run at different sizes)
 * share a table.
 */
public final class Registry {
    private static final String NAIVE = "naive Java";
    private static final String TORCH = "libtorch";
    private static final String TORCH_PACKAGE = "dev.vantage.bench.";

    // The quick run takes one size of each family (logprob: in both dtypes), at issue 5's sizes, and five of the
    // fourteen regression losses; it leaves the rest to --full, so that it stays within a few minutes on 2 cores
    // with every backend.

    private static final List<String> LOGPROB_QUICK = List.of("2048x32000");
    private static final List<String> LOGPROB_FULL = List.of("256x151936", "512x32000", "512x151936", "2048x32000",
            "2048x151936", "8192x32000", "8192x151936");

    public static final Family LOGPROB = new Family("logprob", LogProbBenchmark.class, List.of("forward", "backward"),
            LogProbWorkload::new,
            params("shape", LOGPROB_QUICK, "dtype", List.of("F32", "BF16")),
            params("shape", LOGPROB_FULL, "dtype", List.of("F32", "BF16")),
            List.of(logprobParity("37x32000", "F32"), logprobParity("37x32000", "BF16"),
                    logprobParity("3x151936", "F32"), logprobParity("3x151936", "BF16")),
            List.of(new Family.Anchor(LogProbNaive.class.getName(), "forward", NAIVE, "forward"),
                    torch("LogProbTorch", "logSoftmaxGatherEntropy", "libtorch lsm+gather+H", "forward"),
                    torch("LogProbTorch", "logSoftmaxGatherOut", "libtorch lsm+gather (out)", "forward")));

    public static final Family TOKENS = new Family("logprob", TokenBenchmark.class,
            List.of("ratio", "ppo", "kl", "implicitReward", "sequenceSum", "sequenceSumBackward", "aggregate",
                    "aggregateBackward"), TokenWorkload::new,
            params("shape", List.of("512x4096")),
            params("shape", List.of("512x4096", "2048x4096")),
            List.of(Map.of("shape", "37x1001")),
            List.of());

    public static final Family ADVANTAGE = new Family("advantage", AdvantageBenchmark.class,
            List.of("gae", "returns", "grpo", "rloo", "broadcast", "whiten", "reinforce", "prime"),
            AdvantageWorkload::new,
            params("shape", List.of("1024x1024")),
            params("shape", List.of("64x32768", "1024x1024", "4096x256")),
            List.of(Map.of("shape", "24x1009")),
            List.of(new Family.Anchor(AdvantageNaive.class.getName(), "gae", NAIVE, "gae"),
                    torch("AdvantageTorch", "gaeLoop", TORCH, "gae")));

    public static final Family DUELING = new Family("dueling", DuelingBenchmark.class, List.of("forward", "backward"),
            DuelingWorkload::new,
            params("shape", List.of("65536x18"), "mode", List.of("MEAN")),
            params("shape", List.of("65536x18"), "mode", List.of("MEAN", "MAX")),
            List.of(Map.of("shape", "37x18", "mode", "MEAN"), Map.of("shape", "37x18", "mode", "MAX")),
            List.of(new Family.Anchor(DuelingNaive.class.getName(), "forward", NAIVE, "forward"),
                    torch("DuelingTorch", "forward", TORCH, "forward"),
                    torch("DuelingTorch", "backward", TORCH, "backward")));

    public static final Family COMPSUM = new Family("loss", CompSumBenchmark.class, List.of("compSum"),
            CompSumWorkload::new,
            params("shape", List.of("65536x1000"), "tau", List.of("1")),
            params("shape", List.of("65536x1000"), "tau", List.of("1", "1.5")),
            List.of(Map.of("shape", "37x1000", "tau", "1"), Map.of("shape", "37x1000", "tau", "1.5")),
            List.of(new Family.Anchor(CompSumNaive.class.getName(), "compSum", NAIVE, "compSum"),
                    torch("CompSumTorch", "crossEntropy", TORCH, "compSum")));

    public static final Family REGRESSION = new Family("loss", RegressionBenchmark.class,
            RegressionWorkload.KERNELS, List.of("mse", "mae", "huber", "logCosh", "rmse"), RegressionWorkload::new,
            params("n", List.of("16777216")),
            params("n", List.of("16777216")),
            List.of(Map.of("n", "100003")),
            List.of(torch("RegressionTorch", "mse", TORCH, "mse"),
                    torch("RegressionTorch", "l1", TORCH, "mae"),
                    torch("RegressionTorch", "huber", TORCH, "huber"),
                    torch("RegressionTorch", "smoothL1", "libtorch smooth_l1", "huber")));

    public static final Family OBJECTIVE = new Family("objective", ObjectiveBenchmark.class,
            List.of("dpo", "kto", "apa", "alol", "prime"), ObjectiveWorkload::new,
            params("shape", List.of("256x4096")),
            params("shape", List.of("256x4096", "1024x4096")),
            List.of(Map.of("shape", "20x333")),
            List.of());

    public static final List<Family> FAMILIES = List.of(LOGPROB, TOKENS, ADVANTAGE, DUELING, COMPSUM, REGRESSION,
            OBJECTIVE);

    /**
     * Issue 7's CPU targets in one quick run ({@code ./report --targets}): the kernels and sizes its ratios are
     * stated for, and no others.
     */
    public static final List<Family> TARGETS = List.of(
            LOGPROB.withQuick(List.of("forward"),
                    params("shape", List.of("2048x32000", "256x151936"), "dtype", List.of("F32", "BF16"))),
            ADVANTAGE.withQuick(List.of("gae"), params("shape", List.of("1024x1024", "64x32768"))),
            DUELING,
            COMPSUM,
            REGRESSION.withQuick(List.of("mse", "mae", "huber"), REGRESSION.quick()));

    private Registry() {
    }

    /** A parity size with a temperature and ignored rows, so those paths are checked too. */
    private static Map<String, String> logprobParity(String shape, String dtype) {
        return Map.of("shape", shape, "dtype", dtype, "temperature", "0.7", "ignored", "0.1");
    }

    /** An anchor in the libtorch profile's sources, named by class so that this compiles without them. */
    private static Family.Anchor torch(String benchmark, String method, String label, String kernel) {
        return new Family.Anchor(TORCH_PACKAGE + benchmark, method, label, kernel);
    }
}
