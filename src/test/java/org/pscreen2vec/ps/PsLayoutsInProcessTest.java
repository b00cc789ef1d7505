package org.pscreen2vec.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pscreen2vec.comm.InProcessCommunicator;
import org.pscreen2vec.comm.InProcessRanks;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adagrad;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.Sgd;
import org.pscreen2vec.optim.SparseAdam;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * Parameter servers and their clients on in-process ranks (workers 0..W-1, servers W..W+S-1, as
 * in a job), over the rank layouts of ParameterServerIT: under BSP every pull — rows before each
 * step, dense after it — and every server's final shard equal exactly what one process applying
 * the same optimizers to the sample-weighted mean gradient computes. Gradients are multiples of
 * 1/8 and 1/4, so every partial sum is exact in float and the order in which pushes reach a server
 * cannot change a bit: the comparison is exact. Also: a malformed request is rejected while the
 * server keeps serving other workers, and a worker that disappears makes the server fail within
 * its deadline, naming the worker.
 */
class PsLayoutsInProcessTest {
  private static final int DENSE = 23; // not a multiple of any server count used
  private static final int ROWS = 19; // odd rows are never touched
  private static final int DIM = 3;
  private static final int STEPS = 4;
  private static final int IDS = 5; // rows a worker touches per step
  private static final double LR = 0.05;
  private static final TableSpec TABLE = new TableSpec("E", ROWS, DIM);

  private static Supplier<DenseOptimizer> denseOptimizer(Ops ops, boolean adam) {
    return () -> adam ? new Adam(ops, LR) : new Sgd(ops, LR, 0.9);
  }

  private static Supplier<SparseOptimizer> sparseOptimizer(Ops ops, boolean adam) {
    return () -> adam ? new SparseAdam(ops, LR) : new Adagrad(ops, LR, 1e-8);
  }

  private static float[] initialDense() {
    float[] w = new float[DENSE];
    for (int i = 0; i < DENSE; i++) {
      w[i] = ((i * 3) % 7 - 3) / 16f;
    }
    return w;
  }

  private static float[] initialTable() {
    float[] t = new float[ROWS * DIM];
    for (int i = 0; i < t.length; i++) {
      t[i] = ((i * 5) % 9 - 4) / 32f;
    }
    return t;
  }

  private static int samples(int worker) {
    return worker + 1;
  }

  /** (DENSE) worker w's mean dense gradient at step t. */
  private static float[] denseGrad(int w, int t) {
    float[] g = new float[DENSE];
    for (int i = 0; i < DENSE; i++) {
      g[i] = ((w * 31 + i * 7 + t * 13) % 17 - 8) / 8f;
    }
    return g;
  }

  /** IDS distinct even rows, in no particular order (workers overlap). */
  private static int[] ids(int w, int t) {
    int[] ids = new int[IDS];
    for (int k = 0; k < IDS; k++) {
      ids[k] = 2 * ((w * 5 + t * 3 + k * 2 + (k % 2) * 3) % 10); // offsets 0, 5, 4, 9, 8
    }
    return ids;
  }

