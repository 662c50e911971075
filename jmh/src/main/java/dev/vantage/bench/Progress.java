package dev.vantage.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * JMH's own output goes to a log file; the terminal gets one line per benchmark with its score,
 * or with the reason it failed (the first line of the exception its fork reported).
 */
final class Progress implements OutputFormat {
    private static final String OWN_EXCEPTION = "java.lang.IllegalStateException: ";

    private final OutputFormat log;
    private final PrintStream console;
    private final int total;
    private final Map<String, String> failures = new LinkedHashMap<>();
    private int started;
    private BenchmarkParams current;
    private boolean failing;
    private String reason;

    Progress(OutputFormat log, PrintStream console, int total) {
        this.log = log;
        this.console = console;
        this.total = total;
    }

    /** Why each benchmark without a result failed, by {@link #key}. */
    Map<String, String> failures() {
        return failures;
    }

    /** A benchmark and its parameters, e.g. {@code LogProbBenchmark.forward backend=java dtype=F32 shape=...}. */
    static String key(String benchmark, Map<String, String> params) {
        StringBuilder out = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
        new TreeMap<>(params).forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
        return out.toString();
    }

    static String key(BenchmarkParams p) {
        Map<String, String> params = new TreeMap<>();
        for (String name : p.getParamsKeys()) {
            params.put(name, p.getParam(name));
        }
        return key(p.getBenchmark(), params);
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        finish();
        current = params;
        failing = false;
        reason = null;
        console.printf(Locale.ROOT, "  [%d/%d] %s ... ", ++started, total, key(params));
        console.flush();
        log.startBenchmark(params);
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        log.endBenchmark(result);
        if (result == null) {
            // Every fork failed: JMH still ends the benchmark, with nothing.
            finish();
            return;
        }
        Result<?> primary = result.getPrimaryResult();
        double scale = Findings.seconds(1, primary.getScoreUnit());
        console.println(Findings.time(primary.getScore() * scale, primary.getScoreError() * scale));
        current = null;
    }

    @Override
    public void println(String s) {
        log.println(s);
        if (s.startsWith("<failure>") || s.startsWith("<forked VM failed")) {
            failing = true;
        } else if (failing && reason == null && !s.isBlank()) {
            String first = s.strip().lines().findFirst().orElse(s);
            reason = first.startsWith(OWN_EXCEPTION) ? first.substring(OWN_EXCEPTION.length()) : first;
        }
    }

    /** A benchmark that started and never ended has failed. */
    private void finish() {
        if (current == null) {
            return;
        }
        String why = reason == null ? "failed (see jmh.log)" : reason;
        failures.put(key(current), why);
        console.println(why.startsWith("skipped") ? why : "FAILED: " + why);
        current = null;
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        finish();
        log.endRun(result);
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        log.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration,
                                IterationResult data) {
        log.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void startRun() {
        log.startRun();
    }

    @Override
    public void print(String s) {
        log.print(s);
    }

    @Override
    public void verbosePrintln(String s) {
        log.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        log.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        log.write(b);
    }

    @Override
    public void flush() {
        log.flush();
    }

    @Override
    public void close() {
        log.flush();
    }
}
