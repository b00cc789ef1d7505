package org.pscreen2vec.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.InProcessCommunicator;
import org.pscreen2vec.comm.InProcessRanks;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adagrad;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.Sgd;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * Servers and clients talking through the in-process communicator (ranks as threads): BSP training
 * through two servers gives exactly the parameters of the same steps done locally, the malformed
 * requests of check-sync are all rejected while the server keeps serving, and a worker that
 * leaves makes the server fail naming the round that waits for it.
 */
class ParameterServerInProcessTest {
  private static final Ops OPS = CpuOps.plainJava();
  private static final int DENSE = 10; // server 0 holds 5 (check-sync's malformed shard is 3)
  private static final TableSpec TABLE = new TableSpec("E", 9, 3);

  private static DenseOptimizer denseOptimizer() {
    return new Sgd(OPS, 0.5, 0.9);
  }

  private static SparseOptimizer sparseOptimizer() {
    return new Adagrad(OPS, 0.3, 1e-8);
  }

  private static ParameterServer server(Communicator c, Roles roles, String consistency) {
    int server = c.rank() - roles.workers();
    return new ParameterServer(c, roles, (dense, tables) -> new ServerState(server,
        new Partition(roles.servers(), dense), tables, roles.workers(),
        Consistency.parse(consistency), OPS, ParameterServerInProcessTest::denseOptimizer,
        ParameterServerInProcessTest::sparseOptimizer), 1L << 26);
  }

  private static float[] initialDense() {
    float[] w = new float[DENSE];
    for (int i = 0; i < DENSE; i++) {
      w[i] = 0.1f * i - 0.3f;
    }
    return w;
  }

  private static float[] initialTable() {
    float[] t = new float[TABLE.rows() * TABLE.dim()];
    for (int i = 0; i < t.length; i++) {
      t[i] = 0.05f * (i % 11) - 0.2f;
    }
    return t;
  }

  private static int samples(int worker) {
    return 2 + worker;
  }

  private static float[] denseGrad(int worker, int step) {
    float[] g = new float[DENSE];
    for (int i = 0; i < DENSE; i++) {
      g[i] = (float) Math.sin(1 + i + 3 * worker + 7 * step);
    }
    return g;
  }

  /** Distinct rows a worker touches at a step (some shared with the other worker, some not). */
  private static int[] rowIds(int worker, int step) {
    return worker == 0 ? new int[] {8, 4, step % 3} : new int[] {4, 5 + step};
  }

