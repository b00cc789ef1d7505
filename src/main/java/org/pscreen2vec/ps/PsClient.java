package org.pscreen2vec.ps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;
import org.pscreen2vec.comm.Roles;

/**
 * A worker's view of the parameter servers, in ps-lite's shape: every call sends its requests to
 * all servers involved at once and returns a {@link Handle}; {@link Handle#await} waits for the
 * replies. Servers answer each worker in request order, so replies are matched per server in
 * order (and checked by sequence number).
 *
 * <p>Gradients are sent as this worker's mean gradient plus its sample count; the servers weight
 * them. Rows go to the server owning them ({@link Partition}).
 */
public final class PsClient {
  private final Communicator world;
  private final Roles roles;
  private final Partition part;
  private final List<TableSpec> tables;
  private final int me;
  private final ArrayDeque<Expect>[] pending; // (servers) replies still to come, in order
  private final PsAccounting acct = new PsAccounting();
  private int seq;

  /** A reply this worker waits for. */
  private static final class Expect {
    final int seq;
    final int code; // the operation code sent
    final Op op; // null when a malformed request sent a code that names no operation
    final int server;
    final List<Request> sends = new ArrayList<>();
    float[] into; // destination of DATA, at intoOffset
    int intoOffset;
    int expectCount;
    int[] scatterIds; // PULL_ROWS: ids whose rows arrive, scattered into `into` (values) by dim
    int dim;
    float[] received; // DONE: the server's load figures
    boolean complete;

    Expect(int seq, int code, int server) {
      this.seq = seq;
      this.code = code;
      this.op = Op.of(code);
      this.server = server;
    }
  }

  /** Requests of one call, possibly to several servers. */
  public final class Handle {
    private final List<Expect> parts = new ArrayList<>();

    /** Waits (each wait bounded by the deadline) until every server answered. */
    public void await() {
      long t0 = System.nanoTime();
      for (Expect e : parts) {
        while (!e.complete) {
          receiveNext(e.server);
        }
      }
      acct.waitNanos += System.nanoTime() - t0;
    }

    /** DONE only: the load figures each server reported (index = server). */
    public List<float[]> serverLoads() {
      List<float[]> out = new ArrayList<>();
      for (Expect e : parts) {
        out.add(e.received);
      }
      return out;
    }
  }

  @SuppressWarnings("unchecked")
  public PsClient(Communicator world, Roles roles, int denseLength, List<TableSpec> tables) {
    this.world = world;
    this.roles = roles;
    this.part = new Partition(roles.servers(), denseLength);
    this.tables = List.copyOf(tables);
    this.me = world.rank();
    this.pending = new ArrayDeque[roles.servers()];
    for (int s = 0; s < pending.length; s++) {
      pending[s] = new ArrayDeque<>();
    }
  }

  public Partition partition() {
    return part;
  }

  public PsAccounting accounting() {
    return acct;
  }

