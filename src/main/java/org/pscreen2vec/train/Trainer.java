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
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.run.CheckpointSchedule;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.Progress;
import org.pscreen2vec.run.Stats;
import org.pscreen2vec.run.Timeline;
import org.pscreen2vec.sync.BucketedSync;
import org.pscreen2vec.sync.Buckets;
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
      + "step_ms,bytes_sent,bytes_received,touched_rows,sync_total_ms,sync_local_ms";

  /** Tests only: a pause after every step, so a job test can act between checkpoints. */
  private static final long STEP_DELAY_MS = Long.getLong("pscreen2vec.debug.stepDelayMs", 0);

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
  private Options options; // null: a plain loop (tests, bench-step)
  private WorkerAgreement agreement; // the guards and what the workers decide each step
  private final BucketFeeder feeder; // null: no overlap of communication with backward

  /**
   * What a run achieved. {@code samplesPerSecond} is the job's (every worker's samples);
   * {@code syncBytesPerStep} counts training traffic only (not the evaluation pulls).
   */
  public record Result(int steps, double lastEpochLoss, Map<String, Double> metrics,
      double samplesPerSecond, double medianStepMs, double medianSyncMs,
      double syncBytesPerStep, boolean preempted) {}

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
    this.agreement = new WorkerAgreement(config, m, sync, rank, workers, new StepAgreement(null));
    this.feeder = sync.carriesControl() && config.getBool("overlap")
        && sync instanceof BucketedSync b
        ? new BucketFeeder(m.parameters(), b, Buckets.capFloats(config.getDouble(
            "overlap.bucket.mb"))) : null;
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

  /**
   * What a run needs beyond the loop itself: the rank layout and strategy (stored in and checked
   * against checkpoints), the workers' communicator for the per-step agreement (null: decide
   * alone, as ASP/SSP workers must), and the checkpoint folder to resume from (null: start).
   */
  public record Options(TrainingCheckpoint.Setup setup, Communicator agreeAmong,
      Path resumeFrom) {}

  /** Sets the options (before {@link #run}). */
  public Trainer with(Options o) {
    this.options = o;
    this.agreement = new WorkerAgreement(config, task.model(), sync, rank, workers,
        o.agreeAmong() == null ? null : new StepAgreement(o.agreeAmong()));
    return this;
  }

  /** The loop's running state, saved in checkpoints. */
  private TrainingCheckpoint.State state() {
    TrainingCheckpoint.Setup setup = options != null ? options.setup()
        : new TrainingCheckpoint.Setup(sync.name(), "-", workers, 0, task.trainSize());
    return new TrainingCheckpoint.State(task.model(), config, dense, sparse, setup);
  }

  public Result run() throws IOException {
    Model model = task.model();
    ParameterStore store = model.parameters();
    int batch = config.workerBatch(workers); // global.batch split over the workers, or batch
    int stepsPerEpoch = Sharding.steps(task.trainSize(), batch, workers);
    TrainingCheckpoint.Position pos = TrainingCheckpoint.Position.START;
    if (options != null && options.resumeFrom() != null) {
      Path file = options.resumeFrom().resolve(CheckpointFile.TRAIN_FILE);
      pos = TrainingCheckpoint.load(file, state(), serverFiles());
      if (runDir != null) {
        // rows written after the checkpoint (before the run died) are written again
        long step = pos.step();
        int epoch = pos.epoch();
        Csv.keepRows(runDir.resolve("steps-rank" + rank + ".csv"),
            cells -> Long.parseLong(cells[1]) <= step);
        if (root) {
          Csv.keepRows(runDir.resolve("epochs.csv"), cells -> Integer.parseInt(cells[0]) < epoch);
        }
      }
      if (root) {
        LOG.info("resuming from {}: step {}, epoch {} (step {} of {} in it)", file, pos.step(),
            pos.epoch(), pos.stepInEpoch(), stepsPerEpoch);
      }
    }
    int maxSteps = config.maxSteps();
    long lastStep = (long) config.epochs() * stepsPerEpoch;
    if (maxSteps > 0) {
      lastStep = Math.min(lastStep, maxSteps);
    }
    CheckpointSchedule schedule = new CheckpointSchedule(config.getInt("checkpoint.every"),
        stepsPerEpoch, lastStep, config.getBool("checkpoint.epochs"));
    if (root) {
      long tableRows = model.tables().stream().mapToLong(t -> (long) t.rows() * t.dim()).sum();
      LOG.info("{}: {}", model.name(), task.describe());
      LOG.info("dense parameters {} ({} MiB per dense sync), sparse table values {}, "
          + "{} samples per step over {} worker(s), {} steps per epoch, strategy {}, ops {}",
          store.size(), String.format(Locale.ROOT, "%.1f", store.size() * 4.0 / (1 << 20)),
          tableRows, batch * workers, workers, stepsPerEpoch, sync.name(), ops.name());
      if (feeder != null) {
        LOG.info("overlap: {} gradient bucket(s) of at most {} MiB, reduced while backward runs "
            + "(the last one with the tables)", feeder.plan().size(), config.get(
            "overlap.bucket.mb"));
      }
    }
    Progress progress = root ? new Progress(lastStep, pos.step(), config.getInt("log.every"))
        : null;
    Map<String, Double> metrics = Map.of();
    double lastLoss = Double.NaN;
    long globalStep = pos.step();
    List<Double> allStepMs = new ArrayList<>();
    List<Double> allSyncMs = new ArrayList<>();
    long trainNanos = pos.trainNanos();
    long trainSamples = pos.trainSamples(); // the job's: every worker's samples
    long evalSent = 0; // bytes of evaluation pulls, kept out of the training traffic
    long evalReceived = 0;
    boolean preempted = false;
    for (int epoch = pos.epoch(); epoch < config.epochs() && !preempted; epoch++) {
      if (maxSteps > 0 && globalStep >= maxSteps) {
        break;
      }
      boolean resumed = epoch == pos.epoch();
      Sharding.Shard shard = Sharding.shard(task.trainSize(), batch, config.seed(), epoch, rank,
          workers);
      List<String> stepRows = new ArrayList<>();
      double lossSum = resumed ? pos.epochLossSum() : 0;
      long samples = resumed ? pos.epochSamples() : 0;
      int steps = resumed ? pos.epochSteps() : 0;
      long epochBefore = resumed ? pos.epochNanos() : 0;
      long epochStart = System.nanoTime();
      int s = resumed ? pos.stepInEpoch() : 0;
      for (; s < shard.steps() && (maxSteps == 0 || globalStep < maxSteps); s++) {
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
        stepRows.add(String.format(Locale.ROOT,
            "%d,%d,%d,%.6f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%.3f,%s", epoch, globalStep,
            items.length, loss, computeMs, syncMs, optMs, stepMs, sync.bytesSent() - evalSent,
            sync.bytesReceived() - evalReceived, st.touchedRows(), st.syncTotalNanos() / 1e6,
            st.localNanos() < 0 ? "" : String.format(Locale.ROOT, "%.3f", st.localNanos() / 1e6)));
        if (progress != null) {
          progress.step(epoch, globalStep, loss, (long) items.length * workers,
              String.format(Locale.ROOT, "%.1f ms: compute %.1f, sync %.1f, optimizer %.1f",
                  stepMs, computeMs, syncMs, optMs));
        }
        if (STEP_DELAY_MS > 0) {
          sleep(STEP_DELAY_MS);
        }
        if (agreement.stop()) {
          preempted = true;
          s++;
          break;
        }
        if (runDir != null && s + 1 < shard.steps() && schedule.at(globalStep)
            && (maxSteps == 0 || globalStep < maxSteps)) {
          long now = System.nanoTime();
          flushSteps(stepRows);
          saveCheckpoint(globalStep, new TrainingCheckpoint.Position(globalStep, epoch, s + 1,
              lossSum, samples, steps, epochBefore + now - epochStart, trainNanos
              + epochBefore + now - epochStart, trainSamples + Sharding.jobSamples(
              task.trainSize(), batch, workers, steps)));
        }
      }
      long epochNanos = epochBefore + System.nanoTime() - epochStart;
      long jobSamples = Sharding.jobSamples(task.trainSize(), batch, workers, steps);
      lastLoss = samples > 0 ? lossSum / samples : Double.NaN;
      if (preempted && s < shard.steps()) {
        // stopped inside the epoch: save where it stands; the epoch row comes when it ends
        if (runDir != null) {
          flushSteps(stepRows);
          saveCheckpoint(globalStep, new TrainingCheckpoint.Position(globalStep, epoch, s,
              lossSum, samples, steps, epochNanos, trainNanos + epochNanos,
              trainSamples + jobSamples));
        }
        break;
      }
      // where a later run continues: the next epoch, or (max.steps ended this one early) here
      TrainingCheckpoint.Position next = s >= shard.steps()
          ? new TrainingCheckpoint.Position(globalStep, epoch + 1, 0, 0, 0, 0, 0,
              trainNanos + epochNanos, trainSamples + jobSamples)
          : new TrainingCheckpoint.Position(globalStep, epoch, s, lossSum, samples, steps,
              epochNanos, trainNanos + epochNanos, trainSamples + jobSamples);
      trainNanos += epochNanos;
      trainSamples += jobSamples;
      long evalStart = System.nanoTime();
      if (root) {
        // every parameter current before evaluating (parameter servers: the whole tables); that
        // traffic is evaluation's, not counted as training bytes
        long sent = sync.bytesSent();
        long received = sync.bytesReceived();
        try (Timeline.Span sp = Timeline.span("pull-all")) {
          sync.pullAll();
        }
        evalSent += sync.bytesSent() - sent;
        evalReceived += sync.bytesReceived() - received;
      }
      try (Timeline.Span sp = Timeline.span("evaluate")) {
        metrics = root ? task.evaluate() : Map.of();
      }
      double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
      if (root) {
        LOG.info(String.format(Locale.ROOT, "epoch %d done: %d steps, train loss %.4f, "
            + "%.1f samples/s (job), eval %s (%.1f s)", epoch, steps, lastLoss,
            jobSamples / (epochNanos / 1e9), format(metrics), evalSeconds));
      }
      if (runDir != null) {
        flushSteps(stepRows);
        if (root) {
          writeEpoch(epoch, steps, jobSamples, lastLoss, epochNanos, metrics, evalSeconds);
        }
        if (schedule.epochs() || preempted || schedule.at(globalStep)) {
          saveCheckpoint(globalStep, next);
        }
      }
    }
    if (progress != null) {
      progress.finish();
    }
    if (!preempted) {
      agreement.verifyAtEnd(globalStep);
    }
    if (runDir != null && root && !preempted) {
      Checkpoint.save(runDir.resolve("checkpoint.bin"), model, config);
    }
    return new Result((int) globalStep, lastLoss, metrics,
        trainSamples / Math.max(1e-9, trainNanos / 1e9), median(allStepMs), median(allSyncMs),
        globalStep == pos.step() ? 0 : (sync.bytesSent() - evalSent + sync.bytesReceived()
            - evalReceived) / (double) (globalStep - pos.step()), preempted);
  }

  /** Appends the buffered step rows of this rank to its steps CSV. */
  private void flushSteps(List<String> rows) throws IOException {
    if (runDir != null && !rows.isEmpty()) {
      Csv.append(runDir.resolve("steps-rank" + rank + ".csv"), STEPS_HEADER, rows);
      rows.clear();
    }
  }

  /** Server ranks whose checkpoint files belong with this run's (none when auto idles them). */
  private int serverFiles() {
    return options == null || !sync.usesServers() ? 0 : options.setup().servers();
  }

  /** Worker 0 writes the training checkpoint of this step (the servers write theirs). */
  private void saveCheckpoint(long step, TrainingCheckpoint.Position p) throws IOException {
    if (!root || runDir == null) {
      return;
    }
    Path dir = CheckpointFile.stepDir(runDir, step);
    long t0 = System.nanoTime();
    try (Timeline.Span sp = Timeline.span("checkpoint")) {
      TrainingCheckpoint.save(dir.resolve(CheckpointFile.TRAIN_FILE), state(), p, serverFiles());
      TrainingCheckpoint.prune(runDir, options == null ? 0 : options.setup().servers());
    }
    LOG.info(String.format(Locale.ROOT, "checkpoint after step %d: %s (%.2f s)", step, dir,
        (System.nanoTime() - t0) / 1e9));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double median(List<Double> values) {
    return values.isEmpty() ? 0
        : Stats.of(values.stream().mapToDouble(Double::doubleValue).toArray()).median();
  }

  /**
   * One step's loss and time split. {@code syncNanos} is the exposed part (the step waited for
   * it); {@code syncTotalNanos} all of it, including what ran behind backward (overlap);
   * {@code localNanos} the part of the total in the strategy's own packing passes, -1 where it
   * does not measure them ({@code GradientSync.lastLocalNanos}).
   */
  public record StepTimes(double loss, long computeNanos, long syncNanos, long optimizerNanos,
      int touchedRows, long syncTotalNanos, long localNanos) {
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
    ParameterStore store = model.parameters();
    long tp = System.nanoTime();
    B batch;
    try (Timeline.Span sp = Timeline.span("data")) {
      batch = t.batch(items);
    }
    long tf = System.nanoTime();
    try (Timeline.Span sp = Timeline.span("fetch-rows")) {
      sync.fetch(batch.rows());
    }
    long t0 = System.nanoTime();
    double loss;
    if (feeder != null) { // buckets go to the communication thread as backward produces them
      ((BucketedSync) sync).begin(store.denseGradients(), items.length, agreement.control());
      feeder.begin();
      model.onGradientsReady(feeder);
    }
    try (Timeline.Span sp = Timeline.span("forward+backward")) {
      model.zeroGrads();
      loss = t.step(batch);
    } finally {
      model.onGradientsReady(null);
    }
    long t1 = System.nanoTime();
    List<SparseGradients> sg = new ArrayList<>();
    int touched = 0;
    for (EmbeddingTable table : model.tables()) {
      sg.add(table.sparseGradients());
      touched += table.touched();
    }
    // the guards and the strategy read the host copy (the feeder moved the other buckets)
    Buckets.Bucket last = feeder != null ? feeder.flush()
        : new Buckets.Bucket(0, store.size(), 0, store.params().size());
    store.gradsToHost(last.from(), last.to());
    if (globalStep == config.getInt("debug.nan.step") && rank == workers - 1
        && store.size() > 0) {
      store.hostGrads()[0] = Float.NaN; // test hook: one worker's gradient turns NaN
    }
    long ta0 = System.nanoTime();
    try (Timeline.Span sp = Timeline.span("guards")) {
      agreement.beforeSync(loss, sg, globalStep);
    }
    long ta1 = System.nanoTime();
    List<SparseGradients> synced;
    if (feeder != null) {
      synced = ((BucketedSync) sync).finish(last.from(), last.to(), sg);
    } else if (agreement.control() != null) {
      synced = sync.synchronize(store.denseGradients(), sg, items.length, agreement.control());
    } else {
      synced = sync.synchronize(store.denseGradients(), sg, items.length);
    }
    agreement.afterSync(globalStep);
    if (sync.appliesDenseUpdate()) {
      store.valuesFromHost(0, store.size());
    } else {
      store.gradsFromHost(0, store.size());
    }
    long t2 = System.nanoTime();
    try (Timeline.Span sp = Timeline.span("optimizer")) {
      applyOptimizers(model.parameters(), model.tables(), synced, globalStep);
    }
    long t3 = System.nanoTime();
    // building the batch is compute (as it was inside the task's step); fetching rows, a
    // separate agreement and synchronizing are sync, the guards' local work (one worker, or the
    // control block's words) compute; with overlap, the reductions behind backward count in the
    // total only
    boolean agreed = agreement.waitsForPeers();
    long guards = ta1 - ta0;
    long exposed = (t2 - ta1) + (agreed ? guards : 0) + (t0 - tf);
    long total = feeder != null
        ? ((BucketedSync) sync).lastBusyNanos() + (agreed ? guards : 0) + (t0 - tf) : exposed;
    return new StepTimes(loss, (t1 - t0) + (tf - tp) + (ta0 - t1) + (agreed ? 0 : guards),
        exposed, t3 - t2, touched, Math.max(total, exposed), sync.lastLocalNanos());
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
