package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.LinkBinding;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.cost.ServerCost;
import org.pscreen2vec.cost.StepCost;
import org.pscreen2vec.cost.Workload;
import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.run.Stats;
import org.pscreen2vec.train.TrainConfig;

/**
 * The report's cost-model part: per workload with a built-in cost profile, projection plots to
 * 512 workers on 1 and 10 GbE (compute from this study's one-worker cell), and, where the study
 * has a network calibration ({@code PSCREEN2VEC_CALIBRATION} or {@code calibration.properties} in
 * the study folder), predicted against measured sync and step time of every niodev cell.
 */
final class ProjectionSection {
  private static final Logger LOG = LogManager.getLogger(ProjectionSection.class);
  /** The segment a study's niodev training runs with (studies do not set one). */
  private static final double SEGMENT_BYTES = 4.0 * Allreduces.DEFAULT_SEGMENT_FLOATS_TCP;
  private static final List<String> NETWORKS = List.of("1gbe", "10gbe");

  private ProjectionSection() {}

  private static final Map<String, Workload> PROFILES = new ConcurrentHashMap<>();

  /**
   * The cost profile of a study workload from its model classes ({@link WorkloadProfile}), with
   * the compute of this study's one-worker cell (timed here when there is none); null when the
   * model cannot be built (the reason is logged).
   */
  static Workload profile(StudyResults r, StudyConfig.Workload w) {
    double compute = -1;
    for (CellFigures c : r.cells()) {
      if (c.cell().workload().name().equals(w.name()) && c.cell().isBaseline() && c.complete()) {
        double ms = c.stats(RunFigures::computeMs).median();
        if (ms > 0) {
          compute = ms / 1e3;
        }
      }
    }
    double given = compute;
    String key = r.dir() + "/" + w.name() + "/" + given;
    Workload cached = PROFILES.get(key);
    if (cached != null) {
      return cached;
    }
    try {
      Workload p = WorkloadProfile.of(w.name(), TrainConfig.load(w.config(), w.overrides()),
          given, w.config() + (w.overrides().isEmpty() ? "" : " " + String.join(" ",
              w.overrides())));
      PROFILES.put(key, p);
      return p;
    } catch (IOException | RuntimeException e) {
      LOG.warn("no cost profile for workload {}: {}", w.name(), e.getMessage());
      return null;
    }
  }

  /**
   * How long rank 0 waits for the slowest worker to finish computing, per step: the median over
   * steps (the first left out) of max over workers of (compute + optimizer) minus rank 0's,
   * median over the cell's runs. On one host this is the ranks' contention for its cores (a
   * cluster's nodes do not share them); rank 0's sync time includes it.
   */
  static double skewMs(StudyResults r, CellFigures c) {
    List<Double> perRun = new ArrayList<>();
    for (RunFigures f : c.runs()) {
      Path dir = StudyFiles.runDir(r.dir(), c.cell().workload().name(), f.jobId());
      List<double[]> work = new ArrayList<>(); // per worker: (steps) compute + optimizer ms
      try {
        for (int w = 0; w < c.cell().workers(); w++) {
          CsvTable t = CsvTable.read(dir.resolve("steps-rank" + w + ".csv"), "compute_ms",
              "optimizer_ms");
          double[] v = new double[t.rows().size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = t.number(t.rows().get(i), "compute_ms")
                + t.number(t.rows().get(i), "optimizer_ms");
          }
          work.add(v);
        }
      } catch (IOException e) {
        continue;
      }
      int steps = work.stream().mapToInt(v -> v.length).min().orElse(0);
      double[] skew = new double[Math.max(0, steps - 1)];
      for (int i = 1; i < steps; i++) {
        double max = 0;
        for (double[] v : work) {
          max = Math.max(max, v[i]);
        }
        skew[i - 1] = max - work.get(0)[i];
      }
      Arrays.sort(skew);
      if (skew.length > 0) {
        perRun.add(skew[skew.length / 2]);
      }
    }
    perRun.sort(null);
    return perRun.isEmpty() ? 0 : perRun.get(perRun.size() / 2);
  }

  /** The median over a cell's runs of rank 0's median touched rows per step; NaN if unknown. */
  static double touchedRows(StudyResults r, CellFigures c) {
    return rankZeroMedian(r, c, "touched_rows", false);
  }

