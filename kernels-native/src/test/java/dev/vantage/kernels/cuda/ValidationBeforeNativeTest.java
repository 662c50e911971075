package dev.vantage.kernels.cuda;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.advantage.Episodes;
import dev.vantage.kernels.advantage.GaeOptions;
import dev.vantage.kernels.advantage.GroupOptions;
import dev.vantage.kernels.advantage.PrimeOptions;
import dev.vantage.kernels.advantage.ReinforceOptions;
import dev.vantage.kernels.advantage.WhitenOptions;
import dev.vantage.kernels.dueling.DuelingMode;
import dev.vantage.kernels.java.JavaBackendProvider;
import dev.vantage.kernels.logprob.Aggregation;
import dev.vantage.kernels.logprob.KlOptions;
import dev.vantage.kernels.logprob.LogProbOptions;
import dev.vantage.kernels.logprob.PpoOptions;
import dev.vantage.kernels.loss.CompSumOptions;
import dev.vantage.kernels.loss.RegressionLoss;
import dev.vantage.kernels.loss.RegressionOptions;
import dev.vantage.kernels.objective.DpoOptions;
import dev.vantage.kernels.spi.Availability;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad calls on the CUDA backend fail in the public API, with the Java backend's exception, before
 * anything native happens. The CUDA backend here is declared available and takes its lanes from a
 * source that counts requests: a call that got as far as the native layer would take a lane.
 */
class ValidationBeforeNativeTest {
    /** Stands in for the native layer; a valid call reaching it proves the counter can fail the test. */
    private static final class CountingLanes implements Lanes {
        final AtomicInteger requests = new AtomicInteger();

        @Override
        public Lane acquire() {
            requests.incrementAndGet();
            throw new IllegalStateException("reached the native layer");
        }

        @Override
        public void release(Lane lane) {
            throw new AssertionError("never acquired");
        }
    }

    private static final long FAKE_DEVICE = 1L << 40;

    private static Map<String, Consumer<Backend>> badCalls() {
        Tensor logits = Tensor.of(new float[12], 3, 4);
        Tensor labels = Tensor.of(new int[3], 3);
        Tensor rows = Tensor.of(new float[3], 3);
        Tensor bt = Tensor.of(new float[6], 2, 3);
        Tensor tb = Tensor.of(new float[6], 3, 2);
        Tensor b = Tensor.of(new float[2], 2);
        Tensor mask = Tensor.ofBool(new byte[6], 2, 3);
        Tensor wrongMask = Tensor.ofBool(new byte[6], 3, 2);
        Map<String, Consumer<Backend>> calls = new LinkedHashMap<>();
        calls.put("labels", be -> be.logprob().forward(logits, Tensor.of(new int[4], 4), rows, null, null,
                LogProbOptions.defaults()));
        calls.put("logp", be -> be.logprob().forward(logits, labels, Tensor.of(new float[4], 4), null, null,
                LogProbOptions.defaults()));
        calls.put("entropy", be -> be.logprob().backward(logits, labels, rows, null, null, rows,
                Tensor.of(new float[12], 3, 4), LogProbOptions.defaults()));
        calls.put("gradLogits", be -> be.logprob().backward(logits, labels, rows, rows, rows, rows,
                Tensor.of(new int[12], 3, 4), LogProbOptions.defaults()));
        calls.put("oldLogp", be -> be.logprob().ratio(bt, tb, null, bt, null, 20));
        calls.put("logRatioClamp", be -> be.logprob().ratio(bt, bt, null, bt, null, 0));
        calls.put("mask", be -> be.logprob().ppoLoss(bt, bt, bt, wrongMask, null, PpoOptions.defaults()));
        calls.put("refLogp", be -> be.logprob().kl(bt, null, null, bt, null, KlOptions.defaults()));
        calls.put("beta", be -> be.logprob().implicitReward(bt, bt, null, bt, Double.NaN));
        calls.put("sums", be -> be.logprob().sequenceSum(bt, mask, Tensor.of(new float[3], 3)));
        calls.put("aggregation", be -> be.logprob().aggregate(bt, mask, null));
        calls.put("gradLoss", be -> be.logprob().aggregateBackward(mask, Aggregation.tokenMean(), Double.POSITIVE_INFINITY,
                bt));
        calls.put("values", be -> be.advantage().gae(bt, tb, null, Episodes.NONE, bt, null, GaeOptions.of(1, 1)));
        calls.put("gamma", be -> be.advantage().returns(bt, null, null, bt, 2));
        calls.put("scores", be -> be.advantage().grpo(Tensor.of(new float[3], 3), Tensor.of(new float[3], 3),
                GroupOptions.of(2)));
        calls.put("advantages", be -> be.advantage().rloo(b, rows, GroupOptions.of(2)));
        calls.put("perSequence", be -> be.advantage().broadcast(rows, null, bt));
        calls.put("out", be -> be.advantage().whiten(bt, null, tb, WhitenOptions.defaults()));
        calls.put("kl", be -> be.advantage().reinforcePlusPlus(b, null, null, bt, ReinforceOptions.defaults().klCoef(0.1)));
        calls.put("outcomes", be -> be.advantage().prime(bt, rows, null, bt, PrimeOptions.of(2)));
        calls.put("value", be -> be.dueling().forward(rows, bt, null, bt, DuelingMode.MEAN));
        calls.put("gradQ", be -> be.dueling().backward(bt, null, tb, b, bt, DuelingMode.MAX));
        calls.put("loss", be -> be.loss().compSum(logits, labels, Tensor.of(new float[4], 4), null,
                CompSumOptions.defaults()));
        calls.put("reduction", be -> be.loss().regression(RegressionLoss.RMSE, bt, bt, null, null, null,
                RegressionOptions.defaults().reduction(dev.vantage.kernels.loss.Reduction.SUM)));
        calls.put("gradLogp", be -> be.objective().dpo(bt, bt, null, tb, DpoOptions.defaults()));
        // Device tensors are checked in the same way, by shape and dtype, without reading them.
        calls.put("advantage", be -> be.dueling().forward(Tensor.ofDevice(FAKE_DEVICE, DType.F32, 2),
                Tensor.ofDevice(FAKE_DEVICE, DType.F32, 2), null, Tensor.ofDevice(FAKE_DEVICE, DType.F32, 2),
                DuelingMode.MEAN));
        return calls;
    }

