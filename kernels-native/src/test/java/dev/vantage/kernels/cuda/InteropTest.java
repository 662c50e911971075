package dev.vantage.kernels.cuda;

import dev.vantage.kernels.DType;
import dev.vantage.kernels.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How JavaCPP pointers become device tensors: address plus position in the pointer's element
 * size, within its limit when it has one. Host pointers stand in for device memory here: only the
 * arithmetic is checked, nothing is dereferenced.
 */
class InteropTest {
    @Test
    void aPointersPositionIsCountedInItsElements() {
        try (FloatPointer floats = new FloatPointer(10); BytePointer bytes = new BytePointer(64)) {
            Tensor t = CudaBackends.tensor(floats.position(3), DType.F32, 7);
            assertEquals(floats.address() + 12, t.address());
            assertEquals(Tensor.Memory.DEVICE, t.memory());
            assertArrayEquals(new long[] {7}, t.shape());
            assertEquals(bytes.address() + 8, CudaBackends.tensor(bytes.position(8), DType.BF16, 2, 4).address());
            // An untyped Pointer counts in bytes (JavaCPP copies position and limit as they are).
            Pointer untyped = new Pointer(floats.position(0)).position(4);
            assertEquals(floats.address() + 4, CudaBackends.tensor(untyped, DType.F32, 1).address());
        }
    }

    @Test
    void aPointerWithALimitMustHoldTheTensor() {
        try (FloatPointer floats = new FloatPointer(10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CudaBackends.tensor(floats.position(3), DType.F32, 8));
            assertEquals("pointer: [8] F32 (DEVICE) needs 32 bytes, the pointer has 28 from its position", e.getMessage());
            // Pointers from foreign allocations (limit 0) carry no extent: nothing to check against.
            assertEquals(floats.address(), CudaBackends.tensor(new Pointer(floats.position(0)).limit(0), DType.F32, 100)
                    .address());
        }
    }

    @Test
    void nullPointersAndStreamsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaBackends.tensor(new Pointer(), DType.F32, 1))
                .getMessage().startsWith("pointer:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaBackends.tensor((Pointer) null, DType.F32, 1))
                .getMessage().startsWith("pointer:"));
        try (FloatPointer floats = new FloatPointer(4)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaBackends.tensor(floats, null, 1))
                    .getMessage().startsWith("dtype:"));
        }
        try (BytePointer bytes = new BytePointer(16)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaBackends.tensor(bytes.position(1),
                    DType.F32, 1)).getMessage().startsWith("address: must be aligned to 4 bytes"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CudaBackends.onStream((Pointer) null))
                .getMessage().startsWith("stream:"));
    }
}
