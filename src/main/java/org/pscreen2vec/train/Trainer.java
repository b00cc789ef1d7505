package org.pscreen2vec.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.data.Sharding;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.optim.Adagrad;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.Sgd;
import org.pscreen2vec.optim.SparseAdam;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.Stats;
import org.pscreen2vec.sync.GradientSync;

/**
 * The training loop, read top to bottom: for each epoch, this worker's shard; for each step, let
 * the strategy fetch the table rows the step reads ({@link GradientSync#prepare}), zero the
 * gradients, forward and backward ({@link Task#step}), synchronize ({@link GradientSync}),
 * apply the optimizers; after each epoch, evaluate (root only) and append to {@code epochs.csv};
 * every step's time split (compute / sync / optimizer) goes to {@code steps.csv}.
 */
public final class Trainer {
  private static final Logger LOG = LogManager.getLogger(Trainer.class);
  static final String STEPS_HEADER = "epoch,step,samples,loss,compute_ms,sync_ms,optimizer_ms,"
      + "step_ms,bytes_sent,bytes_received,touched_rows";

  private final TrainConfig config;
  private final Task<?> task;
  private final Ops ops;
  private final GradientSync sync;
  private final int rank;
  private final int workers;
  private final Path runDir; // null: write no files
  private final boolean root; // rank 0: evaluates, logs, writes epochs.csv and the checkpoint
  private final DenseOptimizer dense;
  private final List<SparseOptimizer> sparse = new ArrayList<>();

  /**
   * What a run achieved. {@code samplesPerSecond} is the job's (every worker's samples);
   * {@code syncBytesPerStep} counts training traffic only (not the evaluation pulls).
   */
  public record Result(int steps, double lastEpochLoss, Map<String, Double> metrics,
      double samplesPerSecond, double medianStepMs, double medianSyncMs,
      double syncBytesPerStep) {}

  /**
   * @param sync    the strategy, already built around {@code task.model()}
   * @param rank    this worker (0 .. workers-1); worker 0 evaluates and writes the run files
   * @param runDir  the run folder, or null to write no files
   */
  public Trainer(TrainConfig config, Task<?> task, Ops ops, GradientSync sync, int rank,
      int workers, Path runDir) {
    this.config = config;
    this.task = task;
    this.ops = ops;
    this.sync = sync;
    this.rank = rank;
    this.workers = workers;
    this.runDir = runDir;
    this.root = rank == 0;
    Model m = task.model();
    this.dense = denseOptimizer(config, ops);
    dense.initialise(m.parameters().size());
    for (EmbeddingTable t : m.tables()) {
      SparseOptimizer o = sparseOptimizer(config, ops);
      o.initialise(t.rows(), t.dim());
      sparse.add(o);
    }
  }

  /** The configured dense optimizer (also what parameter servers apply). */
  public static DenseOptimizer denseOptimizer(TrainConfig config, Ops ops) {
    return config.get("optimizer").equals("sgd")
        ? new Sgd(ops, config.lr(), config.momentum()) : new Adam(ops, config.lr());
  }

  /** The configured table optimizer (also what parameter servers apply). */
  public static SparseOptimizer sparseOptimizer(TrainConfig config, Ops ops) {
    return config.get("sparse.optimizer").equals("adagrad")
        ? new Adagrad(ops, config.sparseLr(), 1e-10) : new SparseAdam(ops, config.sparseLr());
  }

