package dev.vantage.tests;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.Diagnostics;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import dev.vantage.kernels.java.SimdBackendProvider;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.logprob.KlEstimator;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.logprob.PpoResult;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.LossResult;
import dev.vantage.kernels.loss.Reduction;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.tests.LogProbParityTest.Logits;
import dev.vantage.oracle.Inputs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.vantage.tests.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code java-simd} backend: its guards (each checked in a child JVM that lacks exactly one
 * requirement, since the answer is fixed per JVM), independence of the thread count and of JIT
 * warm-up, and agreement with the scalar {@code java} backend on large random inputs. The parity
 * suite proper runs on it like on every backend.
 *
 * <p>Tolerances against the scalar backend are the parity suite's: log-probs, entropies and lse
 * rel 1e-5 + abs 1e-5; log-prob gradients rel 1e-4 + abs 1e-6·(1 + |lse|)·(1 + |gLp| + |gH|) (the
 * vector loop forms {@code log p = z/T - lse} in fp32, an error of the order of ulp(lse), as the
 * fp32 lse itself has); comp-sum gradients rel 1e-4 + abs 1e-6·max|row gradient|, its loss rel 1e-4.
 * The backend's fp32 exp is within 1 ulp, against double in the scalar loops. The elementwise
 * kernels ratio, PPO and KL take their exp/expm1/log1p in double on both backends (the vector ones
 * within 2 ulp): per-element outputs rel 1e-6 + abs 1e-12, sums rel 1e-10. MSLE, log-cosh and
 * RMSLE take their terms in fp32 lanes on java-simd, as MSE, MAE and Huber do (its fp32 log1p and
 * expm1 within 2.5 ulp): their gradients keep rel 1e-6 + abs 1e-12 (a few fp32 ulp), but their
 * values, sums of fp32 terms added in fp32 over 16 elements a lane before double, get rel 1e-6
 * instead of 1e-10, which only double terms on both sides would meet.
 */
class SimdBackendTest {
    private static final String SIMD = "java-simd";
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;
    private static final double GRAD_RTOL = 1e-4;
    private static final double GRAD_ATOL = 1e-6;

    // ---- guards --------------------------------------------------------------------------------

    @Test
    void isFoundAndRanksAboveTheScalarBackend() {
        BackendStatus simd = status(SIMD);
        BackendStatus java = status("java");
        assertTrue(simd.priority() > java.priority());
        assertFalse(simd.reason().isBlank());
        if (simd.available()) {
            assertEquals(SIMD, Vantage.backend("auto").name(), "auto picks java-simd when it can run");
        }
    }

    @Test
    void withoutTheVectorModuleItIsUnavailableWithTheFlagToPass() throws Exception {
        Child child = diagnostics(List.of());
        String line = child.backendLine(SIMD);
        assertTrue(line.contains("unavailable - jdk.incubator.vector is not readable: pass --add-modules "
                + "jdk.incubator.vector"), child.out);
        assertTrue(child.out.contains("selected:    java"), child.out);
        // Logged once, through java.util.logging (stderr by default), however often it is asked.
        assertEquals(1, count(child.err, "java-simd backend disabled"), child.err);
    }

    @Test
    void withoutC2ItIsUnavailable() throws Exception {
        assumeSimdRunsHere();
        assertTrue(diagnostics(List.of("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1"))
                .backendLine(SIMD).contains("unavailable - C2 is off (-XX:TieredStopAtLevel=1)"));
        assertTrue(diagnostics(List.of("--add-modules", "jdk.incubator.vector", "-Xint"))
                .backendLine(SIMD).contains("unavailable - the JIT is off (-Xint)"));
    }

