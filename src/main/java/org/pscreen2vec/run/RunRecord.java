package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provenance of a run, written as {@code run.json} into its folder: what was asked (command
 * line), where it ran (ranks, roles, device, host, JVM, threads) and which code (git revision).
 * Subcommands add their own resolved configuration with {@link #put}.
 */
public final class RunRecord {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public RunRecord(RunContext ctx, String command, String[] args) {
    put("command", command);
    put("args", String.join(" ", args));
    put("job_id", ctx.jobId());
    put("started_utc", Instant.now().toString());
    put("device", ctx.device());
    put("ranks", ctx.size());
    put("workers", ctx.roles().workers());
    put("servers", ctx.roles().servers());
    put("host_rank0", ctx.host());
    put("git_revision", System.getProperty("pscreen2vec.gitRev", "unknown"));
    put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    put("cores", Runtime.getRuntime().availableProcessors());
    put("omp_threads_per_rank", System.getProperty("pscreen2vec.ompThreads", "unset"));
    put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
  }

  public RunRecord put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /** Run states in {@code run.json}'s {@code status}. */
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";
  public static final String PREEMPTED = "preempted";

  /**
   * Sets {@code status} (running, done, failed, preempted), its reason and when, and rewrites
   * {@code run.json}: a run that is not {@code done} never looks complete.
   */
  public void status(Path dir, String status, String reason) throws IOException {
    put("status", status);
    put("status_reason", reason == null ? "" : reason);
    put("status_utc", Instant.now().toString());
    write(dir);
  }

  public void write(Path dir) throws IOException {
    AtomicFiles.writeString(dir.resolve("run.json"), Json.object(fields) + "\n");
  }
}