  public Result run() throws IOException {
    Model model = task.model();
    ParameterStore store = model.parameters();
    int batch = config.batch();
    int stepsPerEpoch = Sharding.steps(task.trainSize(), batch, workers);
    if (root) {
      long tableRows = model.tables().stream().mapToLong(t -> (long) t.rows() * t.dim()).sum();
      LOG.info("{}: {}", model.name(), task.describe());
      LOG.info("dense parameters {} ({} MiB per dense sync), sparse table values {}, "
          + "{} samples per step over {} worker(s), {} steps per epoch, strategy {}, ops {}",
          store.size(), String.format(Locale.ROOT, "%.1f", store.size() * 4.0 / (1 << 20)),
          tableRows, batch * workers, workers, stepsPerEpoch, sync.name(), ops.name());
    }
    Map<String, Double> metrics = Map.of();
    double lastLoss = Double.NaN;
    long globalStep = 0;
    int maxSteps = config.maxSteps();
    List<Double> allStepMs = new ArrayList<>();
    List<Double> allSyncMs = new ArrayList<>();
    long trainNanos = 0;
    long trainSamples = 0; // the job's: every worker's samples
    long evalSent = 0; // bytes of evaluation pulls, kept out of the training traffic
    long evalReceived = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      Sharding.Shard shard = Sharding.shard(task.trainSize(), batch, config.seed(), epoch, rank,
          workers);
      List<String> stepRows = new ArrayList<>();
      double lossSum = 0;
      long samples = 0;
      long epochStart = System.nanoTime();
      int steps = 0;
      for (int s = 0; s < shard.steps() && (maxSteps == 0 || globalStep < maxSteps); s++) {
        int[] items = shard.batch(s);
        globalStep++;
        StepTimes st = step(items, globalStep);
        double loss = st.loss();
        lossSum += loss * items.length;
        samples += items.length;
        steps++;
        double computeMs = st.computeNanos() / 1e6;
        double syncMs = st.syncNanos() / 1e6;
        double optMs = st.optimizerNanos() / 1e6;
        double stepMs = st.totalNanos() / 1e6;
        allStepMs.add(stepMs);
        allSyncMs.add(syncMs);
        stepRows.add(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d",
            epoch, globalStep, items.length, loss, computeMs, syncMs, optMs, stepMs,
            sync.bytesSent() - evalSent, sync.bytesReceived() - evalReceived,
            st.touchedRows()));
        if (root && (globalStep % config.getInt("log.every") == 0 || s == 0)) {
          LOG.info(String.format(Locale.ROOT, "epoch %d step %d loss %.4f (%.1f ms: compute "
              + "%.1f, sync %.1f, optimizer %.1f)", epoch, globalStep, loss, stepMs, computeMs,
              syncMs, optMs));
        }
      }
      long epochNanos = System.nanoTime() - epochStart;
      long jobSamples = Sharding.jobSamples(task.trainSize(), batch, workers, steps);
      trainNanos += epochNanos;
      trainSamples += jobSamples;
      lastLoss = samples > 0 ? lossSum / samples : Double.NaN;
      long evalStart = System.nanoTime();
      if (root) {
        // every parameter current before evaluating (parameter servers: the whole tables); that
        // traffic is evaluation's, not counted as training bytes
        long sent = sync.bytesSent();
        long received = sync.bytesReceived();
        sync.pullAll();
        evalSent += sync.bytesSent() - sent;
        evalReceived += sync.bytesReceived() - received;
      }
      metrics = root ? task.evaluate() : Map.of();
      double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
      if (root) {
        LOG.info(String.format(Locale.ROOT, "epoch %d done: %d steps, train loss %.4f, "
            + "%.1f samples/s (job), eval %s (%.1f s)", epoch, steps, lastLoss,
            jobSamples / (epochNanos / 1e9), format(metrics), evalSeconds));
      }
      if (runDir != null) {
        Csv.append(runDir.resolve("steps-rank" + rank + ".csv"), STEPS_HEADER, stepRows);
        if (root) {
          writeEpoch(epoch, steps, jobSamples, lastLoss, epochNanos, metrics, evalSeconds);
        }
      }
      if (maxSteps > 0 && globalStep >= maxSteps) {
        break;
      }
    }
    if (runDir != null && root) {
      Checkpoint.save(runDir.resolve("checkpoint.bin"), model, config);
    }
    return new Result((int) globalStep, lastLoss, metrics,
        trainSamples / Math.max(1e-9, trainNanos / 1e9), median(allStepMs), median(allSyncMs),
        globalStep == 0 ? 0 : (sync.bytesSent() - evalSent + sync.bytesReceived() - evalReceived)
            / (double) globalStep);
  }

  private static double median(List<Double> values) {
    return values.isEmpty() ? 0
        : Stats.of(values.stream().mapToDouble(Double::doubleValue).toArray()).median();
  }

  /** One step's loss and time split. */
  public record StepTimes(double loss, long computeNanos, long syncNanos, long optimizerNanos,
      int touchedRows) {
    public long totalNanos() {
      return computeNanos + syncNanos + optimizerNanos;
    }
  }

  /**
   * One training step on these items: build the batch, let the strategy fetch the rows it reads,
   * zero gradients, forward and backward, synchronize, apply the optimizers ({@code globalStep}
   * is 1-based, for bias correction).
   */
  public StepTimes step(int[] items, long globalStep) {
    return step(task, items, globalStep);
  }

  private <B extends Task.Batch> StepTimes step(Task<B> t, int[] items, long globalStep) {
    Model model = t.model();
    long tp = System.nanoTime();
    B batch = t.batch(items);
    long tf = System.nanoTime();
    sync.fetch(batch.rows());
    long t0 = System.nanoTime();
    model.zeroGrads();
    double loss = t.step(batch);
    long t1 = System.nanoTime();
    List<SparseGradients> sg = new ArrayList<>();
    int touched = 0;
    for (EmbeddingTable table : model.tables()) {
      sg.add(table.sparseGradients());
      touched += table.touched();
    }
    List<SparseGradients> synced = sync.synchronize(model.parameters().denseGradients(), sg,
        items.length);
    long t2 = System.nanoTime();
    applyOptimizers(model.parameters(), model.tables(), synced, globalStep);
    long t3 = System.nanoTime();
    // building the batch is compute (as it was inside the task's step); fetching rows is sync
    return new StepTimes(loss, (t1 - t0) + (tf - tp), (t2 - t1) + (t0 - tf), t3 - t2, touched);
  }

  private void applyOptimizers(ParameterStore store, List<EmbeddingTable> tables,
      List<SparseGradients> synced, long step) {
    if (!sync.appliesDenseUpdate()) {
      dense.step(store.values(), store.grads());
    }
    if (!sync.appliesSparseUpdate()) {
      for (int i = 0; i < tables.size(); i++) {
        SparseGradients g = synced.get(i);
        if (g.count() > 0) {
          sparse.get(i).step(tables.get(i).values(), tables.get(i).dim(), Arrays.copyOf(g.ids(), g.count()),
              new FloatBuf(g.rows(), 0, g.count() * g.dim()), step);
        }
      }
    }
  }

  private void writeEpoch(int epoch, int steps, long samples, double loss, long nanos,
      Map<String, Double> metrics, double evalSeconds) throws IOException {
    StringBuilder header = new StringBuilder("epoch,steps,samples,train_loss,seconds,samples_per_s");
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.3f,%.2f",
        epoch, steps, samples, loss, nanos / 1e9, samples / (nanos / 1e9)));
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      header.append(',').append(e.getKey());
      row.append(String.format(Locale.ROOT, ",%.6f", e.getValue()));
    }
    header.append(",eval_seconds");
    row.append(String.format(Locale.ROOT, ",%.3f", evalSeconds));
    Csv.append(runDir.resolve("epochs.csv"), header.toString(), List.of(row.toString()));
  }

  public static String format(Map<String, Double> m) {
    Map<String, String> f = new LinkedHashMap<>();
    m.forEach((k, v) -> f.put(k, String.format(Locale.ROOT, "%.4f", v)));
    return f.toString();
  }
}
