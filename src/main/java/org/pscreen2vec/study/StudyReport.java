package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.pscreen2vec.run.AtomicFiles;
import org.pscreen2vec.run.Stats;

/**
 * REPORT.md of a study: the environment, per workload a table of every cell's figures, the
 * verdict (fastest strategy per worker count and whether its margin exceeds the spread, the
 * multimodal model's efficiency against the simple baselines', whether the hybrid wins), the
 * plots, and the caveats. Every number is computed from the study's files.
 */
public final class StudyReport {
  /** Quality metrics in order of preference; the first a workload reports is its quality. */
  private static final List<String> QUALITY = List.of("test_accuracy", "top1", "text_accuracy",
      "test_mse", "test_loss");
  private static final List<String> ALLREDUCE = List.of("ring", "naive", "star", "mpj");

  private final StudyResults r;
  private final StringBuilder md = new StringBuilder();

  private StudyReport(StudyResults r) {
    this.r = r;
  }

  /** What {@link #write} wrote: runs read, the report file, the plot file names. */
  public record Written(int runs, Path report, List<String> plots) {}

  /**
   * Reads the study's folder {@code dir} and writes its plots into {@code plots} and REPORT.md
   * into {@code dir}; null when no run is complete (nothing to report).
   */
  public static Written write(StudyConfig study, Path dir, Path plots) throws IOException {
    StudyResults results = StudyResults.load(study, dir);
    if (results.runsComplete() == 0) {
      return null;
    }
    Files.createDirectories(plots);
    Map<String, String> files = new java.util.LinkedHashMap<>(StudyPlots.write(results, plots));
    ProjectionSection.plots(results, plots, files);
    Path report = dir.resolve("REPORT.md");
    AtomicFiles.writeString(report, render(results, dir.relativize(plots), files)
        + ProjectionSection.render(results));
    return new Written(results.runsComplete(), report, List.copyOf(files.keySet()));
  }

  /** The report's text; {@code plotsRel} is the plots folder relative to the report's folder. */
  static String render(StudyResults r, Path plotsRel, Map<String, String> plots) {
    return new StudyReport(r).build(plotsRel, plots);
  }

  private String build(Path plotsRel, Map<String, String> plots) {
    StudyConfig s = r.study();
    line("# Study `%s`: which gradient synchronization trains fastest?", s.name());
    line("");
    line("Generated %s by `bin/pscreen2vec report` from `%s` (%d run(s) complete, %d failed, "
        + "%d unreadable). %s scaling: %s. Each cell ran up to %d time(s); figures are medians "
        + "with [min–max] over the repeats. Step figures exclude the first tenth of the steps "
        + "(warm-up).", Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC",
        r.dir(), r.runsComplete(), r.runsFailed(), r.unreadable(),
        s.scaling() == StudyConfig.Scaling.WEAK ? "Weak" : "Strong",
        s.scaling() == StudyConfig.Scaling.WEAK ? "every worker keeps the workload's batch, "
            + "so the global batch grows with the workers"
            : "the global batch stays the workload's batch, split over the workers",
        Math.max(s.repeats(), r.repeatsOnRecord()));
    environment();
    for (StudyConfig.Workload w : s.workloads()) {
      for (String d : s.devices()) {
        workload(w, d);
      }
    }
    verdict();
    line("");
    line("## Plots");
    line("");
    plots.forEach((f, what) -> line("- [%s](%s): %s.", f, plotsRel.resolve(f), what));
    caveats();
    return md.toString();
  }

  private void environment() {
    line("");
    line("## Environment");
    line("");
    line("| what | value |");
    line("| --- | --- |");
    Map<String, TreeSet<String>> e = r.environment();
    row("hosts (rank 0)", e.get("host_rank0"));
    row("cores per host", e.get("cores"));
    row("JVM", e.get("java"));
    row("OS", e.get("os"));
    row("MPJ device", e.get("device"));
    row("BLAS threads per rank", e.get("omp_threads_per_rank"));
    row("heap per JVM (MB)", e.get("max_heap_mb"));
    row("git revision", e.get("git_revision"));
    row("dates of the runs (UTC)", e.get("started_utc"));
  }

  private void row(String what, TreeSet<String> values) {
    line("| %s | %s |", what, values.isEmpty() ? "-" : String.join(", ", values));
  }

