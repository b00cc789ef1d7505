package org.pscreen2vec.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Sgd;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * The request handler on its own, without a transport: when it answers at once, when it parks a
 * request, and that a parked request is answered exactly when its round, its clock or its initial
 * values arrive. Dense updates are plain SGD with lr 1 and rows use {@link RowDescent}, so the
 * expected parameters are the initial ones minus the sample-weighted mean gradient.
 */
class ServerStateTest {
  private static final Ops OPS = CpuOps.plainJava();

  /** A reply slot for one request. */
  private static final class Probe implements Responder {
    Reply reply;
    int calls;

    @Override
    public void respond(Reply r) {
      reply = r;
      calls++;
    }

    boolean answered() {
      return calls > 0;
    }
  }

  /** Sparse "optimizer" that subtracts the gradient and records the update numbers it was given. */
  private static final class RowDescent implements SparseOptimizer {
    final List<Long> updates = new ArrayList<>();

    @Override
    public String name() {
      return "descent";
    }

    @Override
    public void initialise(int rows, int dim) {}

    @Override
    public void step(Buf table, int dim, int[] ids, Buf rows, long step) {
      updates.add(step);
      for (int i = 0; i < ids.length; i++) {
        for (int j = 0; j < dim; j++) {
          table.set(ids[i] * dim + j, table.get(ids[i] * dim + j) - rows.get(i * dim + j));
        }
      }
    }

    @Override
    public Map<String, Buf> state() {
      return Map.of();
    }

    @Override
    public void reset() {}
  }

  private static ServerState state(String consistency, int dense, List<TableSpec> tables,
      int servers, RowDescent rows) {
    return new ServerState(0, new Partition(servers, dense), tables, 2,
        Consistency.parse(consistency), OPS, () -> new Sgd(OPS, 1.0, 0), () -> rows);
  }

  private static Probe send(ServerState s, Op op, int worker, int table, int step, int samples,
      int[] ids, float[] values) {
    Probe p = new Probe();
    s.handle(new ServerRequest(op, worker, table, step, samples, 0, ids, values), p);
    return p;
  }

  private static ServerState denseBsp() {
    ServerState s = state("bsp", 3, List.of(), 1, new RowDescent());
    assertEquals(Reply.OK, send(s, Op.INIT_DENSE, 0, -1, 0, 0, null, new float[] {1, 2, 3}).reply);
    return s;
  }

  @Test
  void aBspPullWaitsForItsRoundAndIsAnsweredWhenTheLastWorkerPushes() {
    ServerState s = denseBsp();
    assertEquals(Reply.OK, send(s, Op.PUSH_DENSE, 0, -1, 0, 1, null, new float[] {1, 1, 1}).reply);
    Probe pull = send(s, Op.PULL_DENSE, 0, -1, 1, 0, null, null);
    assertFalse(pull.answered(), "round 0 is not complete");
    assertEquals("dense round 0 waits for worker(s) 1", s.waitingFor());
    assertEquals(Reply.OK, send(s, Op.PUSH_DENSE, 1, -1, 0, 3, null, new float[] {5, 5, 5}).reply);
    assertEquals(1, pull.calls, "answered once, when the round completed");
    // mean gradient (1 * 1 + 3 * 5) / 4 = 4
    assertArrayEquals(new float[] {-3, -2, -1}, pull.reply.data());
    assertEquals("", s.waitingFor());
    assertArrayEquals(new float[] {-3, -2, -1}, send(s, Op.PULL_DENSE, 1, -1, 1, 0, null, null)
        .reply.data(), "a pull of a completed round is answered at once");
  }

  @Test
  void aPushOfARoundNotYetBegunWaitsForItAndJoinsIt() {
    ServerState s = denseBsp();
    send(s, Op.PUSH_DENSE, 0, -1, 0, 1, null, new float[] {1, 1, 1});
    Probe early = send(s, Op.PUSH_DENSE, 0, -1, 1, 1, null, new float[] {2, 2, 2});
    assertFalse(early.answered());
    send(s, Op.PUSH_DENSE, 1, -1, 0, 1, null, new float[] {1, 1, 1});
    assertEquals(Reply.OK, early.reply, "round 1 began, the early push joined it");
    assertEquals("dense round 1 waits for worker(s) 1", s.waitingFor());
    Probe pull = send(s, Op.PULL_DENSE, 1, -1, 2, 0, null, null);
    send(s, Op.PUSH_DENSE, 1, -1, 1, 1, null, new float[] {4, 4, 4});
    assertArrayEquals(new float[] {-3, -2, -1}, pull.reply.data(), "1 - 1 - 3, 2 - 1 - 3, ...");
  }

