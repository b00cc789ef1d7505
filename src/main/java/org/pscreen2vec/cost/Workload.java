package org.pscreen2vec.cost;


/**
 * What one training step of a model moves and computes, per worker: the dense gradient bytes,
 * the embedding tables (their bytes and their number: an allreduce moves them whole, servers the
 * touched rows, pulled table by table), the rows a worker touches per step (measured: the run's
 * {@code touched_rows}), and the compute time of one step at a batch per worker. With
 * {@code globalBatch} the batch is split over the workers (compute and touched rows shrink as
 * 1/p); otherwise every worker keeps its batch (weak scaling). Profiles of the project's models
 * are built from the model classes ({@code study.WorkloadProfile}), not written down here.
 */
public record Workload(String name, double denseBytes, double tableBytes, int tables,
    double rowBytes, double touchedRowsPerWorker, double computeSeconds, boolean globalBatch,
    String source) {
  public Workload {
    if (tables < 0 || (tables == 0) != (tableBytes == 0)) {
      throw new IllegalArgumentException("workload '" + name + "': " + tables + " table(s) of "
          + tableBytes + " bytes");
    }
    for (double v : new double[] {denseBytes, tableBytes, rowBytes, touchedRowsPerWorker,
        computeSeconds}) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("workload '" + name + "': sizes and times must be "
            + "finite and >= 0");
      }
    }
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

  /** The same workload with {@code rows} touched rows per worker and step (a run's measure). */
  public Workload withTouchedRows(double rows) {
    return new Workload(name, denseBytes, tableBytes, tables, rowBytes, rows, computeSeconds,
        globalBatch, source + "; touched rows set to " + Math.round(rows));
  }

  public Workload withCompute(double seconds) {
    return new Workload(name, denseBytes, tableBytes, tables, rowBytes, touchedRowsPerWorker,
        seconds, globalBatch, source + "; compute set to " + seconds + " s");
  }
}
