package org.pscreen2vec.app;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.collective.Collective;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.RunContext;

/** The options check-collectives and bench-collectives share: which algorithms, which segment. */
final class CollectiveOptions {
  static final Opt<String> ALGORITHMS = Opt.text("algorithms", "LIST",
      String.join(",", Allreduces.NAMES), "all",
      "comma-separated subset of " + Allreduces.DESCRIBED);
  /**
   * Default segment on emulated links ({@code -emulate}, niodev): 4 MiB. With niodev's 16 MiB a
   * 64 MiB buffer on 4 ranks is one segment per ring step, so nothing pipelines within a step (the
   * rendezvous, the wire and the reduction of the chunk run one after the other); with 4 MiB four
   * segments go through with two in flight. Measured at 1 Gbit/s, 4 ranks, 64 MiB, 3 runs each,
   * interleaved: ring busbw 79.2-80.0 % of the link with 16 MiB, 82.4-83.2 % with 4 MiB, 81.6 %
   * with 2 MiB (docs/PERFORMANCE.md, "net", round 3).
   */
  static final int EMULATED_SEGMENT_FLOATS = 1 << 20;
  static final Opt<Integer> SEGMENT = Opt.integer("segment", "FLOATS",
      Allreduces.DEFAULT_SEGMENT_FLOATS + " on multicore, " + Allreduces.DEFAULT_SEGMENT_FLOATS_TCP
          + " on niodev/hybdev, " + EMULATED_SEGMENT_FLOATS + " on niodev under "
          + "-emulate", 1, 1 << 28, "pipeline segment of ring/naive/star in floats");

  private CollectiveOptions() {}

  /** The --algorithms names, checked. */
  static List<String> algorithms(CommandLine cl) {
    List<String> out = new ArrayList<>();
    for (String a : ALGORITHMS.get(cl).split(",")) {
      String t = a.trim();
      if (!Allreduces.NAMES.contains(t)) {
        throw new UsageException("--algorithms: unknown algorithm '" + t + "'; valid: "
            + String.join(", ", Allreduces.NAMES));
      }
      out.add(t);
    }
    return out;
  }

  /** The --segment value, defaulting to the measured one for this job's device and links. */
  static int segment(CommandLine cl, RunContext ctx) {
    boolean emulated = !System.getProperty("pscreen2vec.emulate", "").isEmpty()
        && "niodev".equals(ctx.device());
    return SEGMENT.get(cl, emulated ? EMULATED_SEGMENT_FLOATS
        : Allreduces.defaultSegmentFloats(ctx.device()));
  }

  /** The named algorithms as collectives on {@code comm}, each made when it is needed. */
  static List<Supplier<Collective>> allreduces(List<String> names, Communicator comm,
      int segment) {
    List<Supplier<Collective>> out = new ArrayList<>();
    for (String name : names) {
      out.add(() -> Collective.allreduce(Allreduces.create(name, comm, segment), comm.size()));
    }
    return out;
  }
}
