package org.pscreen2vec.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.run.CheckpointFile;

/**
 * Everything a run needs to continue, as worker 0 writes it into
 * {@code <run>/checkpoints/step-NNNNNNNNN/train.ckpt}: the model (dense buffer, tables), the
 * optimizers' state (dense moments and step count, per-row moments of each table), the position
 * (step, epoch, step within the epoch, and the epoch's running loss so the epoch row comes out
 * the same), the configuration, the strategy and rank layout, and the data set's size. The data
 * order needs no stored random state: each epoch's permutation is a pure function of (seed,
 * epoch) ({@code Sharding}) and the position says how far into it the run was. Under {@code ps}
 * and {@code hybrid} the servers write {@code server-S.ckpt} beside it at the same step.
 */
public final class TrainingCheckpoint {
  /** Configuration keys a resumed run may change; every other key must match the checkpoint. */
  public static final Set<String> MAY_DIFFER = Set.of("epochs", "max.steps", "log.every",
      "checkpoint.every", "checkpoint.epochs", "checksum.every", "debug.nan.step",
      // when gradients travel, not what they are (3+ ranks: the last bits of a sum's order)
      "overlap", "overlap.bucket.mb");

  /** Completed checkpoints kept in a run folder (older ones are deleted). */
  static final int KEEP = 2;

  private TrainingCheckpoint() {}

  /** Where the loop stands after {@code step} steps (with the running sums of the epoch). */
  public record Position(long step, int epoch, int stepInEpoch, double epochLossSum,
      long epochSamples, int epochSteps, long epochNanos, long trainNanos, long trainSamples) {
    public static final Position START = new Position(0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** What must be the same for a checkpoint to fit a run besides the model. */
  public record Setup(String strategy, String consistency, int workers, int servers,
      int trainSize) {}

  /** Worker 0's state: the model, its optimizers, and the trainer's position. */
  public record State(Model model, TrainConfig config, DenseOptimizer dense,
      List<SparseOptimizer> sparse, Setup setup) {}

  /**
   * The field saying how many {@code server-S.ckpt} files complete this checkpoint: the job's
   * servers under ps and hybrid, 0 when there are none or {@code auto} left them idle (they end
   * at once and write nothing). Checkpoints written before it existed need every server's file.
   */
  static final String SERVER_FILES = "server_files";

  static void save(Path file, State s, Position p, int serverFiles) throws IOException {
    CheckpointFile.Writer w = new CheckpointFile.Writer("train");
    w.field("model", s.model().name());
    s.config().values().forEach((k, v) -> w.field("config." + k, v));
    w.field("strategy", s.setup().strategy()).field("consistency", s.setup().consistency())
        .field("workers", s.setup().workers()).field("servers", s.setup().servers())
        .field("data.train_size", s.setup().trainSize()).field(SERVER_FILES, serverFiles);
    w.field("step", p.step()).field("epoch", p.epoch()).field("step_in_epoch", p.stepInEpoch())
        .field("epoch_loss_sum", Double.toString(p.epochLossSum()))
        .field("epoch_samples", p.epochSamples()).field("epoch_steps", p.epochSteps())
        .field("epoch_nanos", p.epochNanos()).field("train_nanos", p.trainNanos())
        .field("train_samples", p.trainSamples());
    w.field("rng", "none stored: epoch e's data order is Sharding.permutation(seed, e); "
        + "the run is step_in_epoch steps into it");
    w.field("dense_optimizer", s.dense().name())
        .field("dense_optimizer_steps", s.dense().steps());
    w.field("git_revision", System.getProperty("pscreen2vec.gitRev", "unknown"))
        .field("written_utc", Instant.now().toString());
    Checkpoint.shapes(s.model()).forEach(w::field);
    Checkpoint.onHost(s.model().parameters().ops(), arrays(s)).forEach(w::array);
    w.write(file);
  }

  /**
   * Loads a checkpoint into a freshly built run (model, optimizers) after checking that it is one
   * of this model, shapes, configuration, strategy and data set; returns the position.
   */
  static Position load(Path file, State s, int serverFiles) throws IOException {
    CheckpointFile.Contents c = CheckpointFile.open(file, "train");
    String name = c.field("model");
    if (!name.equals(s.model().name())) {
      throw new BadInputException(file, "holds a " + name + " model, not " + s.model().name());
    }
    checkConfig(c, s.config());
    Setup u = s.setup();
    expect(c, "strategy", u.strategy(), "--strategy");
    expect(c, "consistency", u.consistency(), "--consistency");
    expect(c, "workers", String.valueOf(u.workers()), "the number of workers (-np minus "
        + "--servers)");
    expect(c, "servers", String.valueOf(u.servers()), "--servers");
    expect(c, "data.train_size", String.valueOf(u.trainSize()), "the data set (another data "
        + "set has another number of training items)");
    if (c.fields().containsKey(SERVER_FILES)) {
      expect(c, SERVER_FILES, String.valueOf(serverFiles), "use of the server ranks (under "
          + "auto: the strategy it picked then, given as --strategy)");
    }
    Checkpoint.checkShapes(c, s.model());
    if (!c.field("dense_optimizer").equals(s.dense().name())) {
      throw new BadInputException(file, "was written with optimizer " + c.field("dense_optimizer")
          + ", this run uses " + s.dense().name());
    }
    Checkpoint.readOnHost(c, s.model().parameters().ops(), arrays(s));
    s.dense().restoreSteps(c.longField("dense_optimizer_steps"));
    return new Position(c.longField("step"), (int) c.longField("epoch"),
        (int) c.longField("step_in_epoch"), c.doubleField("epoch_loss_sum"),
        c.longField("epoch_samples"), (int) c.longField("epoch_steps"),
        c.longField("epoch_nanos"), c.longField("train_nanos"), c.longField("train_samples"));
  }

  private static void expect(CheckpointFile.Contents c, String key, String now, String what)
      throws BadInputException {
    String stored = c.field(key);
    if (!stored.equals(now)) {
      throw new BadInputException(c.file(), "was written with " + key + " " + stored
          + ", this run has " + now + "; resume with the same " + what);
    }
  }

  /** Every stored key but {@link #MAY_DIFFER} must equal this run's value. */
  private static void checkConfig(CheckpointFile.Contents c, TrainConfig now)
      throws BadInputException {
    List<String> diff = new ArrayList<>();
    for (Map.Entry<String, String> e : now.values().entrySet()) {
      if (MAY_DIFFER.contains(e.getKey())) {
        continue;
      }
      String stored = c.fields().get("config." + e.getKey());
      String dflt = TrainConfig.KEYS.containsKey(e.getKey())
          ? TrainConfig.KEYS.get(e.getKey())[0] : null;
      if (stored == null ? !e.getValue().equals(dflt) : !stored.equals(e.getValue())) {
        diff.add(e.getKey() + "=" + (stored == null ? "(absent)" : stored) + " in the "
            + "checkpoint, " + e.getValue() + " now");
      }
    }
    if (!diff.isEmpty()) {
      throw new BadInputException(c.file(), "was written with another configuration: "
          + String.join(", ", diff) + "; every key must match except "
          + String.join(", ", MAY_DIFFER.stream().sorted().toList()));
    }
  }

  private static Map<String, Buf> arrays(State s) {
    Map<String, Buf> m = new LinkedHashMap<>(Checkpoint.modelArrays(s.model()));
    s.dense().state().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> m.put("dense.opt." + e.getKey(), e.getValue()));
    List<EmbeddingTable> tables = s.model().tables();
    for (int t = 0; t < tables.size(); t++) {
      String prefix = "table." + tables.get(t).name() + ".opt.";
      s.sparse().get(t).state().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> m.put(prefix + e.getKey(), e.getValue()));
    }
    return m;
  }

