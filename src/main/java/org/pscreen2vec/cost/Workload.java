package org.pscreen2vec.cost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one training step of a model moves and computes, per worker: the dense gradient bytes,
 * the embedding tables (moved whole by an allreduce, by touched rows through servers), the rows a
 * worker touches per step (measured: the run's {@code touched_rows}), and the compute time of one
 * step at a batch per worker. With {@code globalBatch} the batch is split over the workers (compute
 * and touched rows shrink as 1/p); otherwise every worker keeps its batch (weak scaling).
 */
public record Workload(String name, double denseBytes, double tableBytes, double rowBytes,
    double touchedRowsPerWorker, double computeSeconds, boolean globalBatch, String source) {
  public Workload {
    for (double v : new double[] {denseBytes, tableBytes, rowBytes, touchedRowsPerWorker,
        computeSeconds}) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("workload '" + name + "': sizes and times must be "
            + "finite and >= 0");
      }
    }
  }

  private static final Map<String, Workload> BUILT_IN = new LinkedHashMap<>();

  static {
    // Measured in the local study (make run, 2026-12-03, 2-core host; results/local): dense bytes
    // from the ring runs' sync bytes minus the text table (2^18 x 64 floats), compute from the
    // one-worker runs (median step minus sync), touched rows from steps-rank0.csv.
    String local = "local study (configs/study/local.properties, make run 2026-12-03, 2 cores)";
    add(new Workload("screen2vec", 79_979_764 - 67_108_864, 67_108_864, 64 * 4 + 4, 1600,
        0.089, false, local + ": configs/screen2vec-local, batch 32 per worker"));
    add(new Workload("fashion-mlp", 940_588, 0, 0, 0, 0.00182, false,
        local + ": 784-256-128-10 MLP, batch per worker as configured"));
    add(new Workload("fashion-cnn", 45_100, 0, 0, 0, 0.0273, false,
        local + ": conv 8,16 CNN, batch per worker as configured"));
  }

  private static void add(Workload w) {
    BUILT_IN.put(w.name(), w);
  }

  public static List<String> names() {
    return List.copyOf(BUILT_IN.keySet());
  }

  public static Workload named(String name) {
    Workload w = BUILT_IN.get(name.toLowerCase(Locale.ROOT));
    if (w == null) {
      throw new IllegalArgumentException("unknown workload '" + name + "'; built in: "
          + String.join(", ", BUILT_IN.keySet()));
    }
    return w;
  }

  /** Bytes an allreduce moves per step: every parameter, tables as dense blocks. */
  public double allreduceBytes() {
    return denseBytes + tableBytes;
  }

  /** Compute seconds of one worker's step among p. */
  public double computeSeconds(int p) {
    return globalBatch ? computeSeconds / p : computeSeconds;
  }

  /** Bytes of touched rows (ids and values) one worker pushes per step among p. */
  public double rowBytesPerWorker(int p) {
    double rows = globalBatch ? touchedRowsPerWorker / p : touchedRowsPerWorker;
    return Math.min(rows * rowBytes, tableBytes == 0 ? 0 : tableBytes / Math.max(1, rowBytes - 4)
        * rowBytes);
  }

  public Workload withCompute(double seconds) {
    return new Workload(name, denseBytes, tableBytes, rowBytes, touchedRowsPerWorker, seconds,
        globalBatch, source + "; compute set to " + seconds + " s");
  }
}
