package org.pscreen2vec.ps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.PeerLostException;
import org.pscreen2vec.comm.PeerTimeoutException;
import org.pscreen2vec.comm.Request;
import org.pscreen2vec.comm.Roles;

/**
 * A parameter-server rank (ps-lite's shape: a request handler behind push, pull and wait). It holds
 * one dense shard and its rows of every sparse table ({@link Partition}) with their optimizer
 * state, applies updates ({@link ServerState}), and answers workers in the order each worker asked.
 *
 * <p>Robustness: every header is validated before anything is allocated or received; a bad request
 * gets an error reply naming what was wrong and the server keeps serving. A request whose declared
 * payload is too large to drain safely desynchronizes that worker only. The server ends when every
 * worker said DONE, and fails (never hangs) when no request arrives within the deadline, naming the
 * workers that did not finish.
 */
public final class ParameterServer {
  private static final Logger LOG = LogManager.getLogger(ParameterServer.class);

  private final Communicator world;
  private final Roles roles;
  private final StateFactory factory;
  private ServerState state; // built from worker 0's SETUP
  private final long maxPayloadFloats;
  private final ArrayDeque<Pending>[] queues; // (workers) requests not answered yet, in order
  private final boolean[] done;
  private final long[] lastHeard; // (workers) nanoTime of each worker's last request
  private final boolean[] desynced;
  private final int[] header = new int[Wire.HEADER_INTS];
  private final ServerLoad load = new ServerLoad();
  // Replies in flight. Never wait for one inside the loop: a send may complete only when the
  // worker posts its receive, and that worker may itself be waiting for another worker.
  private final java.util.ArrayList<Request> inFlight = new java.util.ArrayList<>();

  /** Builds this server's state once worker 0 has said what the model looks like. */
  @FunctionalInterface
  public interface StateFactory {
    ServerState create(int denseLength, List<TableSpec> tables);
  }

  /** A validated request with its payload, waiting to be served. */
  record Pending(int[] header, int[] ids, float[] values) {}

  @SuppressWarnings("unchecked")
  public ParameterServer(Communicator world, Roles roles, StateFactory factory,
      long maxPayloadFloats) {
    this.world = world;
    this.roles = roles;
    this.factory = factory;
    this.maxPayloadFloats = maxPayloadFloats;
    int w = roles.workers();
    this.queues = new ArrayDeque[w];
    for (int i = 0; i < w; i++) {
      queues[i] = new ArrayDeque<>();
    }
    this.done = new boolean[w];
    this.lastHeard = new long[w];
    java.util.Arrays.fill(lastHeard, System.nanoTime());
    this.desynced = new boolean[w];
  }

  /** The state built at SETUP (null before). */
  public ServerState state() {
    return state;
  }

  /**
   * Waits for worker 0's SETUP (the model's dense length and tables: servers need neither the
   * model nor the data), then serves until every worker is done. Returns the load figures.
   */
  public ServerLoad serve() {
    setup();
    int remaining = roles.workers();
    long idleStart = System.nanoTime();
    while (remaining > 0) {
      Request r = world.irecv(header, 0, Wire.HEADER_INTS, Communicator.ANY_SOURCE,
          Wire.TAG_REQUEST);
      try {
        r.await("parameter server " + world.rank() + " waiting for the next request");
      } catch (PeerLostException e) {
        String waiting = state.waitingFor();
        String why = e instanceof PeerTimeoutException
            ? "received no request for " + world.deadlineNanos() / 1e9 + " s"
            : "lost a worker's connection (" + e.getMessage() + ")";
        throw new PsException("parameter server rank " + world.rank() + " " + why
            + "; unfinished worker(s): " + unfinished()
            + (waiting.isEmpty() ? "" : "; " + waiting) + " — dead or hung");
      }
      long t0 = System.nanoTime();
      load.idleNanos += t0 - idleStart;
      int w = r.source();
      if (w < lastHeard.length) {
        lastHeard[w] = t0;
      }
      load.requests++;
      load.bytesIn += Wire.HEADER_INTS * 4L;
      Pending p = receive(w, header.clone());
      if (p != null) {
        queues[w].add(p);
        remaining -= drainAll();
      }
      inFlight.removeIf(Request::test);
      idleStart = System.nanoTime();
      load.busyNanos += idleStart - t0;
    }
    for (Request r : inFlight) {
      r.await("last replies to the workers");
    }
    return load;
  }

