package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.train.LayoutCodes;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;

/**
 * Runs a study's cells one after another, each repeat as its own job through the launcher, with a
 * progress line per run (run k of n, ETA). A run whose row is already in its workload's
 * summary.csv is skipped; a leftover folder of an incomplete run is moved aside before the rerun;
 * a failing run is recorded with its exit status and the study goes on.
 */
public final class StudyRunner {
  /** Seconds a launcher gets to stop its job after SIGTERM before it is killed. */
  private static final int STOP_GRACE_SECONDS = 20;
  /** Seconds to wait for a killed process to be gone (a JVM's teardown). */
  private static final int KILL_WAIT_SECONDS = 10;

  private final StudyConfig study;
  private final Path dir;
  private final Path launcher;
  private final int repeats;
  private final int totalCells;
  private final Map<String, Set<String>> completed = new HashMap<>();
  /** Guards {@link #current} and {@link #stopping}. */
  private final Object jobs = new Object();
  /** The running launcher, if any (guarded by {@link #jobs}). */
  private Process current;
  /** Set once by the shutdown hook: no job starts after it (guarded by {@link #jobs}). */
  private boolean stopping;

  public StudyRunner(StudyConfig study, Path dir, Path launcher, int repeats, int totalCells) {
    this.study = study;
    this.dir = dir;
    this.launcher = launcher;
    this.repeats = repeats;
    this.totalCells = totalCells;
  }

  /**
   * Trains the layout autoencoder of every frozen-layout workload whose {@code layout.checkpoint}
   * does not exist yet (with its {@code layout.ae.config}, on the workload's data, one worker) and
   * puts the checkpoint there, as the original trained its autoencoder before Screen2Vec. Later
   * studies and runs find it and reuse it.
   */
  void prerequisites(List<Cell> cells) throws IOException, InterruptedException {
    Set<Path> done = new java.util.HashSet<>();
    for (Cell c : cells) {
      TrainConfig tc = TrainConfig.load(c.workload().config(), c.workload().overrides());
      Path ckpt = tc.layoutMode().equals("frozen") ? LayoutCodes.checkpoint(tc) : null;
      if (ckpt == null || Files.isRegularFile(ckpt) || !done.add(ckpt)) {
        continue;
      }
      String ae = tc.get("layout.ae.config");
      if (ae.isEmpty()) {
        throw new IllegalArgumentException("workload '" + c.workload().name() + "': "
            + "layout.checkpoint " + ckpt + " does not exist and no layout.ae.config says how "
            + "to train it");
      }
      String jobId = study.name() + ".prerequisite." + ckpt.getFileName().toString()
          .replaceAll("[^A-Za-z0-9_-]", "_");
      Path results = dir.resolve("prerequisites");
      Path log = StudyFiles.log(dir, jobId);
      Files.createDirectories(log.getParent());
      List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "-np", "1", "-dev",
          "multicore", "train", "--config", Tasks.home().resolve(ae).toString(),
          "--set", "data=" + tc.get("data"), "--set", "seed=" + tc.get("seed"),
          "--set", "synthetic.screens=" + tc.get("synthetic.screens"),
          "--set", "layout.sizes=" + tc.get("layout.sizes"),
          "--results", results.toString(), "--experiment", "layout-ae"));
      System.out.printf(Locale.ROOT, "[study %s] prerequisite: training the layout autoencoder "
          + "for %s (%s; log %s)%n", study.name(), ckpt, ae, log);
      Files.writeString(log, "==== " + Instant.now() + " " + String.join(" ", cmd) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("PSCREEN2VEC_JOB_ID", jobId);
      Process p = start(pb);
      try {
        if (!p.waitFor(study.timeoutSeconds(), TimeUnit.SECONDS)) {
          stop(p);
          throw new IOException("training the layout autoencoder for " + ckpt + " took longer "
              + "than timeout.seconds; see " + log);
        }
        Path made = results.resolve("layout-ae").resolve(jobId).resolve("checkpoint.bin");
        if (p.exitValue() != 0 || !Files.isRegularFile(made)) {
          throw new IOException("training the layout autoencoder for " + ckpt + " failed (exit "
              + "status " + p.exitValue() + "); see " + log);
        }
        Files.createDirectories(ckpt.toAbsolutePath().getParent());
        Path tmp = ckpt.resolveSibling("." + ckpt.getFileName() + ".tmp-"
            + ProcessHandle.current().pid());
        Files.copy(made, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, ckpt, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        finished();
      }
    }
  }

  /**
   * Starts a job's launcher and makes it the current one, unless the study is stopping: then
   * this thread waits for the JVM's end instead (a job started while the shutdown hook stops the
   * previous one would outlive the study, and its result must not be recorded).
   */
  private Process start(ProcessBuilder pb) throws IOException, InterruptedException {
    synchronized (jobs) {
      while (stopping) {
        jobs.wait(); // the JVM ends when the shutdown hook returns; nothing wakes this
      }
      Process p = pb.start();
      current = p;
      return p;
    }
  }

  private void finished() {
    synchronized (jobs) {
      current = null;
    }
  }

