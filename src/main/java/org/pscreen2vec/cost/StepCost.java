package org.pscreen2vec.cost;

import java.util.ArrayList;
import java.util.List;

/**
 * Predicted sync and step time of a strategy for a workload on p workers (and S servers), from
 * {@link SyncCost}. Step = compute + sync; the optimizer is part of the measured compute.
 */
public final class StepCost {
  /** Strategies the model covers, in the order tables and plots show them. */
  public static final List<String> STRATEGIES = List.of("ring", "naive", "star", "mpj", "ps",
      "hybrid");

  private StepCost() {}

  /** Servers a projection gives ps and hybrid on p workers: one per 4 workers, at least 1. */
  public static int defaultServers(int p) {
    return Math.max(1, p / 4);
  }

  public static double syncSeconds(String strategy, Workload w, int p, int servers,
      Network net, double segmentBytes) {
    return syncSeconds(strategy, w, p, servers, net, ServerCost.NONE, segmentBytes);
  }

  /**
   * Sync seconds with the servers' own work per step measured ({@code srv}); with
   * {@link ServerCost#NONE} the servers' work is only their sum of the pushes (gamma).
   */
  public static double syncSeconds(String strategy, Workload w, int p, int servers,
      Network net, ServerCost srv, double segmentBytes) {
    if (p < 2 && !strategy.equals("ps") && !strategy.equals("hybrid")) {
      return 0;
    }
    // every strategy also makes two passes over what it moves: packing the gradients (weighted
    // by samples; tables into a dense block for an allreduce) and unpacking the result; an
    // allreduce's are local passes (localSeconds), the servers' copies go with their messages
    double gamma = net.gammaSecondsPerByte();
    // ps and hybrid (BSP) keep a separate per-step agreement among the workers (stop, NaN,
    // checksum: every worker sends worker 0 six ints, worker 0 answers each), which allreduce
    // strategies carry inside their own messages: one round trip, 2 alpha (measured on emulated
    // 1 Gbit/s, hybrid on 4 workers: 2.3 ms median for the last worker to arrive, alpha 1.5 ms)
    double agree = p > 1 ? 2 * net.alphaSeconds() : 0;
    return switch (strategy) {
      case "none" -> 0;
      case "ring", "naive", "star", "mpj" ->
          SyncCost.seconds(SyncCost.allreduce(strategy, p, w.allreduceBytes(), segmentBytes), net)
              + localSeconds(strategy, w, p, net);
      case "ps" -> SyncCost.seconds(SyncCost.servers(p, servers, w.tables(), w.denseBytes(),
          w.rowBytesPerWorker(p), !srv.measured()), net)
          + srv.seconds(p, servers, w.denseBytes(), w.rowBytesPerWorker(p))
          + 2 * (w.denseBytes() + w.rowBytesPerWorker(p)) * gamma + agree;
      case "hybrid" -> hybridExchangeSeconds(p, servers, w.tables(), w.denseBytes(),
          w.rowBytesPerWorker(p), net, srv, segmentBytes)
          + 2 * w.rowBytesPerWorker(p) * gamma + localSeconds(strategy, w, p, net) + agree;
      default -> throw new IllegalArgumentException("no cost model for strategy '" + strategy
          + "'; known: " + String.join(", ", STRATEGIES));
    };
  }

  /**
   * Hybrid's exchange as {@code sync.PsSync} runs it: the rows are pulled before the step; after
   * backward the row pushes go to the servers, the dense ring runs, and only then does the worker
   * wait for the servers' acknowledgements. So the push, the servers' work on the rows and
   * their answer run behind the ring, and the longer of the two counts. (Timelines, emulated
   * 10 Gbit/s, 2-4 workers, 2026-12-06: the wait for the acknowledgements after the ring, 0.1 to
   * 0.2 ms.) Until then the model added them up.
   */
  public static double hybridExchangeSeconds(int p, int servers, int tables, double denseBytes,
      double rowBytes, Network net, ServerCost srv, double segmentBytes) {
    double ring = SyncCost.seconds(SyncCost.ring(p, denseBytes, segmentBytes), net);
    double pull = SyncCost.seconds(SyncCost.rowPull(p, servers, tables, rowBytes), net);
    double behind = SyncCost.seconds(SyncCost.pushAndAnswer(p, servers, 0, rowBytes,
        !srv.measured()), net) + srv.seconds(p, servers, 0, rowBytes);
    return pull + Math.max(ring, behind);
  }

  /**
   * The part of {@link #syncSeconds} in local passes, outside any exchange: an allreduce's
   * packing of the gradients into its fused buffer and back out, 2 passes over what it reduces
   * (hybrid: its dense part). The parameter servers' copies go into and out of their messages
   * (0 here). A run measures the same passes ({@code sync_local_ms}).
   */
  public static double localSeconds(String strategy, Workload w, int p, Network net) {
    double gamma = net.gammaSecondsPerByte();
    return switch (strategy) {
      case "ring", "naive", "star", "mpj" -> p < 2 ? 0 : 2 * w.allreduceBytes() * gamma;
      case "hybrid" -> 2 * w.denseBytes() * gamma;
      default -> 0;
    };
  }

  public static double stepSeconds(String strategy, Workload w, int p, int servers, Network net,
      double segmentBytes) {
    return w.computeSeconds(p) + syncSeconds(strategy, w, p, servers, net, segmentBytes);
  }

  /** One projected point. Speed-up is job throughput over one worker's (no sync). */
  public record Point(String strategy, int workers, int servers, double stepSeconds,
      double syncSeconds, double speedup, double efficiency) {}

  public static List<Point> project(Workload w, Network net, List<Integer> workers,
      double segmentBytes) {
    List<Point> out = new ArrayList<>();
    double one = w.computeSeconds(1);
    for (String s : STRATEGIES) {
      for (int p : workers) {
        int servers = s.equals("ps") || s.equals("hybrid") ? defaultServers(p) : 0;
        double sync = syncSeconds(s, w, p, servers, net, segmentBytes);
        double step = w.computeSeconds(p) + sync;
        // throughput: p workers x batch per worker / step (global batch: one batch / step)
        double speedup = w.globalBatch() ? one / step : p * one / step;
        out.add(new Point(s, p, servers, step, sync, speedup, speedup / p));
      }
    }
    return out;
  }

  /** The fastest strategy at p workers among the points. */
  public static Point best(List<Point> points, int p) {
    Point best = null;
    for (Point pt : points) {
      if (pt.workers() == p && (best == null || pt.stepSeconds() < best.stepSeconds())) {
        best = pt;
      }
    }
    return best;
  }
}
