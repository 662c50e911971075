package dev.vantage.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the report found: the parity lines, the copy and read bandwidths, and one speed row per
 * kernel, backend (or anchor) and size; and the tables made of them.
 *
 * <p>Definitions: GB/s is the kernel's minimal bytes ({@link Traffic}) over its time; "% of copy"
 * compares that with a copy moving as many bytes; "× read floor" is the time over that of a
 * read-only pass over the kernel's input bytes; "vs anchor" is the anchor's time over the
 * kernel's (above 1: the kernel is faster). The copy and read are measured at the nearest power of two
 * MiB ({@link #mib}); the read floor is scaled from there to the kernel's input bytes. Rows of the
 * backend whose tensors are on the GPU ({@link Placement#onDevice}) compare with a device-to-device
 * copy instead, and have no read floor (the read pass is the host's).
 */
final class Findings {
    /** One kernel on one backend and size; {@code problem} is set when it could not be checked. */
    record ParityLine(String kernel, String backend, String size, Parity parity, String problem) {
        boolean failed() {
            return problem == null ? !parity.ok() : !problem.startsWith("skipped");
        }
    }

    /**
     * One timed implementation at one size: a backend ({@code anchor} false) or an anchor's label.
     * {@code seconds} is NaN and {@code problem} says why when it has no time.
     */
    record Speed(String kernel, String impl, boolean anchor, Map<String, String> size, String sizeLabel,
                 Traffic traffic, double seconds, double error, String problem) {
        double gbps() {
            return traffic.total() / seconds / 1e9;
        }

        boolean failed() {
            return problem != null && !problem.startsWith("skipped");
        }
    }

    final List<String> about;
    final List<ParityLine> parity = new ArrayList<>();
    final List<Speed> speeds = new ArrayList<>();
    /** Seconds of a copy moving, and of a read of, so many MiB. */
    final Map<Integer, Double> copySeconds = new TreeMap<>();
    final Map<Integer, Double> readSeconds = new TreeMap<>();
    /** Seconds of a device-to-device copy moving so many MiB; why there are none, if so. */
    final Map<Integer, Double> deviceCopySeconds = new TreeMap<>();
    String deviceCopyProblem;

    /** @param about lines that say when, where and how the report ran */
    Findings(List<String> about) {
        this.about = List.copyOf(about);
    }

    /**
     * The size the copy and read baselines are measured at for a number of bytes: the nearest power
     * of two MiB (on a log scale), so that a few sizes serve every kernel. Bandwidth changes little
     * within a factor of √2 once the bytes are well out of cache.
     */
    static int mib(long bytes) {
        double mib = bytes / 1048576.0;
        return mib <= 1 ? 1 : 1 << (int) Math.round(Math.log(mib) / Math.log(2));
    }

    /** GB/s of the copy the row compares with: the device's for a GPU row, else the host's; NaN if not measured. */
    double copyGbps(Speed row) {
        int mib = mib(row.traffic().total());
        Double s = (Placement.onDevice(row.impl()) ? deviceCopySeconds : copySeconds).get(mib);
        return s == null ? Double.NaN : mib * 1048576.0 / s / 1e9;
    }

    /**
     * Seconds of a read-only pass over the row's input bytes, scaled from the nearest MiB measured;
     * NaN for a GPU row.
     */
    double floorSeconds(Speed row) {
        Traffic t = row.traffic();
        Double s = Placement.onDevice(row.impl()) ? null : readSeconds.get(mib(t.read()));
        return s == null ? Double.NaN : s * t.read() / (mib(t.read()) * 1048576.0);
    }

    /** The anchor's time over the row's, for the anchor of the same kernel and size; NaN if it has none. */
    double speedup(Speed row, String anchorLabel) {
        for (Speed a : speeds) {
            if (a.anchor() && a.impl().equals(anchorLabel) && a.kernel().equals(row.kernel())
                    && a.size().equals(row.size())) {
                return a.seconds() / row.seconds();
            }
        }
        return Double.NaN;
    }

    private static List<String> anchorLabels(List<Speed> rows) {
        Set<String> labels = new LinkedHashSet<>();
        rows.stream().filter(Speed::anchor).forEach(s -> labels.add(s.impl()));
        return new ArrayList<>(labels);
    }

    boolean failed() {
        return parity.stream().anyMatch(ParityLine::failed) || speeds.stream().anyMatch(Speed::failed);
    }

    Table parityTable() {
        Table t = new Table(3, "kernel", "backend", "size", "max abs err", "max rel err", "values", "result");
        for (ParityLine p : parity) {
            if (p.problem() != null) {
                t.add(p.kernel(), p.backend(), p.size(), "", "", "", p.problem());
            } else {
                t.add(p.kernel(), p.backend(), p.size(), sci(p.parity().maxAbs()), sci(p.parity().maxRel()),
                        Long.toString(p.parity().checked()), p.parity().ok() ? "ok" : "FAILED: " + p.parity());
            }
        }
        return t;
    }

    /** The host's copy and read, and the device's copy. */
    Table bandwidthTable() {
        Table t = new Table(0, "MiB moved", "copy GB/s", "read GB/s", "device copy GB/s");
        Set<Integer> sizes = new java.util.TreeSet<>(copySeconds.keySet());
        sizes.addAll(readSeconds.keySet());
        sizes.addAll(deviceCopySeconds.keySet());
        for (int mib : sizes) {
            t.add(Integer.toString(mib), rate(mib, copySeconds.get(mib)), rate(mib, readSeconds.get(mib)),
                    rate(mib, deviceCopySeconds.get(mib)));
        }
        return t;
    }

    /** The line under the bandwidth table: why the device copy was not measured; empty if it was. */
    String bandwidthNote() {
        return deviceCopyProblem == null ? "" : "device-to-device copy: " + deviceCopyProblem + "\n";
    }

    /** One speed table per family (the part of the kernel name before the dot), in the order rows came. */
    Map<String, Table> speedTables() {
        Map<String, List<Speed>> byFamily = new LinkedHashMap<>();
        for (Speed s : speeds) {
            byFamily.computeIfAbsent(family(s.kernel()), k -> new ArrayList<>()).add(s);
        }
        Map<String, Table> tables = new LinkedHashMap<>();
        byFamily.forEach((family, rows) -> tables.put(family, speedTable(rows)));
        return tables;
    }

    static String family(String kernel) {
        return kernel.substring(0, kernel.indexOf('.'));
    }

    /** The rows, with a "vs" column for each of their anchors. */
    private Table speedTable(List<Speed> rows) {
        List<String> anchors = anchorLabels(rows);
        List<String> header = new ArrayList<>(List.of("kernel", "backend / anchor", "size", "time", "GB/s", "% of copy",
                "× read floor"));
        anchors.forEach(a -> header.add("vs " + a));
        Table t = new Table(3, header);
        for (Speed s : rows) {
            List<String> row = new ArrayList<>(List.of(s.kernel(), s.anchor() ? "[" + s.impl() + "]" : s.impl(),
                    s.sizeLabel()));
            if (s.problem() != null) {
                row.addAll(List.of(s.problem(), "", "", ""));
                anchors.forEach(a -> row.add(""));
            } else {
                row.add(time(s.seconds(), s.error()));
                row.add(String.format(Locale.ROOT, "%.2f", s.gbps()));
                row.add(percent(s.gbps() / copyGbps(s)));
                row.add(ratio(s.seconds() / floorSeconds(s)));
                for (String a : anchors) {
                    row.add(s.anchor() ? "" : ratio(speedup(s, a)));
                }
            }
            t.add(row);
        }
        return t;
    }

    /** A time and its error in the unit that suits the time, e.g. {@code 412 ± 35 ms}. */
    static String time(double seconds, double error) {
        double scale = seconds >= 1 ? 1 : seconds >= 1e-3 ? 1e3 : 1e6;
        String unit = seconds >= 1 ? "s" : seconds >= 1e-3 ? "ms" : "µs";
        String err = Double.isFinite(error) && error > 0 ? " ± " + significant(error * scale, 2) : "";
        return significant(seconds * scale, 3) + err + " " + unit;
    }

    /** {@code v} to {@code digits} significant digits, never in exponent notation. */
    static String significant(double v, int digits) {
        return new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    /** An average-time score in seconds. */
    static double seconds(double score, String unit) {
        switch (unit) {
            case "s/op": return score;
            case "ms/op": return score * 1e-3;
            case "us/op": return score * 1e-6;
            case "ns/op": return score * 1e-9;
            default: throw new IllegalStateException("unexpected unit " + unit);
        }
    }

    static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, r < 10 ? "%.2f×" : "%.1f×", r) : "";
    }

    static String percent(double fraction) {
        if (!Double.isFinite(fraction)) {
            return "";
        }
        return String.format(Locale.ROOT, fraction < 0.1 ? "%.1f%%" : "%.0f%%", 100 * fraction);
    }

    static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static String rate(int mib, Double seconds) {
        return Objects.isNull(seconds) ? "" : String.format(Locale.ROOT, "%.2f", mib * 1048576.0 / seconds / 1e9);
    }
}
