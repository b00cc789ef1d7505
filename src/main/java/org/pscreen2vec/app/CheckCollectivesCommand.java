package org.pscreen2vec.app;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Collective;
import org.pscreen2vec.collective.Harness;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.RunContext;

/**
 * Verifies every allreduce algorithm on this job's workers against exact answers: integer-valued
 * floats (exact sums), random floats against a double-precision sum, NaN and infinity, two
 * allreduces back to back, and bitwise-identical results on every rank ({@link Harness#check}).
 * Exit status 1 on any wrong element. Tests run it on real MPJ jobs; users run it to check a new
 * cluster.
 */
public final class CheckCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(CheckCollectivesCommand.class);
  private static final String DEFAULT_LENGTHS = "0,1,p-1,p,p+1,1000003,4194304";

  @Override
  public String name() {
    return "check-collectives";
  }

  @Override
  public String summary() {
    return "verify the allreduce algorithms against exact answers on this job's workers";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  static final Opt<String> LENGTHS = Opt.text("lengths", "LIST", DEFAULT_LENGTHS,
      DEFAULT_LENGTHS, "comma-separated float counts; 'p' means the number of workers");

  @Override
  public Options options() {
    return Opt.options(CollectiveOptions.ALGORITHMS, LENGTHS, CollectiveOptions.SEGMENT);
  }

  @Override
  public String helpFooter() {
    return """
        Example: bin/pscreen2vec -np 5 check-collectives --lengths 0,1,p-1,p,p+1,1000
        Prints one line per algorithm and 'check-collectives OK' or the wrong elements found.
        Small --segment values (e.g. 7) exercise the pipelining of ring, naive and star.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) {
    List<String> algorithms = CollectiveOptions.algorithms(cl);
    int segment = CollectiveOptions.segment(cl, ctx);
    if (!ctx.isWorker()) {
      return ExitCode.OK; // parameter servers take no part in allreduce
    }
    Communicator comm = ctx.group();
    int[] lengths = lengths(LENGTHS.get(cl), comm.size());
    Harness harness = new Harness(comm);
    long totalWrong = 0;
    List<String> lines = new ArrayList<>();
    for (Supplier<Collective> make : CollectiveOptions.allreduces(algorithms, comm, segment)) {
      Harness.Verdict v = harness.check(make.get(), lengths);
      totalWrong += v.wrong();
      lines.add(v.line(comm.size(), lengths));
      for (String f : v.failures()) {
        LOG.error("{}: {}", v.name(), f);
      }
    }
    if (comm.rank() == 0) {
      lines.forEach(System.out::println);
      System.out.println(totalWrong == 0
          ? "check-collectives OK: " + algorithms.size() + " algorithms on " + comm.size()
              + " ranks (communicator '" + comm.name() + "')"
          : "check-collectives FAILED: " + totalWrong + " wrong results (see the log)");
    }
    return totalWrong == 0 ? ExitCode.OK : ExitCode.FAILED;
  }

  static int[] lengths(String spec, int p) {
    String[] parts = spec.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String t = parts[i].trim();
      try {
        long v = switch (t) {
          case "p" -> p;
          case "p-1" -> p - 1;
          case "p+1" -> p + 1;
          default -> Long.parseLong(t);
        };
        if (v < 0 || v > Integer.MAX_VALUE - 8) {
          throw new UsageException("--lengths: " + t + " is out of range");
        }
        out[i] = (int) v;
      } catch (NumberFormatException e) {
        throw new UsageException("--lengths: '" + t + "' is not a count (or p, p-1, p+1)");
      }
    }
    return out;
  }
}
