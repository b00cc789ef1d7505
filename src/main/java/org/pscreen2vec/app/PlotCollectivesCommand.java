package org.pscreen2vec.app;

import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.results.Png;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.pscreen2vec.run.RunContext;

/**
 * Draws bus bandwidth against message size from bench-collectives output: one panel per (device,
 * ranks), one line per algorithm, the point-to-point ceiling dashed. Where several jobs measured
 * the same panel, the newest job wins.
 */
public final class PlotCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(PlotCollectivesCommand.class);

  @Override
  public String name() {
    return "plot-collectives";
  }

  @Override
  public String summary() {
    return "plot busbw vs message size from bench-collectives results (PNG)";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> INPUT = Opt.text("input", "PATH", null, "<results>/collectives",
      "a collectives.csv or a folder searched for them");
  static final Opt<String> JOBS = Opt.text("jobs", "PREFIX", "", "all jobs",
      "only jobs whose id starts with PREFIX (make bench-collectives names its jobs "
          + "sweep-<time>-...)");
  static final Opt<String> OUT = Opt.text("out", "PNG", null, "plots/collectives-busbw.png",
      "output file");

  @Override
  public Options options() {
    return Opt.options(INPUT, JOBS, OUT);
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws IOException {
    Path input = Paths.get(INPUT.get(cl, ctx.resultsRoot().resolve("collectives").toString()));
    Path out = Paths.get(OUT.get(cl, Paths.get(System.getProperty("pscreen2vec.home", "."),
        "plots", "collectives-busbw.png").toString()));
    String prefix = JOBS.get(cl);
    List<Path> files = csvFiles(input).stream()
        .filter(f -> f.getParent().getFileName().toString().startsWith(prefix)).toList();
    if (files.isEmpty()) {
      LOG.error("no collectives.csv under {}{}: run 'make bench-collectives' first", input,
          prefix.isEmpty() ? "" : " for jobs " + prefix + "*");
      return ExitCode.BAD_INPUT;
    }
    List<Point> all = new ArrayList<>();
    Map<String, Long> written = new TreeMap<>(); // job id -> newest file time
    for (Path f : files) {
      long mtime = Files.getLastModifiedTime(f).toMillis();
      CsvTable t = CsvTable.read(f, "device", "algorithm", "ranks", "bytes", "busbw_GBps",
          "job_id");
      for (String[] r : t.rows()) {
        Point p = new Point(t.get(r, "device"), t.get(r, "job_id"), t.get(r, "algorithm"),
            (int) t.number(r, "ranks"), t.number(r, "bytes"), t.number(r, "busbw_GBps"));
        written.merge(p.job(), mtime, Math::max);
        all.add(p);
      }
    }
    // A job's panel is "device, p ranks" with p its largest rank count (its p2p row has 2);
    // where several jobs measured a panel, the newest one is drawn.
    Map<String, Integer> jobRanks = new TreeMap<>();
    all.forEach(p -> jobRanks.merge(p.job(), p.ranks(), Math::max));
    Map<String, String> newestJob = new TreeMap<>();
    for (Point p : all) {
      newestJob.merge(panel(p, jobRanks), p.job(),
          (x, y) -> written.get(x) >= written.get(y) ? x : y);
    }
    // panel -> algorithm -> (bytes -> busbw)
    Map<String, Map<String, TreeMap<Double, Double>>> panels = new TreeMap<>();
    for (Point p : all) {
      String key = panel(p, jobRanks);
      if (newestJob.get(key).equals(p.job())) {
        panels.computeIfAbsent(key, k -> new TreeMap<>())
            .computeIfAbsent(p.algorithm(), k -> new TreeMap<>()).put(p.bytes(), p.busbw());
      }
    }
    List<XYChart> charts = new ArrayList<>();
    for (var panel : panels.entrySet()) {
      XYChart c = new XYChartBuilder().width(640).height(420).title(panel.getKey())
          .xAxisTitle("message size (bytes)").yAxisTitle("busbw (GB/s)").build();
      c.getStyler().setXAxisLogarithmic(true);
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
      c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
      for (var series : panel.getValue().entrySet()) {
        var s = c.addSeries(series.getKey(), new ArrayList<>(series.getValue().keySet()),
            new ArrayList<>(series.getValue().values()));
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(color(series.getKey()));
        s.setMarkerColor(color(series.getKey()));
        if (series.getKey().equals("p2p")) {
          s.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT,
              java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
      }
      charts.add(c);
    }
    Png.grid(charts, 2, out);
    String table = summary(panels);
    System.out.print(table);
    org.pscreen2vec.run.AtomicFiles.writeString(out.resolveSibling(
        out.getFileName().toString().replaceFirst("\\.png$", "") + ".md"), table);
    System.out.println("plot-collectives: " + charts.size() + " panel(s) from " + files.size()
        + " file(s) -> " + out);
    return ExitCode.OK;
  }

  /**
   * Per panel: ring's busbw against MPJ's and against the point-to-point ceiling at each size, and
   * the crossover — the smallest size from which ring is at least as fast as naive and star.
   */
  static String summary(Map<String, Map<String, TreeMap<Double, Double>>> panels) {
    StringBuilder sb = new StringBuilder();
    for (var panel : panels.entrySet()) {
      Map<String, TreeMap<Double, Double>> a = panel.getValue();
      TreeMap<Double, Double> ring = a.get("ring");
      if (ring == null) {
        continue;
      }
      sb.append("\n### ").append(panel.getKey()).append("\n\n")
          .append("| bytes | ring busbw GB/s | ring / mpj | ring / p2p | best of naive, star |\n")
          .append("| ---: | ---: | ---: | ---: | --- |\n");
      Double crossover = null;
      for (var e : ring.descendingMap().entrySet()) {
        double other = Math.max(value(a, "naive", e.getKey()), value(a, "star", e.getKey()));
        if (e.getValue() >= other) {
          crossover = e.getKey();
        } else {
          break;
        }
      }
      for (var e : ring.entrySet()) {
        double b = e.getKey();
        double naive = value(a, "naive", b);
        double star = value(a, "star", b);
        sb.append(String.format(java.util.Locale.ROOT, "| %.0f | %.3f | %s | %s | %s %.3f |%n", b,
            e.getValue(), ratio(e.getValue(), value(a, "mpj", b)),
            ratio(e.getValue(), value(a, "p2p", b)), naive >= star ? "naive" : "star",
            Math.max(naive, star)));
      }
      sb.append(crossover == null
          ? "\nring is never the fastest of ring, naive and star here.\n"
          : String.format(java.util.Locale.ROOT, "%nCrossover: ring is at least as fast as naive "
              + "and star from %.0f bytes up%s.%n", crossover,
              crossover.equals(ring.firstKey()) ? " (every size measured)" : ""));
    }
    return sb.toString();
  }

  private static double value(Map<String, TreeMap<Double, Double>> a, String alg, double bytes) {
    TreeMap<Double, Double> m = a.get(alg);
    Double v = m == null ? null : m.get(bytes);
    return v == null ? Double.NaN : v;
  }

  private static String ratio(double x, double y) {
    return Double.isNaN(y) || y == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2fx", x / y);
  }

  /** One row of a collectives.csv. */
  private record Point(String device, String job, String algorithm, int ranks, double bytes,
      double busbw) {}

  private static String panel(Point p, Map<String, Integer> jobRanks) {
    return p.device() + ", " + jobRanks.get(p.job()) + " ranks";
  }

  /** The same colour for an algorithm in every panel. */
  private static java.awt.Color color(String algorithm) {
    return switch (algorithm) {
      case "ring" -> new java.awt.Color(0x1f77b4);
      case "naive" -> new java.awt.Color(0xff7f0e);
      case "star" -> new java.awt.Color(0x2ca02c);
      case "mpj" -> new java.awt.Color(0xd62728);
      case "p2p" -> java.awt.Color.GRAY;
      default -> java.awt.Color.BLACK;
    };
  }

  private static List<Path> csvFiles(Path input) throws IOException {
    if (Files.isRegularFile(input)) {
      return List.of(input);
    }
    if (!Files.isDirectory(input)) {
      throw new IOException(input + " does not exist");
    }
    try (Stream<Path> s = Files.walk(input, 3)) {
      return s.filter(p -> p.getFileName().toString().equals("collectives.csv")).sorted().toList();
    }
  }
}