  private void workload(StudyConfig.Workload w, String device) {
    List<CellFigures> cells = r.of(w.name(), device);
    String quality = quality(cells);
    line("");
    line("## %s on %s (%s)", w.name(), device, w.multimodal() ? "multimodal: Screen2Vec"
        : "simple baseline: " + w.model());
    line("");
    line("Configuration `%s` with %s; per-worker batch %s. Target: %s.",
        home().relativize(w.config()),
        w.overrides().isEmpty() ? "no overrides" : "`" + String.join(", ", w.overrides()) + "`",
        r.study().scaling() == StudyConfig.Scaling.WEAK ? String.valueOf(w.batch())
            : w.batch() + " / workers",
        w.targetMetric() == null ? "none" : "`" + w.targetMetric() + "` "
            + (w.targetFalls() ? "≤ " : "≥ ") + fmt(w.targetValue()));
    line("");
    line("| strategy | workers | runs | samples/s (job) | speed-up | efficiency | step ms | "
        + "compute / sync / wait / optimizer ms | MB per step | %s | s to target |",
        quality == null ? "quality" : quality);
    line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (CellFigures c : cells) {
      if (!c.complete()) {
        line("| %s | %d | 0%s | – | – | – | – | – | – | – | – |", StudyPlots.label(c),
            c.cell().workers(), c.failed() > 0 ? " (" + c.failed() + " failed)" : "");
        continue;
      }
      line("| %s | %d | %d%s | %s | %s | %s | %s | %s / %s / %s / %s | %s | %s | %s |",
          StudyPlots.label(c), c.cell().workers(), c.runs().size(),
          c.failed() > 0 ? " (" + c.failed() + " failed)" : "", range(c.samplesPerSecond(), 0),
          range(c.speedup(), 2), range(c.efficiency(), 2), range(c.stepMs(), 1),
          fmt(c.stats(RunFigures::computeMs).median()), fmt(c.stats(RunFigures::syncMs)
              .median()), fmt(c.stats(RunFigures::waitMs).median()),
          fmt(c.stats(RunFigures::optimizerMs).median()),
          fmt(c.bytesPerStep().median() / 1e6), quality == null ? "–"
              : range(c.metric(quality), 4), reached(c));
    }
  }

  private static String reached(CellFigures c) {
    long hit = c.runs().stream().filter(x -> Double.isFinite(x.secondsToTarget())).count();
    if (hit == 0) {
      return c.cell().workload().targetMetric() == null ? "–" : "not reached";
    }
    String s = range(c.secondsToTarget(), 1);
    return hit < c.runs().size() ? s + " (" + hit + " of " + c.runs().size() + ")" : s;
  }

  private void verdict() {
    line("");
    line("## Verdict");
    StudyConfig s = r.study();
    for (StudyConfig.Workload w : s.workloads()) {
      for (String d : s.devices()) {
        line("");
        line("**%s on %s.**", w.name(), d);
        List<CellFigures> cells = r.of(w.name(), d).stream().filter(CellFigures::complete)
            .filter(c -> !c.cell().isBaseline()).toList();
        for (int workers : new TreeSet<>(cells.stream().map(c -> c.cell().workers()).toList())) {
          List<CellFigures> at = cells.stream().filter(c -> c.cell().workers() == workers)
              .sorted(Comparator.comparingDouble((CellFigures c) -> c.samplesPerSecond()
                  .median()).reversed()).toList();
          fastest(at, workers);
          if (w.multimodal()) {
            hybrid(at, workers);
          }
        }
        if (cells.isEmpty()) {
          line("- No complete run under a strategy: nothing to compare.");
        }
      }
    }
    efficiencyComparison();
  }

  private void fastest(List<CellFigures> at, int workers) {
    CellFigures best = at.get(0);
    if (at.size() == 1) {
      line("- %d workers: only %s ran (%s samples/s, speed-up %s).", workers,
          StudyPlots.label(best), fmt(best.samplesPerSecond().median()),
          fmt(best.speedup().median()));
      return;
    }
    CellFigures second = at.get(1);
    double margin = best.samplesPerSecond().median() / second.samplesPerSecond().median() - 1;
    boolean clear = best.samplesPerSecond().min() > second.samplesPerSecond().max();
    line("- %d workers: fastest is **%s** at %s samples/s (speed-up %s, efficiency %s), %.0f%% "
        + "ahead of %s; %s. Slowest: %s at %s samples/s.", workers, StudyPlots.label(best),
        fmt(best.samplesPerSecond().median()), fmt(best.speedup().median()),
        fmt(best.efficiency().median()), 100 * margin, StudyPlots.label(second),
        best.runs().size() < 2 || second.runs().size() < 2
            ? "with one run each the spread is unknown"
            : clear ? "the margin exceeds the spread (their min–max ranges do not overlap)"
                : "the margin is within the spread (their min–max ranges overlap)",
        StudyPlots.label(at.get(at.size() - 1)),
        fmt(at.get(at.size() - 1).samplesPerSecond().median()));
  }

