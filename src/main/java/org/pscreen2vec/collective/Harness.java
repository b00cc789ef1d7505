package org.pscreen2vec.collective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.Stats;

/**
 * The one driver behind check-collectives and bench-collectives, after nccl-tests' common.cu:
 * every {@link Collective} is initialised, run and checked the same way. {@link #check} runs the
 * correctness cases; {@link #bench} sweeps sizes, excludes warm-up, takes each iteration's time
 * from the slowest rank (a send: from rank 0) and checks every timed buffer. Reports to rank 0
 * go over plain point-to-point messages ({@link ToRoot}), never through the collectives tested.
 */
public final class Harness {
  private static final Logger LOG = LogManager.getLogger(Harness.class);
  private static final int TAG_CHECK = 900;
  private static final int TAG_TIMES = 950;

  private final Communicator comm;

  public Harness(Communicator comm) {
    this.comm = comm;
  }

  /** A collective's check: calls checked, wrong results on all ranks, this rank's failures. */
  public record Verdict(String name, int checks, long wrong, List<String> failures) {
    /** The printed line. */
    public String line(int ranks, int[] lengths) {
      return String.format("%-6s %3d checks x %d ranks, lengths %s: %s", name, checks, ranks,
          Arrays.toString(lengths), wrong == 0
              ? "all correct, results bitwise identical on every rank" : wrong + " WRONG");
    }
  }

  /**
   * For every length: integers (exact) and uniform randoms (double reference), each summed and
   * averaged, then NaN and +Inf; at the end two calls back to back. Every rank gets the verdict,
   * with the wrong results of all ranks.
   */
  public Verdict check(Collective c, int[] lengths) {
    Verifier v = new Verifier();
    for (int n : lengths) {
      verify(c, v, n, Inputs.integers(0), Op.SUM);
      verify(c, v, n, Inputs.integers(0), Op.AVERAGE);
      verify(c, v, n, Inputs.uniform(0x5eed0000L + n), Op.SUM);
      verify(c, v, n, Inputs.uniform(0x5eed0000L + n), Op.AVERAGE);
      if (n >= 2) {
        verify(c, v, n, Inputs.specials(comm.size()), Op.SUM);
      }
    }
    backToBack(c, v, lengths);
    return new Verdict(c.name(), v.checks(), sumEverywhere(v.wrong()), v.failures());
  }

  /** One call on n elements of {@code inputs}, checked against the reference and across ranks. */
  void verify(Collective c, Verifier v, int n, Inputs inputs, Op op) {
    float[] buf = new float[n];
    c.init(buf, n, inputs, comm.rank());
    c.run(buf, n, op);
    String what = inputs + " n=" + n + " " + op;
    v.values(buf, n, inputs, c.sources(comm.rank()), op, what);
    if (c.sameOnEveryRank()) {
      identical(v, buf, what);
    }
  }

  /** Two calls of different sizes and contents, issued back to back, do not mix. */
  void backToBack(Collective c, Verifier v, int[] lengths) {
    int n1 = Math.min(Arrays.stream(lengths).max().orElse(0), 1 << 20);
    int n2 = Math.max(1, n1 / 3 + 1);
    Inputs first = Inputs.integers(1);
    Inputs second = Inputs.integers(2);
    float[] a = new float[n1];
    float[] b = new float[n2];
    c.init(a, n1, first, comm.rank());
    c.init(b, n2, second, comm.rank());
    c.run(a, n1, Op.SUM);
    c.run(b, n2, Op.SUM);
    int[] sources = c.sources(comm.rank());
    v.values(a, n1, first, sources, Op.SUM, "back-to-back first");
    v.values(b, n2, second, sources, Op.SUM, "back-to-back second");
  }

  /** Rank 0 compares a 64-bit hash of every rank's result bits with its own. */
  private void identical(Verifier v, float[] buf, String what) {
    long h = TestData.hashBits(buf);
    int[][] all = ToRoot.gather(comm, new int[] {(int) (h >>> 32), (int) h}, TAG_CHECK + 2);
    for (int q = 1; all != null && q < all.length; q++) {
      if (all[q][0] != all[0][0] || all[q][1] != all[0][1]) {
        v.fail(what + ": rank " + q + "'s result differs in its bits from rank 0's");
      }
    }
  }

