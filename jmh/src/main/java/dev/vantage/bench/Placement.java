package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Tensor;

/**
 * Where a workload's kernel tensors live: on the host for the CPU backends; on the GPU for the
 * {@value #DEVICE_BACKEND} backend, so that its rows time the kernels and not the transfers to and
 * from host memory (which a host tensor would add to every call). The workload keeps its host
 * arrays: the generator fills them, and the oracle reads them after {@link #fetch}.
 */
interface Placement extends AutoCloseable {
    /** The backend whose kernels get device tensors, and whose rows compare with a device copy. */
    String DEVICE_BACKEND = "cuda";

    /** Host tensors as they are. */
    Placement HOST = new Placement() {
        @Override
        public Tensor place(Tensor host) {
            return host;
        }

        @Override
        public void fetch() {
        }

        @Override
        public void close() {
        }
    };

    /** The placement of the tensors a backend's kernels are timed on. */
    static Placement of(Backend backend) {
        return onDevice(backend.name()) ? new DevicePlacement() : HOST;
    }

    /** Whether a backend's (or anchor's) rows run on device memory. */
    static boolean onDevice(String backend) {
        return backend.equals(DEVICE_BACKEND);
    }

    /** The tensor the kernels get for a host tensor whose array holds the inputs (or will hold the outputs). */
    Tensor place(Tensor host);

    /** Copies every placed tensor back into its host array, so that the oracle can read the outputs. */
    void fetch();

    /** Frees what {@link #place} took. */
    @Override
    void close();
}
