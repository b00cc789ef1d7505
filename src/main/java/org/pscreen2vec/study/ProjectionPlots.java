package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.cost.StepCost;
import org.pscreen2vec.cost.Workload;
import org.pscreen2vec.results.Png;
import org.pscreen2vec.run.AtomicFiles;

/**
 * Projections of the cost model as a table and a PNG: predicted step time, speed-up and
 * efficiency per strategy against workers (1..512), and the best strategy at each scale.
 */
public final class ProjectionPlots {
  /** One colour per strategy, the same in every panel (ring, naive, star, mpj, ps, hybrid). */
  private static final java.awt.Color[] COLORS = {new java.awt.Color(0x1f77b4),
      new java.awt.Color(0xff7f0e), new java.awt.Color(0x9467bd), new java.awt.Color(0x2ca02c),
      new java.awt.Color(0xd62728), new java.awt.Color(0xe6ab02)};

  private ProjectionPlots() {}

  /** Worker counts 1, 2, 4, ... up to max (and max itself). */
  public static List<Integer> workers(int max) {
    List<Integer> out = new ArrayList<>();
    for (int p = 1; p < max; p *= 2) {
      out.add(p);
    }
    out.add(max);
    return out;
  }

  /** The table: one row per worker count, step ms and speed-up per strategy, the best. */
  public static String table(Workload w, Network net, List<StepCost.Point> pts,
      List<Integer> workers) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Projection of %s on %s%n", w.name(), net.describe()));
    sb.append("(step ms / speed-up per strategy; ps and hybrid with max(1, p/4) servers)\n\n");
    sb.append("| workers |");
    StepCost.STRATEGIES.forEach(s -> sb.append(' ').append(s).append(" |"));
    sb.append(" best |\n|---:|");
    StepCost.STRATEGIES.forEach(s -> sb.append("---:|"));
    sb.append("---|\n");
    for (int p : workers) {
      sb.append("| ").append(p).append(" |");
      for (String s : StepCost.STRATEGIES) {
        StepCost.Point pt = find(pts, s, p);
        sb.append(String.format(Locale.ROOT, " %.1f / %.1fx |", pt.stepSeconds() * 1e3,
            pt.speedup()));
      }
      StepCost.Point best = StepCost.best(pts, p);
      sb.append(String.format(Locale.ROOT, " %s (eff. %.0f%%) |%n", best.strategy(),
          100 * best.efficiency()));
    }
    return sb.toString();
  }

  /** CSV of every point. */
  public static String csv(Workload w, Network net, List<StepCost.Point> pts) {
    StringBuilder sb = new StringBuilder(
        "workload,network,strategy,workers,servers,step_ms,sync_ms,speedup,efficiency\n");
    for (StepCost.Point p : pts) {
      sb.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.4f,%.4f,%.4f,%.4f%n", w.name(),
          net.name(), p.strategy(), p.workers(), p.servers(), p.stepSeconds() * 1e3,
          p.syncSeconds() * 1e3, p.speedup(), p.efficiency()));
    }
    return sb.toString();
  }

  private static StepCost.Point find(List<StepCost.Point> pts, String s, int p) {
    return pts.stream().filter(x -> x.strategy().equals(s) && x.workers() == p).findFirst()
        .orElseThrow();
  }

  /** Step time, speed-up and efficiency panels for each network, one PNG. */
  public static void plot(Workload w, List<Network> nets, List<List<StepCost.Point>> points,
      List<Integer> workers, Path out) throws IOException {
    List<XYChart> charts = new ArrayList<>();
    for (int i = 0; i < nets.size(); i++) {
      String title = w.name() + " on " + nets.get(i).name();
      List<StepCost.Point> pts = points.get(i);
      charts.add(panel(title + ": step time", "step (ms)", pts, workers, true,
          p -> p.stepSeconds() * 1e3, false));
      charts.add(panel(title + ": speed-up", "speed-up over 1 worker", pts, workers, true,
          StepCost.Point::speedup, true));
      charts.add(panel(title + ": efficiency", "parallel efficiency", pts, workers, false,
          StepCost.Point::efficiency, false));
    }
    Png.grid(charts, 3, out);
  }

  private static XYChart panel(String title, String yTitle, List<StepCost.Point> pts,
      List<Integer> workers, boolean logY, ToDoubleFunction<StepCost.Point> y, boolean ideal) {
    XYChart c = new XYChartBuilder().width(520).height(380).title(title)
        .xAxisTitle("workers").yAxisTitle(yTitle).build();
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmic(logY);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    List<Double> xs = workers.stream().map(Integer::doubleValue).toList();
    if (ideal) {
      var s = c.addSeries("ideal", xs, xs);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(java.awt.Color.GRAY);
    }
    for (String s : StepCost.STRATEGIES) {
      List<Double> ys = new ArrayList<>();
      for (int p : workers) {
        double v = y.applyAsDouble(find(pts, s, p));
        ys.add(logY ? Math.max(v, 1e-6) : v);
      }
      var series = c.addSeries(s, xs, ys);
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineColor(COLORS[StepCost.STRATEGIES.indexOf(s) % COLORS.length]);
      series.setMarkerColor(COLORS[StepCost.STRATEGIES.indexOf(s) % COLORS.length]);
    }
    return c;
  }

  /** Writes table (.md), points (.csv) and plot (.png) for one workload on the networks. */
  public static String write(Workload w, List<Network> nets, int maxWorkers, double segmentBytes,
      Path dir, String stem) throws IOException {
    List<Integer> workers = workers(maxWorkers);
    List<List<StepCost.Point>> all = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    StringBuilder csv = new StringBuilder();
    for (Network n : nets) {
      List<StepCost.Point> pts = StepCost.project(w, n, workers, segmentBytes);
      all.add(pts);
      md.append(table(w, n, pts, workers)).append('\n');
      String c = csv(w, n, pts);
      csv.append(csv.length() == 0 ? c : c.substring(c.indexOf('\n') + 1));
    }
    md.append("Workload: ").append(w.source()).append('\n');
    java.nio.file.Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve(stem + ".md"), md.toString());
    AtomicFiles.writeString(dir.resolve(stem + ".csv"), csv.toString());
    plot(w, nets, all, workers, dir.resolve(stem + ".png"));
    return md.toString();
  }
}
