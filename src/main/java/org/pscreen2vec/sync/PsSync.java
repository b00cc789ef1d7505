package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.ps.PsClient;
import org.pscreen2vec.ps.TableSpec;

/**
 * Everything through the parameter servers: each step a worker pushes its dense gradient and its
 * touched table rows, the servers apply the optimizer, and the worker pulls the new dense
 * parameters back; table rows are pulled before each step for the rows that step will read
 * ({@link #prepare}). With {@code bsp} this is synchronous SGD, equal to {@link AllreduceSync}.
 */
public final class PsSync implements GradientSync {
  private final Communicator world;
  private final Roles roles;
  private PsClient client; // made at the first call, when the model's shape is known
  private final boolean initializer;
  private final boolean dense; // false in the hybrid: dense parameters stay with allreduce
  private final AllreduceSync denseSync; // hybrid only
  private boolean initialized;
  private int step;
  private boolean closed;
  private List<float[]> lastLoads = List.of();

  /**
   * @param initializer true on the one worker that sends the initial parameters to the servers
   * @param denseSync   null for {@code ps}; the dense allreduce for {@code hybrid}
   */
  public PsSync(Communicator world, Roles roles, boolean initializer, AllreduceSync denseSync) {
    this.world = world;
    this.roles = roles;
    this.initializer = initializer;
    this.denseSync = denseSync;
    this.dense = denseSync == null;
  }

  @Override
  public String name() {
    return dense ? "ps" : "hybrid";
  }

  /**
   * At the first call: the client (the model's shape is known now); on the initializer, SETUP and
   * the initial values, so the servers start exactly where the workers do.
   */
  private void initialize(DenseGradients d, List<SparseGradients> tables) {
    if (initialized) {
      return;
    }
    initialized = true;
    List<TableSpec> specs = new ArrayList<>();
    for (SparseGradients s : tables) {
      specs.add(new TableSpec(s.table(), s.tableRows(), s.dim()));
    }
    client = new PsClient(world, roles, dense ? d.length() : 0, specs);
    if (!initializer) {
      return;
    }
    client.setup().await();
    if (dense) {
      client.initDense(d.params()).await();
    }
    for (int t = 0; t < tables.size(); t++) {
      client.initRows(t, tables.get(t).values()).await();
    }
  }

  @Override
  public void prepare(DenseGradients d, List<SparseGradients> rowsNeeded) {
    initialize(d, rowsNeeded);
    for (int t = 0; t < rowsNeeded.size(); t++) {
      SparseGradients s = rowsNeeded.get(t);
      client.pullRows(t, s.ids(), s.count(), s.values(), step).await();
    }
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients d, List<SparseGradients> sparse,
      int samples) {
    initialize(d, sparse);
    // every push to every server is in flight at once; then the dense part, then the replies
    PsClient.Handle[] rows = new PsClient.Handle[sparse.size()];
    for (int t = 0; t < sparse.size(); t++) {
      SparseGradients s = sparse.get(t);
      rows[t] = client.pushRows(t, s.ids(), s.rows(), s.count(), samples, step);
    }
    if (dense) {
      // the pull queues behind the push on every server and is answered when the round is done
      PsClient.Handle push = client.pushDense(d.grads(), samples, step);
      PsClient.Handle pull = client.pullDense(d.params(), step + 1);
      push.await();
      pull.await();
    } else {
      denseSync.synchronize(d, sparse, samples);
    }
    for (PsClient.Handle h : rows) {
      h.await();
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

  @Override
  public long bytesSent() {
    return (client == null ? 0 : client.accounting().bytesSent())
        + (dense ? 0 : denseSync.bytesSent());
  }

  @Override
  public long bytesReceived() {
    return (client == null ? 0 : client.accounting().bytesReceived())
        + (dense ? 0 : denseSync.bytesReceived());
  }

  /** The client, or null before the first step. */
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
    if (client == null) {
      throw new IllegalStateException("the parameter-server strategy was closed before its first "
          + "step; the servers are still waiting for SETUP");
    }
    PsClient.Handle h = client.done();
    h.await();
    lastLoads = h.serverLoads();
  }

  /** The servers' load figures, after {@link #close}. */
  public List<float[]> serverLoads() {
    return lastLoads;
  }
}