    @Test
    void withVectorsNarrowerThan128BitsItIsUnavailable() throws Exception {
        assumeSimdRunsHere();
        assertTrue(diagnostics(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=8"))
                .backendLine(SIMD).contains("unavailable - the preferred vector size is 64 bits, below 128"));
    }

    @Test
    void withEveryRequirementMetInAChildJvmItIsAvailable() throws Exception {
        assumeSimdRunsHere();
        Child child = diagnostics(List.of("--add-modules", "jdk.incubator.vector"));
        assertTrue(child.backendLine(SIMD).contains("available - jdk.incubator.vector, "), child.out);
        assertTrue(child.out.contains("selected:    java-simd"), child.out);
    }

    // ---- results -------------------------------------------------------------------------------

    /**
     * The first call, run by the interpreter and C1, gives the same bits as calls compiled by C2:
     * the backend's exp/expm1/log1p and sums use only IEEE operations, not the JDK's lanewise
     * transcendentals or reduceLanes, whose results differ between tiers.
     */
    @Test
    void resultsDoNotDependOnWarmUp() throws Exception {
        assumeSimdRunsHere();
        Child child = child(List.of("--add-modules", "jdk.incubator.vector"), System.getProperty("java.class.path"),
                SimdWarmUpCheck.class.getName());
        assertEquals("same", child.out.trim(), child.out + child.err);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        assumeSimdRunsHere();
        int rows = 67;
        int vocab = 4099;
        Inputs in = new Inputs(19);
        float[] logits = in.floats(rows * vocab, Inputs.Spread.OUTLIERS);
        int[] labels = in.labels(rows, vocab, 0.1, -100);
        float[][][] results = new float[2][][];
        int[] threads = {1, 3};
        for (int k = 0; k < 2; k++) {
            Backend be = Backend.of(new SimdBackendProvider(threads[k]));
            Forward f = forward(be, logits, labels, rows, vocab, 0.8);
            float[] grad = backward(be, logits, labels, f, rows, vocab, 0.8);
            float[] ceGrad = new float[rows * vocab];
            LossResult ce = be.loss().compSum(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), null,
                    Tensor.of(ceGrad, rows, vocab), CompSumOptions.defaults().tau(1.5));
            results[k] = new float[][] {f.logp, f.entropy, f.lse, grad, ceGrad, {(float) ce.value()}};
        }
        assertArrayEquals(results[0], results[1]);

        Tokens tokens = new Tokens(new Inputs(29), 61, 4099);
        Tokens.Outputs one = tokens.run(Backend.of(new SimdBackendProvider(threads[0])));
        Tokens.Outputs three = tokens.run(Backend.of(new SimdBackendProvider(threads[1])));
        assertArrayEquals(one.elements(), three.elements());
        assertArrayEquals(one.sums(), three.sums());
    }

    @Test
    void elementwiseKernelsAgreeWithTheScalarBackend() {
        assumeSimdRunsHere();
        Tokens tokens = new Tokens(new Inputs(31), 67, 3001);
        Tokens.Outputs expected = tokens.run(Vantage.backend("java"));
        Tokens.Outputs actual = tokens.run(Vantage.backend(SIMD));
        for (int i = 0; i < expected.elements().length; i++) {
            assertClose("token kernel output " + i, toDouble(expected.elements()[i]), actual.elements()[i], 1e-6,
                    1e-12);
        }
        String[] values = {"PPO", "MSLE", "log-cosh", "RMSLE"};
        for (int i = 0; i < values.length; i++) {
            assertClose(values[i] + " value", expected.sums()[i], actual.sums()[i], i == 0 ? 1e-10 : 1e-6, 0);
        }
    }

