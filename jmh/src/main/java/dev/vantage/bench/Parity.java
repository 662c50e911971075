package dev.vantage.bench;

import java.util.Locale;

/**
 * The largest errors of a kernel's outputs against the float64 oracle. An element passes when
 * {@code |actual - expected| <= atol + rtol·|expected|}, or both are NaN, or both are the same
 * infinity (the rule of the parity suite). The relative error is taken against
 * {@code max(|expected|, atol)}, so that values near zero, which the tolerance treats as absolute,
 * do not report a meaningless ratio.
 */
public final class Parity {
    private final String what;
    private double maxAbs;
    private double maxRel;
    private long checked;
    private long failed;
    private String firstFailure;

    public Parity(String what) {
        this.what = what;
    }

    /** Compares element {@code index} of {@code output}. */
    public void add(String output, long index, double expected, double actual, double rtol, double atol) {
        checked++;
        boolean ok;
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            ok = Double.isNaN(expected) && Double.isNaN(actual);
        } else if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            ok = expected == actual;
        } else {
            double abs = Math.abs(actual - expected);
            maxAbs = Math.max(maxAbs, abs);
            // An exact match is no error, also where the tolerance is 0 (an output that must be exactly 0).
            maxRel = Math.max(maxRel, abs == 0 ? 0 : abs / Math.max(Math.abs(expected), atol));
            ok = abs <= atol + rtol * Math.abs(expected);
        }
        if (!ok && failed++ == 0) {
            firstFailure = String.format(Locale.ROOT, "%s[%d]: expected %.9g, got %.9g (rtol %.1e, atol %.1e)",
                    output, index, expected, actual, rtol, atol);
        }
    }

    public boolean ok() {
        return failed == 0 && checked > 0;
    }

    public double maxAbs() {
        return maxAbs;
    }

    public double maxRel() {
        return maxRel;
    }

    public long checked() {
        return checked;
    }

    /** Throws, naming the first bad element, unless every element passed. */
    public Parity require() {
        if (!ok()) {
            throw new IllegalStateException("parity failed: " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        if (checked == 0) {
            return what + ": nothing compared";
        }
        String errors = String.format(Locale.ROOT, "max abs %.2e, max rel %.2e over %d values", maxAbs, maxRel, checked);
        return what + ": " + errors + (failed == 0 ? "" : "; " + failed + " out of tolerance, first " + firstFailure);
    }
}
