package org.pscreen2vec.ps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * One parameter server's request handler (ps-lite's {@code KVServer} handle): what the server
 * holds and how it applies updates under a {@link Consistency} mode. It holds key ranges — the
 * dense shard and its rows of each sparse table, each a {@link KeyRange} with the optimizer the
 * workers would use — and answers every request through its {@link Responder}, now or later:
 *
 * <ul>
 *   <li>a request for a range whose initial values have not arrived waits for them;</li>
 *   <li>BSP: a pull of step t waits for the range's version t (round t-1 applied), a push of a
 *       round not yet begun waits for it; both are parked by the version they wait for and
 *       answered when a push completes that round;</li>
 *   <li>SSP: a pull of step t waits until the slowest worker has pushed step t - bound; parked by
 *       that clock and answered when the slowest worker's push arrives.</li>
 * </ul>
 *
 * Nothing is retried or polled. Requests reach it validated ({@link RequestValidator}); sending
 * replies, in each worker's order, is the transport's business ({@link ParameterServer}).
 */
public final class ServerState {
  private final int server;
  private final Partition part;
  private final int workers;
  private final Consistency consistency;
  private final DenseRange dense;
  private final RowRange[] tables;
  private final int[] clock; // (workers) steps each worker has pushed (SSP)
  private final TreeMap<Integer, List<KeyRange.Parked>> behindSlowest = new TreeMap<>(); // SSP
  private int maxStaleness;
  final DenseOptimizer denseOptimizer; // the dense shard's (checkpoints)
  ServerCheckpoint checkpoints; // null: none (set by ServerCheckpoint.attach)

  public ServerState(int server, Partition part, List<TableSpec> tables, int workers,
      Consistency consistency, Ops ops, Supplier<DenseOptimizer> denseOptimizer,
      Supplier<SparseOptimizer> sparseOptimizer) {
    this.server = server;
    this.part = part;
    this.workers = workers;
    this.consistency = consistency;
    boolean bsp = consistency.mode() == Consistency.Mode.BSP;
    this.denseOptimizer = denseOptimizer.get();
    this.dense = new DenseRange(part.shardLength(server), workers, bsp, this.denseOptimizer);
    this.tables = new RowRange[tables.size()];
    for (int t = 0; t < tables.size(); t++) {
      TableSpec s = tables.get(t);
      this.tables[t] = new RowRange(s, server, part, workers, ops,
          part.localRows(server, s.rows()) > 0 ? sparseOptimizer.get() : null);
    }
    this.clock = new int[workers];
  }

  /** Largest staleness (steps ahead of the slowest worker) a pull was served with. */
  public int maxStaleness() {
    return maxStaleness;
  }

  /** (localRows, dim) this server's rows of table t, or null when it holds none. */
  public EmbeddingTable localTable(int t) {
    return tables[t].table();
  }

  /** The optimizer state of table t (moments by name), or null when the server holds no rows. */
  public Map<String, Buf> sparseState(int t) {
    return tables[t].optimizerState();
  }

  public Partition partition() {
    return part;
  }

  public int serverIndex() {
    return server;
  }

  /** (shardLength) the dense shard (tests and checkpoints). */
  public float[] denseShard() {
    return dense.values();
  }

  /** True once the range of {@code table} (-1: the dense shard) has its initial values. */
  boolean initialised(int table) {
    return (table < 0 ? dense : tables[table]).initialised();
  }

  /** Which workers a synchronous round is still waiting for ("" when none). */
  public String waitingFor() {
    if (consistency.mode() != Consistency.Mode.BSP) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (KeyRange k : ranges()) {
      String w = k.waitingFor();
      if (w != null) {
        parts.add(w);
      }
    }
    return String.join("; ", parts);
  }

  /** Handles one validated request; {@code out} is called once, now or when it can be answered. */
  void handle(ServerRequest r, Responder out) {
    KeyRange k = r.table() < 0 ? dense : tables[r.table()];
    switch (r.op()) {
      case INIT_DENSE, INIT_ROWS -> {
        List<KeyRange.Parked> ready = k.init(r.values());
        out.respond(Reply.OK);
        resume(ready);
      }
      case PUSH_DENSE, PUSH_ROWS -> push(k, r, out);
      case PULL_DENSE, PULL_ROWS -> pull(k, r, out);
      default -> out.respond(Reply.error("unknown operation " + r.op().code()));
    }
  }

  private void push(KeyRange k, ServerRequest r, Responder out) {
    if (!k.initialised()) {
      k.parkUntilInitialised(new KeyRange.Parked(r, out));
      return;
    }
    int slowest = slowest();
    clock[r.worker()] = Math.max(clock[r.worker()], r.step() + 1);
    if (consistency.mode() != Consistency.Mode.BSP) {
      k.applyAsync(r);
      out.respond(Reply.OK);
    } else if (r.step() > k.version()) {
      k.parkUntilVersion(r.step(), new KeyRange.Parked(r, out)); // a round not yet begun
      return;
    } else {
      int before = k.version();
      String twice = k.addToRound(r);
      out.respond(twice == null ? Reply.OK : Reply.error(twice));
      if (checkpoints != null && k.version() != before) {
        checkpoints.roundDone(this, k == dense ? -1 : r.table(), k.version());
      }
      resume(k.takeReady());
    }
    if (slowest() > slowest) {
      resume(takeBehindSlowest());
    }
  }

  private void pull(KeyRange k, ServerRequest r, Responder out) {
    if (!k.initialised()) {
      k.parkUntilInitialised(new KeyRange.Parked(r, out));
      return;
    }
    int step = r.step();
    switch (consistency.mode()) {
      case BSP -> {
        if (k.version() < step) {
          k.parkUntilVersion(step, new KeyRange.Parked(r, out));
          return;
        }
      }
      case SSP -> {
        int slowest = slowest();
        if ((long) step - slowest > consistency.staleness()) {
          behindSlowest.computeIfAbsent(step - consistency.staleness(), c -> new ArrayList<>())
              .add(new KeyRange.Parked(r, out));
          return;
        }
        maxStaleness = Math.max(maxStaleness, Math.max(0, step - slowest));
      }
      default -> maxStaleness = Math.max(maxStaleness, Math.max(0, step - slowest()));
    }
    out.respond(Reply.data(k.read(r.ids())));
  }

  /** SSP: the parked pulls whose worker is no longer too far ahead of the slowest. */
  private List<KeyRange.Parked> takeBehindSlowest() {
    int slowest = slowest();
    List<KeyRange.Parked> ready = new ArrayList<>();
    while (!behindSlowest.isEmpty() && behindSlowest.firstKey() <= slowest) {
      ready.addAll(behindSlowest.pollFirstEntry().getValue());
    }
    return ready;
  }

  /** Handles parked requests again, in the order they were parked; each may park once more. */
  private void resume(List<KeyRange.Parked> ready) {
    for (KeyRange.Parked p : ready) {
      handle(p.request(), p.out());
    }
  }

  // checkpoints (ServerCheckpoint): the ranges and the workers' clocks
  DenseRange denseRange() {
    return dense;
  }

  RowRange tableRange(int t) {
    return tables[t];
  }

  int tableCount() {
    return tables.length;
  }

  int[] clock() {
    return clock;
  }

  Consistency consistency() {
    return consistency;
  }

  int slowest() {
    int s = Integer.MAX_VALUE;
    for (int c : clock) {
      s = Math.min(s, c);
    }
    return s;
  }

  private List<KeyRange> ranges() {
    List<KeyRange> all = new ArrayList<>();
    all.add(dense);
    all.addAll(List.of(tables));
    return all;
  }
}
