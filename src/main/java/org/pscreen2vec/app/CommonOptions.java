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

  /** Adds the common options to a subcommand's own. */
  public static Options addTo(Options own, boolean spmd) {
    Options o = new Options();
    own.getOptions().forEach(o::addOption);
    o.addOption(Option.builder("h").longOpt("help").desc("show this help and exit").get());
    o.addOption(Option.builder().longOpt("log-level").hasArg().argName("LEVEL")
        .desc("ERROR, WARN, INFO, DEBUG or TRACE (default: INFO on rank 0, WARN on other ranks; "
            + "per-rank log files always get INFO or finer)").get());
    o.addOption(Option.builder().longOpt("results").hasArg().argName("DIR")
        .desc("root folder for run folders (default: $PSCREEN2VEC_RESULTS or <project>/results)")
        .get());
    if (spmd) {
      o.addOption(Option.builder().longOpt("servers").hasArg().argName("S")
          .desc("the last S ranks are parameter servers, the others workers (default 0)").get());
      o.addOption(Option.builder().longOpt("deadline").hasArg().argName("SECONDS")
          .desc("longest wait for any peer before it is declared lost and the job fails "
              + "(default " + (int) DEFAULT_DEADLINE_SECONDS + ")").get());
    }
    return o;
  }

  public static int servers(CommandLine cl) {
    return intValue(cl, "servers", 0, 0, Integer.MAX_VALUE);
  }

  public static long deadlineNanos(CommandLine cl) {
    double s = doubleValue(cl, "deadline", DEFAULT_DEADLINE_SECONDS, 0.01, 1e6);
    return (long) (s * 1e9);
  }

  /** The level asked for, or null when the default per-rank rule applies. */
  public static Level logLevel(CommandLine cl) {
    String v = cl.getOptionValue("log-level");
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
    String v = cl.getOptionValue("results");
    if (v != null) {
      return Paths.get(v);
    }
    String env = System.getenv("PSCREEN2VEC_RESULTS");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return Paths.get(System.getProperty("pscreen2vec.home", "."), "results");
  }

  /** An integer option in [min, max]; a bad value is a {@link UsageException} naming it. */
  public static int intValue(CommandLine cl, String opt, int dflt, int min, int max) {
    String v = cl.getOptionValue(opt);
    if (v == null) {
      return dflt;
    }
    try {
      int x = Integer.parseInt(v.trim());
      if (x < min || x > max) {
        throw new UsageException(String.format("--%s %s is out of range: use %d..%d",
            opt, v, min, max));
      }
      return x;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + opt + " " + v + " is not a whole number");
    }
  }

  /** A long option (e.g. a byte count) at least min; a bad value names the option. */
  public static long longValue(CommandLine cl, String opt, long dflt, long min) {
    String v = cl.getOptionValue(opt);
    if (v == null) {
      return dflt;
    }
    try {
      long x = Long.parseLong(v.trim());
      if (x < min) {
        throw new UsageException("--" + opt + " " + v + " is below " + min);
      }
      return x;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + opt + " " + v + " is not a whole number");
    }
  }

  /** A number option in [min, max]; a bad value is a {@link UsageException} naming it. */
  public static double doubleValue(CommandLine cl, String opt, double dflt, double min,
      double max) {
    String v = cl.getOptionValue(opt);
    if (v == null) {
      return dflt;
    }
    try {
      double x = Double.parseDouble(v.trim());
      if (!(x >= min && x <= max)) {
        throw new UsageException(String.format("--%s %s is out of range: use %s..%s",
            opt, v, min, max));
      }
      return x;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + opt + " " + v + " is not a number");
    }
  }
}