  /** Runs (or skips) every repeat of these cells; true when none failed. */
  public boolean run(List<Cell> cells) throws IOException, InterruptedException {
    prerequisites(cells);
    // repeat-major order (every cell's first repeat, then every cell's second ...), so that a
    // slow spell of a shared machine spreads over the cells instead of hitting one cell's repeats
    List<Integer> todo = new ArrayList<>(); // cell index * repeats + repeat - 1
    for (int rep = 0; rep < repeats; rep++) {
      for (int ci = 0; ci < cells.size(); ci++) {
        if (!done(cells.get(ci), rep + 1)) {
          todo.add(ci * repeats + rep);
        }
      }
    }
    int runs = cells.size() * repeats;
    System.out.printf(Locale.ROOT, "[study %s] %d cell(s) x %d repeat(s) = %d run(s): %d "
        + "complete already, %d to run; results in %s%n", study.name(), cells.size(), repeats,
        runs, runs - todo.size(), todo.size(), dir);
    Thread hook = new Thread(this::stopCurrent, "study-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int failed = 0;
    double spent = 0;
    try {
      for (int k = 0; k < todo.size(); k++) {
        Cell c = cells.get(todo.get(k) / repeats);
        int repeat = todo.get(k) % repeats + 1;
        String eta = k == 0 ? "" : ", ETA " + duration(spent / k * (todo.size() - k));
        System.out.printf(Locale.ROOT, "[study %s] run %d/%d: cell %d/%d %s, repeat %d/%d%s%n",
            study.name(), k + 1, todo.size(), c.number(), totalCells, c.key(), repeat, repeats,
            eta);
        long t0 = System.nanoTime();
        Outcome o = runOne(c, repeat);
        double seconds = (System.nanoTime() - t0) / 1e9;
        spent += seconds;
        if (!o.status().equals("ok")) {
          failed++;
          System.out.printf(Locale.ROOT, "[study %s]   FAILED (%s, exit status %d) after %s; "
              + "log: %s%n", study.name(), o.status(), o.exitCode(),
              duration(seconds), StudyFiles.log(dir, c.jobId(study.name(), repeat)));
        }
        Csv.append(StudyFiles.runs(dir), StudyFiles.RUNS_HEADER, List.of(String.format(
            Locale.ROOT, "%d,%s,%d,%s,%s,%d,%.1f,%s", c.number(), c.key(), repeat,
            c.jobId(study.name(), repeat), o.status(), o.exitCode(), seconds, Instant.now())));
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    System.out.printf(Locale.ROOT, "[study %s] done: %d run(s) ran in %s, %d failed%s%n",
        study.name(), todo.size(), duration(spent), failed,
        failed > 0 ? " (see " + StudyFiles.runs(dir) + "; rerun the study to retry them)" : "");
    return failed == 0;
  }

  private boolean done(Cell c, int repeat) throws IOException {
    Set<String> ids = completed.get(c.workload().name());
    if (ids == null) {
      ids = StudyFiles.completed(dir, c.workload().name());
      completed.put(c.workload().name(), ids);
    }
    return ids.contains(c.jobId(study.name(), repeat));
  }

  /** How one run ended: ok, failed (the launcher's exit status), incomplete or timeout. */
  record Outcome(String status, int exitCode) {}

  private Outcome runOne(Cell c, int repeat) throws IOException, InterruptedException {
    String jobId = c.jobId(study.name(), repeat);
    String workload = c.workload().name();
    Path runDir = StudyFiles.runDir(dir, workload, jobId);
    if (Files.exists(runDir)) {
      // an earlier attempt that did not finish: keep its files for inspection, out of the way
      Path aside = dir.resolve(workload).resolve("incomplete")
          .resolve(jobId + "." + System.currentTimeMillis());
      Files.createDirectories(aside.getParent());
      Files.move(runDir, aside, StandardCopyOption.ATOMIC_MOVE);
    }
    Path log = StudyFiles.log(dir, jobId);
    Files.createDirectories(log.getParent());
    List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "-np",
        Integer.toString(c.ranks()), "-dev", c.device()));
    cmd.addAll(c.trainArgs(workload, dir.toString())); // run folder <dir>/<workload>/<job id>
    // one log per job id; a retry appends, so the failed attempt's output stays readable
    Files.writeString(log, "==== " + Instant.now() + " " + String.join(" ", cmd) + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("PSCREEN2VEC_JOB_ID", jobId);
    Process p = start(pb);
    try {
      if (!p.waitFor(study.timeoutSeconds(), TimeUnit.SECONDS)) {
        stop(p);
        return new Outcome("timeout", 124);
      }
      int rc = p.exitValue();
      boolean complete = rc == 0 && StudyFiles.completed(dir, workload).contains(jobId);
      if (complete) {
        completed.get(workload).add(jobId);
      }
      // exit 0 without a summary row: the job ended early without saying so
      return rc != 0 ? new Outcome("failed", rc)
          : complete ? new Outcome("ok", 0) : new Outcome("incomplete", 0);
    } finally {
      finished();
    }
  }

  private void stopCurrent() {
    Process p;
    synchronized (jobs) {
      stopping = true;
      p = current;
    }
    if (p != null) {
      System.err.println("[study " + study.name() + "] stopping the running job");
      stop(p);
    }
  }

  /**
   * SIGTERM to the launcher (it stops its ranks), then SIGKILL to whatever is left, then a wait
   * until those processes are gone: the study ends only after its job's ranks have (a rank JVM
   * still tearing down could outlive the study).
   */
  private static void stop(Process p) {
    Set<ProcessHandle> tree = new java.util.LinkedHashSet<>(p.descendants().toList());
    p.destroy();
    try {
      p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tree.addAll(p.descendants().toList()); // started since the first look (empty if p ended)
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        System.err.println("[study] process " + h.pid() + " did not end within "
            + KILL_WAIT_SECONDS + " s of SIGKILL");
      }
    }
  }

  /** Seconds as "1 h 02 min", "3 min 10 s" or "12 s". */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
  }
}
