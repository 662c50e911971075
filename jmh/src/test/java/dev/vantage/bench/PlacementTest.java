package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;
import dev.vantage.kernels.Vantage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workloads' tensors through a {@link Placement}, as the cuda backend's rows get them in device
 * memory; here (no GPU needed) each tensor is a copy in another heap array, so the Java backend's
 * kernels read and write the copies and the checks see the outputs only through {@link Placement#fetch}.
 */
class PlacementTest {
    private final Backend java = Vantage.backend("java");

    /** Copies of the host arrays; {@link #fetch} copies them back unless {@code fetches} is false. */
    static final class HeapCopies implements Placement {
        private final boolean fetches;
        private final List<Object> hosts = new ArrayList<>();
        private final List<Object> copies = new ArrayList<>();
        boolean closed;

        HeapCopies(boolean fetches) {
            this.fetches = fetches;
        }

        @Override
        public Tensor place(Tensor host) {
            long[] shape = host.shape();
            Tensor copy;
            switch (host.dtype()) {
                case F32: copy = Tensor.of(((float[]) host.array()).clone(), shape); break;
                case I32: copy = Tensor.of(((int[]) host.array()).clone(), shape); break;
                case BOOL: copy = Tensor.ofBool(((byte[]) host.array()).clone(), shape); break;
                default: copy = Tensor.ofHalf(host.dtype(), ((short[]) host.array()).clone(), shape); break;
            }
            hosts.add(host.array());
            copies.add(copy.array());
            return copy;
        }

        @Override
        public void fetch() {
            for (int i = 0; fetches && i < hosts.size(); i++) {
                System.arraycopy(copies.get(i), 0, hosts.get(i), 0, Array.getLength(hosts.get(i)));
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vantage.bench.FamiliesTest#families")
    void everyCheckPassesOnPlacedTensors(Family family) {
        for (Map<String, String> size : family.parity()) {
            for (String kernel : family.kernels()) {
                Workload w = family.workload().apply(size);
                HeapCopies copies = new HeapCopies(true);
                w.generate(3, copies);
                Parity parity = w.check(java, kernel);
                assertTrue(parity.ok(), parity::toString);
                w.close();
                assertTrue(copies.closed, "close frees the placed tensors");
            }
        }
    }

    /**
     * Without the copy back, the host arrays keep their zeros, so every kernel that writes an array
     * fails its check: the kernels write the placed tensors, and the checks read what was fetched.
     * {@code aggregate} writes none (its output is the value it returns).
     */
    @ParameterizedTest
    @MethodSource("dev.vantage.bench.FamiliesTest#families")
    void aCheckSeesOnlyWhatWasFetched(Family family) {
        Map<String, String> size = family.parity().get(0);
        for (String kernel : family.kernels()) {
            Workload w = family.workload().apply(size);
            w.generate(3, new HeapCopies(false));
            assertEquals(!kernel.equals("aggregate"), !w.check(java, kernel).ok(), kernel);
        }
    }

    @Test
    void theCudaBackendAloneGetsDeviceMemory() {
        assertSame(Placement.HOST, Placement.of(java));
        assertTrue(Placement.onDevice("cuda"));
        assertFalse(Placement.onDevice("java-simd"));
    }
}
