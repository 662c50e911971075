package dev.vantage.kernels;

/** Element types a {@link Tensor} can hold. */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** bfloat16: the top 16 bits of a binary32, stored in a {@code short}. */
    BF16(2),
    /** IEEE 754 binary16, stored in a {@code short}. */
    F16(2),
    /** 32-bit signed integer (labels, indices). */
    I32(4),
    /** One byte per element; 0 is false, any other value is true (masks, flags). */
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes one element occupies. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is one of the floating-point types that logits may use. */
    public boolean isFloating() {
        return this == F32 || this == BF16 || this == F16;
    }
}