  /**
   * The sizes of a benchmark: minBytes, ×factor, up to maxBytes; iters 0 means automatic;
   * {@code minTimeMs > 0}: a size gets more iterations than that where they take less than
   * minTimeMs in all ({@link #timedIterations}).
   */
  public record Sizes(long minBytes, long maxBytes, int factor, int iters, int warmup,
      double minTimeMs) {
    /** Sizes without a time floor. */
    public Sizes(long minBytes, long maxBytes, int factor, int iters, int warmup) {
      this(minBytes, maxBytes, factor, iters, warmup, 0);
    }

    /** Timed iterations at one size: as given, or enough for ~1 GiB moved (5..50). */
    int itersAt(long bytes) {
      return iters > 0 ? iters : (int) Math.max(5, Math.min(50, (1L << 30) / Math.max(1, bytes)));
    }

    /**
     * Timed iterations at one size whose last warm-up iteration took {@code warmMs} (its set-up,
     * the barrier and the call): at least
     * {@code atLeast}, and enough to fill minTimeMs (at most {@link #MAX_TIMED}), the way a
     * benchmark library's minimum time works: a 4 KiB message's few iterations of well under a
     * millisecond each give a median at the mercy of one scheduler hiccup.
     */
    int timedIterations(int atLeast, double warmMs) {
      if (!(minTimeMs > 0) || !(warmMs > 0)) {
        return atLeast;
      }
      return (int) Math.max(atLeast, Math.min(MAX_TIMED, Math.ceil(minTimeMs / warmMs)));
    }

    /** The most timed iterations a time floor gives one size. */
    static final int MAX_TIMED = 200;
  }

  /**
   * Times every collective at every size (in the order given, size by size), each made afresh
   * for its row and dropped after it, so that no row runs beside another's buffers. On rank 0
   * returns the rows and hands each to {@code onRow} as it is measured; other ranks get an empty
   * list. A size a collective refuses ({@link SizeLimitException}, thrown alike on every rank
   * before any message moves) is skipped with a warning.
   */
  public List<Measurement> bench(List<Supplier<Collective>> collectives, Sizes sizes,
      Consumer<Measurement> onRow) {
    float[] buf = new float[(int) (sizes.maxBytes() / 4)];
    List<Measurement> rows = new ArrayList<>();
    for (long bytes = sizes.minBytes(); bytes <= sizes.maxBytes(); bytes *= sizes.factor()) {
      for (Supplier<Collective> make : collectives) {
        Measurement m = time(make.get(), buf, (int) (bytes / 4), sizes, sizes.itersAt(bytes));
        if (m != null && comm.rank() == 0) {
          rows.add(m);
          onRow.accept(m);
        }
      }
    }
    return rows;
  }

  /** One row: warm-up, then timed iterations, every buffer checked; null when refused. */
  private Measurement time(Collective c, float[] buf, int n, Sizes sizes, int atLeast) {
    int warmup = sizes.warmup();
    int iters = atLeast;
    double[] times = new double[iters];
    long cpuNanos = 0; // this process's CPU time inside the timed calls
    int[] sources = c.sources(comm.rank());
    Verifier v = new Verifier();
    double lastWarmMs = 0;
    for (int it = -warmup; it < iters; it++) {
      if (it == 0 && sizes.minTimeMs() > 0 && warmup > 0) {
        iters = agreed(sizes.timedIterations(atLeast, lastWarmMs));
        times = new double[iters];
      }
      Inputs inputs = Inputs.integers(it + warmup);
      long w0 = System.nanoTime(); // an iteration for the time floor: set-up, barrier and call
      c.init(buf, n, inputs, comm.rank());
      comm.barrier("bench " + c.name());
      long c0 = processCpuNanos();
      long t0 = System.nanoTime();
      try {
        c.run(buf, n, Op.SUM);
      } catch (SizeLimitException e) {
        if (comm.rank() == 0) {
          LOG.warn("skipping {} at {} bytes: {}", c.name(), c.bytes(n), e.getMessage());
        }
        return null;
      }
      long t1 = System.nanoTime();
      long c1 = processCpuNanos();
      v.values(buf, n, inputs, sources, Op.SUM, c.name() + " iteration " + it);
      if (it >= 0) {
        times[it] = (t1 - t0) / 1e6;
        cpuNanos += c1 - c0;
      } else {
        lastWarmMs = (t1 - w0) / 1e6;
      }
    }
    for (String f : v.failures()) {
      LOG.error("{}", f);
    }
    double[] slowest = c.timedAtRankZero() ? times : slowestRank(times);
    long wrong = sumAtRoot(v.wrong());
    double cpuMs = jobCpuAtRoot(cpuNanos / 1e6 / Math.max(1, iters));
    return new Measurement(c.name(), c.ranks(), c.bytes(n), Stats.of(slowest), c.busBwFactor(),
        wrong, cpuMs);
  }

