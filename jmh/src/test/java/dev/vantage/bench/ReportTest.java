package dev.vantage.bench;

import dev.vantage.kernels.BackendStatus;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's arithmetic and its pages, on made-up results (no benchmark runs here). */
class ReportTest {
    private static Findings findings() {
        Findings f = new Findings(List.of("machine: test"));
        Map<String, String> size = new LinkedHashMap<>();
        size.put("shape", "4x1024");
        size.put("dtype", "F32");
        Traffic traffic = new Traffic(1 << 20, 1 << 20); // 2 MiB moved, 1 MiB read
        f.copySeconds.put(2, 2e-4);
        f.readSeconds.put(1, 5e-5);
        f.speeds.add(new Findings.Speed("logprob.backward", "java", false, size, "4x1024 F32", traffic, 4e-4, 1e-5, null));
        f.speeds.add(new Findings.Speed("logprob.backward", "naive", true, size, "4x1024 F32", traffic, 1.2e-3, 0, null));
        f.speeds.add(new Findings.Speed("logprob.backward", "torch", true, size, "4x1024 F32", traffic, Double.NaN,
                Double.NaN, "skipped: too big"));
        Parity ok = new Parity("p");
        ok.add("x", 0, 1.0, 1.0 + 1e-7, 1e-5, 1e-5);
        f.parity.add(new Findings.ParityLine("logprob.backward", "java", "4x1024 F32", ok, null));
        return f;
    }

    @Test
    void ratiosAreAgainstTheSameBytesAndSize() {
        Findings f = findings();
        Findings.Speed java = f.speeds.get(0);
        assertEquals(2 * 1048576 / 4e-4 / 1e9, java.gbps(), 1e-9);
        assertEquals(2 * 1048576 / 2e-4 / 1e9, f.copyGbps(java), 1e-9);
        assertEquals(5e-5, f.floorSeconds(java), 1e-15);
        assertEquals(3.0, f.speedup(java, "naive"), 1e-12);
        assertTrue(Double.isNaN(f.speedup(java, "torch")));
        assertFalse(f.failed(), "a skipped anchor is not a failure");
    }

    @Test
    void gpuRowsCompareWithTheDeviceCopy() {
        Findings f = findings();
        Findings.Speed java = f.speeds.get(0);
        Findings.Speed cuda = new Findings.Speed("logprob.backward", "cuda", false, java.size(), java.sizeLabel(),
                java.traffic(), 1e-5, 0, null);
        f.speeds.add(cuda);
        assertTrue(Double.isNaN(f.copyGbps(cuda)), "no device copy measured: no ratio");
        f.deviceCopySeconds.put(2, 2e-6);
        assertEquals(2 * 1048576 / 2e-6 / 1e9, f.copyGbps(cuda), 1e-6);
        assertEquals(2 * 1048576 / 2e-4 / 1e9, f.copyGbps(java), 1e-9, "the host rows keep the host copy");
        assertTrue(Double.isNaN(f.floorSeconds(cuda)), "the read floor is the host's");
        String text = f.speedTables().get("logprob").text("");
        assertTrue(text.contains("20%"), text); // 2 MiB in 10 µs against a copy of 2 MiB in 2 µs
        assertTrue(f.bandwidthTable().text("").contains("1048.58"), f.bandwidthTable().text(""));
        assertEquals("", f.bandwidthNote());
        assertTrue(Html.page(f).contains("device copy (same bytes)"));
    }

    @Test
    void withoutTheCudaBackendTheDeviceCopySaysWhy() {
        Findings f = findings();
        f.deviceCopyProblem = Report.deviceSkip(List.of(new BackendStatus("java", 0, true, null, List.of()),
                new BackendStatus("cuda", 100, false, "no CUDA driver", List.of())));
        assertEquals("skipped: no CUDA driver", f.deviceCopyProblem);
        assertEquals("device-to-device copy: skipped: no CUDA driver\n", f.bandwidthNote());
        assertTrue(Report.markdown(f).contains("device-to-device copy: skipped: no CUDA driver"), Report.markdown(f));
        assertTrue(Html.page(f).contains("<p>device-to-device copy: skipped: no CUDA driver</p>"));
        assertEquals("skipped: no cuda backend on the class path",
                Report.deviceSkip(List.of(new BackendStatus("java", 0, true, null, List.of()))));
    }

    @Test
    void tablesShowEveryRow() {
        String text = findings().speedTables().get("logprob").text("");
        assertTrue(text.contains("400 ± 10 µs"), text);
        assertTrue(text.contains("50%"), text);       // half the copy's GB/s
        assertTrue(text.contains("8.00×"), text);     // 400 µs over a 50 µs read floor
        assertTrue(text.contains("3.00×"), text);     // the naive anchor takes three times as long
        assertTrue(text.contains("skipped: too big"), text);
        String markdown = Report.markdown(findings());
        assertTrue(markdown.contains("| logprob.backward | java | 4x1024 F32 | 400 ± 10 µs |"), markdown);
    }

    @Test
    void theHtmlPageIsSelfContained() {
        String page = Html.page(findings());
        assertTrue(page.contains("<svg"), "a chart");
        assertTrue(page.contains("<h3>logprob.backward, dtype F32</h3>"), page);
        String withoutNamespace = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(withoutNamespace.contains("http:") || withoutNamespace.contains("https:") || page.contains("<script"),
                "nothing to fetch");
    }

    @Test
    void formatsNumbersPlainly() {
        assertEquals("940 ± 1200 ms", Findings.time(0.94, 1.234));
        assertEquals("1.08 ± 0.059 s", Findings.time(1.0812, 0.0591));
        assertEquals("0.4%", Findings.percent(0.004));
        assertEquals("45%", Findings.percent(0.45));
        assertEquals("12.3×", Findings.ratio(12.34));
    }

    @Test
    void familiesExpandTheirSizes() {
        List<Map<String, String>> sizes = Registry.LOGPROB.sizes(false);
        assertEquals(2, sizes.size());
        assertEquals(Map.of("shape", "2048x32000", "dtype", "F32"), sizes.get(0));
        assertEquals(14, Registry.LOGPROB.sizes(true).size());
        assertEquals(List.of("mse", "mae", "huber", "logCosh", "rmse"), Registry.REGRESSION.kernels(false));
        assertEquals(14, Registry.REGRESSION.kernels(true).size());
        assertEquals(Registry.TOKENS.kernels(), Registry.TOKENS.kernels(false), "other families run every kernel");
        assertTrue(Registry.LOGPROB.anchors().get(0).present(), "the naive anchor is always built");
        assertEquals("LogProbBenchmark.forward backend=java shape=1x2",
                Progress.key("dev.vantage.bench.LogProbBenchmark.forward", Map.of("shape", "1x2", "backend", "java")));
    }
}