  /** (ids, DIM) worker w's row gradients at step t. */
  private static float[] rowGrads(int w, int t, int[] ids) {
    float[] g = new float[ids.length * DIM];
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < DIM; j++) {
        g[i * DIM + j] = ((w * 11 + ids[i] * 5 + t * 3 + j) % 13 - 6) / 4f;
      }
    }
    return g;
  }

  /** One process, the same optimizers: [0][t] dense and [1][t] table after t synchronous steps. */
  private static float[][][] reference(int workers, boolean adam) {
    Ops ops = CpuOps.plainJava();
    float[] w = initialDense();
    float[] table = initialTable();
    DenseOptimizer dopt = denseOptimizer(ops, adam).get();
    dopt.initialise(DENSE);
    SparseOptimizer sopt = sparseOptimizer(ops, adam).get();
    sopt.initialise(ROWS, DIM);
    float[][][] hist = new float[2][STEPS + 1][];
    hist[0][0] = w.clone();
    hist[1][0] = table.clone();
    for (int t = 0; t < STEPS; t++) {
      float[] acc = new float[DENSE];
      TreeMap<Integer, float[]> rows = new TreeMap<>(); // the union of touched rows, ascending
      int total = 0;
      for (int k = 0; k < workers; k++) {
        int n = samples(k);
        total += n;
        float[] g = denseGrad(k, t);
        for (int i = 0; i < DENSE; i++) {
          acc[i] += n * g[i];
        }
        int[] ids = ids(k, t);
        float[] rg = rowGrads(k, t, ids);
        for (int i = 0; i < ids.length; i++) {
          float[] a = rows.computeIfAbsent(ids[i], x -> new float[DIM]);
          for (int j = 0; j < DIM; j++) {
            a[j] += n * rg[i * DIM + j];
          }
        }
      }
      float inv = 1.0f / total;
      for (int i = 0; i < DENSE; i++) {
        acc[i] *= inv;
      }
      dopt.step(new FloatBuf(w), new FloatBuf(acc));
      int[] ids = rows.keySet().stream().mapToInt(Integer::intValue).toArray();
      float[] mean = new float[ids.length * DIM];
      for (int i = 0; i < ids.length; i++) {
        for (int j = 0; j < DIM; j++) {
          mean[i * DIM + j] = rows.get(ids[i])[j] * inv;
        }
      }
      sopt.step(new FloatBuf(table), DIM, ids, new FloatBuf(mean), t + 1L);
      hist[0][t + 1] = w.clone();
      hist[1][t + 1] = table.clone();
    }
    return hist;
  }

  private static ParameterServer server(InProcessCommunicator c, Roles roles,
      Consistency consistency, boolean adam) {
    Ops ops = CpuOps.plainJava();
    int s = c.rank() - roles.workers();
    return new ParameterServer(c, roles, (dense, tables) -> new ServerState(s,
        new Partition(roles.servers(), dense), tables, roles.workers(), consistency, ops,
        denseOptimizer(ops, adam), sparseOptimizer(ops, adam)), 1L << 26);
  }

  /** Worker 0 tells the servers the model's shape and initial values, as PsSync does. */
  private static PsClient client(InProcessCommunicator c, Roles roles) {
    PsClient client = new PsClient(c, roles, DENSE, List.of(TABLE));
    if (c.rank() == 0) {
      client.setup().await();
      client.initDense(initialDense()).await();
      client.initRows(0, initialTable()).await();
    }
    return client;
  }

  @ParameterizedTest(name = "{0} workers, {1} servers, {2}")
  @CsvSource({"1,1,adam", "2,1,adam", "3,2,sgd", "3,2,adam", "4,3,adam"})
  void bspPushesAndPullsEqualASingleProcessExactly(int workers, int servers, String optimizer) {
    boolean adam = optimizer.equals("adam");
    float[][][] ref = reference(workers, adam);
    Roles roles = new Roles(workers + servers, servers);
    Consistency bsp = Consistency.parse("bsp");
    List<Object> out = InProcessRanks.call(workers + servers, c -> {
      if (c.rank() >= workers) {
        ParameterServer srv = server(c, roles, bsp, adam);
        srv.serve();
        return srv.state();
      }
      PsClient client = client(c, roles);
      int me = c.rank();
      float[] params = new float[DENSE];
      float[] table = new float[ROWS * DIM];
      for (int t = 0; t < STEPS; t++) {
        int[] ids = ids(me, t);
        client.pullRows(0, ids, ids.length, table, t).await();
        for (int id : ids) {
          int step = t;
          assertArrayEquals(Arrays.copyOfRange(ref[1][t], id * DIM, id * DIM + DIM),
              Arrays.copyOfRange(table, id * DIM, id * DIM + DIM),
              () -> "worker " + me + " pulled row " + id + " before step " + step);
        }
        // as PsSync: rows, then the dense push and the pull queued behind it, then the replies
        PsClient.Handle rows = client.pushRows(0, ids, rowGrads(me, t, ids), ids.length,
            samples(me), t);
        PsClient.Handle push = client.pushDense(denseGrad(me, t), samples(me), t);
        PsClient.Handle pull = client.pullDense(params, t + 1);
        push.await();
        pull.await();
        rows.await();
        assertArrayEquals(ref[0][t + 1], params, "worker " + me + " dense after step " + t);
      }
      client.done().await();
      return null;
    });
    for (int s = 0; s < servers; s++) {
      ServerState state = (ServerState) out.get(workers + s);
      Partition part = state.partition();
      assertArrayEquals(Arrays.copyOfRange(ref[0][STEPS], part.shardStart(s),
          part.shardStart(s) + part.shardLength(s)), state.denseShard(), "server " + s);
      float[] local = state.localTable(0).valueArray();
      for (int l = 0; l < part.localRows(s, ROWS); l++) {
        int g = part.global(s, l); // odd rows: never pushed, still their initial values
        assertArrayEquals(Arrays.copyOfRange(ref[1][STEPS], g * DIM, g * DIM + DIM),
            Arrays.copyOfRange(local, l * DIM, l * DIM + DIM), "server " + s + " row " + g);
      }
    }
  }

  @Test
  void aMalformedRequestIsRejectedAndTheServerKeepsServingEveryone() {
    Roles roles = new Roles(4, 2);
    List<Object> out = InProcessRanks.call(4, c -> {
      if (c.rank() >= roles.workers()) {
        return server(c, roles, Consistency.parse("asp"), true).serve();
      }
      PsClient client = client(c, roles);
      float[] values = new float[ROWS * DIM];
      if (c.rank() == 0) {
        // a pull of a row of server 1 sent to server 0: the client's own partition never does it
        int[] h = Wire.header(Op.PULL_ROWS, 0, 0, 0, 1, DIM, client.nextSeq(), 0);
        var e = assertThrows(PsException.class,
            () -> client.sendRaw(0, h, new int[] {1}, null).await());
        assertTrue(e.getMessage().contains("belongs to server 1"), e.getMessage());
        client.pullRows(0, new int[] {0, 1, 2}, 3, values, 0).await(); // still served
        c.send(new int[0], 0, 0, 1, 7); // worker 1 may go on
      } else {
        c.recv(new int[0], 0, 0, 0, 7);
        client.pullRows(0, new int[] {2, 1, 0}, 3, values, 0).await();
        client.pushDense(denseGrad(1, 0), 1, 0).await();
      }
      assertArrayEquals(Arrays.copyOfRange(initialTable(), 0, 3 * DIM),
          Arrays.copyOfRange(values, 0, 3 * DIM));
      client.done().await();
      return null;
    });
    assertEquals(1, ((ParameterServer.ServerLoad) out.get(2)).rejected());
    assertEquals(0, ((ParameterServer.ServerLoad) out.get(3)).rejected());
  }

  /** A one-worker job with the default deadline: loads the classes and starts the logging. */
  private static void warmUp() {
    Roles roles = new Roles(2, 1);
    InProcessRanks.run(2, c -> {
      if (c.rank() == 1) {
        server(c, roles, Consistency.parse("bsp"), true).serve();
      } else {
        client(c, roles).done().await();
      }
    });
  }

  @Test
  void aWorkerThatDisappearsMakesTheServerFailWithinTheDeadlineNamingIt() {
    warmUp(); // class loading and log4j's start-up must not eat into the short deadline
    long deadline = 1_000_000_000L;
    List<InProcessCommunicator> world = InProcessCommunicator.world(3, deadline);
    Roles roles = new Roles(3, 1);
    long t0 = System.nanoTime();
    var e = assertThrows(PsException.class, () -> InProcessRanks.run(world, c -> {
      if (c.rank() == 2) {
        server(c, roles, Consistency.parse("bsp"), true).serve();
      } else if (c.rank() == 0) {
        PsClient client = client(c, roles);
        client.pushDense(denseGrad(0, 0), 1, 0); // the round now waits for worker 1
        while (!world.get(2).hasLeft()) { // stay alive, unanswered, until the server gives up
          Thread.sleep(5);
        }
      }
      // worker 1 vanishes without a word
    }));
    double took = (System.nanoTime() - t0) / 1e9;
    String m = e.getMessage();
    assertTrue(m.contains("parameter server rank 2") && m.contains("1 (last request")
        && m.contains("waits for worker(s) 1"), m);
    assertTrue(took < 10 * deadline / 1e9 + 2, "took " + took + " s");
  }
}
