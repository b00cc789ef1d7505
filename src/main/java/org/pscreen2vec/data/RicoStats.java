package org.pscreen2vec.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link RicoReader} found: files read, screens kept and skipped (by reason, with the first
 * few paths), repairs made, and distributions of components per screen, nodes per screen, tree
 * depth and component classes over the kept screens.
 */
public final class RicoStats {
  /** Paths remembered per skip reason. */
  public static final int PATHS_PER_REASON = 5;

  private int traces;
  private int tracesWithoutGestures;
  private int tracesEmpty;
  private int files;
  private int kept;
  private final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
  private final Map<SkipReason, List<String>> firstPaths = new EnumMap<>(SkipReason.class);
  private int truncatedTextFiles;
  private int invalidUtf8Files;
  private final long[] classHistogram = new long[GuiComponent.CLASS_COUNT];
  private int[] components = new int[64];
  private int[] nodes = new int[64];
  private int[] depths = new int[64];
  private int descriptions;

  void addTrace(boolean hasGestures, boolean empty) {
    traces++;
    if (!hasGestures) {
      tracesWithoutGestures++;
    }
    if (empty) {
      tracesEmpty++;
    }
  }

  void addDescriptions(int n) {
    descriptions += n;
  }

  void addFile(boolean truncatedText, boolean invalidUtf8) {
    files++;
    if (truncatedText) {
      truncatedTextFiles++;
    }
    if (invalidUtf8) {
      invalidUtf8Files++;
    }
  }

  void addSkip(SkipReason reason, Path file, String message) {
    skipped.merge(reason, 1, Integer::sum);
    List<String> l = firstPaths.computeIfAbsent(reason, r -> new ArrayList<>());
    if (l.size() < PATHS_PER_REASON) {
      l.add(file + " (" + message + ")");
    }
  }

  void addKept(List<GuiComponent> comps, int nodeCount, int depth) {
    if (kept == components.length) {
      components = Arrays.copyOf(components, kept * 2);
      nodes = Arrays.copyOf(nodes, kept * 2);
      depths = Arrays.copyOf(depths, kept * 2);
    }
    components[kept] = comps.size();
    nodes[kept] = nodeCount;
    depths[kept] = depth;
    kept++;
    for (GuiComponent c : comps) {
      classHistogram[c.classLabel()]++;
    }
  }

  /** Adds another accumulator's counts after this one's (screens keep their order). */
  void merge(RicoStats o) {
    traces += o.traces;
    tracesWithoutGestures += o.tracesWithoutGestures;
    tracesEmpty += o.tracesEmpty;
    files += o.files;
    for (var e : o.skipped.entrySet()) {
      for (String p : o.firstPaths.getOrDefault(e.getKey(), List.of())) {
        List<String> l = firstPaths.computeIfAbsent(e.getKey(), r -> new ArrayList<>());
        if (l.size() < PATHS_PER_REASON) {
          l.add(p);
        }
      }
      skipped.merge(e.getKey(), e.getValue(), Integer::sum);
    }
    truncatedTextFiles += o.truncatedTextFiles;
    invalidUtf8Files += o.invalidUtf8Files;
    descriptions += o.descriptions;
    for (int c = 0; c < classHistogram.length; c++) {
      classHistogram[c] += o.classHistogram[c];
    }
    int n = kept + o.kept;
    components = Arrays.copyOf(components, Math.max(n, 1));
    nodes = Arrays.copyOf(nodes, Math.max(n, 1));
    depths = Arrays.copyOf(depths, Math.max(n, 1));
    System.arraycopy(o.components, 0, components, kept, o.kept);
    System.arraycopy(o.nodes, 0, nodes, kept, o.kept);
    System.arraycopy(o.depths, 0, depths, kept, o.kept);
    kept = n;
  }

  public int traces() {
    return traces;
  }

  /** Screen files opened (traces and combined). */
  public int files() {
    return files;
  }

  public int screensKept() {
    return kept;
  }

  public int screensSkipped() {
    return skipped.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Skipped screens by reason (only reasons that occurred). */
  public Map<SkipReason, Integer> skipped() {
    return Map.copyOf(skipped);
  }

  /** The first {@link #PATHS_PER_REASON} skipped paths of a reason, each with its message. */
  public List<String> firstPaths(SkipReason reason) {
    return List.copyOf(firstPaths.getOrDefault(reason, List.of()));
  }

  /** Components per kept screen by class label (26 entries). */
  public long[] classHistogram() {
    return classHistogram.clone();
  }

  /** Components of each kept screen, in reading order. */
  public int[] componentsPerScreen() {
    return Arrays.copyOf(components, kept);
  }

  /** Tree depth (root = 0) of each kept screen. */
  public int[] depthPerScreen() {
    return Arrays.copyOf(depths, kept);
  }

  /** A multi-line report for people (what {@code data-stats} prints). */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "traces: %d (%d without kept screens, %d without "
        + "gestures.json)%n", traces, tracesEmpty, tracesWithoutGestures));
    sb.append(String.format(Locale.ROOT, "screen files: %d, kept: %d, skipped: %d%n", files, kept,
        screensSkipped()));
    for (SkipReason r : SkipReason.values()) {
      Integer n = skipped.get(r);
      if (n != null) {
        sb.append(String.format(Locale.ROOT, "  skipped, %s: %d%n", r.description(), n));
        for (String p : firstPaths.get(r)) {
          sb.append("    ").append(p).append('\n');
        }
      }
    }
    sb.append(String.format(Locale.ROOT, "repairs: %d file(s) with text cut to the cap, %d with "
        + "invalid UTF-8 replaced%n", truncatedTextFiles, invalidUtf8Files));
    sb.append(String.format(Locale.ROOT, "app descriptions: %d%n", descriptions));
    sb.append("components per screen: ").append(summary(componentsPerScreen())).append('\n');
    sb.append("nodes per screen:      ").append(summary(Arrays.copyOf(nodes, kept))).append('\n');
    sb.append("tree depth:            ").append(summary(depthPerScreen())).append('\n');
    long total = Arrays.stream(classHistogram).sum();
    sb.append("class histogram (label, name, components, share):\n");
    for (int c = 0; c < classHistogram.length; c++) {
      sb.append(String.format(Locale.ROOT, "  %2d %-18s %9d %6.2f%%%n", c,
          ClassLabels.NAMES.get(c), classHistogram[c],
          total == 0 ? 0.0 : 100.0 * classHistogram[c] / total));
    }
    return sb.toString();
  }

  /** "min / median / mean / max" of the values, or "-" when there are none. */
  static String summary(int[] values) {
    if (values.length == 0) {
      return "-";
    }
    int[] v = values.clone();
    Arrays.sort(v);
    double mean = Arrays.stream(v).average().orElse(0);
    return String.format(Locale.ROOT, "min %d, median %d, mean %.1f, max %d", v[0],
        v[v.length / 2], mean, v[v.length - 1]);
  }
}