  /**
   * CPU time of this process (all its threads, MPJ's I/O threads included); -1 where the JVM
   * cannot tell. On a shared host the wall time of a collective measures the other jobs as much
   * as the collective; the CPU time it burns is a steadier figure of its cost.
   */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Rank 0 gets the job's CPU milliseconds per call: the sum over distinct processes of each
   * one's CPU time (ranks that are threads of one JVM report the same process once).
   */
  private double jobCpuAtRoot(double myMs) {
    int pid = (int) ProcessHandle.current().pid();
    int[][] all = ToRoot.gather(comm, new int[] {pid, Float.floatToRawIntBits((float) myMs)},
        TAG_TIMES + 2);
    if (all == null) {
      return myMs;
    }
    java.util.Map<Integer, Float> byProcess = new java.util.HashMap<>();
    byProcess.put(pid, (float) myMs);
    for (int q = 1; q < all.length; q++) {
      byProcess.merge(all[q][0], Float.intBitsToFloat(all[q][1]), Math::max);
    }
    double sum = 0;
    for (float ms : byProcess.values()) {
      sum += ms;
    }
    return sum;
  }

  /** Rank 0's count of timed iterations, known to every rank (a collective needs them all). */
  private int agreed(int mine) {
    return fromRankZero(mine, TAG_TIMES + 3);
  }

  /** Rank 0's {@code v} on every rank, over plain point-to-point messages. */
  private int fromRankZero(int v, int tag) {
    int[] box = {v};
    if (comm.rank() == 0) {
      for (int q = 1; q < comm.size(); q++) {
        comm.send(box, 0, 1, q, tag);
      }
    } else {
      comm.recv(box, 0, 1, 0, tag);
    }
    return box[0];
  }

  /** Rank 0 gets, per iteration, the slowest rank's time (other ranks: their own). */
  private double[] slowestRank(double[] times) {
    int[] mine = new int[times.length]; // float bits: ToRoot carries ints
    for (int i = 0; i < times.length; i++) {
      mine[i] = Float.floatToRawIntBits((float) times[i]);
    }
    int[][] all = ToRoot.gather(comm, mine, TAG_TIMES);
    double[] max = times.clone();
    for (int q = 1; all != null && q < all.length; q++) {
      for (int i = 0; i < max.length; i++) {
        max[i] = Math.max(max[i], Float.intBitsToFloat(all[q][i]));
      }
    }
    return max;
  }

  /** Rank 0 gets the sum over ranks (other ranks: their own). */
  private long sumAtRoot(long v) {
    int[][] all = ToRoot.gather(comm, new int[] {(int) Math.min(Integer.MAX_VALUE, v)},
        TAG_TIMES + 1);
    long sum = v;
    for (int q = 1; all != null && q < all.length; q++) {
      sum += all[q][0];
    }
    return sum;
  }

  /** The sum over ranks, known to every rank. */
  private long sumEverywhere(long v) {
    return fromRankZero((int) Math.min(Integer.MAX_VALUE, sumAtRoot(v)), TAG_CHECK + 1);
  }
}
