package org.pscreen2vec.app;

import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.collective.TestData;
import org.pscreen2vec.collective.ToRoot;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.RunContext;

/**
 * Verifies every allreduce algorithm on this job's workers against exact answers: integer-valued
 * floats (exact sums), random floats against a double-precision sum, NaN and infinity, two
 * allreduces back to back, and bitwise-identical results on every rank. Exit status 1 on any
 * wrong element. Tests run it on real MPJ jobs; users run it to check a new cluster.
 */
public final class CheckCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(CheckCollectivesCommand.class);
  /** |result - double reference| must be within this times the sum of |contributions|. */
  static final double RELATIVE_TOLERANCE = 1e-5;
  private static final int TAG_REPORT = 900;
  private static final int MAX_REPORTED = 5;

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

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("algorithms").hasArg().argName("LIST")
        .desc("comma-separated subset of " + String.join(",", Allreduces.NAMES) + " (default all)")
        .get());
    o.addOption(Option.builder().longOpt("lengths").hasArg().argName("LIST")
        .desc("comma-separated float counts; 'p' means the number of workers "
            + "(default 0,1,p-1,p,p+1,1000003,4194304)").get());
    o.addOption(Option.builder().longOpt("segment").hasArg().argName("FLOATS")
        .desc("pipeline segment of ring/naive/star in floats (default "
            + Allreduces.DEFAULT_SEGMENT_FLOATS + " on multicore, "
            + Allreduces.DEFAULT_SEGMENT_FLOATS_TCP + " on niodev/hybdev); "
            + "small values exercise segmentation").get());
    return o;
  }

  @Override
  public String helpFooter() {
    return """
        Example: bin/pscreen2vec -np 5 check-collectives --lengths 0,1,p-1,p,p+1,1000
        Prints one line per algorithm and 'check-collectives OK' or the wrong elements found.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) {
    List<String> algorithms = algorithms(cl);
    int segment = CommonOptions.intValue(cl, "segment",
        Allreduces.defaultSegmentFloats(ctx.device()), 1,
        1 << 28);
    if (!ctx.isWorker()) {
      return ExitCode.OK; // parameter servers take no part in allreduce
    }
    Communicator comm = ctx.group();
    int[] lengths = lengths(cl.getOptionValue("lengths", "0,1,p-1,p,p+1,1000003,4194304"),
        comm.size());
    int totalWrong = 0;
    List<String> lines = new ArrayList<>();
    for (String name : algorithms) {
      Allreduce ar = Allreduces.create(name, comm, segment);
      Checker c = new Checker(comm, ar);
      for (int n : lengths) {
        c.integers(n, Op.SUM);
        c.integers(n, Op.AVERAGE);
        c.randoms(n, Op.SUM);
        c.randoms(n, Op.AVERAGE);
        c.specials(n);
      }
      c.backToBack(lengths);
      int wrong = gatherSum(comm, c.wrong);
      totalWrong += wrong;
      lines.add(String.format("%-6s %3d checks x %d ranks, lengths %s: %s", name, c.checks,
          comm.size(), java.util.Arrays.toString(lengths),
          wrong == 0 ? "all correct, results bitwise identical on every rank"
              : wrong + " WRONG"));
      for (String f : c.failures) {
        LOG.error("{}: {}", name, f);
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

  /** Sum of one int over all ranks, known to every rank. */
  private static int gatherSum(Communicator comm, int mine) {
    int[][] all = ToRoot.gather(comm, new int[] {mine}, TAG_REPORT);
    int[] total = {mine};
    if (all != null) {
      for (int q = 1; q < all.length; q++) {
        total[0] += all[q][0];
      }
      for (int q = 1; q < comm.size(); q++) {
        comm.send(total, 0, 1, q, TAG_REPORT + 1);
      }
    } else {
      comm.recv(total, 0, 1, 0, TAG_REPORT + 1);
    }
    return total[0];
  }


  static List<String> algorithms(CommandLine cl) {
    List<String> out = new ArrayList<>();
    for (String a : cl.getOptionValue("algorithms", String.join(",", Allreduces.NAMES))
        .split(",")) {
      String t = a.trim();
      if (!Allreduces.NAMES.contains(t)) {
        throw new UsageException("--algorithms: unknown algorithm '" + t + "'; valid: "
            + String.join(", ", Allreduces.NAMES));
      }
      out.add(t);
    }
    return out;
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

  /** Runs the cases on one algorithm and counts wrong elements. */
  static final class Checker {
    private final Communicator comm;
    private final Allreduce ar;
    int checks;
    int wrong;
    final List<String> failures = new ArrayList<>();

    Checker(Communicator comm, Allreduce ar) {
      this.comm = comm;
      this.ar = ar;
    }

    /** Integer-valued floats: the sum is exact in float, so the check is equality. */
    void integers(int n, Op op) {
      float[] buf = new float[n];
      int p = comm.size();
      for (int i = 0; i < n; i++) {
        buf[i] = TestData.integer(comm.rank(), i);
      }
      ar.allreduce(buf, op);
      for (int i = 0; i < n; i++) {
        long sum = 0;
        for (int q = 0; q < p; q++) {
          sum += (long) TestData.integer(q, i);
        }
        float expect = op == Op.SUM ? (float) sum : (float) sum * (1.0f / p);
        if (Float.floatToRawIntBits(buf[i]) != Float.floatToRawIntBits(expect)) {
          fail("integers n=" + n + " " + op + " [" + i + "] = " + buf[i] + ", exact " + expect);
        }
      }
      identical(buf, "integers n=" + n + " " + op);
    }

    /** Random floats in [-1, 1): within RELATIVE_TOLERANCE of a double-precision reference. */
    void randoms(int n, Op op) {
      float[] buf = new float[n];
      int p = comm.size();
      long seed = 0x5eed0000L + n;
      for (int i = 0; i < n; i++) {
        buf[i] = TestData.uniform(seed, comm.rank(), i);
      }
      ar.allreduce(buf, op);
      for (int i = 0; i < n; i++) {
        double sum = 0;
        double abs = 0;
        for (int q = 0; q < p; q++) {
          double x = TestData.uniform(seed, q, i);
          sum += x;
          abs += Math.abs(x);
        }
        double scale = op == Op.SUM ? 1 : 1.0 / p;
        double err = Math.abs(buf[i] - sum * scale);
        if (!(err <= RELATIVE_TOLERANCE * abs * scale + Float.MIN_NORMAL)) {
          fail("randoms n=" + n + " " + op + " [" + i + "] = " + buf[i] + ", reference "
              + sum * scale + " (error " + err + ")");
        }
      }
      identical(buf, "randoms n=" + n + " " + op);
    }

    /** NaN on rank 0 at index 0 and +Inf on the last rank at index 1 propagate to every rank. */
    void specials(int n) {
      if (n < 2) {
        return;
      }
      float[] buf = new float[n];
      int p = comm.size();
      for (int i = 0; i < n; i++) {
        buf[i] = TestData.integer(comm.rank(), i);
      }
      if (comm.rank() == 0) {
        buf[0] = Float.NaN;
      }
      if (comm.rank() == p - 1) {
        buf[1] = Float.POSITIVE_INFINITY;
      }
      ar.allreduce(buf, Op.SUM);
      checks++;
      if (!Float.isNaN(buf[0])) {
        fail("NaN did not propagate: [0] = " + buf[0]);
      }
      if (buf[1] != Float.POSITIVE_INFINITY) {
        fail("+Inf did not propagate: [1] = " + buf[1]);
      }
      identical(buf, "specials n=" + n);
    }

    /** Two allreduces of different sizes and contents, issued back to back, do not mix. */
    void backToBack(int[] lengths) {
      int n1 = 0;
      for (int n : lengths) {
        n1 = Math.max(n1, n);
      }
      n1 = Math.min(n1, 1 << 20);
      int n2 = Math.max(1, n1 / 3 + 1);
      float[] a = new float[n1];
      float[] b = new float[n2];
      for (int i = 0; i < n1; i++) {
        a[i] = TestData.integer(comm.rank(), i);
      }
      for (int i = 0; i < n2; i++) {
        b[i] = -2 * TestData.integer(comm.rank(), i + 7);
      }
      ar.allreduce(a, Op.SUM);
      ar.allreduce(b, Op.SUM);
      for (int i = 0; i < n1; i++) {
        long s = 0;
        for (int q = 0; q < comm.size(); q++) {
          s += (long) TestData.integer(q, i);
        }
        if (a[i] != s) {
          fail("back-to-back first [" + i + "] = " + a[i] + ", exact " + s);
        }
      }
      for (int i = 0; i < n2; i++) {
        long s = 0;
        for (int q = 0; q < comm.size(); q++) {
          s += -2L * (long) TestData.integer(q, i + 7);
        }
        if (b[i] != s) {
          fail("back-to-back second [" + i + "] = " + b[i] + ", exact " + s);
        }
      }
      checks++;
    }

    /** Rank 0 compares a 64-bit hash of every rank's result bits with its own. */
    private void identical(float[] buf, String what) {
      checks++;
      long h = TestData.hashBits(buf);
      int[][] all = ToRoot.gather(comm, new int[] {(int) (h >>> 32), (int) h}, TAG_REPORT + 2);
      for (int q = 1; all != null && q < all.length; q++) {
        if (all[q][0] != all[0][0] || all[q][1] != all[0][1]) {
          fail(what + ": rank " + q + "'s result differs in its bits from rank 0's");
        }
      }
    }

    private void fail(String message) {
      wrong++;
      if (failures.size() < MAX_REPORTED) {
        failures.add(message);
      }
    }
  }
}
