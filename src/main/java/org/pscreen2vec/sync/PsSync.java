package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.ps.PsClient;
import org.pscreen2vec.ps.TableSpec;
import org.pscreen2vec.run.Timeline;

/**
 * Everything through the parameter servers: each step a worker pushes its dense gradient and its
 * touched table rows, the servers apply the optimizer, and the worker pulls the new dense
 * parameters back; table rows are pulled before each step for the rows that step will read
 * ({@link #fetch}). With {@code bsp} this is synchronous SGD, equal to {@link AllreduceSync}.
 */
public final class PsSync implements GradientSync {
  private final PsClient client;
  private final boolean dense; // false in the hybrid: dense parameters stay with allreduce
  private final AllreduceSync denseSync; // hybrid only
  private final List<EmbeddingTable> tables;
  private final float[][] tableValues; // per table (rows, dim) host side: fetched rows land here
  private final int[] tableRows;
  private int step;
  private static long resumeStep = -1;
  private boolean closed;
  private List<float[]> lastLoads = List.of();

  /**
   * Connects to the servers; on the initializer, sends SETUP (the model's shapes) and the initial
   * values, so the servers start exactly where the workers do.
   *
   * @param initializer true on the one worker that sends the initial parameters to the servers
   * @param denseSync   null for {@code ps}; the dense allreduce for {@code hybrid}
   * @param params      the model's dense parameters and gradients
   * @param tables      the model's embedding tables, in the model's order
   */
  public PsSync(Communicator world, Roles roles, boolean initializer, AllreduceSync denseSync,
      DenseGradients params, List<EmbeddingTable> tables) {
    this.denseSync = denseSync;
    this.dense = denseSync == null;
    List<TableSpec> specs = new ArrayList<>();
    this.tables = List.copyOf(tables);
    tableValues = new float[tables.size()][];
    tableRows = new int[tables.size()];
    for (int t = 0; t < tables.size(); t++) {
      EmbeddingTable e = tables.get(t);
      specs.add(new TableSpec(e.name(), e.rows(), e.dim()));
      tableValues[t] = e.hostValues();
      tableRows[t] = e.rows();
    }
    client = new PsClient(world, roles, dense ? params.length() : 0, specs);
    long resume = resumeStep;
    if (initializer) {
      client.setup().await();
      // resuming: the servers restore their own shards (ServerCheckpoint), so no initial values
      if (dense && resume < 0) {
        client.initDense(params.params()).await();
      }
      for (int t = 0; t < tableValues.length && resume < 0; t++) {
        tables.get(t).valuesToHost();
        client.initRows(t, tableValues[t]).await();
      }
    }
    step = resume < 0 ? 0 : (int) resume;
  }

  /**
   * Makes the next PsSync of this rank continue after {@code step} steps, the servers having
   * restored their checkpoint of that step (-1: start fresh). Per rank (class loader), set by the
   * train command before the strategy is built.
   */
  public static void resumeAt(long step) {
    resumeStep = step;
  }

  @Override
  public String name() {
    return dense ? "ps" : "hybrid";
  }

  @Override
  public boolean usesServers() {
    return true;
  }

  @Override
  public void fetch(RowRequest rows) {
    long r0 = client.accounting().bytesReceived();
    try (Timeline.Span sp = Timeline.span("pull rows")) {
      for (int t = 0; t < tableValues.length; t++) {
        int[] ids = rows.ids(t);
        client.pullRows(t, ids, ids.length, tableValues[t], step).await();
        tables.get(t).rowsFromHost(ids, ids.length); // a device copy, or nothing on a host
      }
      sp.bytes(client.accounting().bytesReceived() - r0);
    }
  }

  /** Pulls every row of every table (dense parameters are current after each step already). */
  @Override
  public void pullAll() {
    fetch(RowRequest.all(tableRows));
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients d, List<SparseGradients> sparse,
      int samples) {
    // every push to every server is in flight at once; then the dense part, then the replies
    PsClient.Handle[] rows = new PsClient.Handle[sparse.size()];
    long s0 = client.accounting().bytesSent();
    Timeline.Span phase = Timeline.span("push rows");
    for (int t = 0; t < sparse.size(); t++) {
      SparseGradients s = sparse.get(t);
      rows[t] = client.pushRows(t, s.ids(), s.rows(), s.count(), samples, step);
    }
    phase.bytes(client.accounting().bytesSent() - s0).close();
    if (dense) {
      // the pull queues behind the push on every server and is answered when the round is done
      long s1 = client.accounting().bytesSent();
      phase = Timeline.span("push+pull dense");
      PsClient.Handle push = client.pushDense(d.grads(), samples, step);
      PsClient.Handle pull = client.pullDense(d.params(), step + 1);
      phase.bytes(client.accounting().bytesSent() - s1).close();
      try (Timeline.Span w = Timeline.span("wait dense")) {
        push.await();
        pull.await();
      }
    } else {
      denseSync.synchronize(d, sparse, samples);
    }
    try (Timeline.Span w = Timeline.span("wait rows")) {
      for (PsClient.Handle h : rows) {
        h.await();
      }
    }
    step++;
    return sparse;
  }

  @Override
  public boolean appliesDenseUpdate() {
    return dense;
  }

  @Override
  public boolean appliesSparseUpdate() {
    return true;
  }

  /**
   * Hybrid: the dense allreduce's packing. The rows and, under ps, the dense part are copied
   * into and out of the servers' messages inside the client's calls: exchange, not local passes.
   */
  @Override
  public long lastLocalNanos() {
    return dense ? 0 : denseSync.lastLocalNanos();
  }

  @Override
  public long bytesSent() {
    return client.accounting().bytesSent()
        + (dense ? 0 : denseSync.bytesSent());
  }

  @Override
  public long bytesReceived() {
    return client.accounting().bytesReceived()
        + (dense ? 0 : denseSync.bytesReceived());
  }

  /** The client. */
  public PsClient client() {
    return client;
  }

  /** Tells the servers this worker is done; returns their load figures. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    PsClient.Handle h = client.done();
    h.await();
    lastLoads = h.serverLoads();
  }

  /** The servers' load figures, after {@link #close}. */
  public List<float[]> serverLoads() {
    return lastLoads;
  }
}
