package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.run.Stats;

/**
 * The figures of one finished run, computed from its own files: {@code steps-rank<r>.csv} (every
 * worker's), {@code ps-rank<r>.csv}, {@code epochs.csv} and its {@code summary.csv} row. Step
 * figures exclude the warm-up steps (the first tenth, at least one).
 *
 * @param samplesPerSecond the job's: every worker's samples of the timed steps / rank 0's time
 * @param waitMs           per step, time waiting on parameter servers (part of syncMs)
 * @param bytesPerStep     training traffic of rank 0 per step (sent + received)
 * @param metrics          the final evaluation metrics and train_loss from the summary row
 * @param secondsToTarget  training seconds until the target was reached, NaN if never
 * @param curveSeconds     cumulative training seconds after each step (rank 0)
 * @param curveLoss        rank 0's training loss, a moving mean over {@link #SMOOTH} steps
 */
record RunFigures(String jobId, double stepMs, double computeMs, double syncMs,
    double optimizerMs, double waitMs, double samplesPerSecond, double bytesPerStep,
    Map<String, Double> metrics, double secondsToTarget, double[] curveSeconds,
    double[] curveLoss) {

  static final int SMOOTH = 5;

  /** Reads a run folder; {@code summaryRow} holds its summary.csv fields by column name. */
  static RunFigures read(Path runDir, Map<String, String> summaryRow,
      StudyConfig.Workload workload) throws IOException {
    List<CsvTable> workers = new ArrayList<>();
    for (int r = 0; Files.isRegularFile(runDir.resolve("steps-rank" + r + ".csv")); r++) {
      workers.add(CsvTable.read(runDir.resolve("steps-rank" + r + ".csv"), "step", "samples",
          "loss", "compute_ms", "sync_ms", "optimizer_ms", "step_ms"));
    }
    if (workers.isEmpty()) {
      throw new IOException(runDir + " has no steps-rank0.csv");
    }
    CsvTable root = workers.get(0);
    int n = root.rows().size();
    if (n == 0) {
      throw new IOException(runDir.resolve("steps-rank0.csv") + " has no steps");
    }
    int warm = warmUpSteps(n);
    double[] step = column(root, "step_ms", warm);
    double timedSamples = 0;
    for (CsvTable w : workers) {
      for (int i = warm; i < Math.min(n, w.rows().size()); i++) {
        timedSamples += w.number(w.rows().get(i), "samples");
      }
    }
    double timedSeconds = Arrays.stream(step).sum() / 1e3;
    double[] cumulative = new double[n];
    double[] smooth = new double[n];
    double t = 0;
    double[] loss = column(root, "loss", 0);
    for (int i = 0; i < n; i++) {
      t += root.number(root.rows().get(i), "step_ms") / 1e3;
      cumulative[i] = t;
      double s = 0;
      int from = Math.max(0, i - SMOOTH + 1);
      for (int j = from; j <= i; j++) {
        s += loss[j];
      }
      smooth[i] = s / (i - from + 1);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : summaryRow.entrySet()) {
      try {
        metrics.put(e.getKey(), Double.parseDouble(e.getValue()));
      } catch (NumberFormatException ignored) {
        // text columns (job id, model, strategy ...)
      }
    }
    double syncMs = median(column(root, "sync_ms", warm));
    return new RunFigures(summaryRow.get("job_id"), median(step),
        median(column(root, "compute_ms", warm)), syncMs,
        median(column(root, "optimizer_ms", warm)), waitMs(runDir, workers, syncMs),
        timedSamples / Math.max(1e-9, timedSeconds), metrics.getOrDefault("sync_bytes_per_step",
            0.0), metrics, secondsToTarget(runDir, workload, cumulative, smooth), cumulative,
        smooth);
  }

  /**
   * Per step, the part of rank 0's median sync time spent waiting on parameter servers: the share
   * of sync time the workers that do not evaluate spent waiting (rank 0's wait also covers its
   * evaluation pulls), or rank 0's share when it is the only worker; 0 without servers. A share,
   * not a total / steps, so that it is measured like the sync time it is part of.
   */
  private static double waitMs(Path runDir, List<CsvTable> workers, double syncMs)
      throws IOException {
    List<Double> shares = new ArrayList<>();
    for (int r = workers.size() > 1 ? 1 : 0; r < workers.size(); r++) {
      Path f = runDir.resolve("ps-rank" + r + ".csv");
      if (!Files.isRegularFile(f)) {
        continue;
      }
      double syncSeconds = Arrays.stream(column(workers.get(r), "sync_ms", 0)).sum() / 1e3;
      CsvTable t = CsvTable.read(f, "operation", "bytes_sent");
      for (String[] row : t.rows()) {
        if (t.get(row, "operation").equals("WAIT_SECONDS") && syncSeconds > 0) {
          shares.add(Math.min(1, t.number(row, "bytes_sent") / syncSeconds));
        }
      }
    }
    return syncMs * shares.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  /**
   * Seconds of training until the target: for a loss, the smoothed training loss of rank 0 per
   * step; for an evaluation metric, the end of the first epoch whose metric reaches it.
   */
  private static double secondsToTarget(Path runDir, StudyConfig.Workload w, double[] seconds,
      double[] smoothLoss) throws IOException {
    if (w.targetMetric() == null) {
      return Double.NaN;
    }
    if (w.targetMetric().equals("loss") || w.targetMetric().equals("train_loss")) {
      for (int i = 0; i < smoothLoss.length; i++) {
        if (smoothLoss[i] <= w.targetValue()) {
          return seconds[i];
        }
      }
      return Double.NaN;
    }
    CsvTable e = CsvTable.read(runDir.resolve("epochs.csv"), "seconds", w.targetMetric());
    double t = 0;
    for (String[] row : e.rows()) {
      t += e.number(row, "seconds");
      double v = e.number(row, w.targetMetric());
      if (w.targetFalls() ? v <= w.targetValue() : v >= w.targetValue()) {
        return t;
      }
    }
    return Double.NaN;
  }

  private static double[] column(CsvTable t, String name, int from) throws IOException {
    double[] v = new double[Math.max(0, t.rows().size() - from)];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.number(t.rows().get(from + i), name);
    }
    return v;
  }

  private static double median(double[] v) {
    return Stats.of(v).median();
  }

  /** Every run folder's summary row of a workload, by job id. */
  static Map<String, Map<String, String>> summaryRows(Path summary) throws IOException {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(summary)) {
      return out;
    }
    CsvTable t = CsvTable.read(summary, "job_id");
    for (String[] row : t.rows()) {
      out.put(t.get(row, "job_id"), t.record(row));
    }
    return out;
  }

  /** The warm-up steps the step figures leave out of n: the first tenth, at least one (n > 1). */
  static int warmUpSteps(int n) {
    return n > 1 ? Math.max(1, n / 10) : 0;
  }
}
