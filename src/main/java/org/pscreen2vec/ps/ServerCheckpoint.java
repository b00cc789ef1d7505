package org.pscreen2vec.ps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.run.CheckpointSchedule;

/**
 * A parameter server's part of a training checkpoint, {@code server-S.ckpt} beside the workers'
 * {@code train.ckpt}: its dense shard and its rows of every table, their optimizer state, the
 * version of each range and the workers' clocks.
 *
 * <p>Same step as the workers: under BSP a range's version is the number of rounds applied, so
 * the server copies a range when it completes a round whose number is on the workers' schedule
 * ({@link CheckpointSchedule}), and writes the file once every range it serves has reached that
 * round — the state the workers' step-N checkpoint pairs with. At the end of serving (a finished
 * or a preempted run: every worker said DONE after its last step) {@link #saveFinal} writes the
 * last step's (a finished run only with {@code checkpoint.epochs=true}). On resume the server
 * restores its file before serving; the workers then send no initial values.
 *
 * <p>Configured per rank ({@link #configure}) before the server starts; in a multicore job each
 * rank's class loader has its own.
 */
public final class ServerCheckpoint {
  private static final Logger LOG = LogManager.getLogger(ServerCheckpoint.class);
  private static ServerCheckpoint configured;

  private final Path runDir;
  private final CheckpointSchedule schedule;
  private final long resumeStep; // -1: start fresh
  private final Path resumeDir;
  // round -> range (-1 dense, t table) -> copies of its arrays at that round
  private final TreeMap<Integer, Map<Integer, Map<String, Buf>>> pending = new TreeMap<>();

  private ServerCheckpoint(Path runDir, CheckpointSchedule schedule, long resumeStep,
      Path resumeDir) {
    this.runDir = runDir;
    this.schedule = schedule;
    this.resumeStep = resumeStep;
    this.resumeDir = resumeDir;
  }

  /**
   * Makes the next server of this rank checkpoint into {@code runDir} on {@code schedule} and,
   * when {@code resumeDir} is not null, start from its {@code server-S.ckpt} of step
   * {@code resumeStep}.
   */
  public static void configure(Path runDir, CheckpointSchedule schedule, long resumeStep,
      Path resumeDir) {
    configured = new ServerCheckpoint(runDir, schedule, resumeStep, resumeDir);
  }