  @Test
  void aSecondPushOfTheSameRoundIsAnErrorNamingTheWorker() {
    ServerState s = denseBsp();
    send(s, Op.PUSH_DENSE, 0, -1, 0, 1, null, new float[] {1, 1, 1});
    Probe again = send(s, Op.PUSH_DENSE, 0, -1, 0, 1, null, new float[] {1, 1, 1});
    assertEquals("worker 0 pushed dense step 0 twice (server is at 0)", again.reply.error());
  }

  @Test
  void tableRowsGoThroughTheSameRoundsAsTheDenseShard() {
    RowDescent opt = new RowDescent();
    // 6 rows over 2 servers: this server (0) holds rows 0, 2, 4 at local rows 0, 1, 2
    ServerState s = state("bsp", 0, List.of(new TableSpec("E", 6, 2)), 2, opt);
    send(s, Op.INIT_ROWS, 0, 0, 0, 0, null, new float[] {0, 0, 10, 10, 20, 20});
    send(s, Op.PUSH_ROWS, 0, 0, 0, 1, new int[] {2}, new float[] {1, 3});
    Probe pull = send(s, Op.PULL_ROWS, 0, 0, 1, 0, new int[] {2, 4}, null);
    assertFalse(pull.answered());
    assertEquals("table 'E' round 0 waits for worker(s) 1", s.waitingFor());
    send(s, Op.PUSH_ROWS, 1, 0, 0, 1, new int[0], new float[0]); // touched nothing, still counts
    // row 2: 10 - (1 * [1, 3] + 1 * [0, 0]) / 2; row 4 untouched
    assertArrayEquals(new float[] {9.5f, 8.5f, 20, 20}, pull.reply.data());
    assertEquals(List.of(1L), opt.updates, "one update, numbered 1 (bias correction)");
    assertEquals(3, s.localTable(0).rows());
  }

  @Test
  void requestsBeforeTheInitialValuesWaitForThem() {
    ServerState s = state("bsp", 2, List.of(), 1, new RowDescent());
    Probe pull = send(s, Op.PULL_DENSE, 1, -1, 0, 0, null, null);
    Probe push = send(s, Op.PUSH_DENSE, 1, -1, 0, 1, null, new float[] {1, 1});
    assertFalse(pull.answered() || push.answered());
    send(s, Op.INIT_DENSE, 0, -1, 0, 0, null, new float[] {7, 8});
    assertArrayEquals(new float[] {7, 8}, pull.reply.data());
    assertEquals(Reply.OK, push.reply);
  }

  @Test
  void sspAnswersAPullOnlyWithinTheBoundAndRecordsTheStaleness() {
    ServerState s = state("ssp:1", 2, List.of(), 1, new RowDescent());
    send(s, Op.INIT_DENSE, 0, -1, 0, 0, null, new float[] {0, 0});
    send(s, Op.PUSH_DENSE, 0, -1, 0, 1, null, new float[] {2, 2});
    assertTrue(send(s, Op.PULL_DENSE, 0, -1, 1, 0, null, null).answered(), "1 ahead: allowed");
    send(s, Op.PUSH_DENSE, 0, -1, 1, 1, null, new float[] {2, 2});
    Probe tooFar = send(s, Op.PULL_DENSE, 0, -1, 2, 0, null, null);
    assertFalse(tooFar.answered(), "2 steps ahead of the slowest worker, bound 1");
    assertEquals(1, s.maxStaleness());
    send(s, Op.PUSH_DENSE, 1, -1, 0, 1, null, new float[] {2, 2});
    // three pushes applied at once, each scaled by 1/workers
    assertArrayEquals(new float[] {-3, -3}, tooFar.reply.data());
    assertEquals(1, s.maxStaleness(), "the parked pull was served 1 step ahead");
  }

  @Test
  void aspNeverWaits() {
    ServerState s = state("asp", 2, List.of(), 1, new RowDescent());
    send(s, Op.INIT_DENSE, 0, -1, 0, 0, null, new float[] {0, 0});
    for (int step = 0; step < 5; step++) {
      send(s, Op.PUSH_DENSE, 0, -1, step, 1, null, new float[] {1, 1});
    }
    Probe pull = send(s, Op.PULL_DENSE, 0, -1, 5, 0, null, null);
    assertArrayEquals(new float[] {-2.5f, -2.5f}, pull.reply.data());
    assertEquals(5, s.maxStaleness());
    assertNull(pull.reply.error());
  }
}
