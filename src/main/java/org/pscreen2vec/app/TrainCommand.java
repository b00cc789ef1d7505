package org.pscreen2vec.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
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

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
        .desc("a configs/*.properties file (default: configs/<model>-local.properties)").get());
    o.addOption(Option.builder().longOpt("model").hasArg().argName("NAME")
        .desc("model when no --config is given: " + String.join(", ", TrainConfig.MODELS)
            + " (default screen2vec)").get());
    o.addOption(Option.builder().longOpt("set").hasArgs().argName("KEY=VALUE")
        .desc("override a configuration key (repeatable); keys: see configs/README.md").get());
    o.addOption(Option.builder().longOpt("strategy").hasArg().argName("NAME")
        .desc("gradient synchronization: " + String.join(", ", Strategies.NAMES)
            + " (default none: one worker). ps and hybrid need --servers S").get());
    o.addOption(Option.builder().longOpt("consistency").hasArg().argName("MODE")
        .desc("parameter servers: bsp (synchronous, default), asp, or ssp:<bound>").get());
    o.addOption(Option.builder().longOpt("segment").hasArg().argName("FLOATS")
        .desc("allreduce pipeline segment in floats (default: measured per device, see "
            + "docs/PERFORMANCE.md)").get());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
        .desc("BLAS/OpenMP threads of this process (default: $OMP_NUM_THREADS as the launcher "
            + "sets it, else cores / ranks in this JVM)").get());
    o.addOption(Option.builder().longOpt("experiment").hasArg().argName("NAME")
        .desc("results folder name (default train-<model>)").get());
    return o;
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
    String file = cl.getOptionValue("config");
    Path path;
    if (file != null) {
      path = Paths.get(file);
    } else {
      String model = cl.getOptionValue("model", "screen2vec");
      if (!TrainConfig.MODELS.contains(model)) {
        throw new UsageException("--model " + model + " is unknown; valid models: "
            + String.join(", ", TrainConfig.MODELS));
      }
      path = Tasks.home().resolve("configs").resolve(model + "-local.properties");
    }
    if (!Files.isRegularFile(path)) {
      throw new UsageException("configuration file " + path + " does not exist");
    }
    String[] sets = cl.getOptionValues("set");
    try {
      return TrainConfig.load(path, sets == null ? List.of() : Arrays.asList(sets));
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
    return CommonOptions.intValue(cl, "threads", dflt, 1, 1024);
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    TrainConfig config = config(cl);
    String strategy = cl.getOptionValue("strategy", "none");
    Strategies.PsSetup ps;
    try {
      Strategies.validate(strategy, ctx);
      Consistency consistency = Consistency.parse(cl.getOptionValue("consistency", "bsp"));
      ps = new Strategies.PsSetup(consistency,
          () -> Trainer.denseOptimizer(config, CpuOps.plainJava()),
          () -> Trainer.sparseOptimizer(config, CpuOps.plainJava()));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    int segment = CommonOptions.intValue(cl, "segment",
        Allreduces.defaultSegmentFloats(ctx.device()), 1, 1 << 28);
    boolean multicore = "multicore".equals(ctx.device());
    int threads = threads(cl, multicore ? ctx.size() : 1);
    String experiment = cl.getOptionValue("experiment", "train-" + config.model());
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
