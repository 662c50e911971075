package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.Vantage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every family of the registry is consistent with its JMH classes, and its checks pass on the Java backend. */
class FamiliesTest {
    static Stream<Family> families() {
        return Registry.FAMILIES.stream();
    }

    @ParameterizedTest
    @MethodSource("families")
    void kernelsAreBenchmarksAndAnchorsHaveTheSameSizes(Family family) throws Exception {
        Set<String> sizes = params(family.benchmark());
        assertTrue(sizes.remove("backend"), "a backend @Param");
        assertEquals(sizes, family.quick().keySet());
        assertEquals(sizes, family.full().keySet());
        for (String kernel : family.kernels()) {
            assertNotNull(family.benchmark().getMethod(kernel).getAnnotation(Benchmark.class), kernel);
        }
        for (Family.Anchor anchor : family.anchors()) {
            assertTrue(family.kernels().contains(anchor.kernel()), anchor.toString());
            if (anchor.present()) {
                Class<?> type = Class.forName(anchor.benchmark());
                assertNotNull(type.getMethod(anchor.method()).getAnnotation(Benchmark.class), anchor.toString());
                assertEquals(sizes, params(type), anchor.toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void theJavaBackendPassesEveryCheckAtTheParitySizes(Family family) {
        Backend java = Vantage.backend("java");
        for (Map<String, String> size : family.parity()) {
            for (String kernel : family.kernels()) {
                Workload w = family.workload().apply(size);
                assertTrue(w.traffic(kernel).total() > 0);
                w.generate(3);
                Parity parity = w.check(java, kernel);
                assertTrue(parity.ok(), parity::toString);
            }
        }
    }

    @Test
    void anUnavailableBackendSkipsWithItsReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelBenchmark.open("no-such"));
        assertTrue(e.getMessage().startsWith("skipped: no backend named 'no-such'"), e.getMessage());
        assertEquals("java", KernelBenchmark.open("java").name());
    }

    private static Set<String> params(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Param.class)) {
                    names.add(f.getName());
                }
            }
        }
        return names;
    }
}