  /**
   * The median over a cell's runs of rank 0's median time per step in the strategy's local
   * packing passes ({@code sync_local_ms}), the warm-up steps left out as for the sync time; NaN
   * where the runs did not measure it (older runs, or a strategy that does not).
   */
  static double localMs(StudyResults r, CellFigures c) {
    return rankZeroMedian(r, c, "sync_local_ms", true);
  }

  /**
   * The median over a cell's runs of rank 0's median of a steps-rank0.csv column (without
   * {@link RunFigures#warmUpSteps} with {@code afterWarmUp}); NaN where no run has the column
   * filled in.
   */
  private static double rankZeroMedian(StudyResults r, CellFigures c, String column,
      boolean afterWarmUp) {
    List<Double> perRun = new ArrayList<>();
    for (RunFigures f : c.runs()) {
      Path csv = StudyFiles.runDir(r.dir(), c.cell().workload().name(), f.jobId())
          .resolve("steps-rank0.csv");
      try {
        CsvTable t = CsvTable.read(csv, column);
        int n = t.rows().size();
        int from = afterWarmUp ? RunFigures.warmUpSteps(n) : 0;
        List<Double> v = new ArrayList<>();
        for (int i = from; i < n; i++) {
          String[] row = t.rows().get(i);
          if (!t.get(row, column).isBlank()) {
            v.add(t.number(row, column));
          }
        }
        if (!v.isEmpty()) {
          v.sort(null);
          perRun.add(v.get(v.size() / 2));
        }
      } catch (IOException e) {
        // an older run without the column: unknown
      }
    }
    perRun.sort(null);
    return perRun.isEmpty() ? Double.NaN : perRun.get(perRun.size() / 2);
  }

  /** Writes the projection plots; adds them to {@code plots} (file name -> what it shows). */
  static void plots(StudyResults r, Path dir, Map<String, String> plots) throws IOException {
    List<Network> nets = NETWORKS.stream().map(Network::named).toList();
    for (StudyConfig.Workload w : r.study().workloads()) {
      Workload cw = profile(r, w);
      if (cw != null) {
        String stem = "projection-" + w.name();
        ProjectionPlots.write(cw, nets, 512, SEGMENT_BYTES, dir, stem);
        plots.put(stem + ".png", "cost-model projection of " + w.name() + " to 512 workers on "
            + String.join(" and ", NETWORKS) + " (step time, speed-up, efficiency per strategy)");
      }
    }
  }

  static Path calibrationFile(StudyResults r) {
    String env = System.getenv("PSCREEN2VEC_CALIBRATION");
    Path f = env != null && !env.isBlank() ? Paths.get(env)
        : r.dir().resolve("calibration.properties");
    return Files.isRegularFile(f) ? f : null;
  }

  static Network calibration(StudyResults r) throws IOException {
    Path f = calibrationFile(r);
    return f == null ? null : Calibration.read(f);
  }