  private static float[] rowGrads(int worker, int step, int[] ids) {
    float[] g = new float[ids.length * TABLE.dim()];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) Math.cos(i + 5 * worker + 11 * step);
    }
    return g;
  }

  @Test
  void bspThroughTwoServersEqualsTheSameStepsDoneLocally() {
    int steps = 4;
    Roles roles = new Roles(4, 2);
    List<float[][]> got = InProcessRanks.call(4, c -> {
      if (c.rank() >= roles.workers()) {
        server(c, roles, "bsp").serve();
        return null;
      }
      PsClient client = new PsClient(c, roles, DENSE, List.of(TABLE));
      if (c.rank() == 0) {
        client.setup().await();
        client.initDense(initialDense()).await();
        client.initRows(0, initialTable()).await();
      }
      float[] params = new float[DENSE];
      float[] table = new float[TABLE.rows() * TABLE.dim()];
      int[] all = new int[TABLE.rows()];
      Arrays.setAll(all, i -> i);
      for (int step = 0; step < steps; step++) {
        int w = c.rank();
        int[] ids = rowIds(w, step);
        PsClient.Handle rows = client.pushRows(0, ids, rowGrads(w, step, ids), ids.length,
            samples(w), step);
        PsClient.Handle push = client.pushDense(denseGrad(w, step), samples(w), step);
        PsClient.Handle pull = client.pullDense(params, step + 1); // waits for the round
        push.await();
        pull.await();
        rows.await();
        client.pullRows(0, all, all.length, table, step + 1).await();
      }
      client.done().await();
      return new float[][] {params, table};
    });
    float[][] expected = local(steps);
    for (int w = 0; w < 2; w++) {
      assertArrayEquals(expected[0], got.get(w)[0], "dense parameters of worker " + w);
      assertArrayEquals(expected[1], got.get(w)[1], "table rows of worker " + w);
    }
  }

  /** The same steps on one rank: sample-weighted mean gradients, the same optimizers. */
  private static float[][] local(int steps) {
    float[] w = initialDense();
    float[] table = initialTable();
    DenseOptimizer dense = denseOptimizer();
    dense.initialise(DENSE);
    SparseOptimizer sparse = sparseOptimizer();
    sparse.initialise(TABLE.rows(), TABLE.dim());
    int dim = TABLE.dim();
    for (int step = 0; step < steps; step++) {
      float[] sum = new float[DENSE];
      float[][] rowSum = new float[TABLE.rows()][];
      long total = 0;
      for (int worker = 0; worker < 2; worker++) {
        float weight = samples(worker);
        total += samples(worker);
        float[] g = denseGrad(worker, step);
        for (int i = 0; i < DENSE; i++) {
          sum[i] += weight * g[i];
        }
        int[] ids = rowIds(worker, step);
        float[] rg = rowGrads(worker, step, ids);
        for (int k = 0; k < ids.length; k++) {
          if (rowSum[ids[k]] == null) {
            rowSum[ids[k]] = new float[dim];
          }
          for (int j = 0; j < dim; j++) {
            rowSum[ids[k]][j] += weight * rg[k * dim + j];
          }
        }
      }
      float inv = 1.0f / total;
      for (int i = 0; i < DENSE; i++) {
        sum[i] *= inv;
      }
      dense.step(new FloatBuf(w), new FloatBuf(sum));
      List<Integer> touched = new ArrayList<>();
      for (int r = 0; r < rowSum.length; r++) {
        if (rowSum[r] != null) {
          touched.add(r);
        }
      }
      int[] ids = touched.stream().mapToInt(Integer::intValue).toArray();
      float[] rows = new float[ids.length * dim];
      for (int k = 0; k < ids.length; k++) {
        for (int j = 0; j < dim; j++) {
          rows[k * dim + j] = rowSum[ids[k]][j] * inv;
        }
      }
      sparse.step(new FloatBuf(table), dim, ids, new FloatBuf(rows), step + 1L);
    }
    return new float[][] {w, table};
  }

  @Test
  void malformedRequestsAreRejectedByNameAndTheServerKeepsServing() {
    Roles roles = new Roles(4, 2);
    List<Object> got = InProcessRanks.call(4, c -> {
      if (c.rank() >= roles.workers()) {
        return server(c, roles, "asp").serve();
      }
      PsClient client = new PsClient(c, roles, DENSE, List.of(TABLE));
      float[] params = new float[DENSE];
      List<String> failures = List.of();
      if (c.rank() == 0) {
        client.setup().await();
        client.initDense(initialDense()).await();
        client.initRows(0, initialTable()).await();
        failures = MalformedRequests.run(client, 0, TABLE, roles.servers(), initialTable());
      } else {
        client.pushDense(denseGrad(1, 0), 1, 0).await();
        client.pullDense(params, 1).await();
      }
      client.done().await();
      return failures;
    });
    assertEquals(List.of(), got.get(0));
    assertEquals(16, ((ParameterServer.ServerLoad) got.get(2)).rejected(),
        "every malformed request to server 0 was rejected");
    assertEquals(0, ((ParameterServer.ServerLoad) got.get(3)).rejected());
  }

  /**
   * Worker 1 sends a header that is rejected and never sends the payload it declared. The server
   * must not wait for that payload (it used to, for a whole deadline, stalling every worker):
   * worker 0 trains on at full speed, and each worker gets its answer.
   */
  @Test
  void aHeaderWhosePayloadNeverComesStallsNobody() {
    Roles roles = new Roles(3, 1);
    long deadline = 20_000_000_000L;
    List<InProcessCommunicator> world = InProcessCommunicator.world(3, deadline);
    long t0 = System.nanoTime();
    List<String> got = InProcessRanks.call(world, c -> {
      if (c.rank() == 2) {
        return "rejected " + server(c, roles, "asp").serve().rejected();
      }
      PsClient client = new PsClient(c, roles, DENSE, List.of(TABLE));
      String out = "trained";
      if (c.rank() == 0) {
        client.setup().await();
        client.initDense(initialDense()).await();
        client.initRows(0, initialTable()).await();
        for (int step = 0; step < 20; step++) {
          client.pushDense(denseGrad(0, step), 1, step).await();
          client.pullDense(new float[DENSE], step + 1).await();
        }
      } else {
        int[] bogus = Wire.header(Op.PUSH_ROWS, 0, 0, 1, 100, TABLE.dim() + 1, client.nextSeq(), 1);
        try {
          client.sendRaw(0, bogus, null, null).await(); // declares 100 rows, sends none
          out = "accepted";
        } catch (PsException e) {
          out = e.getMessage();
        }
      }
      client.done().await();
      return out;
    });
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals("trained", got.get(0));
    assertTrue(got.get(1).contains("row width " + (TABLE.dim() + 1)), got.get(1));
    assertEquals("rejected 1", got.get(2));
    assertTrue(seconds < deadline / 2e9, "took " + seconds + " s: the server waited for the "
        + "undelivered payload instead of serving worker 0");
  }

  @Test
  void aWorkerThatLeavesMakesTheServerFailNamingTheRoundThatWaitsForIt() {
    Roles roles = new Roles(3, 1);
    List<InProcessCommunicator> world = InProcessCommunicator.world(3, 1_000_000_000L);
    List<String> got = InProcessRanks.call(world, c -> {
      try {
        if (c.rank() == 2) {
          server(c, roles, "bsp").serve();
          return "served";
        }
        if (c.rank() == 1) {
          return "left"; // leaves without a word
        }
        PsClient client = new PsClient(c, roles, DENSE, List.of());
        client.setup().await();
        client.initDense(initialDense()).await();
        client.pushDense(denseGrad(0, 0), 1, 0).await();
        client.pullDense(new float[DENSE], 1).await();
        return "pulled";
      } catch (RuntimeException e) {
        return e.getMessage();
      }
    });
    String server = got.get(2);
    assertTrue(server.startsWith("parameter server rank 2 "), server);
    assertTrue(server.contains("unfinished worker(s): 0 (last request"), server);
    assertTrue(server.contains("dense round 0 waits for worker(s) 1"), server);
    assertTrue(!got.get(0).equals("pulled"), "worker 0's pull cannot be answered: " + got);
  }
}