  /**
   * The checkpoint folder {@code --resume} names: a checkpoint folder itself (or its
   * {@code train.ckpt}), or a run folder, whose latest complete checkpoint is taken (complete:
   * {@code train.ckpt} and every {@code server-S.ckpt} it needs, see {@link #SERVER_FILES}).
   */
  public static Path resolve(Path arg, int servers) throws IOException {
    Path p = arg.toAbsolutePath().normalize();
    if (Files.isRegularFile(p) && p.getFileName().toString().equals(CheckpointFile.TRAIN_FILE)) {
      p = p.getParent();
    }
    if (Files.isRegularFile(p.resolve(CheckpointFile.TRAIN_FILE))) {
      return p;
    }
    Path folder = p.resolve(CheckpointFile.FOLDER);
    if (!Files.isDirectory(folder)) {
      throw new BadInputException(arg, "holds no checkpoint (neither " + CheckpointFile.TRAIN_FILE
          + " nor a " + CheckpointFile.FOLDER + "/ folder); --resume takes a run folder or one "
          + "of its checkpoints/step-N folders");
    }
    List<Path> complete = complete(folder, servers);
    if (complete.isEmpty()) {
      throw new BadInputException(folder, "holds no complete checkpoint (the run stopped before "
          + "its first one was written)");
    }
    return complete.get(complete.size() - 1);
  }

  /** Complete checkpoint folders, oldest first. */
  static List<Path> complete(Path folder, int servers) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (Stream<Path> s = Files.list(folder)) {
      for (Path d : s.filter(x -> x.getFileName().toString().matches("step-\\d{9}"))
          .sorted(Comparator.comparing(Path::getFileName)).toList()) {
        Path train = d.resolve(CheckpointFile.TRAIN_FILE);
        boolean ok = Files.isRegularFile(train);
        int needed = ok ? serverFilesOf(train, servers) : servers;
        for (int i = 0; ok && i < needed; i++) {
          ok = Files.isRegularFile(CheckpointFile.serverFile(d, i));
        }
        if (ok) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /**
   * The server files {@code train} says complete it; {@code servers} where it does not say (an
   * older checkpoint) or its header cannot be read (then loading it names the problem).
   */
  private static int serverFilesOf(Path train, int servers) {
    try {
      String v = CheckpointFile.peekFields(train, "train").get(SERVER_FILES);
      int n = v == null ? servers : Integer.parseInt(v);
      return n >= 0 && n <= servers ? n : servers;
    } catch (IOException | RuntimeException e) {
      return servers;
    }
  }

  /** The step a checkpoint folder holds (from its name). */
  public static long stepOf(Path stepDir) throws BadInputException {
    String n = stepDir.getFileName().toString();
    if (!n.matches("step-\\d{9}")) {
      throw new BadInputException(stepDir, "is not a checkpoint folder (step-NNNNNNNNN)");
    }
    return Long.parseLong(n.substring(5));
  }

  /** The run folder a checkpoint folder belongs to. */
  public static Path runDirOf(Path stepDir) {
    return stepDir.getParent().getParent();
  }

  /** Deletes complete checkpoints older than the newest {@link #KEEP}, and nothing else. */
  static void prune(Path runDir, int servers) throws IOException {
    List<Path> done = complete(runDir.resolve(CheckpointFile.FOLDER), servers);
    for (int i = 0; i < done.size() - KEEP; i++) {
      Path d = done.get(i);
      try (Stream<Path> files = Files.list(d)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(d);
    }
  }
}