    /**
     * The regression losses' fp32 vector lanes against the scalar backend's double code on its edge
     * cases, set among random pairs across several vectors and a tail: NaN and infinities, equal
     * pairs, MSLE's clamp and MAPE's guard at the float neighbours of an ε that is no float (one
     * rounding up to a float, one down), log-cosh at its form switch (|x| = 1), its clamp (10) and
     * far out. Per-element losses and gradients rel 1e-5 (NaN, infinities and the clamps' zero
     * slopes exactly); then, without the NaN pairs but with NaN in masked-out lanes, the reduced
     * values, counts and flags; and MAPE's flag from a single lane at ε's neighbours.
     */
    @Test
    void regressionVectorLanesKeepTheScalarEdgeCases() {
        assumeSimdRunsHere();
        for (double eps : new double[] {1e-3, 0.7}) {
            float nan = Float.NaN;
            float inf = Float.POSITIVE_INFINITY;
            float low = (float) eps < eps ? (float) eps : Math.nextDown((float) eps);
            float high = Math.nextUp(low);
            float[][] pairs = {{nan, 1}, {1, nan}, {nan, nan}, {nan, -3}, {inf, 1}, {1, inf}, {-inf, 1}, {1, -inf},
                {inf, inf}, {0, 0}, {-0f, 0}, {2, 2}, {2, -3}, {-3, 2}, {2, low}, {2, high}, {low, 2}, {high, 2},
                {-low, 2}, {0, 2}, {1, 1.0001f}, {0, 0.99999994f}, {0, 1}, {0, 1.0000001f}, {0, -10}, {0, 800}};
            int n = 3 * 64 + 5;
            Inputs in = new Inputs(43);
            float[] y = in.floats(n, Inputs.Spread.NORMAL);
            float[] p = in.floats(n, Inputs.Spread.WIDE);
            byte[] mask = in.mask(n, 0.8);
            for (int k = 0; k < pairs.length; k++) {
                y[1 + 7 * k] = pairs[k][0];
                p[1 + 7 * k] = pairs[k][1];
                mask[1 + 7 * k] = 1;
            }
            RegressionOptions o = RegressionOptions.defaults().epsilon(eps).delta(0.7).quantile(0.3);
            Backend java = Vantage.backend("java");
            Backend simd = Vantage.backend(SIMD);
            RegressionLoss[] kinds = {RegressionLoss.MSLE, RegressionLoss.LOG_COSH, RegressionLoss.MAPE,
                RegressionLoss.MAE, RegressionLoss.MSE, RegressionLoss.MBE, RegressionLoss.HUBER,
                RegressionLoss.QUANTILE};
            for (RegressionLoss kind : kinds) {
                float[][] loss = new float[2][n];
                float[][] grad = new float[2][n];
                Backend[] backends = {java, simd};
                for (int b = 0; b < 2; b++) {
                    backends[b].loss().regression(kind, Tensor.of(y, n), Tensor.of(p, n), null,
                            Tensor.of(loss[b], n), Tensor.of(grad[b], n), o.reduction(Reduction.NONE));
                }
                assertClose(kind + " loss, ε " + eps, toDouble(loss[0]), loss[1], 1e-5, 1e-7);
                assertClose(kind + " gradient, ε " + eps, toDouble(grad[0]), grad[1], 1e-5, 1e-7);
            }
            for (int k = 0; k < pairs.length; k++) {
                if (Float.isNaN(pairs[k][0]) || Float.isNaN(pairs[k][1])) {
                    y[1 + 7 * k] = 1;
                    p[1 + 7 * k] = 2;
                }
            }
            for (int i = 0; i < n; i++) {
                y[i] = mask[i] == 0 ? nan : y[i];
            }
            for (RegressionLoss kind : RegressionLoss.values()) {
                LossResult expected = java.loss().regression(kind, Tensor.of(y, n), Tensor.of(p, n),
                        Tensor.ofBool(mask, n), null, null, o);
                LossResult actual = simd.loss().regression(kind, Tensor.of(y, n), Tensor.of(p, n),
                        Tensor.ofBool(mask, n), null, null, o);
                assertClose(kind + " value, ε " + eps, expected.value(), actual.value(), 1e-5, 0);
                assertEquals(expected.count(), actual.count(), kind + " count");
                assertEquals(expected.degenerate(), actual.degenerate(), kind + " flag");
            }
            // MAPE's flag from one lane at either neighbour of ε.
            for (float edge : new float[] {low, high}) {
                float[] targets = new float[64];
                Arrays.fill(targets, 2);
                targets[37] = edge;
                assertEquals(edge < eps, simd.loss().regression(RegressionLoss.MAPE, Tensor.of(targets, 64),
                        Tensor.of(new float[64], 64), null, null, null, o).degenerate(), "MAPE flag at " + edge);
            }
        }
    }