  /** The hypothesis: the hybrid beats the best allreduce and the parameter server. */
  private void hybrid(List<CellFigures> at, int workers) {
    CellFigures h = find(at, "hybrid");
    CellFigures ps = find(at, "ps");
    CellFigures ar = at.stream().filter(c -> ALLREDUCE.contains(c.cell().strategy()))
        .findFirst().orElse(null);
    if (h == null || ps == null || ar == null) {
      line("- %d workers: the hybrid hypothesis cannot be judged (hybrid, ps and an allreduce "
          + "strategy must all have complete runs).", workers);
      return;
    }
    double hv = h.samplesPerSecond().median();
    double vsAr = hv / ar.samplesPerSecond().median();
    double vsPs = hv / ps.samplesPerSecond().median();
    boolean wins = vsAr > 1 && vsPs > 1;
    boolean clear = h.samplesPerSecond().min() > Math.max(ar.samplesPerSecond().max(),
        ps.samplesPerSecond().max());
    boolean loses = h.samplesPerSecond().max() < Math.max(ar.samplesPerSecond().min(),
        ps.samplesPerSecond().min());
    String verdict = wins && clear ? "**holds**" : wins ? "holds by the medians but "
        + "**within the spread**" : loses ? "**does not hold**" : "**does not hold** by the "
        + "medians (within the spread)";
    line("- %d workers, hybrid hypothesis (hybrid beats the best allreduce and the parameter "
        + "server): %s — hybrid %s samples/s is %.2f× %s and %.2f× %s; it moves %s MB per step "
        + "against %s MB (%s) and %s MB (%s).", workers, verdict, fmt(hv), vsAr,
        StudyPlots.label(ar), vsPs, StudyPlots.label(ps), fmt(h.bytesPerStep().median() / 1e6),
        fmt(ar.bytesPerStep().median() / 1e6), StudyPlots.label(ar),
        fmt(ps.bytesPerStep().median() / 1e6), StudyPlots.label(ps));
  }

  private static CellFigures find(List<CellFigures> at, String strategy) {
    return at.stream().filter(c -> c.cell().strategy().equals(strategy)).findFirst()
        .orElse(null);
  }

  /** Best parallel efficiency per worker count: multimodal workload vs each simple one. */
  private void efficiencyComparison() {
    line("");
    line("**Multimodal vs simple.** Best parallel efficiency over the strategies, per worker "
        + "count (higher scales better):");
    line("");
    TreeSet<Integer> workers = new TreeSet<>();
    for (CellFigures c : r.cells()) {
      if (c.complete() && !c.cell().isBaseline()) {
        workers.add(c.cell().workers());
      }
    }
    StringBuilder head = new StringBuilder("| workload | device |");
    StringBuilder sep = new StringBuilder("| --- | --- |");
    for (int w : workers) {
      head.append(" ").append(w).append(" workers |");
      sep.append(" ---: |");
    }
    line("%s", head);
    line("%s", sep);
    for (StudyConfig.Workload wl : r.study().workloads()) {
      for (String d : r.study().devices()) {
        StringBuilder row = new StringBuilder("| " + wl.name() + (wl.multimodal()
            ? " (multimodal)" : "") + " | " + d + " |");
        for (int w : workers) {
          CellFigures best = r.of(wl.name(), d).stream().filter(CellFigures::complete)
              .filter(c -> !c.cell().isBaseline() && c.cell().workers() == w)
              .max(Comparator.comparingDouble(c -> c.efficiency().median())).orElse(null);
          row.append(best == null ? " – |" : " " + fmt(best.efficiency().median()) + " ("
              + StudyPlots.label(best) + ") |");
        }
        line("%s", row);
      }
    }
  }

  private void caveats() {
    line("");
    line("## Caveats");
    line("");
    line("- Where the ranks of a job share one host, they share its cores and memory bandwidth: "
        + "a speed-up there measures contention as much as the strategies, and every \"link\" "
        + "is a memory copy (multicore) or loopback TCP (niodev). Scaling across machines needs "
        + "the cluster study (`slurm/`).");
    line("- Throughput is the job's: every worker's samples over rank 0's step time (compute + "
        + "sync + optimizer; data loading between steps is not in it).");
    line("- Bytes per step are rank 0's training traffic (sent + received), without the "
        + "evaluation pulls of the tables from the parameter servers.");
    line("- Allreduce strategies move each embedding table as a dense block; ps and hybrid move "
        + "only the rows a step touches. Fashion-MNIST models have no table, so there hybrid "
        + "is ring with an idle server.");
    line("- Final quality after a short run says little about convergence; time to target "
        + "compares how fast each strategy gets to the same loss.");
  }

  private static String range(Stats s, int decimals) {
    if (s.n() == 0) {
      return "–";
    }
    String f = "%." + decimals + "f";
    String m = String.format(Locale.ROOT, f, s.median());
    if (s.n() == 1) {
      return m;
    }
    return m + " [" + String.format(Locale.ROOT, f, s.min()) + "–"
        + String.format(Locale.ROOT, f, s.max()) + "]";
  }

  private static Path home() {
    return Path.of(System.getProperty("pscreen2vec.home", ".")).toAbsolutePath().normalize();
  }

  static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    double a = Math.abs(v);
    String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, f, v);
  }

  private static String quality(List<CellFigures> cells) {
    for (String q : QUALITY) {
      for (CellFigures c : cells) {
        if (c.complete() && c.runs().get(0).metrics().containsKey(q)) {
          return q;
        }
      }
    }
    return null;
  }

  private void line(String format, Object... args) {
    md.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
