package dev.vantage.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParityTest {
    @Test
    void followsTheRuleOfTheParitySuite() {
        Parity p = new Parity("t");
        p.add("a", 0, Double.NaN, Double.NaN, 1e-5, 1e-5);
        p.add("a", 1, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-5, 1e-5);
        p.add("a", 2, 100, 100.0005, 1e-5, 1e-5);
        assertTrue(p.ok(), p::toString);
        assertEquals(5e-4, p.maxAbs(), 1e-9);
        assertEquals(5e-6, p.maxRel(), 1e-9);
        p.add("a", 3, 1, Double.NaN, 1e-5, 1e-5);
        assertFalse(p.ok());
        assertTrue(p.toString().contains("a[3]"), p::toString);
    }

    @Test
    void relativeErrorNearZeroIsAgainstTheAbsoluteTolerance() {
        Parity p = new Parity("t");
        p.add("g", 0, 1e-12, 2e-12, 1e-4, 1e-6);
        assertEquals(1e-6, p.maxRel(), 1e-12);
        assertFalse(new Parity("empty").ok(), "comparing nothing proves nothing");
    }
}
