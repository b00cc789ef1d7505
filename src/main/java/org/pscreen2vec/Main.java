package org.pscreen2vec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.app.BenchCollectivesCommand;
import org.pscreen2vec.app.BenchKernelsCommand;
import org.pscreen2vec.app.BenchStepCommand;
import org.pscreen2vec.app.CheckCollectivesCommand;
import org.pscreen2vec.app.CheckSyncCommand;
import org.pscreen2vec.app.CommonOptions;
import org.pscreen2vec.app.DataStatsCommand;
import org.pscreen2vec.app.ExitCode;
import org.pscreen2vec.app.GenDataCommand;
import org.pscreen2vec.app.PlotCollectivesCommand;
import org.pscreen2vec.app.ProjectCommand;
import org.pscreen2vec.app.ReportCommand;
import org.pscreen2vec.app.SelfTestCommand;
import org.pscreen2vec.app.StudyCommand;
import org.pscreen2vec.app.Subcommand;
import org.pscreen2vec.app.TrainCommand;
import org.pscreen2vec.app.UsageException;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Hosts;
import org.pscreen2vec.comm.Mpj;
import org.pscreen2vec.comm.PeerLostException;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.run.LoggingSetup;
import org.pscreen2vec.run.RankStatus;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.StorageException;

/**
 * The one program every rank runs. Started by {@code bin/pscreen2vec}: with {@code -np N} under MPJ
 * Express (the launcher sets {@code -Dpscreen2vec.spmd=true}), otherwise as a plain process.
 */
public final class Main {
  /** Every subcommand, in the order the main help lists them. Add new ones here. */
  public static final List<Subcommand> COMMANDS = List.of(
      new SelfTestCommand(),
      new GenDataCommand(),
      new DataStatsCommand(),
      new CheckCollectivesCommand(),
      new BenchCollectivesCommand(),
      new PlotCollectivesCommand(),
      new CheckSyncCommand(),
      new TrainCommand(),
      new BenchStepCommand(),
      new BenchKernelsCommand(),
      new StudyCommand(),
      new ReportCommand(),
      new ProjectCommand());

