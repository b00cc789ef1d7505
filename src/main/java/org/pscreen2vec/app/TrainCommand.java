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
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.ps.ParameterServer;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;
import org.pscreen2vec.sync.GradientSync;
import org.pscreen2vec.sync.PsReport;
import org.pscreen2vec.sync.PsSync;
import org.pscreen2vec.sync.Strategies;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;
import org.pscreen2vec.train.Trainer;

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

  @Override
  public Options options() {
    return Opt.options(CONFIG, MODEL, SET, STRATEGY, CONSISTENCY, SEGMENT, THREADS, EXPERIMENT);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec -np 1 train --model fashion-mlp
          bin/pscreen2vec -np 1 train --config configs/screen2vec-local.properties --set epochs=2
        Writes results/<experiment>/<job id>/: run.json, epochs.csv, steps-rank<r>.csv,
        checkpoint.bin; and one row in results/<experiment>/summary.csv.
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
    Path dir = ctx.openRunDir(experiment);
    if (!ctx.isWorker()) {
      ParameterServer.ServerLoad[] load = new ParameterServer.ServerLoad[1];
      Strategies.serve(strategy, ctx, ps, load);
      LOG.info("parameter server done: {} requests ({} rejected), busy {} s, idle {} s",
          load[0].requests(), load[0].rejected(),
          String.format(Locale.ROOT, "%.2f", load[0].busySeconds()),
          String.format(Locale.ROOT, "%.2f", load[0].idleSeconds()));
      return ExitCode.OK;
    }
    // the model first, then the strategy around it (as DDP wraps a finished model)
    CpuOps ops = new CpuOps(threads);
    Task<?> task = Tasks.create(config, ops);
    Model model = task.model();
    GradientSync sync = Strategies.worker(strategy, ctx, ps, segment,
        model.parameters().denseGradients(), model.tables());
    if (ctx.isRoot()) {
      LOG.info("train: {} on {} worker(s), strategy {}, {} BLAS thread(s) per process; "
          + "config: {}", config.model(), ctx.roles().workers(), strategy, threads, config);
      RunRecord rec = new RunRecord(ctx, "train", new String[0]);
      rec.put("strategy", strategy).put("blas_threads", threads)
          .put("consistency", ps.consistency().toString()).put("segment_floats", segment);
      config.values().forEach((k, v) -> rec.put("config." + k, v));
      rec.write(dir);
    }
    Trainer.Result r = new Trainer(config, task, ops, sync, ctx.rank(), ctx.roles().workers(),
        dir).run();
    if (ctx.isRoot()) {
      StringBuilder header = new StringBuilder("job_id,model,device,strategy,consistency,"
          + "workers,servers,threads,steps,train_loss,samples_per_s,median_step_ms,"
          + "median_sync_ms,sync_bytes_per_step");
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
          "%s,%s,%s,%s,%s,%d,%d,%d,%d,%.6f,%.2f,%.3f,%.3f,%.0f", ctx.jobId(), config.model(),
          ctx.device(), strategy, Strategies.usesServers(strategy) ? ps.consistency() : "-",
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
    sync.close();
    if (sync instanceof PsSync servers) {
      PsReport.write(servers, dir, ctx.rank(), ctx.isRoot());
    }
    return ExitCode.OK;
  }
}
