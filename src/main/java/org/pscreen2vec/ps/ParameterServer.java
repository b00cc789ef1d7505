package org.pscreen2vec.ps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.PeerLostException;
import org.pscreen2vec.comm.PeerTimeoutException;
import org.pscreen2vec.comm.Request;
import org.pscreen2vec.comm.Roles;

/**
 * A parameter-server rank: the transport around a request handler ({@link ServerState}), as in
 * ps-lite's {@code KVServer}. It receives requests, validates them ({@link RequestValidator}),
 * receives their payloads, hands them to the handler, and sends each reply when the handler gives
 * it — in the order each worker asked, since a worker matches replies in order. The handler may
 * answer at once or later (a BSP pull when its round completes); nothing is retried or polled.
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
  private RequestValidator validator; // built from worker 0's SETUP
  private final long maxPayloadFloats;
  private final ArrayDeque<Slot>[] unanswered; // (workers) requests not replied to, in order
  private final boolean[] done;
  private final boolean[] doneReceived; // (workers) a DONE arrived (answered or not)
  // Payloads of rejected requests being received only to keep each worker's stream in step;
  // never awaited, so a worker that declares a payload and never sends it stalls nobody.
  private final ArrayList<Request> draining = new ArrayList<>();
  private int remaining; // workers that have not been answered DONE
  private final long[] lastHeard; // (workers) nanoTime of each worker's last request
  private final boolean[] desynced;
  private final int[] header = new int[Wire.HEADER_INTS];
  private final ServerLoad load = new ServerLoad();
  // Replies in flight. Never wait for one inside the loop: a send may complete only when the
  // worker posts its receive, and that worker may itself be waiting for another worker.
  private final ArrayList<Request> inFlight = new ArrayList<>();

  /** Builds this server's state once worker 0 has said what the model looks like. */
  @FunctionalInterface
  public interface StateFactory {
    ServerState create(int denseLength, List<TableSpec> tables);
  }

  /** A request of one worker in arrival order; its reply, once the handler has given it. */
  private static final class Slot {
    final int[] header;
    Reply reply;

    Slot(int[] header, Reply reply) {
      this.header = header;
      this.reply = reply;
    }
  }

  @SuppressWarnings("unchecked")
  public ParameterServer(Communicator world, Roles roles, StateFactory factory,
      long maxPayloadFloats) {
    this.world = world;
    this.roles = roles;
    this.factory = factory;
    this.maxPayloadFloats = maxPayloadFloats;
    int w = roles.workers();
    this.unanswered = new ArrayDeque[w];
    for (int i = 0; i < w; i++) {
      unanswered[i] = new ArrayDeque<>();
    }
    this.done = new boolean[w];
    this.doneReceived = new boolean[w];
    this.lastHeard = new long[w];
    Arrays.fill(lastHeard, System.nanoTime());
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
    if (!setup()) {
      return load; // not used: nothing to serve
    }
    remaining = roles.workers();
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
      dispatch(w, header.clone());
      inFlight.removeIf(Request::test);
      draining.removeIf(ParameterServer::drainedOrGone);
      idleStart = System.nanoTime();
      load.busyNanos += idleStart - t0;
    }
    for (Request r : inFlight) {
      r.await("last replies to the workers");
    }
    return load;
  }

  /**
   * The first request must be worker 0's SETUP (other workers' requests wait in MPJ meanwhile) or
   * its NOT_USED; returns false for NOT_USED, after which the server has nothing to do.
   */
  private boolean setup() {
    int[] h = new int[Wire.HEADER_INTS];
    try {
      world.recv(h, 0, h.length, 0, Wire.TAG_REQUEST);
    } catch (PeerTimeoutException e) {
      throw new PsException("parameter server rank " + world.rank() + " got no SETUP from worker "
          + "0 within " + world.deadlineNanos() / 1e9 + " s — is worker 0 alive?");
    }
    if (h[Wire.H_MAGIC] == Wire.MAGIC && h[Wire.H_OP] == Op.NOT_USED.code()) {
      LOG.info("parameter server {}: not used (worker 0: --strategy auto runs allreduce among the "
          + "workers for every block); this rank is idle and ends now", world.rank());
      return false;
    }
    String bad = RequestValidator.setupHeader(h);
    if (bad != null) {
      throw new PsException("parameter server rank " + world.rank() + ": " + bad);
    }
    int[] p = new int[h[Wire.H_COUNT]];
    world.recv(p, 0, p.length, 0, Wire.TAG_PAYLOAD);
    List<TableSpec> tables = RequestValidator.setupTables(p);
    int server = world.rank() - roles.workers();
    validator = new RequestValidator(roles.workers(), server,
        new Partition(roles.servers(), p[0]), tables);
    state = factory.create(p[0], tables);
    ServerCheckpoint.attach(state);
    send(0, h, Reply.OK);
    LOG.info("parameter server {}: {} dense floats in its shard, {} table(s), serving {} "
        + "workers", world.rank(), state.denseShard().length, tables.size(), roles.workers());
    return true;
  }

  /**
   * Worker 0 tells every server that the job will not use it (sent instead of SETUP, before any
   * other request; a one-header message, with the communicator's deadline).
   */
  public static void tellNotUsed(Communicator world, Roles roles) {
    int[] h = Wire.header(Op.NOT_USED, -1, 0, 0, 0, 0, 0, 0);
    for (int s = 0; s < roles.servers(); s++) {
      world.send(h, 0, h.length, roles.workers() + s, Wire.TAG_REQUEST);
    }
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

  /**
   * Validates a header and receives its payload, then gives the request to the handler (DONE is
   * the transport's own: answered once every earlier request of that worker is). A bad request is
   * answered with an error in its place in the worker's order.
   */
  private void dispatch(int w, int[] h) {
    boolean worker = w >= 0 && w < roles.workers();
    boolean doneOp = h[Wire.H_OP] == Op.DONE.code() && h[Wire.H_MAGIC] == Wire.MAGIC;
    String bad = worker && desynced[w] && !doneOp
        ? "an earlier request declared a payload too large to drain; "
            + "requests from this worker are no longer accepted (DONE still is)"
        : validator.header(h, w);
    if (bad == null && doneReceived[w]) {
      bad = "worker " + w + " already sent DONE; nothing more is accepted from it";
    } else if (bad == null && (h[Wire.H_OP] == Op.INIT_DENSE.code()
        || h[Wire.H_OP] == Op.INIT_ROWS.code()) && state.initialised(h[Wire.H_TABLE])) {
      bad = "the range of table " + h[Wire.H_TABLE] + " already has its initial values; INIT "
          + "is accepted once, before training";
    }
    if (bad != null) {
      long declared = validator.payloadElements(h);
      if (worker && !desynced[w] && declared >= 0 && declared <= maxPayloadFloats) {
        drain(w, h);
      } else if (worker && declared != 0) {
        desynced[w] = true;
      }
      reject(w, h, bad);
      return;
    }
    Op op = Op.of(h[Wire.H_OP]);
    int count = h[Wire.H_COUNT];
    int[] ids = null;
    float[] values = null;
    String badPayload = null;
    if (op.carriesIds()) {
      ids = new int[count];
      int got = world.recv(ids, 0, count, w, Wire.TAG_PAYLOAD);
      load.bytesIn += got * 4L;
      badPayload = got == count ? null : "sent " + got + " row ids but its header says " + count;
    }
    if (op.carriesValues()) {
      int n = (int) validator.valueFloats(h);
      values = new float[n];
      int got = world.recv(values, 0, n, w, Wire.TAG_PAYLOAD);
      load.bytesIn += got * 4L;
      if (badPayload == null) {
        badPayload = got != n ? "sent " + got + " values but its header says " + n
            : RequestValidator.finite(values, w);
      }
    }
    if (badPayload == null && ids != null) {
      badPayload = validator.ids(h, ids);
    }
    if (badPayload != null) {
      reject(w, h, badPayload);
      return;
    }
    if (op == Op.DONE) {
      doneReceived[w] = true;
    }
    Slot slot = new Slot(h, null);
    unanswered[w].add(slot);
    if (op != Op.DONE) {
      state.handle(ServerRequest.of(h, ids, values), reply -> {
        slot.reply = reply;
        flush(w);
      });
    }
    flush(w);
  }

  private void reject(int w, int[] h, String why) {
    LOG.warn("rejected {} from rank {}: {}", Op.name(h[Wire.H_OP]), w, why);
    if (w >= 0 && w < roles.workers()) {
      unanswered[w].add(new Slot(h, Reply.error(why)));
      flush(w);
    } else {
      send(w, h, Reply.error(why));
    }
  }

  /** Sends worker w's replies that are due: every answered request up to the first unanswered. */
  private void flush(int w) {
    ArrayDeque<Slot> q = unanswered[w];
    while (!q.isEmpty()) {
      Slot s = q.peek();
      if (s.reply == null && s.header[Wire.H_OP] == Op.DONE.code()) {
        done[w] = true; // every earlier request of this worker has been answered
        remaining--;
        s.reply = Reply.data(load.toFloats(state.maxStaleness()));
      }
      if (s.reply == null) {
        return; // the handler answers it later; later replies wait behind it
      }
      q.poll();
      send(w, s.header, s.reply);
    }
  }

  /**
   * Posts receives that drop the payload of a rejected request, so the worker's stream stays in
   * step (receives from one source match in the order they are posted). Not waited for: a worker
   * that declared a payload and never sends it delays nobody else.
   */
  private void drain(int w, int[] h) {
    Op op = Op.of(h[Wire.H_OP]);
    int count = h[Wire.H_COUNT];
    if (op != null && op.carriesIds() && count >= 0) { // the id list is sent even when empty
      draining.add(world.irecv(new int[count], 0, count, w, Wire.TAG_PAYLOAD));
    }
    long v = validator.valueFloats(h);
    if (v > 0) {
      draining.add(world.irecv(new float[(int) v], 0, (int) v, w, Wire.TAG_PAYLOAD));
    }
  }

  /** A drain is over when its payload came or its sender left (nothing will come then). */
  private static boolean drainedOrGone(Request r) {
    try {
      return r.test();
    } catch (PeerLostException e) {
      return true;
    }
  }

  private void send(int w, int[] h, Reply reply) {
    if (reply.error() != null) {
      load.rejected++;
      byte[] text = ("server rank " + world.rank() + ": " + reply.error())
          .getBytes(StandardCharsets.UTF_8);
      int n = Math.min(text.length, Wire.MAX_ERROR_BYTES);
      int[] rh = Wire.header(Op.REPLY_ERROR, h[Wire.H_TABLE], h[Wire.H_STEP], w, n, 0,
          h[Wire.H_SEQ], 0);
      inFlight.add(world.isend(rh, 0, rh.length, w, Wire.TAG_REPLY));
      inFlight.add(world.isend(text, 0, n, w, Wire.TAG_REPLY_PAYLOAD));
      return;
    }
    float[] data = reply.data();
    int n = data == null ? 0 : data.length;
    int[] rh = Wire.header(data == null ? Op.REPLY_OK : Op.REPLY_DATA, h[Wire.H_TABLE],
        h[Wire.H_STEP], w, n, 0, h[Wire.H_SEQ], 0);
    inFlight.add(world.isend(rh, 0, rh.length, w, Wire.TAG_REPLY));
    if (data != null) {
      inFlight.add(world.isend(data, 0, n, w, Wire.TAG_REPLY_PAYLOAD));
    }
    load.bytesOut += Wire.HEADER_INTS * 4L + n * 4L;
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
