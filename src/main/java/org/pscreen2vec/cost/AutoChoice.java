package org.pscreen2vec.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --strategy auto}: for each parameter block (the dense buffer, each embedding table) the
 * cheaper of an allreduce (ring) and the parameter servers by the cost model, from the block's
 * bytes and, for a table, the rows a worker touches per step; then the strategy that realizes
 * the choices: ring (everything by allreduce; with servers in the job they idle), hybrid (dense by
 * ring, tables by servers) or ps (everything by servers).
 *
 * <p>With servers in the job and every block cheaper by ring, auto runs plain ring among the
 * workers, and worker 0 tells each server it is not used (the servers end at once); the log gives
 * ring's predicted time next to the cheapest plan that uses the servers.
 */
public final class AutoChoice {
  private AutoChoice() {}

  /** One table: its name, bytes as a dense block, bytes of the rows one worker touches. */
  public record Table(String name, double bytes, double touchedBytes) {}

  /** The strategy and, per block, why. */
  public record Decision(String strategy, List<String> reasons) {}

  public static Decision choose(double denseBytes, List<Table> tables, int workers, int servers,
      Network net, double segmentBytes) {
    List<String> why = new ArrayList<>();
    double denseRing = SyncCost.seconds(SyncCost.ring(workers, denseBytes, segmentBytes), net);
    double denseSrv = servers == 0 ? Double.POSITIVE_INFINITY
        : SyncCost.seconds(SyncCost.servers(workers, servers, 0, denseBytes, 0, true), net);
    boolean denseOnServers = denseSrv < denseRing;
    why.add(String.format(Locale.ROOT, "dense block %.1f MB: ring %.2f ms, %s -> %s", denseBytes
        / 1e6, denseRing * 1e3, servers == 0 ? "no servers" : String.format(Locale.ROOT,
        "%d server(s) %.2f ms", servers, denseSrv * 1e3), denseOnServers ? "servers" : "ring"));
    boolean anyTableOnServers = false;
    for (Table t : tables) {
      double ring = SyncCost.seconds(SyncCost.ring(workers, t.bytes(), segmentBytes), net);
      double srv = servers == 0 ? Double.POSITIVE_INFINITY
          : SyncCost.seconds(SyncCost.servers(workers, servers, 1, 0, t.touchedBytes(), true),
              net);
      boolean onServers = srv < ring;
      anyTableOnServers |= onServers;
      why.add(String.format(Locale.ROOT, "table %s %.1f MB, %.2f MB touched per worker and step:"
          + " ring %.2f ms, %s -> %s", t.name(), t.bytes() / 1e6, t.touchedBytes() / 1e6,
          ring * 1e3, servers == 0 ? "no servers" : String.format(Locale.ROOT, "servers %.2f ms",
          srv * 1e3), onServers ? "servers" : "ring"));
    }
    String strategy;
    if (servers == 0) {
      strategy = "ring";
    } else if (denseOnServers) {
      strategy = "ps";
    } else if (anyTableOnServers) {
      strategy = "hybrid";
    } else {
      // every block by allreduce: plain ring among the workers, the servers told they are idle
      strategy = "ring";
      double all = denseBytes + tables.stream().mapToDouble(Table::bytes).sum();
      double ringAll = SyncCost.seconds(SyncCost.ring(workers, all, segmentBytes), net);
      double touched = tables.stream().mapToDouble(Table::touchedBytes).sum();
      double psAll = SyncCost.seconds(SyncCost.servers(workers, servers, tables.size(),
          denseBytes, touched, true), net);
      double withServers = tables.isEmpty() ? psAll : Math.min(psAll,
          StepCost.hybridExchangeSeconds(workers, servers, tables.size(), denseBytes, touched,
              net, ServerCost.NONE, segmentBytes));
      why.add(String.format(Locale.ROOT, "every block on ring (predicted %.2f ms vs %.2f ms "
          + "with the servers); the %d server rank%s idle", ringAll * 1e3, withServers * 1e3,
          servers, servers == 1 ? " is" : "s are"));
    }
    return new Decision(strategy, why);
  }
}
