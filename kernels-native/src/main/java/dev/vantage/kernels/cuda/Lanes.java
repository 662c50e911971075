package dev.vantage.kernels.cuda;

/** Where calls get their {@link Lane}: a pool for the shared backend, one lane for a caller's stream. */
interface Lanes {
    /** A lane for the calling thread's exclusive use until {@link #release}. */
    Lane acquire();

    void release(Lane lane);
}
