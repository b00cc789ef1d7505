package org.pscreen2vec.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.data.Sharding;
import org.pscreen2vec.ps.ParameterServer;
import org.pscreen2vec.ps.ServerCheckpoint;
import org.pscreen2vec.ps.ServerState;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.run.CheckpointSchedule;
import org.pscreen2vec.run.Preemption;
import org.pscreen2vec.run.RankStatus;
import org.pscreen2vec.run.Timeline;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;
import org.pscreen2vec.sync.GradientSync;
import org.pscreen2vec.sync.PsReport;
import org.pscreen2vec.sync.PsSync;
import org.pscreen2vec.study.SparsityProbe;
import org.pscreen2vec.sync.Strategies;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;
import org.pscreen2vec.train.Trainer;
import org.pscreen2vec.train.TrainingCheckpoint;

/**
 * {@code train}: data-parallel training of one model with one gradient-synchronization strategy.
 * Every worker builds the same model from the same seed, trains on its shard, and the strategy
 * synchronizes; rank 0 evaluates and writes the run folder.
 */
public final class TrainCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(TrainCommand.class);

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a model (screen2vec, ui2vec, layout-ae, fashion-mlp, fashion-cnn) with a "
        + "gradient-sync strategy";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  static final Opt<String> CONFIG = Opt.text("config", "FILE", null,
      "configs/<model>-local.properties", "a configs/*.properties file");
  static final Opt<String> MODEL = Opt.choice("model", "NAME", "screen2vec", TrainConfig.MODELS,
      "model when no --config is given");
  static final Opt<List<String>> SET = Opt.repeated("set", "KEY=VALUE",
      "override a configuration key (repeatable); keys: see configs/README.md");
  static final Opt<String> STRATEGY = Opt.choice("strategy", "NAME", "none", Strategies.NAMES,
      "gradient synchronization; none trains one worker, ps and hybrid need --servers S");
  static final Opt<String> CONSISTENCY = Opt.text("consistency", "MODE", "bsp", "bsp",
      "parameter servers: bsp (synchronous), asp, or ssp:<bound>");
  static final Opt<Integer> SEGMENT = Opt.integer("segment", "FLOATS",
      "measured per device, see docs/PERFORMANCE.md", 1, 1 << 28,
      "allreduce pipeline segment in floats");
  static final Opt<Integer> THREADS = Opt.integer("threads", "N",
      "$OMP_NUM_THREADS as the launcher sets it, else cores / ranks in this JVM", 1, 1024,
      "BLAS/OpenMP threads of this process");
  static final Opt<String> EXPERIMENT = Opt.text("experiment", "NAME", null, "train-<model>",
      "results folder name");
  static final Opt<String> RESUME = Opt.text("resume", "PATH", null, "start afresh",
      "continue a run: its run folder (the latest complete checkpoint) or one of its "
          + "checkpoints/step-N folders; the run goes on in that folder");
  static final Opt<Boolean> TIMELINE = Opt.flag("timeline",
      "write a Chrome trace of every rank's phases to timeline.json (open in Perfetto)");
  /** Worker 0 tells the servers the checkpoint schedule and the resumed step on this tag. */
  private static final int TAG_PLAN = 730;
  /** The plan: checkpoint.every, steps per epoch, last step, resumed step (2 ints), epochs. */
  private static final int PLAN_LENGTH = 6;
  /** Exit status of a preempted run (128 + SIGTERM, as a shell reports it). */
  static final int PREEMPTED = 143;

  @Override
  public Options options() {
    return Opt.options(CONFIG, MODEL, SET, STRATEGY, CONSISTENCY, SEGMENT, THREADS, EXPERIMENT,
        RESUME, TIMELINE, Backends.BACKEND, Backends.TF32);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec -np 1 train --model fashion-mlp
          bin/pscreen2vec -np 1 train --config configs/screen2vec-local.properties --set epochs=2
          bin/pscreen2vec -np 2 train --model fashion-mlp --strategy ring --set checkpoint.every=50
          bin/pscreen2vec -np 2 train --model fashion-mlp --strategy ring --resume results/train-fashion-mlp/<job id>
        Writes results/<experiment>/<job id>/: run.json (status running, done, failed or
        preempted), epochs.csv, steps-rank<r>.csv, checkpoints/step-N/ (every checkpoint.every
        steps and at each epoch end, the newest two kept; checkpoint.epochs=false keeps only the
        every-N ones and a preempted run's), checkpoint.bin (the final model),
        timeline.json with --timeline; and one row in results/<experiment>/summary.csv when done.
        SIGTERM (scancel, a time limit): the ranks finish the step, checkpoint, mark the run
        preempted and exit 143; --resume continues it, bitwise as if never stopped (ring, naive,
        star, mpj, ps/hybrid with bsp). Details: docs/CHECKPOINTS.md.
        Configuration keys and their defaults: configs/README.md.
        """;
  }

  /** The configuration named by --config / --model and --set. */
  static TrainConfig config(CommandLine cl) throws java.io.IOException {
    String file = CONFIG.get(cl);
    Path path = file != null ? Paths.get(file)
        : Tasks.home().resolve("configs").resolve(MODEL.get(cl) + "-local.properties");
    if (!Files.isRegularFile(path)) {
      throw new UsageException("configuration file " + path + " does not exist");
    }
    try {
      return TrainConfig.load(path, SET.get(cl));
    } catch (IllegalArgumentException e) {
      throw new UsageException(path + ": " + e.getMessage());
    }
  }

  /** --threads, else the launcher's OMP_NUM_THREADS, else cores / ranks in this JVM. */
  static int threads(CommandLine cl, int ranksInJvm) {
    int dflt = CpuOps.defaultThreads(ranksInJvm);
    String p = System.getProperty("pscreen2vec.ompThreads", System.getenv("OMP_NUM_THREADS"));
    if (p != null) {
      try {
        dflt = Math.max(1, Integer.parseInt(p.trim()));
      } catch (NumberFormatException e) {
        LOG.warn("ignoring OMP_NUM_THREADS={} (not a number)", p);
      }
    }
    return THREADS.get(cl, dflt);
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    TrainConfig config = config(cl);
    try {
      config.workerBatch(ctx.roles().workers()); // global.batch must split over the workers
    } catch (IllegalArgumentException e) {
      throw new UsageException(CONFIG.get(cl, "configs/" + MODEL.get(cl) + "-local.properties")
          + ": " + e.getMessage());
    }
    String strategy = STRATEGY.get(cl);
    Strategies.PsSetup ps;
    try {
      Strategies.validate(strategy, ctx);
      Consistency consistency = Consistency.parse(CONSISTENCY.get(cl));
      ps = new Strategies.PsSetup(consistency,
          () -> Trainer.denseOptimizer(config, CpuOps.plainJava()),
          () -> Trainer.sparseOptimizer(config, CpuOps.plainJava()));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    int segment = SEGMENT.get(cl, Allreduces.defaultSegmentFloats(ctx.device()));
    boolean multicore = "multicore".equals(ctx.device());
    int threads = threads(cl, multicore ? ctx.size() : 1);
    String experiment = EXPERIMENT.get(cl, "train-" + config.model());
    String resumeArg = RESUME.get(cl);
    Path resumeDir = null;
    Path dir;
    if (resumeArg != null) {
      resumeDir = TrainingCheckpoint.resolve(Paths.get(resumeArg), ctx.roles().servers());
      dir = ctx.useRunDir(TrainingCheckpoint.runDirOf(resumeDir));
    } else {
      dir = ctx.openRunDir(experiment);
    }
    boolean timeline = TIMELINE.get(cl);
    if (timeline) {
      Timeline.start(ctx.rank(), ctx.role().label());
    }
    Preemption.enter();
    try {
      int code = ctx.isWorker() ? work(config, strategy, ps, segment, threads, ctx, dir, resumeDir,
          Backends.create(cl, ctx.rank(), threads))
          : serve(config, strategy, ps, ctx, dir, resumeDir);
      if (timeline) {
        writeTimeline(ctx, dir);
      }
      return code;
    } finally {
      Preemption.leave();
    }
  }

  /** A parameter-server rank: the checkpoint plan from worker 0, then serving. */
  private static int serve(TrainConfig config, String strategy, Strategies.PsSetup ps,
      RunContext ctx, Path dir, Path resumeDir) throws java.io.IOException {
    int[] plan = new int[PLAN_LENGTH];
    ctx.world().recv(plan, 0, plan.length, 0, TAG_PLAN);
    long resumeStep = ((long) plan[3] << 32) | (plan[4] & 0xFFFFFFFFL);
    ServerCheckpoint.configure(dir, new CheckpointSchedule(plan[0], plan[1], plan[2],
        plan[5] != 0),
        resumeStep, resumeStep >= 0 ? CheckpointFile.stepDir(dir, resumeStep) : null);
    ParameterServer.ServerLoad[] load = new ParameterServer.ServerLoad[1];
    ServerState state = Strategies.serve(strategy, ctx, ps, load);
    ServerCheckpoint.saveFinal(state);
    LOG.info("parameter server done: {} requests ({} rejected), busy {} s, idle {} s",
        load[0].requests(), load[0].rejected(),
        String.format(Locale.ROOT, "%.2f", load[0].busySeconds()),
        String.format(Locale.ROOT, "%.2f", load[0].idleSeconds()));
    if (Preemption.requested()) {
      RankStatus.write(ctx.rank(), PREEMPTED, "preempted (" + Preemption.reason()
          + "): shard saved");
      return PREEMPTED;
    }
    return ExitCode.OK;
  }

  private static int work(TrainConfig config, String strategy, Strategies.PsSetup ps,
      int segment, int threads, RunContext ctx, Path dir, Path resumeDir, Ops ops)
      throws Exception {
    // the model first, then the strategy around it (as DDP wraps a finished model)
    Task<?> task = Tasks.create(config, ops);
    Model model = task.model();
    int workers = ctx.roles().workers();
    long resumeStep = resumeDir == null ? -1 : TrainingCheckpoint.stepOf(resumeDir);
    if (Strategies.usesServers(strategy)) {
      int stepsPerEpoch = Sharding.steps(task.trainSize(), config.workerBatch(workers), workers);
      long last = (long) config.epochs() * stepsPerEpoch;
      if (config.maxSteps() > 0) {
        last = Math.min(last, config.maxSteps());
      }
      if (ctx.isRoot()) {
        int[] plan = {config.getInt("checkpoint.every"), stepsPerEpoch, (int) last,
            (int) (resumeStep >>> 32), (int) resumeStep,
            config.getBool("checkpoint.epochs") ? 1 : 0};
        for (int s = 0; s < ctx.roles().servers(); s++) {
          ctx.world().send(plan, 0, plan.length, workers + s, TAG_PLAN);
        }
      }
      PsSync.resumeAt(resumeStep);
    }
    // the strategy starts from the host side of the parameters (worker 0's broadcast, the
    // servers' initial values) and may replace it: copies on a GPU, nothing on the CPU
    ParameterStore store = model.parameters();
    store.valuesToHost(0, store.size());
    model.tables().forEach(EmbeddingTable::valuesToHost);
    GradientSync sync = Strategies.worker(strategy, ctx, ps, segment, store.denseGradients(),
        model.tables(), () -> SparsityProbe.firstBatches(task, config, ctx.rank(), workers));
    store.valuesFromHost(0, store.size());
    model.tables().forEach(EmbeddingTable::valuesFromHost);
    RunRecord rec = ctx.isRoot() ? new RunRecord(ctx, "train", new String[0]) : null;
    if (rec != null) {
      LOG.info("train: {} on {} worker(s), strategy {}, {} BLAS thread(s) per process; "
          + "config: {}", config.model(), workers, strategy, threads, config);
      rec.put("strategy", strategy).put("blas_threads", threads)
          .put("consistency", ps.consistency().toString()).put("segment_floats", segment);
      if (resumeDir != null) {
        rec.put("resumed_from", resumeDir.toString());
      }
      config.values().forEach((k, v) -> rec.put("config." + k, v));
      rec.status(dir, RunRecord.RUNNING, "");
    }
    boolean deterministic = !Strategies.usesServers(strategy)
        || ps.consistency().mode() == Consistency.Mode.BSP;
    Trainer.Result r;
    try {
      r = new Trainer(config, task, ops, sync, ctx.rank(), workers, dir)
          .with(new Trainer.Options(new TrainingCheckpoint.Setup(strategy,
              ps.consistency().toString(), workers, ctx.roles().servers(), task.trainSize()),
              deterministic ? ctx.group() : null, resumeDir))
          .run();
    } catch (Exception | Error e) {
      if (rec != null) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        rec.status(dir, RunRecord.FAILED, m.replaceAll("[\\r\\n]+", " "));
      }
      throw e;
    }
    if (r.preempted()) {
      sync.close();
      String why = "preempted (" + (Preemption.requested() ? Preemption.reason()
          : "another worker received SIGTERM") + ") after step " + r.steps()
          + "; continue with --resume " + dir;
      if (rec != null) {
        rec.status(dir, RunRecord.PREEMPTED, why);
        LOG.warn("{}", why);
      }
      RankStatus.write(ctx.rank(), PREEMPTED, why);
      return PREEMPTED;
    }
    if (rec != null) {
      summaryRow(config, strategy, ps, threads, ctx, dir, r);
      rec.status(dir, RunRecord.DONE, "");
    }
    sync.close();
    if (sync instanceof PsSync servers) {
      PsReport.write(servers, dir, ctx.rank(), ctx.isRoot());
    }
    return ExitCode.OK;
  }

  private static void summaryRow(TrainConfig config, String strategy, Strategies.PsSetup ps,
      int threads, RunContext ctx, Path dir, Trainer.Result r) throws java.io.IOException {
    StringBuilder header = new StringBuilder("job_id,model,device,strategy,consistency,"
        + "workers,servers,threads,steps,train_loss,samples_per_s,median_step_ms,"
        + "median_sync_ms,sync_bytes_per_step");
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
        "%s,%s,%s,%s,%s,%d,%d,%d,%d,%.6f,%.2f,%.3f,%.3f,%.0f", dir.getFileName(),
        config.model(), ctx.device(), strategy,
        Strategies.usesServers(strategy) ? ps.consistency() : "-",
        ctx.roles().workers(), ctx.roles().servers(), threads, r.steps(), r.lastEpochLoss(),
        r.samplesPerSecond(), r.medianStepMs(), r.medianSyncMs(), r.syncBytesPerStep()));
    for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
      header.append(',').append(e.getKey());
      row.append(String.format(Locale.ROOT, ",%.6f", e.getValue()));
    }
    Csv.append(dir.getParent().resolve("summary.csv"),
        header.toString(), List.of(row.toString()));
    LOG.info("train done: {} steps, {} samples/s, final metrics {}; run folder {}", r.steps(),
        String.format(Locale.ROOT, "%.1f", r.samplesPerSecond()),
        Trainer.format(r.metrics()), dir);
  }

  /** Every rank writes its part; after a barrier rank 0 merges them into timeline.json. */
  private static void writeTimeline(RunContext ctx, Path dir) throws java.io.IOException {
    Path part = dir.resolve("timeline-rank" + ctx.rank() + ".part");
    Timeline.writePart(part);
    ctx.world().barrier("timeline parts written");
    if (ctx.isRoot()) {
      List<Path> parts = new java.util.ArrayList<>();
      for (int r = 0; r < ctx.size(); r++) {
        parts.add(dir.resolve("timeline-rank" + r + ".part"));
      }
      Timeline.merge(parts, dir.resolve("timeline.json"));
      for (Path p : parts) {
        Files.deleteIfExists(p);
      }
      LOG.info("timeline of {} rank(s): {}", ctx.size(), dir.resolve("timeline.json"));
    }
  }
}
