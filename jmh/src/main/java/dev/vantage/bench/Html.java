package dev.vantage.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one HTML page with inline SVG bar charts: no script, no stylesheet or font to
 * fetch, so it opens from disk in any browser. One chart per kernel and value of every size
 * parameter but the first (dtype, mode, τ): a group of bars per value of the first (the shape), one bar per backend and anchor (the
 * kernel's minimal bytes over its time, so they compare as times do), then the bandwidth of the
 * copy and of the read pass at the same size.
 */
final class Html {
    private static final String[] IMPL_COLORS = {"#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#ff7f0e", "#d62728",
        "#8c564b", "#e377c2", "#bcbd22"};
    private static final String COPY = "copy (same bytes)";
    private static final String FLOOR = "read floor";
    private static final String DEVICE_COPY = "device copy (same bytes)";

    private Html() {
    }

    static String page(Findings f) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Vantage parity and speed</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:90%}\n")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\n")
                .append("td.text,th.text{text-align:left}\n")
                .append(".legend span{display:inline-block;margin-right:1.2em}\n")
                .append(".legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}\n")
                .append("</style>\n</head>\n<body>\n<h1>Vantage: parity and speed</h1>\n<ul>\n");
        f.about.forEach(line -> out.append("<li>").append(escape(line)).append("</li>\n"));
        out.append("</ul>\n<h2>Throughput</h2>\n<p>Bars: the kernel's minimal bytes over each implementation's time,")
                .append(" in GB/s (higher is faster); <i>copy</i> and <i>read floor</i>: the bandwidth of a copy moving")
                .append(" as many bytes and of a read-only pass over the kernel's input bytes, measured in the same run;")
                .append(" <i>device copy</i>: a device-to-device copy of as many bytes, for the GPU's rows.</p>\n");
        charts(f).forEach(out::append);
        out.append("<h2>Speed</h2>\n");
        f.speedTables().forEach((family, table) -> out.append("<h3>").append(escape(family)).append("</h3>\n")
                .append(table.html()));
        out.append("<h2>Copy and read bandwidth</h2>\n").append(f.bandwidthTable().html())
                .append(f.bandwidthNote().isEmpty() ? "" : "<p>" + escape(f.bandwidthNote().strip()) + "</p>\n")
                .append("<h2>Parity against the float64 oracle</h2>\n").append(f.parityTable().html())
                .append("</body>\n</html>\n");
        return out.toString();
    }

    private static List<String> charts(Findings f) {
        // chart title -> shape -> series -> GB/s
        Map<String, Map<String, Map<String, Double>>> charts = new LinkedHashMap<>();
        Map<String, LinkedHashSet<String>> series = new LinkedHashMap<>();
        for (Findings.Speed s : f.speeds) {
            if (s.problem() != null) {
                continue;
            }
            List<String> names = new ArrayList<>(s.size().keySet());
            StringBuilder title = new StringBuilder(s.kernel());
            for (String name : names.subList(1, names.size())) {
                title.append(", ").append(name).append(' ').append(s.size().get(name));
            }
            String group = s.size().get(names.get(0));
            Map<String, Double> bars = charts.computeIfAbsent(title.toString(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(group, k -> new LinkedHashMap<>());
            bars.put(s.impl(), s.gbps());
            if (Placement.onDevice(s.impl())) {
                bars.put(DEVICE_COPY, f.copyGbps(s));
            } else {
                bars.put(COPY, f.copyGbps(s));
                bars.put(FLOOR, s.traffic().read() / f.floorSeconds(s) / 1e9);
            }
            series.computeIfAbsent(title.toString(), k -> new LinkedHashSet<>()).add(s.impl());
        }
        List<String> out = new ArrayList<>();
        charts.forEach((title, groups) -> {
            List<String> names = new ArrayList<>(series.get(title));
            names.add(COPY);
            names.add(FLOOR);
            if (names.stream().anyMatch(Placement::onDevice)) {
                names.add(DEVICE_COPY);
            }
            out.add("<h3>" + escape(title) + "</h3>\n" + svg(groups, names) + legend(names));
        });
        return out;
    }

    private static String color(List<String> names, String name) {
        if (name.equals(COPY)) {
            return "#7f7f7f";
        }
        if (name.equals(FLOOR)) {
            return "#c7c7c7";
        }
        if (name.equals(DEVICE_COPY)) {
            return "#4d4d4d";
        }
        return IMPL_COLORS[names.indexOf(name) % IMPL_COLORS.length];
    }

    private static String legend(List<String> names) {
        StringBuilder out = new StringBuilder("<div class=\"legend\">");
        for (String name : names) {
            out.append("<span><i style=\"background:").append(color(names, name)).append("\"></i>")
                    .append(escape(name)).append("</span>");
        }
        return out.append("</div>\n").toString();
    }

    /**
     * A grouped bar chart: one group per key of {@code groups}, one bar per name, in GB/s on a log
     * scale (kernels and anchors differ by orders of magnitude).
     */
    static String svg(Map<String, Map<String, Double>> groups, List<String> names) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Map<String, Double> bars : groups.values()) {
            for (double v : bars.values()) {
                if (Double.isFinite(v) && v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        int low = max > 0 ? (int) Math.floor(Math.log10(min)) : 0;
        int high = max > 0 ? Math.max(low + 1, (int) Math.ceil(Math.log10(max))) : 1;
        int bar = 22;
        int groupWidth = names.size() * bar + 30;
        int left = 56;
        int top = 20;
        int plotHeight = 220;
        int width = left + groups.size() * groupWidth + 10;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">\n", width,
                plotHeight + 60));
        for (int decade = low; decade <= high; decade++) {
            double y = top + plotHeight * (1 - (double) (decade - low) / (high - low));
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left, width - 10, y, y, left - 6, y + 4,
                    number(Math.pow(10, decade))));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" "
                + "text-anchor=\"middle\">GB/s (log scale)</text>\n", top + plotHeight / 2, top + plotHeight / 2));
        int g = 0;
        for (Map.Entry<String, Map<String, Double>> group : groups.entrySet()) {
            int x0 = left + g++ * groupWidth + 15;
            for (int i = 0; i < names.size(); i++) {
                Double v = group.getValue().get(names.get(i));
                if (v == null || !Double.isFinite(v) || v <= 0) {
                    continue;
                }
                double h = plotHeight * (Math.log10(v) - low) / (high - low);
                int x = x0 + i * bar;
                out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s: %s GB/s</title></rect>", x, top + plotHeight - h, bar - 3, h,
                        color(names, names.get(i)), escape(names.get(i)), number(v)));
                out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                        + "font-size=\"9\">%s</text>\n", x + (bar - 3) / 2.0, top + plotHeight - h - 3, number(v)));
            }
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x0 + names.size() * bar / 2, top + plotHeight + 18, escape(group.getKey())));
        }
        return out.append("</svg>\n").toString();
    }

    private static String number(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : Findings.significant(v, 2);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
