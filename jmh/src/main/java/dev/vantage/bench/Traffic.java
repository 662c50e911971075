package dev.vantage.bench;

/**
 * The minimal bytes one call of a kernel must move: each input read once, each output written
 * once. A kernel's speed is reported as these bytes over its time, whatever it really moves.
 *
 * @param read    bytes of the inputs
 * @param written bytes of the outputs
 */
public record Traffic(long read, long written) {
    public long total() {
        return read + written;
    }
}