    /** Rows longer than a segment with -inf, NaN or +inf in some segments, on both backends. */
    @Test
    void maskedAndInvalidSegmentsOfLongRows() {
        assumeSimdRunsHere();
        int vocab = 10007;
        float[] tail = new Inputs(43).floats(vocab - 9000, Inputs.Spread.WIDE);
        float[] logits = new float[5 * vocab];
        Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        System.arraycopy(tail, 0, logits, 9000, tail.length);                    // row 0: masked, then logits
        System.arraycopy(tail, 0, logits, vocab, tail.length);                   // row 1: logits, then masked
        float[] normal = new Inputs(47).floats(2 * vocab, Inputs.Spread.NORMAL);  // row 2 stays all -inf
        System.arraycopy(normal, 0, logits, 3 * vocab, 2 * vocab);
        logits[3 * vocab + 8500] = Float.NaN;                                     // row 3: NaN in segment 3
        logits[4 * vocab + 5000] = Float.POSITIVE_INFINITY;                       // row 4: +inf in segment 2
        int[] labels = {9005, 7, 0, 1, 2};
        Forward sub = forward(Vantage.backend("java"), tail, new int[] {5}, 1, tail.length, 0.9);
        for (String name : new String[] {"java", SIMD}) {
            Forward f = forward(Vantage.backend(name), logits, labels, 5, vocab, 0.9);
            for (int row = 0; row < 2; row++) {
                assertClose(name + " row " + row + " lse", sub.lse[0], f.lse[row], RTOL, ATOL);
                assertClose(name + " row " + row + " entropy", sub.entropy[0], f.entropy[row], RTOL, ATOL);
            }
            assertClose(name + " row 0 logp", sub.logp[0], f.logp[0], RTOL, ATOL);
            for (int row = 2; row < 5; row++) {
                assertTrue(Float.isNaN(f.lse[row]) && Float.isNaN(f.entropy[row]) && Float.isNaN(f.logp[row]),
                        name + " row " + row + " must be NaN");
            }
        }
    }

    @Test
    void bfloat16RowsAgreeWithTheScalarBackend() {
        assumeSimdRunsHere();
        int rows = 5;
        int vocab = 32003;
        Logits logits = Logits.of(new Inputs(37).floats(rows * vocab, Inputs.Spread.WIDE), DType.BF16);
        int[] labels = new Inputs(41).labels(rows, vocab, 0, -100);
        float[][] lse = new float[2][rows];
        float[][] logp = new float[2][rows];
        String[] names = {"java", SIMD};
        for (int k = 0; k < 2; k++) {
            Vantage.backend(names[k]).logprob().forward(logits.tensor(rows, vocab), Tensor.of(labels, rows),
                    Tensor.of(logp[k], rows), null, Tensor.of(lse[k], rows), LogProbOptions.defaults());
        }
        assertClose("bf16 logp", toDouble(logp[0]), logp[1], RTOL, ATOL);
        assertClose("bf16 lse", toDouble(lse[0]), lse[1], RTOL, ATOL);
    }

