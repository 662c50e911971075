package dev.vantage.kernels.java;

import dev.vantage.kernels.Tensor;

import java.nio.IntBuffer;

/** Reads I32 labels and checks their range before a kernel writes anything. */
final class Labels {
    private Labels() {
    }

    static int at(Tensor labels, long i) {
        if (labels.memory() == Tensor.Memory.HEAP) {
            return ((int[]) labels.array())[labels.arrayOffset() + (int) i];
        }
        return ((IntBuffer) labels.buffer()).get((int) i);
    }

    /** Fails unless every label is in {@code [0, classes)} or equals {@code ignoreIndex}. */
    static void check(Tensor labels, long rows, long classes, int ignoreIndex) {
        for (long i = 0; i < rows; i++) {
            int y = at(labels, i);
            if ((y < 0 || y >= classes) && y != ignoreIndex) {
                throw new IllegalArgumentException("labels: element " + i + " is " + y + ", expected a value in [0, "
                        + classes + ") or the ignore index " + ignoreIndex);
            }
        }
    }
}
