package dev.rlhfmesh.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders figures as a Markdown table (what the harness prints and the README quotes). */
public final class ResultTable {
  static final String[] HEADER = {"figure", "ours", "vs", "reference", "ratio", "target", "result"};

  private ResultTable() {}

  public static String render(List<Figure> figures) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Figure f : figures) {
      rows.add(cells(f));
    }
    int[] width = new int[HEADER.length];
    java.util.Arrays.fill(width, 3); // a Markdown rule needs at least three dashes
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < rows.size(); k++) {
      line(sb, rows.get(k), width);
      if (k == 0) {
        String[] dashes = new String[HEADER.length];
        for (int i = 0; i < dashes.length; i++) {
          dashes[i] = "-".repeat(width[i]);
        }
        line(sb, dashes, width);
      }
    }
    return sb.toString();
  }

  static String[] cells(Figure f) {
    boolean missing = Double.isNaN(f.value());
    String ours =
        missing
            ? "n/a" + (f.note() == null ? "" : " (" + f.note() + ")")
            : Figure.format(f.value()) + " " + f.unit();
    String ref =
        Double.isNaN(f.reference()) ? "n/a" : Figure.format(f.reference()) + " " + f.unit();
    double r = f.ratio();
    String ratio = Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
    String result = f.verdict();
    if (!missing && f.note() != null) {
      result = result.isEmpty() ? f.note() : result + " (" + f.note() + ")";
    }
    return new String[] {
      f.name(),
      ours,
      f.versus(),
      ref,
      ratio,
      f.target() == null ? "" : f.target().toString(),
      result
    };
  }

  private static void line(StringBuilder sb, String[] cells, int[] width) {
    sb.append('|');
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i];
      int pad = width[i] - c.codePointCount(0, c.length());
      sb.append(' ').append(c).append(" ".repeat(Math.max(0, pad))).append(" |");
    }
    sb.append('\n');
  }
}
