package org.pscreen2vec.collective;

import java.util.List;
import org.pscreen2vec.comm.Communicator;

/** Creates allreduce algorithms by name; an unknown name fails listing the valid ones. */
public final class Allreduces {
  public static final List<String> NAMES = List.of("ring", "naive", "star", "mpj");
  /**
   * The names as users read them in help texts. "naive" is the proposal's "basic allreduce"; the
   * name stays "naive" on the command line and in result files.
   */
  public static final String DESCRIBED = "ring (reduce-scatter + all-gather), "
      + "naive (basic allreduce: all-to-all), star (through rank 0), "
      + "mpj (MPJ Express's own Allreduce)";
  /**
   * Default pipeline segment in shared memory (multicore): 4 MiB. Measured at 64 MiB on 4 ranks:
   * 256 KiB segments 263 ms, 1 MiB 142 ms, 4 MiB 115 ms, 16 MiB 107 ms (docs/PERFORMANCE.md);
   * 4 MiB is within noise of the best with a quarter of the scratch memory naive and star keep
   * (p segments; the ring adds its segments in place and keeps none).
   */
  public static final int DEFAULT_SEGMENT_FLOATS = 1 << 20;
  /**
   * Default segment over TCP (niodev, hybdev): 16 MiB. Every niodev message above the eager limit
   * costs a rendezvous round trip through MPJ's I/O threads, so fewer, larger messages win there:
   * at 64 MiB on 4 ranks, 256 KiB segments 1247 ms, 1 MiB 797 ms, 4 MiB 412 ms, 16 MiB 325 ms
   * (docs/PERFORMANCE.md, "Collectives").
   */
  public static final int DEFAULT_SEGMENT_FLOATS_TCP = 1 << 22;

  private Allreduces() {}

  public static Allreduce create(String name, Communicator comm, int segmentFloats) {
    if (segmentFloats < 1) {
      throw new IllegalArgumentException("segment size must be at least one float, got "
          + segmentFloats);
    }
    return switch (name) {
      case "ring" -> new RingAllreduce(comm, segmentFloats);
      case "naive" -> new NaiveAllreduce(comm, segmentFloats);
      case "star" -> new StarAllreduce(comm, segmentFloats);
      case "mpj" -> new MpjAllreduce(comm);
      default -> throw new IllegalArgumentException("unknown allreduce algorithm '" + name
          + "'; valid: " + String.join(", ", NAMES));
    };
  }

  /** The measured default segment for an MPJ device ("multicore", "niodev", "hybdev"). */
  public static int defaultSegmentFloats(String device) {
    return "multicore".equals(device) ? DEFAULT_SEGMENT_FLOATS : DEFAULT_SEGMENT_FLOATS_TCP;
  }

  /** Start of part {@code i} when {@code count} elements are cut into {@code parts} near-equal parts. */
  static int partStart(int count, int parts, int i) {
    return (int) ((long) count * i / parts);
  }
}
