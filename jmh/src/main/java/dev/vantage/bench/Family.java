package dev.vantage.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A kernel family as the report sees it: its JMH benchmark (one {@code @Benchmark} method per
 * kernel and a {@code backend} {@code @Param}), its workload, the sizes of a quick and of a full
 * run, the sizes of the report's parity check, and its anchors.
 *
 * @param name      short name used in tables, e.g. {@code logprob}
 * @param benchmark the JMH class
 * @param kernels   its {@code @Benchmark} methods, in report order
 * @param quickKernels those of them the default run times (every kernel's parity is checked in both modes)
 * @param workload  builds the workload of one size from {@code @Param} values
 * @param quick     {@code @Param} values of the default run
 * @param full      {@code @Param} values of {@code --full}
 * @param parity    sizes of the report's parity check on fresh inputs (small: every row is checked)
 * @param anchors   other implementations timed in the same run
 */
public record Family(String name, Class<?> benchmark, List<String> kernels, List<String> quickKernels,
                     Function<Map<String, String>, Workload> workload, Map<String, List<String>> quick,
                     Map<String, List<String>> full, List<Map<String, String>> parity, List<Anchor> anchors) {

    public Family {
        if (!kernels.containsAll(quickKernels)) {
            throw new IllegalArgumentException("quickKernels: " + quickKernels + " are not all in " + kernels);
        }
    }

    /** A family whose every kernel runs in both modes. */
    public Family(String name, Class<?> benchmark, List<String> kernels,
                  Function<Map<String, String>, Workload> workload, Map<String, List<String>> quick,
                  Map<String, List<String>> full, List<Map<String, String>> parity, List<Anchor> anchors) {
        this(name, benchmark, kernels, kernels, workload, quick, full, parity, anchors);
    }

    /**
     * An implementation to compare a kernel with, timed on the same sizes: a JMH method whose class
     * has the same size {@code @Param}s as the family's benchmark (and no {@code backend}).
     *
     * @param benchmark fully qualified class name; an anchor whose class is not on the class path
     *                  (a Maven profile left off) is left out of the run
     * @param method    its {@code @Benchmark} method
     * @param label     the name tables show
     * @param kernel    the family's kernel it does the work of
     */
    public record Anchor(String benchmark, String method, String label, String kernel) {
        public boolean present() {
            try {
                Class.forName(benchmark, false, Anchor.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }

    /** This family with another default run: some of its kernels at other sizes (see {@link Registry#TARGETS}). */
    public Family withQuick(List<String> kernels, Map<String, List<String>> sizes) {
        return new Family(name, benchmark, this.kernels, kernels, workload, sizes, full, parity, anchors);
    }

    /** The kernels a run times. */
    public List<String> kernels(boolean fullRun) {
        return fullRun ? kernels : quickKernels;
    }

    /** The size {@code @Param} values of a run. */
    public Map<String, List<String>> params(boolean fullRun) {
        return fullRun ? full : quick;
    }

    /** Every combination of {@link #params}, in order (the cases JMH will run per kernel and backend). */
    public List<Map<String, String>> sizes(boolean fullRun) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        params(fullRun).forEach((name, values) -> {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : out) {
                for (String value : values) {
                    Map<String, String> size = new LinkedHashMap<>(partial);
                    size.put(name, value);
                    next.add(size);
                }
            }
            out.clear();
            out.addAll(next);
        });
        return out;
    }

    /** An ordered map of {@code @Param} names to values: {@code params("shape", List.of(..), "dtype", ..)}. */
    @SuppressWarnings("unchecked")
    public static Map<String, List<String>> params(Object... nameThenValues) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenValues.length; i += 2) {
            out.put((String) nameThenValues[i], (List<String>) nameThenValues[i + 1]);
        }
        return out;
    }
}
