package dev.vantage.kernels.java;

import dev.vantage.kernels.spi.Availability;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Java backend with its hot loops on the JDK Vector API ({@code jdk.incubator.vector}), in the
 * way of Lucene's vectorization provider: the same kernels as {@link JavaBackendProvider}, with
 * {@code VectorRowLoops} in place of the scalar loops. It is available only where that pays: the
 * vector module is readable ({@code --add-modules jdk.incubator.vector}), HotSpot's C2 compiles the
 * code (anything else runs the Vector API as slow Java), and vectors are at least 128 bits wide.
 * Otherwise it reports, and logs once, the first reason it cannot run, and automatic selection
 * falls back to {@code java}. It needs no vector math library: its exp, expm1 and log1p are its
 * own ({@code VectorMath}), because the JDK's lanewise ones give results that depend on the JIT tier.
 *
 * <p>This class never touches the vector module itself: it loads {@code VectorRowLoops}
 * reflectively once the guards have passed, so it loads and reports cleanly on any JVM.
 */
public final class SimdBackendProvider extends AbstractJavaProvider {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_LOOPS = "dev.vantage.kernels.java.VectorRowLoops";
    private static final Logger LOG = Logger.getLogger(SimdBackendProvider.class.getName());

    /** A provider with the configured number of threads (used by {@link java.util.ServiceLoader}). */
    public SimdBackendProvider() {
        this(configuredThreads());
    }

    /** A provider with its own pool of {@code threads} threads (1: run on the calling thread). */
    public SimdBackendProvider(int threads) {
        super(threads);
    }

    @Override
    public String name() {
        return "java-simd";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return Probe.RESULT;
    }

    @Override
    RowLoops rowLoops() {
        try {
            return (RowLoops) MethodHandles.lookup()
                    .findConstructor(Class.forName(VECTOR_LOOPS), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("java-simd: cannot load " + VECTOR_LOOPS, e);
        }
    }

    /** The JVM-wide answer, probed and logged once (holder idiom: no class-init deadlock). */
    private static final class Probe {
        static final Availability RESULT = log(probe());

        private static Availability log(Availability a) {
            LOG.log(a.available() ? Level.FINE : Level.INFO, () -> "Vantage java-simd backend "
                    + (a.available() ? "enabled: " : "disabled, falling back to java: ") + a.reason());
            return a;
        }
    }

    /** Each guard gives the user-facing reason when it fails; the first failure decides. */
    static Availability probe() {
        Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR_MODULE);
        if (vector.isEmpty()) {
            return Availability.no(VECTOR_MODULE + " is not readable: pass --add-modules " + VECTOR_MODULE);
        }
        SimdBackendProvider.class.getModule().addReads(vector.get());
        if (VmOptions.get("UseCompiler").isEmpty()) {
            return Availability.no("not a HotSpot JVM (" + System.getProperty("java.vm.name")
                    + "): only HotSpot's C2 compiles the Vector API to SIMD instructions");
        }
        if (VmOptions.isTrue("UseJVMCICompiler")) {
            return Availability.no("the JVMCI compiler replaces C2: the Vector API would not be intrinsified");
        }
        String noC2 = c2Missing();
        if (noC2 != null) {
            return Availability.no(noC2 + ": the Vector API needs C2 to compile to SIMD instructions");
        }
        int bits;
        try {
            bits = preferredVectorBits();
        } catch (Throwable e) {
            return Availability.no("cannot query the preferred vector shape: " + e);
        }
        if (bits < 128) {
            return Availability.no("the preferred vector size is " + bits + " bits, below 128");
        }
        return Availability.yes(VECTOR_MODULE + ", " + bits + "-bit vectors, C2");
    }

    /** {@code VectorShape.preferredShape().vectorBitSize()}, reflectively: this class must not link the module. */
    private static int preferredVectorBits() throws Throwable {
        Class<?> shape = Class.forName("jdk.incubator.vector.VectorShape");
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Object preferred = lookup.findStatic(shape, "preferredShape", MethodType.methodType(shape)).invoke();
        return (int) lookup.findVirtual(shape, "vectorBitSize", MethodType.methodType(int.class)).invoke(preferred);
    }

    /** Why C2 does not compile here, or null when it does. */
    private static String c2Missing() {
        if (VmOptions.isFalse("UseCompiler")) {
            return "the JIT is off (-Xint)";
        }
        if (VmOptions.get("MaxVectorSize").isEmpty()) {
            return "this VM has no C2 compiler";
        }
        int stopAt = VmOptions.get("TieredStopAtLevel").map(Integer::parseInt).orElse(4);
        if (!VmOptions.isFalse("TieredCompilation") && stopAt < 4) {
            return "C2 is off (-XX:TieredStopAtLevel=" + stopAt + ")";
        }
        return null;
    }
}
