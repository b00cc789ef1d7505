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
  static final Opt<Integer> SEGMENT = Opt.integer("segment", "FLOATS",
      Allreduces.DEFAULT_SEGMENT_FLOATS + " on multicore, " + Allreduces.DEFAULT_SEGMENT_FLOATS_TCP
          + " on niodev/hybdev", 1, 1 << 28, "pipeline segment of ring/naive/star in floats");

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

  /** The --segment value, defaulting to the measured one for this job's device. */
  static int segment(CommandLine cl, RunContext ctx) {
    return SEGMENT.get(cl, Allreduces.defaultSegmentFloats(ctx.device()));
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