    @Test
    void agreesWithTheScalarBackendOnLargeRandomRows() {
        assumeSimdRunsHere();
        Backend simd = Vantage.backend(SIMD);
        Backend java = Vantage.backend("java");
        int[][] shapes = {{16, 32000}, {3, 151936}, {64, 1000}, {37, 17}};
        Inputs in = new Inputs(23);
        for (int[] shape : shapes) {
            int rows = shape[0];
            int vocab = shape[1];
            for (Inputs.Spread spread : Inputs.Spread.values()) {
                float[] logits = in.floats(rows * vocab, spread);
                int[] labels = in.labels(rows, vocab, 0.1, -100);
                String what = rows + "x" + vocab + " " + spread;
                Forward expected = forward(java, logits, labels, rows, vocab, 0.7);
                Forward actual = forward(simd, logits, labels, rows, vocab, 0.7);
                assertClose("logp " + what, toDouble(expected.logp), actual.logp, RTOL, ATOL);
                assertClose("entropy " + what, toDouble(expected.entropy), actual.entropy, RTOL, ATOL);
                assertClose("lse " + what, toDouble(expected.lse), actual.lse, RTOL, ATOL);
                float[] expectedGrad = backward(java, logits, labels, expected, rows, vocab, 0.7);
                float[] actualGrad = backward(simd, logits, labels, expected, rows, vocab, 0.7);
                for (int i = 0; i < rows; i++) {
                    double upstream = 1 + Math.abs(gradLogp(expected, i)) + Math.abs(expected.entropy[i]);
                    assertClose("dlogits " + what + " row " + i, toDouble(Arrays.copyOfRange(expectedGrad, i * vocab,
                            (i + 1) * vocab)), actualGrad, i * vocab, GRAD_RTOL,
                            GRAD_ATOL * (1 + Math.abs(expected.lse[i])) * upstream);
                }

                CompSumOptions ce = CompSumOptions.defaults().tau(spread.ordinal() * 0.6).reduction(Reduction.SUM);
                Arrays.fill(expectedGrad, 0);
                Arrays.fill(actualGrad, 0);
                LossResult expectedLoss = java.loss().compSum(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows),
                        null, Tensor.of(expectedGrad, rows, vocab), ce);
                LossResult actualLoss = simd.loss().compSum(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows),
                        null, Tensor.of(actualGrad, rows, vocab), ce);
                assertClose("comp-sum " + what, expectedLoss.value(), actualLoss.value(), 1e-4, 0);
                assertRowsClose("comp-sum gradient " + what, expectedGrad, actualGrad, rows, vocab);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Ratio, PPO, KL k3 and the transcendental regression losses on one set of {@code [B, T]}
     * tokens, some far apart (to reach the clamps), with a mask.
     */
    private static final class Tokens {
        /** Every per-element output, and the reduced values. */
        record Outputs(float[][] elements, double[] sums) {
        }

        final int batch;
        final int time;
        final float[] logp;
        final float[] old;
        final float[] advantages;
        final byte[] mask;

        Tokens(Inputs in, int batch, int time) {
            this.batch = batch;
            this.time = time;
            int n = batch * time;
            logp = in.uniform(n, -12, 0);
            old = new float[n];
            for (int i = 0; i < n; i++) {
                old[i] = (float) (logp[i] + (i % 97 == 0 ? 30 : 0.3) * in.gaussian());
            }
            advantages = in.floats(n, Inputs.Spread.NORMAL);
            mask = in.mask(n, 0.9);
        }

        Outputs run(Backend be) {
            int n = batch * time;
            Tensor lp = Tensor.of(logp, batch, time);
            Tensor ref = Tensor.of(old, batch, time);
            Tensor m = Tensor.ofBool(mask, batch, time);
            float[] ratio = new float[n];
            float[] gradRatio = new float[n];
            be.logprob().ratio(lp, ref, m, Tensor.of(ratio, batch, time), Tensor.of(gradRatio, batch, time), 5);
            float[] kl = new float[n];
            float[] gradKl = new float[n];
            be.logprob().kl(lp, ref, m, Tensor.of(kl, batch, time), Tensor.of(gradKl, batch, time),
                    KlOptions.defaults().estimator(KlEstimator.K3).verlClamp(true));
            float[] gradPpo = new float[n];
            PpoResult ppo = be.logprob().ppoLoss(lp, ref, Tensor.of(advantages, batch, time), m,
                    Tensor.of(gradPpo, batch, time), PpoOptions.defaults());
            // Predictions near the targets, and some below -1 (MSLE's clamp).
            float[] gradMsle = new float[n];
            float[] gradLogCosh = new float[n];
            float[] gradRmsle = new float[n];
            Tensor y = Tensor.of(advantages, n);
            Tensor p = Tensor.of(old, n);
            LossResult msle = be.loss().regression(RegressionLoss.MSLE, y, p, Tensor.ofBool(mask, n), null,
                    Tensor.of(gradMsle, n), RegressionOptions.defaults());
            LossResult logCosh = be.loss().regression(RegressionLoss.LOG_COSH, y, p, null, null,
                    Tensor.of(gradLogCosh, n), RegressionOptions.defaults());
            LossResult rmsle = be.loss().regression(RegressionLoss.RMSLE, y, p, null, null,
                    Tensor.of(gradRmsle, n), RegressionOptions.defaults());
            return new Outputs(new float[][] {ratio, gradRatio, kl, gradKl, gradPpo, gradMsle, gradLogCosh, gradRmsle},
                    new double[] {ppo.loss(), msle.value(), logCosh.value(), rmsle.value()});
        }
    }

    private static void assumeSimdRunsHere() {
        BackendStatus simd = status(SIMD);
        assumeTrue(simd.available(), () -> "java-simd cannot run in this JVM: " + simd.reason());
    }

    private static BackendStatus status(String name) {
        return Vantage.backends().stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not on the classpath"));
    }

    record Forward(float[] logp, float[] entropy, float[] lse) {
    }

    private static Forward forward(Backend be, float[] logits, int[] labels, int rows, int vocab, double temperature) {
        Forward f = new Forward(new float[rows], new float[rows], new float[rows]);
        be.logprob().forward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(f.logp, rows),
                Tensor.of(f.entropy, rows), Tensor.of(f.lse, rows), LogProbOptions.defaults().temperature(temperature));
        return f;
    }