  /** The subcommand called {@code name}, if there is one. */
  public static Optional<Subcommand> find(String name) {
    return COMMANDS.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  private Main() {}

  public static void main(String[] args) {
    if (Boolean.getBoolean("pscreen2vec.spmd")) {
      runRank(args);
    } else {
      System.exit(runPlain(args));
    }
  }

  /** Plain process: help, and the subcommands that need no ranks. */
  static int runPlain(String[] args) {
    LoggingSetup.configure("", Level.INFO, null);
    if (args.length == 0 || isHelp(args[0])) {
      System.out.print(mainHelp());
      return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
    }
    Subcommand cmd = find(args[0]).orElse(null);
    if (cmd == null) {
      System.err.print(unknownCommand(args[0]));
      return ExitCode.USAGE;
    }
    CommandLine cl;
    try {
      cl = parse(cmd, args);
    } catch (UsageException e) {
      System.err.println("pscreen2vec " + cmd.name() + ": " + e.getMessage());
      System.err.println("Run 'bin/pscreen2vec " + cmd.name() + " --help' for its options.");
      return ExitCode.USAGE;
    }
    if (cl.hasOption("help")) {
      System.out.print(commandHelp(cmd));
      return ExitCode.OK;
    }
    if (cmd.spmd()) {
      System.err.println("pscreen2vec " + cmd.name() + " runs on MPJ ranks: start it with "
          + "'bin/pscreen2vec -np N " + cmd.name() + " ...' (see 'bin/pscreen2vec --help').");
      return ExitCode.USAGE;
    }
    Logger log = LogManager.getLogger(Main.class);
    try {
      Level level = CommonOptions.logLevel(cl);
      LoggingSetup.configure("", level == null ? Level.INFO : level, null);
      RunContext ctx = RunContext.plain(Hosts.localName(),
          level == null ? Level.INFO : level, CommonOptions.resultsRoot(cl));
      return cmd.run(cl, ctx);
    } catch (UsageException e) {
      System.err.println("pscreen2vec " + cmd.name() + ": " + e.getMessage());
      System.err.println("Run 'bin/pscreen2vec " + cmd.name() + " --help' for its options.");
      return ExitCode.USAGE;
    } catch (Exception | Error e) {
      int code = statusOf(e);
      if (isBug(e)) {
        log.error("{} failed: {}", cmd.name(), describe(e), e);
      } else {
        System.err.println("pscreen2vec " + cmd.name() + ": " + describe(e));
        log.debug("where {} failed", cmd.name(), e);
      }
      return code;
    }
  }

  /**
   * The exit status a failure means: a file that is missing or malformed 4, a peer that stopped
   * answering 3, anything else (a bug or an environment failure) 1. A bug's report is its stack
   * trace; an environment failure ({@link StorageException}: a file that could not be written)
   * is one line naming the file, its trace only in the rank's log file. Bad command lines and
   * configurations are caught where they are parsed (status 2).
   */
  static int statusOf(Throwable t) {
    return t instanceof PeerLostException ? ExitCode.PEER_LOST
        : t instanceof BadInputException ? ExitCode.BAD_INPUT
        : t instanceof UsageException ? ExitCode.USAGE
        : ExitCode.FAILED;
  }

  /** A failure whose report is its stack trace: status 1, and not a storage failure. */
  static boolean isBug(Throwable t) {
    return statusOf(t) == ExitCode.FAILED && StorageException.in(t) == null;
  }

  /**
   * One MPJ rank. Never lets an exception escape (multicore MPJ would exit 0), writes the rank's
   * status for the launcher, and on failure ends this process with a non-zero status.
   */
  static void runRank(String[] args) {
    int rank = -1;
    int code;
    String message = "";
    boolean exitOnFailure = true;
    // Taken before anything can fail: a logger first asked for once the JVM has begun to exit
    // (in multicore, another rank failed and called System.exit, whose hook stops Log4j) prints
    // through Log4j's status logger, stack trace and all, on the console; one taken earlier
    // drops the line instead (CheckpointIT saw the trace once in a fresh clone's make test).
    Logger log = LogManager.getLogger(Main.class);
    Logger fileOnly = LogManager.getLogger(LoggingSetup.FILE_ONLY);
    try {
      String[] appArgs = Mpj.init(args);
      Communicator probe = Mpj.world(Long.MAX_VALUE);
      rank = probe.rank();
      int size = probe.size();
      LoggingSetup.configure(RunContext.prefix(rank, size, "rank"), rank == 0 ? Level.INFO
          : Level.WARN, null);
      Mpj.whenStuck((worldRank, why) -> giveUp(worldRank, why, log, fileOnly));
      Outcome out = runSubcommand(appArgs, rank, size);
      if (out.code == ExitCode.VANISH) {
        vanish();
        return;
      }
      code = out.code;
      message = out.message;
      exitOnFailure = out.exitOnFailure;
    } catch (Throwable t) {
      code = statusOf(t);
      message = t instanceof OutOfMemoryError
          ? "out of Java heap (" + describe(t) + ", -Xmx " + Runtime.getRuntime().maxMemory()
              / (1 << 20) + " MB); give the ranks more with -J-Xmx<size> or PSCREEN2VEC_JVM_OPTS"
          : describe(t);
      logFailure(rank, t, message, log, fileOnly);
    }
    RankStatus.write(rank, code, message);
    LogManager.shutdown();
    if (code != ExitCode.OK && exitOnFailure) {
      System.out.flush();
      System.err.flush();
      // Ends the process: in multicore that is every rank of the job, which is what a failure means.
      System.exit(code);
    }
    if (code == ExitCode.OK) {
      try {
        Mpj.finish();
      } catch (RuntimeException e) {
        System.err.println("rank " + rank + ": " + e.getMessage());
      }
    }
  }

  /**
   * A rank stuck in one of MPJ's own collectives past its deadline, or cut off by a dead peer,
   * whose thread cannot be woken (Mpj.whenStuck): its failure is recorded as any other's, then
   * the process halts (MPJ's shutdown hooks could wait on the stuck call).
   */
  private static void giveUp(int rank, Throwable why, Logger log, Logger fileOnly) {
    int code = statusOf(why);
    String message = describe(why);
    logFailure(rank, why, message, log, fileOnly);
    RankStatus.write(rank, code, message);
    LogManager.shutdown();
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  /** Logs rank {@code rank}'s failure {@code t}, whose status line will say {@code message}. */
  private static void logFailure(int rank, Throwable t, String message, Logger log,
      Logger fileOnly) {
    if (isBug(t)) {
      log.error("rank {} failed: {}", rank, message, t); // a bug: the trace is the report
      return;
    }
    // The message says it all (it names the file, key or peer). Under bin/pscreen2vec the
    // launcher prints it once for the job from the status file; the trace goes only to the
    // rank's log file, and to the console at --log-level DEBUG.
    if (RankStatus.dir() == null) { // not under the launcher: nobody else will say it
      log.error("rank {} failed: {}", rank, message);
    }
    fileOnly.error("rank {} failed: {}", rank, message, t);
    log.debug("where rank {} failed", rank, t);
  }

  /** Fault injection: end like a crashed rank (no status, no goodbye to the peers). */
  private static void vanish() {
    LogManager.shutdown();
    if (!"multicore".equals(System.getProperty("pscreen2vec.device", "multicore"))) {
      Runtime.getRuntime().halt(0);
    }
    // multicore: the rank is a thread; ending it without Finalize leaves the peers waiting.
  }

  private record Outcome(int code, String message, boolean exitOnFailure) {}

  private static Outcome runSubcommand(String[] args, int rank, int size) throws Exception {
    boolean root = rank == 0;
    if (args.length == 0 || isHelp(args[0])) {
      if (root) {
        System.out.print(mainHelp());
      }
      return new Outcome(args.length == 0 ? ExitCode.USAGE : ExitCode.OK, "no subcommand",
          root);
    }
    Subcommand cmd = find(args[0]).orElse(null);
    if (cmd == null || !cmd.spmd()) {
      if (root) {
        System.err.print(cmd == null ? unknownCommand(args[0])
            : "pscreen2vec " + cmd.name() + " needs no ranks: run it without -np.\n");
      }
      return new Outcome(ExitCode.USAGE, "bad subcommand " + args[0], root);
    }
    CommandLine cl;
    Roles roles;
    Level level;
    long deadline;
    try {
      cl = parse(cmd, args);
      level = CommonOptions.logLevel(cl);
      roles = new Roles(size, CommonOptions.servers(cl));
      deadline = CommonOptions.deadlineNanos(cl);
    } catch (UsageException | IllegalArgumentException e) {
      if (root) {
        System.err.println("pscreen2vec " + cmd.name() + ": " + e.getMessage());
        System.err.println("Run 'bin/pscreen2vec " + cmd.name() + " --help' for its options.");
      }
      return new Outcome(ExitCode.USAGE, e.getMessage(), root);
    }
    if (cl.hasOption("help")) {
      if (root) {
        System.out.print(commandHelp(cmd));
      }
      return new Outcome(ExitCode.OK, "", false);
    }
    Level console = level != null ? level : (root ? Level.INFO : Level.WARN);
    String prefix = RunContext.prefix(rank, size, roles.roleOf(rank).label());
    LoggingSetup.configure(prefix, console, null);
    Communicator world = Mpj.world(deadline);
    Communicator group = roles.servers() == 0 ? world
        : world.split(roles.roleOf(rank).ordinal(), rank, roles.roleOf(rank).label() + "s");
    RunContext ctx = new RunContext(roles, rank, Mpj.hostName(),
        Mpj.device(),
        System.getProperty("pscreen2vec.jobId", RunContext.newJobId()),
        world, group, console, CommonOptions.resultsRoot(cl));
    try {
      int code = cmd.run(cl, ctx);
      return new Outcome(code, code == 0 ? "" : cmd.name() + " ended with status " + code, true);
    } catch (UsageException e) {
      if (root) {
        System.err.println("pscreen2vec " + cmd.name() + ": " + e.getMessage());
      }
      return new Outcome(ExitCode.USAGE, e.getMessage(), root);
    }
  }

  private static CommandLine parse(Subcommand cmd, String[] args) {
    Options opts = CommonOptions.addTo(cmd.options(), cmd.spmd());
    try {
      CommandLine cl = new DefaultParser().parse(opts, Arrays.copyOfRange(args, 1, args.length));
      if (!cl.getArgList().isEmpty()) {
        throw new UsageException("unexpected argument(s): " + String.join(" ", cl.getArgList()));
      }
      return cl;
    } catch (ParseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static boolean isHelp(String a) {
    return a.equals("--help") || a.equals("-h") || a.equals("help");
  }

  static String describe(Throwable t) {
    StorageException storage = StorageException.in(t);
    if (storage != null) { // the file and the reason, however deep it was wrapped
      return storage.getMessage();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private static String unknownCommand(String name) {
    return "pscreen2vec: unknown subcommand '" + name + "'. Valid subcommands: "
        + COMMANDS.stream().map(Subcommand::name).collect(Collectors.joining(", "))
        + ".\nRun 'bin/pscreen2vec --help' for usage.\n";
  }

  static String mainHelp() {
    StringBuilder sb = new StringBuilder();
    sb.append("""
        P-Screen2Vec: which gradient synchronization (ring or basic (naive) allreduce, parameter
        servers, or a hybrid) trains a multimodal network fastest across machines?

        Usage:
          bin/pscreen2vec -np N [-dev multicore|niodev|hybdev|native] [-machinesfile F] SUBCOMMAND
              runs SUBCOMMAND on N MPJ Express ranks (multicore: threads of one JVM;
              niodev: one process per rank over TCP; hybdev: threads per host, TCP between hosts;
              native: one process per rank over Open MPI, after 'make native-mpj')
          bin/pscreen2vec SUBCOMMAND [options]
              runs a subcommand that needs no ranks as one process
          bin/pscreen2vec SUBCOMMAND --help
              the subcommand's options

        Subcommands:
        """);
    for (Subcommand s : COMMANDS) {
      sb.append(String.format("  %-20s %s%s%n", s.name(), s.summary(),
          s.spmd() ? " [ranks]" : ""));
    }
    sb.append("""

        [ranks]: needs -np N. Exit status: 0 success, 1 failure, 2 bad command line,
        3 a peer rank did not answer within --deadline, 4 bad input file.
        Launcher options and environment: bin/pscreen2vec --launcher-help
        """);
    return sb.toString();
  }

  static String commandHelp(Subcommand cmd) {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    HelpFormatter hf = HelpFormatter.builder().setPrintWriter(pw).get();
    hf.setWidth(100);
    String syntax = (cmd.spmd() ? "bin/pscreen2vec -np N " : "bin/pscreen2vec ") + cmd.name()
        + " [options]";
    hf.printHelp(pw, 100, syntax, cmd.summary() + "\n\nOptions:",
        CommonOptions.addTo(cmd.options(), cmd.spmd()), 2, 2,
        cmd.helpFooter().isEmpty() ? "" : "\n" + cmd.helpFooter());
    pw.flush();
    return sw.toString();
  }
}
