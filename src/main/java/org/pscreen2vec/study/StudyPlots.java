package org.pscreen2vec.study;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.pscreen2vec.results.Png;
import org.pscreen2vec.run.Stats;

/**
 * The study's figures as PNG files, one panel per workload and device, each titled with what it
 * shows and where it was measured: speed-up and efficiency against workers (median, min-max bars
 * from the repeats, the ideal line), the time split of a step, bytes per step, and training loss
 * against wall-clock time.
 */
final class StudyPlots {
  private static final int W = 640;
  private static final int H = 440;
  private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
      BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
  private static final BasicStroke THIN = new BasicStroke(1.2f);

  private StudyPlots() {}

  /** Writes every figure into {@code out}; returns file name -> what it shows. */
  static Map<String, String> write(StudyResults r, Path out) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    List<XYChart> speed = new ArrayList<>();
    List<XYChart> eff = new ArrayList<>();
    List<CategoryChart> split = new ArrayList<>();
    List<CategoryChart> bytes = new ArrayList<>();
    List<XYChart> loss = new ArrayList<>();
    for (StudyConfig.Workload w : r.study().workloads()) {
      for (String d : r.study().devices()) {
        List<CellFigures> cells = r.of(w.name(), d).stream().filter(CellFigures::complete)
            .toList();
        if (cells.isEmpty()) {
          continue;
        }
        String where = w.name() + " (" + d + ", " + String.join("+",
            r.environment().get("host_rank0")) + ")";
        speed.add(scaling(cells, "speed-up over 1 worker: " + where, "speed-up",
            CellFigures::speedup, true));
        eff.add(scaling(cells, "parallel efficiency: " + where, "efficiency",
            CellFigures::efficiency, false));
        split.add(timeSplit(cells, "time per step, median (ms): " + where));
        bytes.add(bytes(cells, "training bytes per step, rank 0 (MB): " + where));
        loss.add(lossCurves(cells, "training loss vs time, median run: " + where));
      }
    }
    if (speed.isEmpty()) {
      throw new IOException("no complete run under " + r.dir() + ": nothing to plot");
    }
    Png.grid(speed, 2, out.resolve("speedup.png"));
    files.put("speedup.png", "speed-up over the single worker vs workers, per strategy, ideal "
        + "line dashed, bars from min to max over the repeats");
    Png.grid(eff, 2, out.resolve("efficiency.png"));
    files.put("efficiency.png", "parallel efficiency (speed-up / workers) vs workers, ideal 1");
    Png.grid(split, 2, out.resolve("time-split.png"));
    files.put("time-split.png", "median time per step split into compute, sync (without "
        + "waiting on servers), waiting on servers and optimizer, per strategy and worker count");
    Png.grid(bytes, 2, out.resolve("bytes.png"));
    files.put("bytes.png", "training bytes per step sent + received by rank 0, per strategy");
    Png.grid(loss, 2, out.resolve("loss-time.png"));
    files.put("loss-time.png", "rank 0's training loss (moving mean over " + RunFigures.SMOOTH
        + " steps) against training time, at the largest worker count and the baseline");
    return files;
  }

  private static XYChart scaling(List<CellFigures> cells, String title, String yTitle,
      Function<CellFigures, Stats> f, boolean ideal) {
    XYChart c = xy(title, "workers", yTitle);
    TreeSet<Integer> workers = new TreeSet<>();
    cells.forEach(x -> workers.add(x.cell().workers()));
    XYSeries line = c.addSeries("ideal", List.of(1.0, (double) workers.last()),
        ideal ? List.of(1.0, (double) workers.last()) : List.of(1.0, 1.0));
    line.setLineStyle(DASHED);
    line.setLineColor(Color.GRAY);
    line.setMarker(SeriesMarkers.NONE);
    for (String s : strategies(cells)) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (CellFigures cf : cells) {
        if (label(cf).equals(s)) {
          Stats st = f.apply(cf);
          if (st.n() == 0) {
            continue;
          }
          x.add((double) cf.cell().workers());
          y.add(st.median());
          bar(c, cf.cell().workers(), st, color(cf.cell().strategy()));
        }
      }
      if (!x.isEmpty()) {
        style(c.addSeries(s, x, y), color(strategyOf(s)));
      }
    }
    return c;
  }

  /** A vertical min-max bar at x, not in the legend. */
  private static void bar(XYChart c, double x, Stats st, Color color) {
    if (st.n() < 2 || st.max() == st.min()) {
      return;
    }
    XYSeries b = c.addSeries("range " + c.getSeriesMap().size(), List.of(x, x),
        List.of(st.min(), st.max()));
    b.setShowInLegend(false);
    b.setMarker(SeriesMarkers.PLUS);
    b.setMarkerColor(color);
    b.setLineColor(color);
    b.setLineStyle(THIN);
  }

  private static CategoryChart timeSplit(List<CellFigures> cells, String title) {
    CategoryChart c = category(title, "ms per step");
    c.getStyler().setStacked(true);
    List<String> names = new ArrayList<>();
    List<Double> compute = new ArrayList<>();
    List<Double> sync = new ArrayList<>();
    List<Double> wait = new ArrayList<>();
    List<Double> opt = new ArrayList<>();
    for (CellFigures cf : cells) {
      names.add(barLabel(cf));
      double w = cf.stats(RunFigures::waitMs).median();
      compute.add(cf.stats(RunFigures::computeMs).median());
      sync.add(Math.max(0, cf.stats(RunFigures::syncMs).median() - w));
      wait.add(w);
      opt.add(cf.stats(RunFigures::optimizerMs).median());
    }
    c.addSeries("compute", names, compute).setFillColor(new Color(0x4c72b0));
    c.addSeries("sync", names, sync).setFillColor(new Color(0xdd8452));
    c.addSeries("waiting on servers", names, wait).setFillColor(new Color(0xc44e52));
    c.addSeries("optimizer", names, opt).setFillColor(new Color(0x55a868));
    return c;
  }

  private static CategoryChart bytes(List<CellFigures> cells, String title) {
    CategoryChart c = category(title, "MB per step");
    List<String> names = new ArrayList<>();
    List<Double> mb = new ArrayList<>();
    for (CellFigures cf : cells) {
      names.add(barLabel(cf));
      mb.add(cf.bytesPerStep().median() / 1e6);
    }
    c.getStyler().setLegendVisible(false);
    c.addSeries("bytes", names, mb).setFillColor(new Color(0x8172b3));
    return c;
  }

  private static XYChart lossCurves(List<CellFigures> cells, String title) {
    XYChart c = xy(title, "training time (s)", "training loss");
    int most = cells.stream().mapToInt(x -> x.cell().workers()).max().orElse(1);
    for (CellFigures cf : cells) {
      if (!cf.cell().isBaseline() && cf.cell().workers() != most) {
        continue;
      }
      RunFigures run = cf.medianRun();
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < run.curveSeconds().length; i++) {
        x.add(run.curveSeconds()[i]);
        y.add(run.curveLoss()[i]);
      }
      XYSeries s = c.addSeries(barLabel(cf), x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(color(cf.cell().strategy()));
    }
    return c;
  }

  /** "ring w2"; the baseline is just "1 worker". */
  private static String barLabel(CellFigures cf) {
    return cf.cell().isBaseline() ? label(cf) : label(cf) + " w" + cf.cell().workers();
  }

  /** Strategy labels in the order the cells have them (ps/hybrid with servers, consistency). */
  private static List<String> strategies(List<CellFigures> cells) {
    List<String> out = new ArrayList<>();
    cells.forEach(c -> {
      if (!out.contains(label(c))) {
        out.add(label(c));
      }
    });
    return out;
  }

  /** "ring", or "ps s1 bsp" where the servers matter, "1 worker" for the baseline. */
  static String label(CellFigures cf) {
    Cell c = cf.cell();
    if (c.isBaseline()) {
      return "1 worker";
    }
    return c.servers() > 0 ? c.strategy() + " s" + c.servers() + " " + c.consistency()
        : c.strategy();
  }

  private static String strategyOf(String label) {
    return label.equals("1 worker") ? "none" : label.split(" ")[0];
  }

  private static XYChart xy(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y)
        .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(12f));
    return c;
  }

  private static CategoryChart category(String title, String y) {
    CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).yAxisTitle(y)
        .build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setXAxisLabelRotation(35);
    c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(12f));
    return c;
  }

  private static void style(XYSeries s, Color color) {
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setLineColor(color);
    s.setMarkerColor(color);
  }

  /** The same colour for a strategy in every figure. */
  static Color color(String strategy) {
    return switch (strategy) {
      case "ring" -> new Color(0x1f77b4);
      case "naive" -> new Color(0xff7f0e);
      case "star" -> new Color(0x2ca02c);
      case "mpj" -> new Color(0xd62728);
      case "ps" -> new Color(0x9467bd);
      case "hybrid" -> new Color(0x8c564b);
      default -> Color.BLACK;
    };
  }
}