    /** The upstream gradient of logp the tests use: {@code 1 - logp}. */
    private static float gradLogp(Forward f, int row) {
        return 1 - f.logp[row];
    }

    /** The backward with upstream gradients 1 - logp and the entropy, from the given forward's lse. */
    private static float[] backward(Backend be, float[] logits, int[] labels, Forward f, int rows, int vocab,
                                    double temperature) {
        float[] gradLogp = new float[rows];
        for (int i = 0; i < rows; i++) {
            gradLogp[i] = gradLogp(f, i);
        }
        float[] grad = new float[rows * vocab];
        be.logprob().backward(Tensor.of(logits, rows, vocab), Tensor.of(labels, rows), Tensor.of(f.lse, rows),
                Tensor.of(f.entropy, rows), Tensor.of(gradLogp, rows), Tensor.of(f.entropy, rows),
                Tensor.of(grad, rows, vocab), LogProbOptions.defaults().temperature(temperature));
        return grad;
    }

    private static void assertRowsClose(String what, float[] expected, float[] actual, int rows, int vocab) {
        for (int i = 0; i < rows; i++) {
            double[] row = toDouble(Arrays.copyOfRange(expected, i * vocab, (i + 1) * vocab));
            double max = Arrays.stream(row).map(Math::abs).filter(Double::isFinite).max().orElse(0);
            assertClose(what + " row " + i, row, actual, i * vocab, GRAD_RTOL, GRAD_ATOL * max);
        }
    }

    private static double[] toDouble(float[] values) {
        return Close.toDouble(values);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /** The diagnostics report of a child JVM with these flags and kernels-java on its class path. */
    private static Child diagnostics(List<String> flags) throws IOException, InterruptedException {
        Path kernels = Path.of(Diagnostics.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        return child(flags, kernels.toString(), Diagnostics.class.getName());
    }

    /** A child JVM's output; it must exit with 0. */
    private static Child child(List<String> flags, String classPath, String mainClass)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, mainClass));
        Process p = new ProcessBuilder(command).start();
        // The report and the log are a few lines each: well within the pipes' buffers.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out: " + command);
        assertEquals(0, p.exitValue(), command + "\n" + out + err);
        return new Child(out, err);
    }

    private record Child(String out, String err) {
        String backendLine(String name) {
            return out.lines().filter(l -> l.trim().startsWith(name + " (priority")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + name + " in\n" + out));
        }
    }
}
