package dev.vantage.tests;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Row loops that must stay compilation roots of their own. C2 does not inline a hot method of more
 * than {@code FreqInlineSize} (325) bytecodes; inlined into the log-prob backward's row loop, the
 * softmax-gradient loop ran 2.4 times slower (2048×32000, two threads: 21.5 against 9 ms, and the
 * same 21 ms with {@code -XX:FreqInlineSize=500}). A refactoring that shrinks the method below the
 * limit would bring that back without failing any other test; this one reads the class file.
 */
class CompileRootsTest {
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void softmaxGradientIsTooLargeToInline() throws IOException {
        Map<String, Integer> sizes = codeSizes("dev/vantage/kernels/java/VectorRowLoops.class");
        Integer size = sizes.get("softmaxGradient");
        assertNotNull(size, "VectorRowLoops.softmaxGradient not found in " + sizes.keySet());
        assertTrue(size > FREQ_INLINE_SIZE, "VectorRowLoops.softmaxGradient: expected more than " + FREQ_INLINE_SIZE
                + " bytecodes so that C2 compiles it on its own, was " + size);
    }

    /** The bytecode length of each method's Code attribute (the largest, for overloads), by name. */
    static Map<String, Integer> codeSizes(String resource) throws IOException {
        try (InputStream raw = ClassLoader.getSystemResourceAsStream(resource)) {
            assertNotNull(raw, resource + " is not on the class path");
            DataInputStream in = new DataInputStream(raw);
            in.readInt(); // magic
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // a long or double takes two entries
                    }
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException(resource + ": unknown constant pool tag " + tag);
                }
            }
            in.readUnsignedShort(); // access
            in.readUnsignedShort(); // this
            in.readUnsignedShort(); // super
            in.skipBytes(2 * in.readUnsignedShort()); // interfaces
            skipMembers(in); // fields
            Map<String, Integer> sizes = new HashMap<>();
            int methods = in.readUnsignedShort();
            for (int m = 0; m < methods; m++) {
                in.readUnsignedShort(); // access
                String name = utf8[in.readUnsignedShort()];
                in.readUnsignedShort(); // descriptor
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (attribute.equals("Code")) {
                        in.readUnsignedShort(); // max stack
                        in.readUnsignedShort(); // max locals
                        int code = in.readInt();
                        sizes.merge(name, code, Math::max);
                        in.skipBytes(length - 8);
                    } else {
                        in.skipBytes(length);
                    }
                }
            }
            return sizes;
        }
    }

    private static void skipMembers(DataInputStream in) throws IOException {
        int members = in.readUnsignedShort();
        for (int m = 0; m < members; m++) {
            in.skipBytes(6); // access, name, descriptor
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                in.readUnsignedShort();
                in.skipBytes(in.readInt());
            }
        }
    }
}