  /** The first request must be worker 0's SETUP; other workers' requests wait in MPJ meanwhile. */
  private void setup() {
    int[] h = new int[Wire.HEADER_INTS];
    try {
      world.recv(h, 0, h.length, 0, Wire.TAG_REQUEST);
    } catch (PeerTimeoutException e) {
      throw new PsException("parameter server rank " + world.rank() + " got no SETUP from worker "
          + "0 within " + world.deadlineNanos() / 1e9 + " s — is worker 0 alive?");
    }
    int n = h[Wire.H_COUNT];
    if (h[Wire.H_MAGIC] != Wire.MAGIC || h[Wire.H_OP] != Wire.SETUP || n < 2
        || n > 2 + 2 * Wire.MAX_TABLES) {
      throw new PsException("parameter server rank " + world.rank() + ": worker 0's first request "
          + "is not a valid SETUP (" + Wire.opName(h[Wire.H_OP]) + ", " + n + " ints)");
    }
    int[] p = new int[n];
    world.recv(p, 0, n, 0, Wire.TAG_PAYLOAD);
    if (p[0] < 0 || p[1] < 0 || n != 2 + 2 * p[1]) {
      throw new PsException("SETUP describes " + p[1] + " tables in " + n + " ints");
    }
    List<TableSpec> tables = new java.util.ArrayList<>();
    for (int t = 0; t < p[1]; t++) {
      int rows = p[2 + 2 * t];
      int dim = p[3 + 2 * t];
      if (rows < 1 || dim < 1 || (long) rows * dim > Integer.MAX_VALUE - 8) {
        throw new PsException("SETUP table " + t + " has " + rows + " x " + dim + " entries");
      }
      tables.add(new TableSpec("table" + t, rows, dim));
    }
    state = factory.create(p[0], tables);
    reply(0, h, null);
    LOG.info("parameter server {}: {} dense floats in its shard, {} table(s), serving {} "
        + "workers", world.rank(), state.denseShard().length, tables.size(), roles.workers());
  }