  /** Called once the state exists (worker 0's SETUP): restores it when resuming, then hooks in. */
  static void attach(ServerState s) {
    ServerCheckpoint c = configured;
    if (c == null) {
      return;
    }
    if (c.resumeDir != null) {
      try {
        c.restore(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    s.checkpoints = c;
  }

  /** A range completed round {@code version} (BSP): copy it if that step is on the schedule. */
  void roundDone(ServerState s, int range, int version) {
    if (s.consistency().mode() != Consistency.Mode.BSP || !schedule.at(version)) {
      return;
    }
    Map<Integer, Map<String, Buf>> ranges = pending.computeIfAbsent(version, v -> new HashMap<>());
    Map<String, Buf> copy = new LinkedHashMap<>();
    arrays(s, range).forEach((k, b) -> copy.put(k, new FloatBuf(copyOf(b))));
    ranges.put(range, copy);
    if (ranges.size() == activeRanges(s)) {
      pending.remove(version);
      Map<String, Buf> all = new LinkedHashMap<>();
      Map<Integer, Integer> versions = new TreeMap<>();
      for (int r = -1; r < s.tableCount(); r++) {
        Map<String, Buf> copied = ranges.get(r);
        // a range that takes no pushes (the dense shard under hybrid) is as it was at the start
        all.putAll(copied != null ? copied : arrays(s, r));
        versions.put(r, copied != null ? version
            : r < 0 ? s.denseRange().version() : s.tableRange(r).version());
      }
      write(s, version, all, versions, clockAt(s, version));
    }
  }

  /**
   * After serving: the state after the workers' last step, unless that file exists already or
   * the run finished and its schedule keeps no final checkpoint ({@code checkpoint.epochs=false};
   * a preempted run's shard is always kept, as the workers keep theirs).
   */
  public static void saveFinal(ServerState s) {
    ServerCheckpoint c = configured;
    if (c == null || s == null) {
      return;
    }
    int step = s.slowest();
    if (step <= 0 || step == Integer.MAX_VALUE || !c.schedule.atStop(step)) {
      return;
    }
    Path file = CheckpointFile.serverFile(CheckpointFile.stepDir(c.runDir, step),
        s.serverIndex());
    if (Files.exists(file)) {
      return;
    }
    Map<String, Buf> all = new LinkedHashMap<>();
    Map<Integer, Integer> versions = new TreeMap<>();
    all.putAll(arrays(s, -1));
    versions.put(-1, s.denseRange().version());
    for (int t = 0; t < s.tableCount(); t++) {
      all.putAll(arrays(s, t));
      versions.put(t, s.tableRange(t).version());
    }
    c.write(s, step, all, versions, s.clock().clone());
  }

  /** Ranges that complete rounds: every table, and the dense shard when the servers hold one. */
  private static int activeRanges(ServerState s) {
    return s.tableCount() + (s.partition().denseLength() > 0 ? 1 : 0);
  }

  private static int[] clockAt(ServerState s, int step) {
    int[] c = new int[s.clock().length];
    java.util.Arrays.fill(c, step);
    return c;
  }

  private void write(ServerState s, int step, Map<String, Buf> arrays,
      Map<Integer, Integer> versions, int[] clock) {
    Path file = CheckpointFile.serverFile(CheckpointFile.stepDir(runDir, step), s.serverIndex());
    CheckpointFile.Writer w = new CheckpointFile.Writer("server");
    w.field("server", s.serverIndex()).field("servers", s.partition().servers())
        .field("dense_length", s.partition().denseLength()).field("step", step)
        .field("consistency", s.consistency().toString())
        .field("dense_optimizer", s.denseOptimizer.name())
        .field("dense_optimizer_steps", s.denseOptimizer.steps());
    versions.forEach((r, v) -> w.field("version." + r, v));
    StringBuilder cl = new StringBuilder();
    for (int x : clock) {
      cl.append(cl.length() > 0 ? "," : "").append(x);
    }
    w.field("clock", cl);
    arrays.forEach(w::array);
    try {
      w.write(file);
    } catch (IOException e) {
      throw new UncheckedIOException("parameter server " + s.serverIndex()
          + " could not write its checkpoint " + file, e);
    }
    LOG.info("parameter server {}: checkpoint of step {} in {}", s.serverIndex(), step, file);
  }

  private void restore(ServerState s) throws IOException {
    Path file = CheckpointFile.serverFile(resumeDir, s.serverIndex());
    CheckpointFile.Contents c = CheckpointFile.open(file, "server");
    expect(c, "servers", s.partition().servers(), "--servers");
    expect(c, "dense_length", s.partition().denseLength(), "the model");
    expect(c, "step", resumeStep, "the workers' checkpoint");
    if (!c.field("consistency").equals(s.consistency().toString())) {
      throw new BadInputException(file, "was written with consistency " + c.field("consistency")
          + ", this run has " + s.consistency() + "; resume with the same --consistency");
    }
    Map<String, Buf> into = new LinkedHashMap<>(arrays(s, -1));
    for (int t = 0; t < s.tableCount(); t++) {
      into.putAll(arrays(s, t));
    }
    c.read(into);
    s.denseOptimizer.restoreSteps(c.longField("dense_optimizer_steps"));
    s.denseRange().restore((int) c.longField("version.-1"));
    for (int t = 0; t < s.tableCount(); t++) {
      s.tableRange(t).restore((int) c.longField("version." + t));
    }
    String[] clock = c.field("clock").split(",");
    if (clock.length != s.clock().length) {
      throw new BadInputException(file, "has clocks for " + clock.length + " workers, this run "
          + s.clock().length);
    }
    for (int w = 0; w < clock.length; w++) {
      s.clock()[w] = Integer.parseInt(clock[w].trim());
    }
    LOG.info("parameter server {}: resumed from {} (step {})", s.serverIndex(), file,
        resumeStep);
  }

  private static void expect(CheckpointFile.Contents c, String key, long now, String what)
      throws BadInputException {
    long stored = c.longField(key);
    if (stored != now) {
      throw new BadInputException(c.file(), "was written with " + key + " " + stored
          + ", this run has " + now + "; it must match " + what);
    }
  }

  /** A range's arrays by checkpoint name: values and optimizer state. */
  private static Map<String, Buf> arrays(ServerState s, int range) {
    Map<String, Buf> m = new LinkedHashMap<>();
    if (range < 0) {
      m.put("dense", new FloatBuf(s.denseShard()));
      s.denseOptimizer.state().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> m.put("dense.opt." + e.getKey(), e.getValue()));
      return m;
    }
    EmbeddingTable t = s.localTable(range);
    if (t == null) {
      return m;
    }
    m.put("table." + range, t.values());
    Map<String, Buf> st = s.sparseState(range);
    if (st != null) {
      st.entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> m.put("table." + range + ".opt." + e.getKey(), e.getValue()));
    }
    return m;
  }

  private static float[] copyOf(Buf b) {
    float[] a = new float[b.length()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) b.get(i);
    }
    return a;
  }
}
