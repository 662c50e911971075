package dev.vantage.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.lang.management.ManagementFactory;

/**
 * What the libtorch anchors share: libtorch on as many threads as the JVM sees processors, a guard
 * against sizes this machine cannot hold, copies between Java arrays and tensors, and autograd's
 * gradient without accumulation into {@code .grad} (as {@code torch.autograd.grad}).
 */
final class Torch {
    /** {@code at::Reduction::Mean}. */
    static final long MEAN = 1;

    private Torch() {
    }

    static void threads() {
        torch.set_num_threads(Runtime.getRuntime().availableProcessors());
    }

    /** Skips the trial when {@code bytes} (what the anchor holds at once) exceed 60% of this machine's memory. */
    static void requireMemory(long bytes, String what) {
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        if (bytes > physical * 6 / 10) {
            throw Timed.skip("libtorch at " + what + " needs about " + (bytes >> 30) + " GiB, more than 60% of this "
                    + "machine's " + (physical >> 30) + " GiB");
        }
    }

    /** A float tensor that owns a copy of {@code data}. */
    static Tensor floats(float[] data, long... shape) {
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
        }
    }

    /** A float tensor of 0 and 1 from a mask. */
    static Tensor floats(byte[] mask, long... shape) {
        float[] data = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            data[i] = mask[i];
        }
        return floats(data, shape);
    }

    /** An int64 tensor (libtorch's class indices) that owns a copy of {@code data}. */
    static Tensor longs(int[] data, long... shape) {
        long[] wide = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            wide[i] = data[i];
        }
        try (LongPointer p = new LongPointer(wide)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    /** The elements of a float tensor, in row-major order. */
    static float[] array(Tensor t, int n) {
        float[] out = new float[n];
        t.contiguous().data_ptr_float().get(out);
        return out;
    }

    /** A float tensor that autograd tracks, holding a copy of {@code data}. */
    static Tensor leaf(float[] data, long... shape) {
        return floats(data, shape).set_requires_grad(true);
    }

    /** {@code torch.autograd.grad(output, inputs, gradOutput)}; a null gradOutput is 1 (a scalar output). */
    static Tensor[] grad(Tensor output, Tensor gradOutput, boolean retainGraph, Tensor... inputs) {
        TensorVector gradOutputs = gradOutput == null ? new TensorVector() : new TensorVector(gradOutput);
        return torch.grad(new TensorVector(output), new TensorVector(inputs), gradOutputs,
                new BoolOptional(retainGraph), false, false).get();
    }
}
