package dev.vantage.bench;

/** JVM flags of every benchmark fork, as constants so that {@code @Fork} annotations can name them. */
final class Forks {
    /** JDK 24+ warns about (and will later refuse) JNI without it; JDK 17 accepts it. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Lets the java-simd backend load where it exists; elsewhere the JVM only prints a warning. */
    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    /** Heap for the quick sizes; the report raises it for {@code --full}. */
    static final String HEAP = "-Xmx4g";

    private Forks() {
    }
}
