package org.pscreen2vec.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Collective;
import org.pscreen2vec.collective.Harness;
import org.pscreen2vec.collective.Measurement;
import org.pscreen2vec.collective.PointToPoint;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;

/**
 * Times the allreduce algorithms the way nccl-tests times NCCL ({@link Harness#bench}): sizes
 * from 4 KiB to 256 MiB in steps of 4, warm-up excluded, each iteration's time the slowest
 * rank's, median/min/max over iterations, {@code algbw = bytes / time} and
 * {@code busbw = algbw * 2(p-1)/p}, and every timed buffer checked ({@code wrong}). A
 * point-to-point row (rank 0 sends to rank 1) is the ceiling.
 */
public final class BenchCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(BenchCollectivesCommand.class);
  public static final String HEADER = Measurement.CSV_HEADER;

  @Override
  public String name() {
    return "bench-collectives";
  }

  @Override
  public String summary() {
    return "time ring/naive (basic)/star/MPJ allreduce over message sizes (nccl-tests style)";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(CollectiveOptions.algorithmsOption());
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
    o.addOption(CollectiveOptions.segmentOption(""));
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
    List<String> algorithms = CollectiveOptions.algorithms(cl);
    Harness.Sizes sizes = new Harness.Sizes(
        CommonOptions.longValue(cl, "min-bytes", 4096, Long.MIN_VALUE),
        CommonOptions.longValue(cl, "max-bytes", 256L << 20, Long.MIN_VALUE),
        CommonOptions.intValue(cl, "factor", 4, 2, 1024),
        CommonOptions.intValue(cl, "iters", 0, 1, 100_000),
        CommonOptions.intValue(cl, "warmup", 2, 0, 1000));
    int segment = CollectiveOptions.segment(cl, ctx);
    if (sizes.minBytes() < 4 || sizes.maxBytes() < sizes.minBytes()
        || sizes.maxBytes() > (1L << 31) - 64) {
      throw new UsageException("--min-bytes/--max-bytes must satisfy 4 <= min <= max < 2 GiB");
    }
    Path dir = ctx.openRunDir("collectives");
    if (!ctx.isWorker()) {
      return ExitCode.OK;
    }
    Communicator comm = ctx.group();
    if (ctx.isRoot()) {
      new RunRecord(ctx, name(), new String[] {String.join(" ", cl.getArgs())})
          .put("algorithms", algorithms).put("min_bytes", sizes.minBytes())
          .put("max_bytes", sizes.maxBytes()).put("factor", sizes.factor())
          .put("warmup", sizes.warmup()).put("segment_floats", segment)
          .put("iters", sizes.iters() == 0 ? "auto" : sizes.iters()).write(dir);
      LOG.info("bench-collectives: {} ranks on {}, sizes {}..{} B x{}, algorithms {}, output {}",
          comm.size(), ctx.device(), sizes.minBytes(), sizes.maxBytes(), sizes.factor(),
          algorithms, dir);
    }
    List<Collective> collectives = new ArrayList<>();
    if (comm.size() >= 2 && !cl.hasOption("no-p2p")) {
      collectives.add(new PointToPoint(comm));
    }
    collectives.addAll(CollectiveOptions.allreduces(algorithms, comm, segment));
    List<Measurement> rows = new Harness(comm).bench(collectives, sizes,
        m -> LOG.info(m.line()));
    if (comm.rank() == 0) {
      List<String> lines = rows.stream()
          .map(m -> m.csv(ctx.device(), 4L * segment, ctx.jobId())).toList();
      Csv.write(dir.resolve("collectives.csv"), HEADER, lines);
      Csv.append(ctx.resultsRoot().resolve("collectives").resolve("summary.csv"), HEADER, lines);
      System.out.println("bench-collectives: " + lines.size() + " rows in "
          + dir.resolve("collectives.csv"));
    }
    return ExitCode.OK;
  }
}