    @Test
    void everyBadCallFailsInTheApiWithTheJavaBackendsMessage() {
        CountingLanes lanes = new CountingLanes();
        Backend cuda = Backend.of(new CudaBackendProvider(lanes, Availability.yes("test double")));
        Backend java = Backend.of(new JavaBackendProvider(1));
        for (Map.Entry<String, Consumer<Backend>> call : badCalls().entrySet()) {
            String argument = call.getKey();
            IllegalArgumentException onCuda = assertThrows(IllegalArgumentException.class,
                    () -> call.getValue().accept(cuda), argument);
            assertTrue(onCuda.getMessage().startsWith(argument + ":"), argument + " -> " + onCuda.getMessage());
            if (!argument.equals("advantage")) {
                IllegalArgumentException onJava = assertThrows(IllegalArgumentException.class,
                        () -> call.getValue().accept(java), argument);
                assertEquals(onJava.getMessage().replace("java backend", "cuda backend"), onCuda.getMessage());
            }
            assertEquals(0, lanes.requests.get(), argument + ": the native layer was reached");
        }
    }

    @Test
    void aValidCallReachesTheNativeLayer() {
        CountingLanes lanes = new CountingLanes();
        Backend cuda = Backend.of(new CudaBackendProvider(lanes, Availability.yes("test double")));
        Tensor bt = Tensor.of(new float[6], 2, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cuda.logprob().ratio(bt, bt, null, Tensor.of(new float[6], 2, 3), null, 20));
        assertEquals("reached the native layer", e.getMessage());
        assertEquals(1, lanes.requests.get());
    }

    @Test
    void deviceTensorsAreRefusedByTheJavaBackendAndAcceptedByCuda() {
        Tensor device = Tensor.ofDevice(FAKE_DEVICE, DType.F32, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backend.of(new JavaBackendProvider(1)).logprob().ratio(device, device, null, device, null, 20));
        assertTrue(e.getMessage().startsWith("logp: the java backend reads"), e.getMessage());

        CountingLanes lanes = new CountingLanes();
        Backend cuda = Backend.of(new CudaBackendProvider(lanes, Availability.yes("test double")));
        assertThrows(IllegalStateException.class, () -> cuda.logprob().ratio(device, device, null, device, null, 20));
        assertEquals(1, lanes.requests.get());
    }
}
