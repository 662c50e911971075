package dev.vantage.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table of strings rendered as aligned text, markdown or HTML: the first {@code textColumns}
 * columns left-aligned, the numbers after them right-aligned.
 */
final class Table {
    private final int textColumns;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(int textColumns, List<String> header) {
        this.textColumns = textColumns;
        this.header = List.copyOf(header);
    }

    Table(int textColumns, String... header) {
        this(textColumns, Arrays.asList(header));
    }

    void add(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        }
        rows.add(List.copyOf(cells));
    }

    void add(String... cells) {
        add(Arrays.asList(cells));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String text(String indent) {
        int[] width = new int[header.size()];
        for (List<String> row : all()) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all()) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                String pad = " ".repeat(width[c] - cell.length());
                line.append(c < textColumns ? cell + pad : pad + cell).append("  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int c = 0; c < header.size(); c++) {
            out.append(c < textColumns ? "---|" : "---:|");
        }
        out.append('\n');
        for (List<String> row : rows) {
            out.append("| ").append(String.join(" | ", row).replace("\n", " ")).append(" |\n");
        }
        return out.toString();
    }

    String html() {
        StringBuilder out = new StringBuilder("<table>\n");
        for (List<String> row : all()) {
            String tag = row == header ? "th" : "td";
            out.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                out.append('<').append(tag).append(c < textColumns ? " class=\"text\">" : ">")
                        .append(Html.escape(row.get(c))).append("</").append(tag).append('>');
            }
            out.append("</tr>\n");
        }
        return out.append("</table>\n").toString();
    }

    private List<List<String>> all() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
