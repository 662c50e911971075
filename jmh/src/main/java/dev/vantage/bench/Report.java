package dev.vantage.bench;

import dev.vantage.kernels.Backend;
import dev.vantage.kernels.BackendStatus;
import dev.vantage.kernels.Vantage;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The parity-and-speed report: diagnostics; a parity line per kernel, backend and size on fresh
 * random inputs; then every benchmark of {@link Registry} through JMH, with the copy and read
 * baselines (and, where the cuda backend runs, a device-to-device copy for its rows) and the anchors
 * in the same run, as a table of time, GB/s, % of copy, × read floor and speed-up over each anchor. Writes {@code jmh.json} (raw JMH), {@code summary.md},
 * {@code report.html} and {@code jmh.log} (JMH's own output) to the output folder.
 *
 * <pre>
 * Report [--full | --targets] [--family NAME]... [--seed N] [--out DIR] [--libtorch]
 *   --full      the whole size matrix and JMH's full iteration counts (default: the quick subset)
 *   --targets   full iteration counts on the kernels and sizes of the CPU speed targets (issue 7) only
 *   --family    only this family (logprob, advantage, dueling, loss, objective); may be repeated
 *   --seed N    seed of the parity check's inputs (default: from the clock; printed)
 *   --out DIR   output folder (default jmh/results)
 *   --libtorch  fail unless the libtorch anchors were built in (mvn -Plibtorch)
 * </pre>
 * Exits with 1 when a parity check or a benchmark failed.
 */
public final class Report {
    /** Quick mode's JMH iterations: enough for a kernel of a few hundred ms to run about once per iteration. */
    private static final int QUICK_WARMUP = 1;
    private static final int QUICK_MEASUREMENT = 3;
    private static final int QUICK_MS = 300;
    private static final String USAGE =
            "usage: Report [--full | --targets] [--family NAME]... [--seed N] [--out DIR] [--libtorch]";

    private Report() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        boolean full = false;
        boolean targets = false;
        boolean requireTorch = false;
        long seed = System.nanoTime();
        Path out = Path.of("jmh", "results");
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full": full = true; break;
                case "--targets": targets = true; break;
                case "--libtorch": requireTorch = true; break;
                case "--seed": seed = Long.parseLong(args[++i]); break;
                case "--out": out = Path.of(args[++i]); break;
                case "--family": only.add(args[++i]); break;
                default:
                    System.err.println(USAGE);
                    System.exit(2);
            }
        }
        if (full && targets) {
            System.err.println("--full and --targets: choose one; " + USAGE);
            System.exit(2);
        }
        List<Family> families = (targets ? Registry.TARGETS : Registry.FAMILIES).stream()
                .filter(f -> only.isEmpty() || only.contains(f.name()))
                .collect(Collectors.toList());
        if (families.isEmpty()) {
            System.err.println("--family: none of " + only + " is a family; they are "
                    + Registry.FAMILIES.stream().map(Family::name).distinct().collect(Collectors.toList()));
            System.exit(2);
        }
        List<Family.Anchor> anchors = families.stream().flatMap(f -> f.anchors().stream())
                .filter(Family.Anchor::present).collect(Collectors.toList());
        boolean torch = anchors.stream().anyMatch(a -> a.label().startsWith("libtorch"));
        if (requireTorch && !torch) {
            System.err.println("--libtorch: the libtorch anchors are not on the class path (build with mvn -Plibtorch)");
            System.exit(2);
        }
        Files.createDirectories(out);
        String mode = full ? "full" : targets ? "targets" : "quick";
        List<String> about = new ArrayList<>(about(mode, args));
        about.add("JMH: one fork per benchmark and backend, " + (full || targets ? "warmup 3 × 1 s, measurement 5 × 1 s"
                : String.format(Locale.ROOT, "warmup %d × %.1f s, measurement %d × %.1f s", QUICK_WARMUP,
                QUICK_MS / 1e3, QUICK_MEASUREMENT, QUICK_MS / 1e3)) + "; parity inputs from seed " + seed);
        about.add("anchors: " + anchors.stream().map(Family.Anchor::label).distinct().collect(Collectors.joining(", "))
                + (torch ? "; libtorch's OpenMP threads: OMP_WAIT_POLICY=" + System.getenv().getOrDefault(
                "OMP_WAIT_POLICY", "(unset: they spin)") : " (for libtorch: ./report --libtorch)"));
        Findings findings = new Findings(about);

        System.out.print(Vantage.diagnostics());
        findings.about.forEach(line -> System.out.println("  " + line));
        System.out.println();
        System.out.println("Parity against the float64 oracle on fresh inputs (seed " + seed + "; an element passes when "
                + "|err| <= atol + rtol·|expected|; rel err is |err| / max(|expected|, atol))");
        parity(findings, seed, families);
        System.out.print(findings.parityTable().text("  "));
        System.out.println();

        List<String> backends = Vantage.backends().stream().filter(BackendStatus::available)
                .map(BackendStatus::name).collect(Collectors.toList());
        System.out.println("Speed (" + mode + " run; JMH output in " + out.resolve("jmh.log") + ")");
        Collection<RunResult> results = speed(findings, full, full || targets, backends, out, families);
        try (PrintStream json = new PrintStream(Files.newOutputStream(out.resolve("jmh.json")), true,
                StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
        }
        System.out.println();
        System.out.println("Copy and read bandwidth (host: all cores; device: one copy call)");
        System.out.print(findings.bandwidthTable().text("  "));
        System.out.print(findings.bandwidthNote().indent(2));
        System.out.println();
        System.out.println("Speed: GB/s = minimal bytes / time; × read floor = time / a read-only pass over the "
                + "inputs; vs anchor = anchor time / kernel time");
        findings.speedTables().forEach((family, table) -> {
            System.out.println("  " + family);
            System.out.print(table.text("    "));
        });

        Files.writeString(out.resolve("summary.md"), markdown(findings));
        Files.writeString(out.resolve("report.html"), Html.page(findings));
        System.out.println();
        System.out.println("Wrote " + out.resolve("summary.md") + ", " + out.resolve("report.html") + ", "
                + out.resolve("jmh.json"));
        if (findings.failed()) {
            System.out.println("Some parity checks or benchmarks FAILED (see above).");
            System.exit(1);
        }
    }

    /** Every kernel of the families on every backend, on fresh inputs. */
    static void parity(Findings findings, long seed, List<Family> families) {
        for (Family family : families) {
            for (BackendStatus status : Vantage.backends()) {
                for (Map<String, String> size : family.parity()) {
                    Workload w = family.workload().apply(size);
                    for (String kernel : family.kernels()) {
                        String name = family.name() + "." + kernel;
                        if (!status.available()) {
                            findings.parity.add(new Findings.ParityLine(name, status.name(), w.label(), null,
                                    "skipped: " + status.reason()));
                            continue;
                        }
                        try {
                            Backend backend = Vantage.backend(status.name());
                            w.generate(seed, Placement.of(backend));
                            findings.parity.add(new Findings.ParityLine(name, status.name(), w.label(),
                                    w.check(backend, kernel), null));
                        } catch (RuntimeException e) {
                            findings.parity.add(new Findings.ParityLine(name, status.name(), w.label(), null,
                                    "FAILED: " + e));
                        } finally {
                            w.close();
                        }
                    }
                }
            }
        }
    }

    /**
     * Runs the copy and read baselines (and the device copy where the cuda backend runs), then each
     * family with its anchors, and fills in the speed rows: {@code full} takes every size and kernel
     * of the families, {@code fullIterations} JMH's full iteration counts (also for the targets).
     */
    static Collection<RunResult> speed(Findings findings, boolean full, boolean fullIterations, List<String> backends,
                                       Path out, List<Family> families) throws IOException, RunnerException {
        TreeSet<Integer> mibs = new TreeSet<>();
        int total = 0;
        for (Family family : families) {
            for (Map<String, String> size : family.sizes(full)) {
                Workload w = family.workload().apply(size);
                for (String kernel : family.kernels(full)) {
                    mibs.add(Findings.mib(w.traffic(kernel).total()));
                    mibs.add(Findings.mib(w.traffic(kernel).read()));
                }
            }
            int anchorCount = (int) family.anchors().stream().filter(Family.Anchor::present).count();
            total += family.sizes(full).size() * (family.kernels(full).size() * backends.size() + anchorCount);
        }
        boolean device = backends.contains(Placement.DEVICE_BACKEND);
        findings.deviceCopyProblem = device ? null : deviceSkip(Vantage.backends());
        total += (device ? 3 : 2) * mibs.size();

        List<RunResult> all = new ArrayList<>();
        try (PrintStream log = new PrintStream(Files.newOutputStream(out.resolve("jmh.log")), true,
                StandardCharsets.UTF_8)) {
            Progress progress = new Progress(OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL),
                    System.out, total);
            ChainedOptionsBuilder bandwidth = options(fullIterations, mibs.last())
                    .include("^" + Pattern.quote(Bandwidth.class.getName()) + "\\.")
                    .param("mib", mibs.stream().map(String::valueOf).toArray(String[]::new));
            if (device) {
                bandwidth.include("^" + Pattern.quote(DeviceCopy.class.getName()) + "\\.");
            }
            if (!full) {
                // A copy takes at most a few ms: a tenth of a second is many calls.
                bandwidth.warmupTime(TimeValue.milliseconds(100)).measurementTime(TimeValue.milliseconds(100));
            }
            all.addAll(new Runner(bandwidth.build(), progress).run());
            for (RunResult r : all) {
                baseline(findings, r).put(Integer.parseInt(r.getParams().getParam("mib")), seconds(r));
            }
            if (device && findings.deviceCopySeconds.isEmpty()) {
                findings.deviceCopyProblem = progress.failures().entrySet().stream()
                        .filter(e -> e.getKey().startsWith(DeviceCopy.class.getSimpleName()))
                        .map(Map.Entry::getValue).findFirst().orElse("no result");
            }
            for (Family family : families) {
                all.addAll(runFamily(findings, family, full, fullIterations, backends, progress));
            }
        }
        return all;
    }

    private static List<RunResult> runFamily(Findings findings, Family family, boolean full, boolean fullIterations,
                                             List<String> backends, Progress progress) throws RunnerException {
        List<Family.Anchor> anchors = family.anchors().stream().filter(Family.Anchor::present)
                .collect(Collectors.toList());
        long largest = 0;
        for (Map<String, String> size : family.sizes(full)) {
            Workload w = family.workload().apply(size);
            for (String kernel : family.kernels(full)) {
                largest = Math.max(largest, w.traffic(kernel).total());
            }
        }
        ChainedOptionsBuilder options = options(fullIterations, (int) (largest >> 20))
                .param("backend", backends.toArray(new String[0]));
        for (String kernel : family.kernels(full)) {
            options.include("^" + Pattern.quote(family.benchmark().getName() + "." + kernel) + "$");
        }
        for (Family.Anchor a : anchors) {
            options.include("^" + Pattern.quote(a.benchmark() + "." + a.method()) + "$");
        }
        family.params(full).forEach((name, values) -> options.param(name, values.toArray(new String[0])));
        List<RunResult> results = new ArrayList<>(new Runner(options.build(), progress).run());

        Map<String, RunResult> byKey = new LinkedHashMap<>();
        for (RunResult r : results) {
            byKey.put(Progress.key(r.getParams()), r);
        }
        for (Map<String, String> size : family.sizes(full)) {
            Workload w = family.workload().apply(size);
            for (String kernel : family.kernels(full)) {
                for (String backend : backends) {
                    Map<String, String> params = new LinkedHashMap<>(size);
                    params.put("backend", backend);
                    String key = Progress.key(family.benchmark().getName() + "." + kernel, params);
                    findings.speeds.add(row(family.name() + "." + kernel, backend, false, size, w, w.traffic(kernel),
                            byKey.get(key), progress.failures().get(key)));
                }
                for (Family.Anchor a : anchors) {
                    if (a.kernel().equals(kernel)) {
                        String key = Progress.key(a.benchmark() + "." + a.method(), size);
                        findings.speeds.add(row(family.name() + "." + kernel, a.label(), true, size, w,
                                w.traffic(kernel), byKey.get(key), progress.failures().get(key)));
                    }
                }
            }
        }
        return results;
    }

    private static Findings.Speed row(String kernel, String impl, boolean anchor, Map<String, String> size, Workload w,
                                      Traffic traffic, RunResult result, String failure) {
        if (result == null) {
            String problem = failure != null ? failure : "no result";
            return new Findings.Speed(kernel, impl, anchor, size, w.label(), traffic, Double.NaN, Double.NaN, problem);
        }
        double scale = seconds(result) / result.getPrimaryResult().getScore();
        return new Findings.Speed(kernel, impl, anchor, size, w.label(), traffic, seconds(result),
                result.getPrimaryResult().getScoreError() * scale, null);
    }

    /**
     * Shared JMH settings: quick mode shortens the iterations (the targets' ratios get the full
     * counts: with one short warmup the JIT had not settled, ±100% errors); the heap follows the
     * largest size.
     */
    private static ChainedOptionsBuilder options(boolean fullIterations, int largestMib) {
        ChainedOptionsBuilder b = new OptionsBuilder().shouldFailOnError(false);
        if (!fullIterations) {
            b.warmupIterations(QUICK_WARMUP).warmupTime(TimeValue.milliseconds(QUICK_MS))
                    .measurementIterations(QUICK_MEASUREMENT).measurementTime(TimeValue.milliseconds(QUICK_MS));
        }
        // Inputs, outputs and an anchor's temporaries take about twice the largest kernel's bytes; 4g (the
        // annotations' default) at least, and no more than 3/4 of the machine.
        long physicalMib = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() >> 20;
        long heapMib = Math.min(Math.max(4096, 2L * largestMib), physicalMib * 3 / 4);
        return b.jvmArgs("-Xmx" + heapMib + "m");
    }

    /** The baseline a copy or read result belongs to. */
    static Map<Integer, Double> baseline(Findings findings, RunResult r) {
        String benchmark = r.getParams().getBenchmark();
        if (benchmark.startsWith(DeviceCopy.class.getName() + ".")) {
            return findings.deviceCopySeconds;
        }
        return benchmark.endsWith(".copy") ? findings.copySeconds : findings.readSeconds;
    }

    /** Why the device copy is not measured: the cuda backend's reason, as its kernel rows give it. */
    static String deviceSkip(List<BackendStatus> statuses) {
        return statuses.stream().filter(s -> Placement.onDevice(s.name())).findFirst()
                .map(s -> "skipped: " + s.reason())
                .orElse("skipped: no " + Placement.DEVICE_BACKEND + " backend on the class path");
    }

    /** The primary score of an average-time result in seconds. */
    static double seconds(RunResult r) {
        return Findings.seconds(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit());
    }

    private static List<String> about(String mode, String[] args) {
        Runtime rt = Runtime.getRuntime();
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return List.of(
                "date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                "machine: " + cpuModel() + ", " + rt.availableProcessors() + " CPUs, " + (memory >> 30) + " GiB, "
                        + System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                "command: " + ("./report " + String.join(" ", args)).strip() + " (" + mode + " mode)");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture will do.
        }
        return System.getProperty("os.arch");
    }

    static String markdown(Findings f) {
        StringBuilder out = new StringBuilder("# Vantage: parity and speed\n\n");
        f.about.forEach(line -> out.append("- ").append(line).append('\n'));
        out.append(String.format(Locale.ROOT, "%n## Speed%n%nGB/s = the kernel's minimal bytes / its time; "
                + "%% of copy = that over a copy moving as many bytes (the nearest power of two MiB; for the "
                + Placement.DEVICE_BACKEND + " rows, whose tensors are on the GPU, a device-to-device copy); "
                + "× read floor = time / a read-only pass over the inputs in host memory (none for the "
                + Placement.DEVICE_BACKEND + " rows); vs anchor = the anchor's time / the kernel's (above 1: the kernel is faster).%n%n"));
        f.speedTables().forEach((family, table) -> out.append("### ").append(family).append("\n\n")
                .append(table.markdown()).append('\n'));
        out.append("\n## Copy and read bandwidth (host: all cores; device: one copy call)\n\n").append(f.bandwidthTable().markdown())
                .append(f.bandwidthNote().isEmpty() ? "" : "\n" + f.bandwidthNote());
        out.append("\n## Parity against the float64 oracle\n\n").append(f.parityTable().markdown());
        return out.toString();
    }
}
