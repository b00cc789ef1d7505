package org.pscreen2vec.app;

import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.collective.SizeLimitException;
import org.pscreen2vec.collective.ToRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;
import org.pscreen2vec.run.Stats;

/**
 * Times the allreduce algorithms the way nccl-tests times NCCL: sizes from 4 KiB to 256 MiB in
 * steps of 4, warm-up excluded, each iteration's time the slowest rank's, median/min/max over
 * iterations, {@code algbw = bytes / time} and {@code busbw = algbw * 2(p-1)/p}, and every timed
 * buffer checked ({@code wrong}). A point-to-point row (rank 0 sends to rank 1) is the ceiling.
 */
public final class BenchCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(BenchCollectivesCommand.class);
  public static final String HEADER = "device,algorithm,ranks,bytes,iterations,time_ms_median,"
      + "time_ms_min,time_ms_max,algbw_GBps,busbw_GBps,wrong,segment_bytes,job_id";
  private static final int TAG_TIMES = 950;
  private static final int TAG_P2P = 960;

  @Override
  public String name() {
    return "bench-collectives";
  }

  @Override
  public String summary() {
    return "time ring/naive/star/MPJ allreduce over message sizes (nccl-tests style)";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("algorithms").hasArg().argName("LIST")
        .desc("comma-separated subset of " + String.join(",", Allreduces.NAMES)
            + " (default all)").get());
    o.addOption(Option.builder().longOpt("min-bytes").hasArg().argName("B")
        .desc("smallest message (default 4096)").get());
    o.addOption(Option.builder().longOpt("max-bytes").hasArg().argName("B")
        .desc("largest message (default 268435456 = 256 MiB)").get());
    o.addOption(Option.builder().longOpt("factor").hasArg().argName("F")
        .desc("size step factor (default 4)").get());
    o.addOption(Option.builder().longOpt("iters").hasArg().argName("N")
        .desc("timed iterations per size (default: enough for ~1 GiB moved, 5..50)").get());
    o.addOption(Option.builder().longOpt("warmup").hasArg().argName("N")
        .desc("untimed iterations first (default 2)").get());
    o.addOption(Option.builder().longOpt("segment").hasArg().argName("FLOATS")
        .desc("pipeline segment of ring/naive/star in floats (default "
            + Allreduces.DEFAULT_SEGMENT_FLOATS + " on multicore, "
            + Allreduces.DEFAULT_SEGMENT_FLOATS_TCP + " on niodev/hybdev)").get());
    o.addOption(Option.builder().longOpt("no-p2p").desc("skip the point-to-point row").get());
    return o;
  }

  @Override
  public String helpFooter() {
    return """
        Example: bin/pscreen2vec -np 4 -dev niodev bench-collectives --max-bytes 67108864
        Writes results/collectives/<job id>/collectives.csv (+ run.json) and appends the rows
        to results/collectives/summary.csv. Draw them with 'bin/pscreen2vec plot-collectives'.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    List<String> algorithms = CheckCollectivesCommand.algorithms(cl);
    long minBytes = CommonOptions.longValue(cl, "min-bytes", 4096, Long.MIN_VALUE);
    long maxBytes = CommonOptions.longValue(cl, "max-bytes", 256L << 20, Long.MIN_VALUE);
    int factor = CommonOptions.intValue(cl, "factor", 4, 2, 1024);
    int fixedIters = CommonOptions.intValue(cl, "iters", 0, 1, 100_000);
    int warmup = CommonOptions.intValue(cl, "warmup", 2, 0, 1000);
    int segment = CommonOptions.intValue(cl, "segment",
        Allreduces.defaultSegmentFloats(ctx.device()), 1,
        1 << 28);
    if (minBytes < 4 || maxBytes < minBytes || maxBytes > (1L << 31) - 64) {
      throw new UsageException("--min-bytes/--max-bytes must satisfy 4 <= min <= max < 2 GiB");
    }
    Path dir = ctx.openRunDir("collectives");
    if (!ctx.isWorker()) {
      return ExitCode.OK;
    }
    Communicator comm = ctx.group();
    if (ctx.isRoot()) {
      new RunRecord(ctx, name(), new String[] {String.join(" ", cl.getArgs())})
          .put("algorithms", algorithms).put("min_bytes", minBytes).put("max_bytes", maxBytes)
          .put("factor", factor).put("warmup", warmup).put("segment_floats", segment)
          .put("iters", fixedIters == 0 ? "auto" : fixedIters).write(dir);
      LOG.info("bench-collectives: {} ranks on {}, sizes {}..{} B x{}, algorithms {}, output {}",
          comm.size(), ctx.device(), minBytes, maxBytes, factor, algorithms, dir);
    }
    float[] buf = new float[(int) (maxBytes / 4)];
    List<String> rows = new ArrayList<>();
    for (long bytes = minBytes; bytes <= maxBytes; bytes *= factor) {
      int n = (int) (bytes / 4);
      int iters = fixedIters > 0 ? fixedIters
          : (int) Math.max(5, Math.min(50, (1L << 30) / Math.max(1, bytes)));
      if (comm.size() >= 2 && !cl.hasOption("no-p2p")) {
        rows.add(row(ctx, comm, "p2p", 2, bytes, p2p(comm, buf, n, warmup, iters), 0, segment));
      }
      for (String name : algorithms) {
        Allreduce ar = Allreduces.create(name, comm, segment);
        double[] times = new double[iters];
        long wrong = 0;
        boolean unsupported = false;
        for (int it = -warmup; it < iters && !unsupported; it++) {
          fill(buf, n, comm.rank(), it);
          comm.barrier("bench " + name);
          long t0 = System.nanoTime();
          try {
            ar.allreduce(buf, 0, n, Op.SUM);
          } catch (SizeLimitException e) {
            // thrown by every rank alike before any message moves: safe to skip the size
            if (comm.rank() == 0) {
              LOG.warn("skipping {} at {} bytes: {}", name, bytes, e.getMessage());
            }
            unsupported = true;
            continue;
          }
          long t1 = System.nanoTime();
          wrong += countWrong(buf, n, comm.size(), it);
          if (it >= 0) {
            times[it] = (t1 - t0) / 1e6;
          }
        }
        if (unsupported) {
          continue;
        }
        double[] slowest = slowestRank(comm, times);
        long allWrong = sumOverRanks(comm, wrong);
        if (comm.rank() == 0) {
          rows.add(row(ctx, comm, name, comm.size(), bytes, Stats.of(slowest), allWrong,
              segment));
        }
      }
    }
    if (comm.rank() == 0) {
      Csv.write(dir.resolve("collectives.csv"), HEADER, rows);
      Csv.append(ctx.resultsRoot().resolve("collectives").resolve("summary.csv"), HEADER, rows);
      System.out.println("bench-collectives: " + rows.size() + " rows in "
          + dir.resolve("collectives.csv"));
    }
    return ExitCode.OK;
  }

  private static String row(RunContext ctx, Communicator comm, String algorithm, int ranks,
      long bytes, Stats s, long wrong, int segment) {
    double algbw = bytes / (s.median() / 1e3) / 1e9;
    double busbw = algorithm.equals("p2p") ? algbw : algbw * 2.0 * (ranks - 1) / ranks;
    String line = String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%d,%d,%s",
        ctx.device(), algorithm, ranks, bytes, s.n(), s.median(), s.min(), s.max(), algbw,
        busbw, wrong, (long) segment * 4, ctx.jobId());
    if (comm.rank() == 0) {
      LOG.info(String.format(Locale.ROOT, "%-6s %2d ranks %11d B  median %9.3f ms "
          + "[%9.3f, %9.3f]  algbw %7.3f GB/s  busbw %7.3f GB/s  wrong %d", algorithm, ranks,
          bytes, s.median(), s.min(), s.max(), algbw, busbw, wrong));
    }
    return line;
  }

  /**
   * Rank r holds {@code f(i, it) + r} with f in [-512, 511]: the sum over p ranks is
   * {@code p f + p(p-1)/2}, exact in float and checkable in O(n).
   */
  private static void fill(float[] buf, int n, int rank, int it) {
    for (int i = 0; i < n; i++) {
      buf[i] = pattern(i, it) + rank;
    }
  }

  private static int pattern(int i, int it) {
    return ((i + 31 * it) & 1023) - 512;
  }

  private static long countWrong(float[] buf, int n, int p, int it) {
    long wrong = 0;
    float base = p * (p - 1) / 2f;
    for (int i = 0; i < n; i++) {
      if (buf[i] != p * (float) pattern(i, it) + base) {
        wrong++;
      }
    }
    return wrong;
  }

  /** One-way bandwidth ceiling: rank 0 sends n floats to rank 1, which acknowledges. */
  private static Stats p2p(Communicator comm, float[] buf, int n, int warmup, int iters) {
    double[] times = new double[iters];
    float[] ack = new float[1];
    for (int it = -warmup; it < iters; it++) {
      comm.barrier("bench p2p");
      if (comm.rank() == 0) {
        long t0 = System.nanoTime();
        comm.send(buf, 0, n, 1, TAG_P2P);
        comm.recv(ack, 0, 1, 1, TAG_P2P + 1);
        if (it >= 0) {
          times[it] = (System.nanoTime() - t0) / 1e6;
        }
      } else if (comm.rank() == 1) {
        comm.recv(buf, 0, n, 0, TAG_P2P);
        comm.send(ack, 0, 1, 0, TAG_P2P + 1);
      }
    }
    return Stats.of(times);
  }

  /** Rank 0 gets, per iteration, the slowest rank's time (other ranks: their own). */
  private static double[] slowestRank(Communicator comm, double[] times) {
    float[] mine = new float[times.length];
    for (int i = 0; i < times.length; i++) {
      mine[i] = (float) times[i];
    }
    float[][] all = ToRoot.gather(comm, mine, TAG_TIMES);
    double[] max = times.clone();
    for (int q = 1; all != null && q < all.length; q++) {
      for (int i = 0; i < max.length; i++) {
        max[i] = Math.max(max[i], all[q][i]);
      }
    }
    return max;
  }

  /** Rank 0 gets the sum over ranks (other ranks: their own). */
  private static long sumOverRanks(Communicator comm, long v) {
    int[][] all = ToRoot.gather(comm, new int[] {(int) Math.min(Integer.MAX_VALUE, v)},
        TAG_TIMES + 1);
    long sum = v;
    for (int q = 1; all != null && q < all.length; q++) {
      sum += all[q][0];
    }
    return sum;
  }


}