  /** Tells every server the model's shape; worker 0 sends this before anything else. */
  public Handle setup() {
    int[] p = new int[2 + 2 * tables.size()];
    p[0] = part.denseLength();
    p[1] = tables.size();
    for (int t = 0; t < tables.size(); t++) {
      p[2 + 2 * t] = tables.get(t).rows();
      p[3 + 2 * t] = tables.get(t).dim();
    }
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      Expect e = request(h, s, Op.SETUP, -1, 0, p.length, 0, 0);
      send(e, p);
    }
    return h;
  }

  /** Sends the initial dense parameters (one worker does this once, before any push or pull). */
  public Handle initDense(float[] params) {
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      Expect e = request(h, s, Op.INIT_DENSE, -1, 0, part.shardLength(s), part.shardStart(s), 0);
      send(e, params, part.shardStart(s), part.shardLength(s));
    }
    return h;
  }

  /** Sends a table's initial rows (values (rows, dim)) to the servers that hold them. */
  public Handle initRows(int table, float[] values) {
    TableSpec t = tables.get(table);
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      int rows = part.localRows(s, t.rows());
      float[] mine = new float[rows * t.dim()];
      for (int l = 0; l < rows; l++) {
        System.arraycopy(values, part.global(s, l) * t.dim(), mine, l * t.dim(), t.dim());
      }
      Expect e = request(h, s, Op.INIT_ROWS, table, 0, rows, t.dim(), 0);
      send(e, mine, 0, mine.length);
    }
    return h;
  }

  /** Pushes this worker's mean dense gradient of step {@code step} over {@code samples} items. */
  public Handle pushDense(float[] grads, int samples, int step) {
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      Expect e = request(h, s, Op.PUSH_DENSE, -1, step, part.shardLength(s),
          part.shardStart(s), samples);
      send(e, grads, part.shardStart(s), part.shardLength(s));
    }
    return h;
  }

  /** Pulls the dense parameters after {@code step} updates into params. */
  public Handle pullDense(float[] params, int step) {
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      Expect e = request(h, s, Op.PULL_DENSE, -1, step, part.shardLength(s),
          part.shardStart(s), 0);
      e.into = params;
      e.intoOffset = part.shardStart(s);
      e.expectCount = part.shardLength(s);
    }
    return h;
  }

  /**
   * Pushes row gradients: {@code ids[0..count)} distinct, {@code rows} (count, dim). Every server
   * gets a push (maybe empty), so a synchronous round completes on every server.
   */
  public Handle pushRows(int table, int[] ids, float[] rows, int count, int samples, int step) {
    TableSpec t = tables.get(table);
    int[][] sids = split(ids, count);
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      int[] mine = sids[s];
      float[] r = new float[mine.length * t.dim()];
      int k = 0;
      for (int i = 0; i < count; i++) {
        if (part.owner(ids[i]) == s) {
          System.arraycopy(rows, i * t.dim(), r, k * t.dim(), t.dim());
          k++;
        }
      }
      Expect e = request(h, s, Op.PUSH_ROWS, table, step, mine.length, t.dim(), samples);
      send(e, mine);
      send(e, r, 0, r.length);
    }
    return h;
  }

  /**
   * Pulls rows {@code ids[0..count)} as of {@code step} updates into {@code values} (rows, dim) at
   * their own positions. Servers holding none of the rows are not asked.
   */
  public Handle pullRows(int table, int[] ids, int count, float[] values, int step) {
    TableSpec t = tables.get(table);
    int[][] sids = split(ids, count);
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      if (sids[s].length == 0) {
        continue;
      }
      Expect e = request(h, s, Op.PULL_ROWS, table, step, sids[s].length, t.dim(), 0);
      send(e, sids[s]);
      e.into = values;
      e.scatterIds = sids[s];
      e.dim = t.dim();
      e.expectCount = sids[s].length * t.dim();
    }
    return h;
  }

  /** Tells every server this worker is finished; the handle yields their load figures. */
  public Handle done() {
    Handle h = new Handle();
    for (int s = 0; s < pending.length; s++) {
      Expect e = request(h, s, Op.DONE, -1, 0, 0, 0, 0);
      e.expectCount = ParameterServer.ServerLoad.FIELDS.size();
    }
    return h;
  }

  /**
   * Sends a header as it is, with its payload, and expects a reply: the way in for
   * {@link MalformedRequests}, which checks the servers' validation. Not for anything else.
   */
  Handle sendRaw(int server, int[] header, int[] ids, float[] values) {
    Handle h = new Handle();
    Expect e = new Expect(header[Wire.H_SEQ], header[Wire.H_OP], server);
    h.parts.add(e);
    pending[server].add(e);
    sendHeader(e, header);
    if (ids != null) {
      send(e, ids);
    }
    if (values != null) {
      send(e, values, 0, values.length);
    }
    return h;
  }

  /** The next sequence number, for a header built by {@link MalformedRequests}. */
  int nextSeq() {
    return ++seq;
  }

  private int[][] split(int[] ids, int count) {
    int[] per = new int[pending.length];
    for (int i = 0; i < count; i++) {
      per[part.owner(ids[i])]++;
    }
    int[][] out = new int[pending.length][];
    for (int s = 0; s < out.length; s++) {
      out[s] = new int[per[s]];
      per[s] = 0;
    }
    for (int i = 0; i < count; i++) {
      int s = part.owner(ids[i]);
      out[s][per[s]++] = ids[i];
    }
    return out;
  }

  private Expect request(Handle h, int server, Op op, int table, int step, int count, int width,
      int samples) {
    Expect e = new Expect(++seq, op.code(), server);
    h.parts.add(e);
    pending[server].add(e);
    sendHeader(e, Wire.header(op, table, step, me, count, width, e.seq, samples));
    return e;
  }

  private void sendHeader(Expect e, int[] header) {
    e.sends.add(world.isend(header, 0, header.length, roles.serverRank(e.server),
        Wire.TAG_REQUEST));
    acct.add(e.op, Wire.HEADER_INTS * 4L, 0);
  }

  private void send(Expect e, float[] buf, int offset, int count) {
    e.sends.add(world.isend(buf, offset, count, roles.serverRank(e.server), Wire.TAG_PAYLOAD));
    acct.add(e.op, count * 4L, 0);
  }

  private void send(Expect e, int[] ids) {
    e.sends.add(world.isend(ids, 0, ids.length, roles.serverRank(e.server), Wire.TAG_PAYLOAD));
    acct.add(e.op, ids.length * 4L, 0);
  }

  /** Receives the next reply from a server and completes the request it answers. */
  private void receiveNext(int server) {
    Expect e = pending[server].poll();
    if (e == null) {
      throw new PsException("no request outstanding at server " + server);
    }
    int rank = roles.serverRank(server);
    String what = Op.name(e.code) + " reply from parameter server rank " + rank;
    int[] h = new int[Wire.HEADER_INTS];
    world.recv(h, 0, h.length, rank, Wire.TAG_REPLY);
    acct.add(e.op, 0, Wire.HEADER_INTS * 4L);
    if (h[Wire.H_MAGIC] != Wire.MAGIC || h[Wire.H_SEQ] != e.seq) {
      throw new PsException(what + ": protocol out of step (sequence " + h[Wire.H_SEQ]
          + ", expected " + e.seq + ")");
    }
    int n = h[Wire.H_COUNT];
    if (h[Wire.H_OP] == Op.REPLY_ERROR.code()) {
      byte[] text = new byte[Math.max(0, Math.min(n, Wire.MAX_ERROR_BYTES))];
      world.recv(text, 0, text.length, rank, Wire.TAG_REPLY_PAYLOAD);
      e.complete = true;
      throw new PsException(Op.name(e.code) + " rejected by " + new String(text,
          StandardCharsets.UTF_8));
    }
    if (h[Wire.H_OP] == Op.REPLY_DATA.code()) {
      if (n != e.expectCount) {
        throw new PsException(what + " carries " + n + " floats, expected " + e.expectCount);
      }
      receiveData(e, rank, n);
      acct.add(e.op, 0, n * 4L);
    } else if (h[Wire.H_OP] != Op.REPLY_OK.code()) {
      throw new PsException(what + ": unexpected reply " + Op.name(h[Wire.H_OP]));
    }
    for (Request r : e.sends) {
      r.await(Op.name(e.code) + " request to parameter server rank " + rank);
    }
    e.complete = true;
  }

  private void receiveData(Expect e, int rank, int n) {
    if (e.op == Op.PULL_DENSE) {
      world.recv(e.into, e.intoOffset, n, rank, Wire.TAG_REPLY_PAYLOAD);
    } else if (e.op == Op.PULL_ROWS) {
      float[] rows = new float[n];
      world.recv(rows, 0, n, rank, Wire.TAG_REPLY_PAYLOAD);
      for (int i = 0; i < e.scatterIds.length; i++) {
        System.arraycopy(rows, i * e.dim, e.into, e.scatterIds[i] * e.dim, e.dim);
      }
    } else {
      e.received = new float[n];
      world.recv(e.received, 0, n, rank, Wire.TAG_REPLY_PAYLOAD);
    }
  }
}
