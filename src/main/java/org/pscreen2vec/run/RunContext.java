package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.logging.log4j.Level;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Roles;

/**
 * What a subcommand knows about where it runs: this rank, the roles of all ranks, the communicators
 * (null in a plain process), the job's id and the results folder.
 */
public final class RunContext {
  private final Roles roles;
  private final int rank;
  private final String host;
  private final String device;
  private final String jobId;
  private final Communicator world;
  private final Communicator group; // (workers or servers) the ranks that share this rank's role
  private final Level consoleLevel;
  private final Path resultsRoot;
  private Path runDir;

  public RunContext(Roles roles, int rank, String host, String device, String jobId,
      Communicator world, Communicator group, Level consoleLevel, Path resultsRoot) {
    this.roles = roles;
    this.rank = rank;
    this.host = host;
    this.device = device;
    this.jobId = jobId;
    this.world = world;
    this.group = group;
    this.consoleLevel = consoleLevel;
    this.resultsRoot = resultsRoot;
  }

  /** A one-process context for subcommands that need no ranks. */
  public static RunContext plain(String host, Level consoleLevel, Path resultsRoot) {
    return new RunContext(new Roles(1, 0), 0, host, "plain", newJobId(), null, null, consoleLevel,
        resultsRoot);
  }


  /** A fresh job id: time stamp plus a random suffix, e.g. {@code 20261125-211530-4f2a}. */
  public static String newJobId() {
    String t = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return t + "-" + String.format("%04x", new java.util.Random().nextInt(1 << 16));
  }

  public int rank() {
    return rank;
  }

  public int size() {
    return roles.size();
  }

  public Roles roles() {
    return roles;
  }

  public Roles.Role role() {
    return roles.roleOf(rank);
  }

  public boolean isWorker() {
    return role() == Roles.Role.WORKER;
  }

  public boolean isRoot() {
    return rank == 0;
  }

  public String host() {
    return host;
  }

  /** The MPJ device (multicore, niodev, hybdev, native) or "plain". */
  public String device() {
    return device;
  }

  public String jobId() {
    return jobId;
  }

  /** All ranks; null in a plain process. */
  public Communicator world() {
    return world;
  }

  /** The workers' communicator on a worker (the servers' on a server); null in a plain process. */
  public Communicator group() {
    return group;
  }

  public Path resultsRoot() {
    return resultsRoot;
  }

  /** The run folder once {@link #openRunDir} was called, else null. */
  public Path runDir() {
    return runDir;
  }

  /** The log prefix, e.g. {@code [r3/8 worker]}. */
  public String logPrefix() {
    return prefix(rank, roles.size(), role().label());
  }

  public static String prefix(int rank, int size, String role) {
    return "[r" + rank + "/" + size + " " + role + "]";
  }

  /**
   * Creates {@code <results>/<experiment>/<job id>/} (every rank on every host may call it) and
   * sends this rank's log to {@code rank-<r>.log} in it from now on.
   */
  public Path openRunDir(String experiment) throws IOException {
    return useRunDir(resultsRoot.resolve(experiment).resolve(jobId));
  }

  /**
   * Continues in an existing run folder (a resumed run): the rank logs append to the ones there.
   */
  public Path useRunDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    runDir = dir;
    LoggingSetup.configure(logPrefix(), consoleLevel, dir.resolve("rank-" + rank + ".log"));
    return dir;
  }
}