  /** The section's markdown. */
  static String render(StudyResults r) throws IOException {
    StringBuilder md = new StringBuilder("\n## Cost model: projection and validation\n\n");
    List<Network> nets = NETWORKS.stream().map(Network::named).toList();
    for (StudyConfig.Workload w : r.study().workloads()) {
      Workload cw = profile(r, w);
      if (cw == null) {
        md.append("- ").append(w.name()).append(": no cost profile built in; not projected.\n");
        continue;
      }
      for (Network n : nets) {
        List<Integer> ps = ProjectionPlots.workers(512);
        List<StepCost.Point> pts = StepCost.project(cw, n, ps, SEGMENT_BYTES);
        StringBuilder best = new StringBuilder();
        for (int p : List.of(2, 8, 64, 512)) {
          StepCost.Point b = StepCost.best(pts, p);
          best.append(String.format(Locale.ROOT, "%s%d: %s (%.0f%%)", best.length() == 0 ? ""
              : ", ", p, b.strategy(), 100 * b.efficiency()));
        }
        md.append(String.format(Locale.ROOT, "- %s on %s: best strategy (efficiency) at %s "
            + "workers.%n", w.name(), n.name(), best));
      }
    }
    Network cal = calibration(r);
    md.append('\n');
    if (cal == null) {
      md.append("No network calibration for this study (set PSCREEN2VEC_CALIBRATION or put "
          + "calibration.properties into the study folder; 'make bench-emulated' writes one), so "
          + "no validation table.\n");
      return md.toString();
    }
    Path calFile = calibrationFile(r);
    ServerCost srv = Calibration.readServerCost(calFile);
    if (srv.measured()) {
      md.append(String.format(Locale.ROOT, "The servers' own work per step (sum, optimizer, pulls;"
          + " bench-collectives --server-rows): %.2f ns per byte of pushed rows; per byte of the "
          + "dense shard %.3f ns once (the optimizer) and %.3f ns per worker (its push and pull)."
          + "%n%n", srv.secondsPerRowByte() * 1e9, srv.secondsPerShardByte() * 1e9,
          srv.secondsPerShardBytePerWorker() * 1e9));
    }
    LinkBinding binding = Calibration.readBinding(calFile);
    if (binding != null) { // the emulated links or the host: what the table below checks
      int most = r.cells().stream().filter(c -> !c.cell().isBaseline()
          && c.cell().device().equals("niodev")).mapToInt(c -> c.cell().workers()).max()
          .orElse(2);
      md.append(binding.describe(most)).append("\n\n");
    }
    md.append("Validation against ").append(cal.describe()).append(": predicted sync = rank 0's"
        + " measured wait for the slowest worker's compute (skew: on one host, the ranks' "
        + "contention for its cores) + the allreduce's local packing passes as the run measured "
        + "them (local: like the compute, CPU work that on one host shares the cores; the "
        + "model's own figure beside it, and in its place for runs that did not measure them) + "
        + "the model's exchange (gamma for the job's rank count where the calibration has it; "
        + "touched rows: the cell's measured median); predicted step = measured compute + "
        + "optimizer + predicted sync.\n\n"
        + "Sync and step measured: per run, rank 0's median over its steps after the first "
        + "tenth; per cell, the median over its runs; range: the lowest and highest run.\n\n"
        + "| workload | strategy | workers | servers | touched rows | skew ms | local ms | "
        + "model's local | runs | sync ms measured | range | predicted | error | step ms "
        + "measured | predicted | error |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Double> errors = new ArrayList<>();
    int repeated = 0;
    int insideRange = 0;
    for (CellFigures c : r.cells()) {
      Cell cell = c.cell();
      if (!c.complete() || cell.isBaseline() || !cell.device().equals("niodev")
          || cell.strategy().equals("auto")) {
        continue;
      }
      Workload cw = profile(r, cell.workload());
      if (cw == null) {
        continue;
      }
      double touched = touchedRows(r, c);
      if (!Double.isNaN(touched) && cw.tableBytes() > 0) {
        cw = cw.withTouchedRows(touched);
      }
      Stats syncs = c.stats(RunFigures::syncMs);
      double sync = syncs.median();
      double step = c.stepMs().median();
      double other = c.stats(f -> f.computeMs() + f.optimizerMs()).median();
      Network net = Calibration.readForRanks(calFile, cell.workers() + cell.servers());
      double skew = skewMs(r, c);
      // the local packing passes: the run's own where it measured them (like its compute),
      // else the model's
      double modelLocal = 1e3 * StepCost.localSeconds(cell.strategy(), cw, cell.workers(), net);
      double local = localMs(r, c);
      double pSync = skew + 1e3 * StepCost.syncSeconds(cell.strategy(), cw, cell.workers(),
          cell.servers(), net, srv, SEGMENT_BYTES) - modelLocal
          + (Double.isNaN(local) ? modelLocal : local);
      double pStep = other + pSync;
      double eSync = (pSync - sync) / sync;
      errors.add(Math.abs(eSync));
      if (syncs.n() >= 2) {
        repeated++;
        insideRange += pSync >= syncs.min() && pSync <= syncs.max() ? 1 : 0;
      }
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.1f | %s | %.1f | %d "
          + "| %.1f | %.1f–%.1f | %.1f | %+.0f%% | %.1f | %.1f | %+.0f%% |%n",
          cell.workload().name(), cell.strategy(), cell.workers(), cell.servers(),
          cw.touchedRowsPerWorker(), skew, Double.isNaN(local) ? "–"
              : String.format(Locale.ROOT, "%.1f", local), modelLocal, syncs.n(), sync,
          syncs.min(), syncs.max(), pSync, 100 * eSync, step, pStep,
          100 * (pStep - step) / step));
    }
    if (!errors.isEmpty()) {
      long within = errors.stream().filter(e -> e <= 0.15).count();
      md.append(String.format(Locale.ROOT, "%n%d of %d cells have the predicted sync time within"
          + " 15%% of the measured one.", within, errors.size()));
      if (repeated > 0) {
        md.append(String.format(Locale.ROOT, " Of the %d cells run more than once, the "
            + "prediction lies inside the runs' range in %d.", repeated, insideRange));
      }
      md.append('\n');
    }
    return md.toString();
  }
}
