package org.pscreen2vec.app;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.Level;

/** Options every subcommand accepts, and the validated values they give. */
public final class CommonOptions {
  public static final double DEFAULT_DEADLINE_SECONDS = 300;

  private CommonOptions() {}

  static final Opt<Boolean> HELP = Opt.flag("help", "show this help and exit");
  static final Opt<String> LOG_LEVEL = Opt.text("log-level", "LEVEL", null,
      "INFO on rank 0, WARN on other ranks; per-rank log files always get INFO or finer",
      "ERROR, WARN, INFO, DEBUG or TRACE");
  static final Opt<String> RESULTS = Opt.text("results", "DIR", null,
      "$PSCREEN2VEC_RESULTS or <project>/results", "root folder for run folders");
  static final Opt<Integer> SERVERS = Opt.integer("servers", "S", 0, 0, Integer.MAX_VALUE,
      "the last S ranks are parameter servers, the others workers");
  static final Opt<Double> DEADLINE = Opt.number("deadline", "SECONDS",
      DEFAULT_DEADLINE_SECONDS, 0.01, 1e6,
      "longest wait for any peer before it is declared lost and the job fails");

  /** Adds the common options to a subcommand's own. */
  public static Options addTo(Options own, boolean spmd) {
    Options o = new Options();
    own.getOptions().forEach(o::addOption);
    o.addOption(Option.builder("h").longOpt(HELP.name()).desc(HELP.option().getDescription())
        .get());
    o.addOption(LOG_LEVEL.option());
    o.addOption(RESULTS.option());
    if (spmd) {
      o.addOption(SERVERS.option());
      o.addOption(DEADLINE.option());
    }
    return o;
  }

  public static int servers(CommandLine cl) {
    return SERVERS.get(cl);
  }

  public static long deadlineNanos(CommandLine cl) {
    double s = DEADLINE.get(cl);
    return (long) (s * 1e9);
  }

  /** The level asked for, or null when the default per-rank rule applies. */
  public static Level logLevel(CommandLine cl) {
    String v = LOG_LEVEL.get(cl);
    if (v == null) {
      return null;
    }
    Level l = Level.getLevel(v.trim().toUpperCase(java.util.Locale.ROOT));
    if (l == null) {
      throw new UsageException("--log-level " + v
          + " is not a level; use ERROR, WARN, INFO, DEBUG or TRACE");
    }
    return l;
  }

  public static Path resultsRoot(CommandLine cl) {
    String v = RESULTS.get(cl);
    if (v != null) {
      return Paths.get(v);
    }
    String env = System.getenv("PSCREEN2VEC_RESULTS");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return Paths.get(System.getProperty("pscreen2vec.home", "."), "results");
  }
}