  private String unfinished() {
    StringBuilder sb = new StringBuilder();
    long now = System.nanoTime();
    for (int w = 0; w < done.length; w++) {
      if (!done[w]) {
        sb.append(sb.length() > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT,
            "%d (last request %.1f s ago)", w, (now - lastHeard[w]) / 1e9));
      }
    }
    return sb.toString();
  }

  /** Validates a header, receives its payload; on a bad request replies with an error. */
  private Pending receive(int w, int[] h) {
    boolean doneOp = h[Wire.H_OP] == Wire.DONE && h[Wire.H_MAGIC] == Wire.MAGIC;
    String bad = w >= roles.workers() ? "rank " + w + " is not a worker"
        : desynced[w] && !doneOp ? "an earlier request declared a payload too large to drain; "
            + "requests from this worker are no longer accepted (DONE still is)"
        : state.validate(h, w);
    if (bad != null) {
      long declared = state.declaredPayloadFloats(h);
      if (w < roles.workers() && !desynced[w] && declared >= 0 && declared <= maxPayloadFloats) {
        drain(w, h);
      } else if (w < roles.workers() && declared != 0) {
        desynced[w] = true;
      }
      load.rejected++;
      LOG.warn("rejected {} from rank {}: {}", Wire.opName(h[Wire.H_OP]), w, bad);
      replyError(w, h, bad);
      return null;
    }
    int op = h[Wire.H_OP];
    int count = h[Wire.H_COUNT];
    int[] ids = null;
    float[] values = null;
    String what = Wire.opName(op) + " payload from worker " + w;
    if (op == Wire.PUSH_ROWS || op == Wire.PULL_ROWS) {
      ids = new int[count];
      world.recv(ids, 0, count, w, Wire.TAG_PAYLOAD);
      load.bytesIn += count * 4L;
    }
    if (op == Wire.PUSH_DENSE || op == Wire.INIT_DENSE || op == Wire.PUSH_ROWS
        || op == Wire.INIT_ROWS) {
      int n = (int) state.declaredValueFloats(h);
      values = new float[n];
      world.recv(values, 0, n, w, Wire.TAG_PAYLOAD);
      load.bytesIn += n * 4L;
    }
    if (ids != null) {
      String badId = state.validateIds(h, ids);
      if (badId != null) {
        load.rejected++;
        LOG.warn("rejected {} from rank {}: {}", Wire.opName(op), w, badId);
        replyError(w, h, badId);
        return null;
      }
    }
    return new Pending(h, ids, values);
  }

  /** Receives and drops the payload of a rejected request so the worker's stream stays in step. */
  private void drain(int w, int[] h) {
    int op = h[Wire.H_OP];
    int count = h[Wire.H_COUNT];
    if (op == Wire.PUSH_ROWS || op == Wire.PULL_ROWS) {
      world.recv(new int[Math.max(0, count)], 0, Math.max(0, count), w, Wire.TAG_PAYLOAD);
    }
    long v = state.declaredValueFloats(h);
    if (v > 0) {
      world.recv(new float[(int) v], 0, (int) v, w, Wire.TAG_PAYLOAD);
    }
  }

  /** Serves every queued request that can be served now; returns how many workers finished. */
  private int drainAll() {
    int finished = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int w = 0; w < queues.length; w++) {
        while (!queues[w].isEmpty()) {
          Pending p = queues[w].peek();
          ServerState.Result res = state.serve(p, w);
          if (res == null) {
            break; // must wait (BSP round not complete, SSP bound) — keep the worker's order
          }
          queues[w].poll();
          progress = true;
          if (p.header()[Wire.H_OP] == Wire.DONE) {
            done[w] = true;
            finished++;
            res = ServerState.Result.data(load.toFloats(state.maxStaleness()));
          }
          if (res.error() != null) {
            load.rejected++;
            replyError(w, p.header(), res.error());
          } else {
            reply(w, p.header(), res.data());
          }
        }
      }
    }
    return finished;
  }

  private void reply(int w, int[] h, float[] data) {
    int op = data == null ? Wire.REPLY_OK : Wire.REPLY_DATA;
    int n = data == null ? 0 : data.length;
    int[] rh = Wire.header(op, h[Wire.H_TABLE], h[Wire.H_STEP], w, n, 0, h[Wire.H_SEQ], 0);
    inFlight.add(world.isend(rh, 0, rh.length, w, Wire.TAG_REPLY));
    if (data != null) {
      inFlight.add(world.isend(data, 0, n, w, Wire.TAG_REPLY_PAYLOAD));
    }
    load.bytesOut += Wire.HEADER_INTS * 4L + n * 4L;
  }

  private void replyError(int w, int[] h, String message) {
    byte[] text = ("server rank " + world.rank() + ": " + message).getBytes(StandardCharsets.UTF_8);
    int n = Math.min(text.length, Wire.MAX_ERROR_BYTES);
    int[] rh = Wire.header(Wire.REPLY_ERROR, h[Wire.H_TABLE], h[Wire.H_STEP], w, n, 0,
        h[Wire.H_SEQ], 0);
    inFlight.add(world.isend(rh, 0, rh.length, w, Wire.TAG_REPLY));
    inFlight.add(world.isend(text, 0, n, w, Wire.TAG_REPLY_PAYLOAD));
  }

  /** Load figures of one server, reported to the workers when they finish. */
  public static final class ServerLoad {
    long requests;
    long rejected;
    long bytesIn;
    long bytesOut;
    long busyNanos;
    long idleNanos;

    float[] toFloats(int maxStaleness) {
      return new float[] {requests, rejected, bytesIn, bytesOut, busyNanos / 1e6f,
          idleNanos / 1e6f, maxStaleness};
    }

    public long requests() {
      return requests;
    }

    public long rejected() {
      return rejected;
    }

    public double busySeconds() {
      return busyNanos / 1e9;
    }

    public double idleSeconds() {
      return idleNanos / 1e9;
    }

    public static final List<String> FIELDS = List.of("requests", "rejected", "bytes_in",
        "bytes_out", "busy_ms", "idle_ms", "max_staleness");
  }
}
