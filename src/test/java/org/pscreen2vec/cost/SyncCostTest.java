package org.pscreen2vec.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alpha-beta formulas against hand-computed values (exact up to 1e-12 relative). */
class SyncCostTest {
  private static final double ALPHA = 1e-4;
  private static final double BETA = 1e-8; // 100 MB/s
  private static final Network NET = new Network("t", ALPHA, BETA, Double.POSITIVE_INFINITY, "");

  private static void near(double expected, double actual) {
    assertEquals(expected, actual, 1e-12 * Math.max(1, Math.abs(expected)));
  }

  @Test
  void ringIsTwoPMinusOneStepsOfNOverP() {
    double n = 64 << 20;
    for (int p : new int[] {2, 3, 4, 7}) {
      // one segment per step: 2(p-1) steps of n/p, each paying its message and its exposed
      // rendezvous handshake (2 alpha), + 2(p-1)/p n beta
      near(2 * (p - 1) * 2 * ALPHA + 2.0 * (p - 1) / p * n * BETA,
          SyncCost.seconds(SyncCost.ring(p, n, 0), NET));
    }
    // 4 ranks, 64 MiB, 4 MiB segments: chunk 16 MiB = 4 segments, so 4 alphas per step
    near(6 * 4 * ALPHA + 1.5 * n * BETA, SyncCost.seconds(SyncCost.ring(4, n, 4 << 20), NET));
  }

  @Test
  void twoRankRingGoesInLockstepRounds() {
    double n = 64 << 20;
    double seg = 4 << 20;
    // 2 ranks, 4 MiB segments: chunk 32 MiB = 8 rounds per step, each exposing its rendezvous
    // handshake (2 alpha a round); 32 MiB on the port per step, 2 steps
    near(2 * 8 * 2 * ALPHA + n * BETA, SyncCost.seconds(SyncCost.ring(2, n, seg), NET));
    // one segment per step: one round
    near(2 * 2 * ALPHA + n * BETA, SyncCost.seconds(SyncCost.ring(2, n, n), NET));
    // eager segments (up to 128 KiB) have no handshake
    double small = 256 << 10;
    near(2 * 2 * ALPHA + small * BETA,
        SyncCost.seconds(SyncCost.ring(2, small, 64 << 10), NET));
    // 3 ranks have two peers and pipeline their 8 segments a step
    near(4 * 8 * ALPHA + 4.0 / 3 * n * BETA,
        SyncCost.seconds(SyncCost.ring(3, n, n / 24), NET));
    // the rounds expose the whole sum and both copies of each chunk, 4 MiB segments or one
    double gamma = 2e-10;
    near(2 * 8 * 2 * ALPHA + n * BETA + (n / 2 + 2 * 2 * (n / 2)) * gamma,
        SyncCost.seconds(SyncCost.ring(2, n, seg), NET.withGamma(gamma)));
  }

  @Test
  void theWireSetsAPortsTimeWhereItIsSlowerThanAMessage() {
    double n = 64 << 20;
    double seg = 4 << 20;
    // a wire twice as fast as a message: beta binds
    near(2 * 8 * 2 * ALPHA + n * BETA, SyncCost.seconds(SyncCost.ring(2, n, seg),
        NET.withWire(BETA / 2)));
    // naive's same-peer round on 2 ranks crosses at once: n beta (and its exposed handshake)
    double m = 1e6;
    near(2 * ALPHA + m * BETA, SyncCost.seconds(SyncCost.naive(2, m, 0),
        NET.withWire(0.9 * BETA)));
    // the wire never slower than a message; the emulated rates as -emulate names them
    near(BETA, NET.withWire(2 * BETA).wireSecondsPerByte());
    near(8 / (10e9 * 1448.0 / 1538.0), Network.wireOf("10gbit"));
    near(8 / (1e9 * 1448.0 / 1538.0), Network.wireOf("1gbe"));
    near(8 / (200e6 * 1448.0 / 1538.0), Network.wireOf("200mbit,50us"));
    assertTrue(Double.isNaN(Network.wireOf("fast")));
    assertThrows(IllegalArgumentException.class,
        () -> new Network("w", ALPHA, BETA, Double.POSITIVE_INFINITY, 0, 2 * BETA, ""));
  }

  @Test
  void starsGatherSharesTheWireNotTheSendersCopies() {
    double n = 1e6;
    // the wire at half beta (a message's rate set by the copies): 3 senders into rank 0 at once
    // take max(n beta, 3 n beta/2) = 1.5 n beta; rank 0 sends the 3 copies back alone: 3 n beta
    near(2 * ALPHA + 1.5 * n * BETA + 3 * n * BETA,
        SyncCost.seconds(SyncCost.star(4, n, 0), NET.withWire(BETA / 2)));
    // a wire at a fifth of beta: the gather is one sender's n beta
    near(2 * ALPHA + n * BETA + 3 * n * BETA,
        SyncCost.seconds(SyncCost.star(4, n, 0), NET.withWire(BETA / 5)));
    // 2 ranks: one sender either way
    near(2 * (ALPHA + n * BETA), SyncCost.seconds(SyncCost.star(2, n, 0), NET.withWire(BETA / 2)));
  }

  @Test
  void exposedCopiesAddToAPortsTimeNotToTheSwitchs() {
    double n = 1e6;
    double gamma = 2e-10;
    // naive on 4 ranks, one rendezvous segment a round: the port's n beta waits for the round's
    // two copies of n; the sum of the row comes after either way
    Network ports = NET.withGamma(gamma);
    near(3 * (2 * ALPHA + n * BETA + 2 * n * gamma + n * gamma),
        SyncCost.seconds(SyncCost.naive(4, n, 0), ports));
    // a switch at 4 n per 1.5 n beta binds (4 n / switch = 1.5 n beta > n beta + 2 n gamma):
    // its fitted rate holds the copies, so they do not add
    Network slowSwitch = new Network("s", ALPHA, BETA, 4 / (1.5 * BETA), gamma, "");
    near(3 * (2 * ALPHA + 1.5 * n * BETA + n * gamma),
        SyncCost.seconds(SyncCost.naive(4, n, 0), slowSwitch));
    // a switch that binds only without the copies: the port with its copies binds
    Network nearSwitch = new Network("s", ALPHA, BETA, 4 / (1.01 * BETA), gamma, "");
    near(3 * (2 * ALPHA + n * BETA + 2 * n * gamma + n * gamma),
        SyncCost.seconds(SyncCost.naive(4, n, 0), nearSwitch));
  }

  @Test
  void naiveStarAndTree() {
    double n = 1e6;
    // naive on 4 ranks: 3 rounds of n per port (round 2 pairs ranks that send each other at
    // once, both ways at once), each a rendezvous round that exposes its handshake
    near(3 * (2 * ALPHA + n * BETA), SyncCost.seconds(SyncCost.naive(4, n, 0), NET));
    near(2 * ALPHA + n * BETA, SyncCost.seconds(SyncCost.naive(2, n, 0), NET));
    near(2 * (2 * ALPHA + n * BETA), SyncCost.seconds(SyncCost.naive(3, n, 0), NET));
    // 4 segments of n/4 a round; segments up to MPJ's eager limit (128 KiB) have no handshake
    near(3 * (8 * ALPHA + n * BETA), SyncCost.seconds(SyncCost.naive(4, n, n / 4), NET));
    double small = 64 << 10;
    near(ALPHA + small * BETA, SyncCost.seconds(SyncCost.naive(2, small, 0), NET));
    near(2 * (ALPHA + 3 * n * BETA), SyncCost.seconds(SyncCost.star(4, n, 0), NET));
    // binomial tree on 4 ranks: 2 levels up, 2 down; on 5 ranks 3 levels each way
    near(4 * (ALPHA + n * BETA), SyncCost.seconds(SyncCost.mpjTree(4, n), NET));
    near(6 * (ALPHA + n * BETA), SyncCost.seconds(SyncCost.mpjTree(5, n), NET));
    near(0, SyncCost.seconds(SyncCost.ring(1, n, 0), NET));
  }

  @Test
  void gammaAddsEachAlgorithmsExposedReduction() {
    double gamma = 2e-10; // 5 GB/s of a += b
    Network g = NET.withGamma(gamma);
    double n = 1e6;
    // ring, one segment per step (n/4 = 250 kB, rendezvous): the p-1 reduce-scatter steps each
    // reduce n/p, and every step exposes its handshake and its two copies of n/p
    near(6 * 2 * ALPHA + 1.5 * n * BETA + 3 * (n / 4) * gamma + 6 * 2 * (n / 4) * gamma,
        SyncCost.seconds(SyncCost.ring(4, n, 0), g));
    // an eager chunk (up to 128 KiB) has no handshake to expose, and its copies are in beta
    double eager = 4 * 100e3;
    near(6 * ALPHA + 1.5 * eager * BETA + 3 * (eager / 4) * gamma,
        SyncCost.seconds(SyncCost.ring(4, eager, 0), g));
    // ring with segments of n/16: each reduce-scatter step exposes its last segment only
    near(6 * 4 * ALPHA + 1.5 * n * BETA + 3 * (n / 16) * gamma,
        SyncCost.seconds(SyncCost.ring(4, n, n / 16), g));
    // naive: every rank sums the p-1 rows it received; each rendezvous round exposes its
    // handshake and its two copies
    near(3 * (2 * ALPHA + n * gamma + 2 * n * gamma + n * BETA),
        SyncCost.seconds(SyncCost.naive(4, n, 0), g));
    // star: rank 0 sums p-1 contributions between gather and scatter
    near(2 * (ALPHA + 3 * n * BETA) + 3 * n * gamma, SyncCost.seconds(SyncCost.star(4, n, 0), g));
    // MPJ: 2 reduce levels on 4 ranks, plus the copies into and out of MPJ's arrays
    near(4 * (ALPHA + n * BETA) + (2 + 2) * n * gamma, SyncCost.seconds(SyncCost.mpjTree(4, n),
        g));
    near(6 * (ALPHA + n * BETA) + (3 + 2) * n * gamma, SyncCost.seconds(SyncCost.mpjTree(5, n),
        g));
    // one server sums what 3 workers pushed (n dense bytes each, rendezvous both ways)
    near(2 * (2 * ALPHA + 3 * n * BETA) + 3 * n * gamma,
        SyncCost.seconds(SyncCost.servers(3, 1, 0, n, 0, true), g));
    // gamma 0 is the alpha-beta model
    near(3 * (2 * ALPHA + n * BETA), SyncCost.seconds(SyncCost.naive(4, n, 0), NET));
    assertThrows(IllegalArgumentException.class, () -> NET.withGamma(-1));
  }

  @Test
  void aReductionFewerRanksMakeAtOnceTakesTheirGamma() {
    // one host's ranks, gamma measured with 2, 3 and 4 of them reducing at once; a 4-rank job
    double g2 = 1e-10;
    double g3 = 2e-10;
    double g4 = 3e-10;
    Network g = NET.withGamma(g4).withGammaByRanks(java.util.Map.of(2, g2, 3, g3, 4, g4));
    double n = 1e6;
    // star: the root alone sums the 3 contributions while the others wait: fewer reducers
    // than the table has, so its fewest, 2
    near(2 * (ALPHA + 3 * n * BETA) + 3 * n * g2, SyncCost.seconds(SyncCost.star(4, n, 0), g));
    // MPJ's tree on 4 ranks: level 1 has 2 receivers reducing, level 2 one; the wrapper's two
    // copies are every rank's, at the job's gamma
    near(4 * (ALPHA + n * BETA) + 2 * n * g2 + 2 * n * g4,
        SyncCost.seconds(SyncCost.mpjTree(4, n), g));
    // every rank reduces in the ring and in naive: the job's gamma, as without the table
    near(SyncCost.seconds(SyncCost.ring(4, n, 0), NET.withGamma(g4)),
        SyncCost.seconds(SyncCost.ring(4, n, 0), g));
    near(SyncCost.seconds(SyncCost.naive(4, n, 0), NET.withGamma(g4)),
        SyncCost.seconds(SyncCost.naive(4, n, 0), g));
    // the lookup: every rank (0), below the table, in it, above it; never above the job's own
    assertEquals(g4, g.gammaFor(0));
    assertEquals(g2, g.gammaFor(1));
    assertEquals(g3, g.gammaFor(3));
    assertEquals(g4, g.gammaFor(7));
    assertEquals(g3, g.withGamma(g3).gammaFor(4));
    // without a table (named networks, older calibrations) every phase has the job's gamma
    assertEquals(g4, NET.withGamma(g4).gammaFor(1));
    assertThrows(IllegalArgumentException.class,
        () -> NET.withGammaByRanks(java.util.Map.of(0, g2)));
    assertThrows(IllegalArgumentException.class,
        () -> NET.withGammaByRanks(java.util.Map.of(2, -1.0)));
  }

  @Test
  void serversLoadTheBusierEndAndTheSwitchCanBind() {
    double d = 1e6;
    // 4 workers, 1 server: the server's port carries 4 d each way; push and answer are
    // rendezvous messages (a handshake each)
    near(2 * (2 * ALPHA + 4 * d * BETA),
        SyncCost.seconds(SyncCost.servers(4, 1, 0, d, 0, true), NET));
    // 4 workers, 4 servers: a worker's own port (d) binds; 4 messages per worker each way, each
    // of d/4 (250 kB) still a rendezvous
    near(2 * (8 * ALPHA + d * BETA),
        SyncCost.seconds(SyncCost.servers(4, 4, 0, d, 0, true), NET));
    // a switch of 200 MB/s: a ring step on 4 ranks moves n in all -> n / 2e8 > n/4 * 1e-8
    Network slowSwitch = new Network("s", 0, BETA, 2e8, "");
    double n = 4e6;
    near(6 * (n / 2e8), SyncCost.seconds(SyncCost.ring(4, n, 0), slowSwitch));
  }

  @Test
  void rowsArePulledTableByTableBeforeThePushAndTheAnswer() {
    double r = 64e3; // eager: one message each
    // 2 tables: two round trips (4 alpha) of 4 r at the server's port; the push (1 alpha, 4 r);
    // the acknowledgement (1 alpha, no bytes)
    near(6 * ALPHA + 8 * r * BETA, SyncCost.seconds(SyncCost.servers(4, 1, 2, 0, r, false),
        NET));
    // rows over MPJ's eager limit: the pulled rows and the push take a handshake more each
    double big = 1e6;
    near(8 * ALPHA + 8 * big * BETA, SyncCost.seconds(SyncCost.servers(4, 1, 2, 0, big, false),
        NET));
    // ps, 2 workers, 1 table: pull (3 alpha, 2 r), push of dense and rows (2 alpha, 2 (d + r)),
    // the dense answer (2 alpha, 2 d)
    double d = 1e6;
    double rows = 2e5;
    near(7 * ALPHA + 4 * (d + rows) * BETA,
        SyncCost.seconds(SyncCost.servers(2, 1, 1, d, rows, false), NET));
    near(0, SyncCost.seconds(SyncCost.servers(2, 1, 1, 0, 0, false), NET));
  }

  @Test
  void aWorkloadsTablesAndTheirBytesAgree() {
    // table bytes without a table, or a table without bytes: the pull's round trips need both
    assertThrows(IllegalArgumentException.class,
        () -> new Workload("w", 1e6, 64e6, 0, 260, 1000, 0.1, false, "test"));
    assertThrows(IllegalArgumentException.class,
        () -> new Workload("w", 1e6, 0, 1, 260, 1000, 0.1, false, "test"));
  }

  @Test
  void theServersArePullThenPushAndAnswer() {
    double d = 1e6;
    double rows = 2e5;
    for (int tables = 0; tables <= 2; tables++) {
      List<SyncCost.Phase> all = new ArrayList<>(SyncCost.rowPull(3, 2, tables, rows));
      all.addAll(SyncCost.pushAndAnswer(3, 2, d, rows, true));
      assertEquals(SyncCost.servers(3, 2, tables, d, rows, true), all);
    }
    assertTrue(SyncCost.rowPull(3, 2, 1, 0).isEmpty()); // no rows: nothing to pull
    assertTrue(SyncCost.pushAndAnswer(3, 2, 0, 0, true).isEmpty());
  }

  @Test
  void hybridPullsTheRowsThenRunsTheRingWithTheRowsPushBehindIt() {
    Workload w = new Workload("w", 1e6, 64e6, 1, 260, 1000, 0.1, false, "test");
    double r = 1000 * 260; // bytes of rows per worker, over MPJ's eager limit
    // 4 workers, 1 server: the pull (request, rows back and their handshake: 3 alpha; the
    // server's port 4 r); the ring of 1 MB, one rendezvous segment per step: 6 steps of
    // 2 alpha + 250 kB beta; the rows' push (2 alpha, 4 r) and acknowledgement (1 alpha) behind
    // it (16.2 ms against 10.7); the workers' separate agreement round: 2 alpha
    double pull = 3 * ALPHA + 4 * r * BETA;
    double ring = 6 * (2 * ALPHA + 250e3 * BETA);
    double behind = 3 * ALPHA + 4 * r * BETA;
    assertTrue(ring > behind);
    near(pull + ring + 2 * ALPHA, StepCost.syncSeconds("hybrid", w, 4, 1, NET, 0));
    // a dense part of 100 kB: its ring (eager, 6 steps of alpha + 25 kB beta) is the shorter,
    // and the rows' push and answer count instead
    Workload small = new Workload("s", 1e5, 64e6, 1, 260, 1000, 0.1, false, "test");
    assertTrue(6 * (ALPHA + 25e3 * BETA) < behind);
    near(pull + behind + 2 * ALPHA, StepCost.syncSeconds("hybrid", small, 4, 1, NET, 0));
    near(0.1 + SyncCost.seconds(SyncCost.ring(4, 65e6, 0), NET),
        StepCost.stepSeconds("ring", w, 4, 0, NET, 0));
    assertThrows(IllegalArgumentException.class,
        () -> StepCost.syncSeconds("bogus", w, 4, 0, NET, 0));
  }

  @Test
  void measuredServerWorkReplacesTheServersSum() {
    Workload w = new Workload("w", 1e6, 64e6, 1, 260, 1000, 0.1, false, "test");
    Network g = NET.withGamma(2e-10);
    ServerCost srv = new ServerCost(3e-9, 1e-9, 2e-10);
    double rows = 1000 * 260;
    // ps, 4 workers, 2 servers: the wire without the sum, then each server's half of the shard
    // (the optimizer once, a push and a pull per worker) and of the rows, then the workers' two
    // passes
    double wire = SyncCost.seconds(SyncCost.servers(4, 2, 1, 1e6, rows, false), g);
    near(wire + 0.5e6 * (1e-9 + 4 * 2e-10) + 4 * rows * 3e-9 / 2 + 2 * (1e6 + rows) * 2e-10
        + 2 * ALPHA, StepCost.syncSeconds("ps", w, 4, 2, g, srv, 0));
    // hybrid: the servers see the rows only, and their work runs behind the dense ring with
    // the push and the answer, the longer of the two counting
    double behind = SyncCost.seconds(SyncCost.pushAndAnswer(4, 1, 0, rows, false), g)
        + 4 * rows * 3e-9;
    near(SyncCost.seconds(SyncCost.rowPull(4, 1, 1, rows), g)
        + Math.max(SyncCost.seconds(SyncCost.ring(4, 1e6, 0), g), behind)
        + 2 * (1e6 + rows) * 2e-10 + 2 * ALPHA, StepCost.syncSeconds("hybrid", w, 4, 1, g, srv,
        0));
    // not measured: the gamma sum, as before
    near(StepCost.syncSeconds("ps", w, 4, 2, g, 0),
        StepCost.syncSeconds("ps", w, 4, 2, g, ServerCost.NONE, 0));
    assertThrows(IllegalArgumentException.class, () -> new ServerCost(-1, 0, 0));
    // no servers: an error, not a NaN that every prediction would carry
    assertThrows(IllegalArgumentException.class, () -> srv.seconds(4, 0, 1e6, rows));
  }

  @Test
  void theLocalPassesAreTheAllreducesPackingOnly() {
    Workload w = new Workload("w", 1e6, 64e6, 1, 260, 1000, 0.1, false, "test");
    Network g = NET.withGamma(2e-10);
    // an allreduce packs everything it reduces (tables as dense blocks) and unpacks it: 2 passes
    for (String a : List.of("ring", "naive", "star", "mpj")) {
      near(2 * 65e6 * 2e-10, StepCost.localSeconds(a, w, 4, g));
      near(0, StepCost.localSeconds(a, w, 1, g)); // one worker: nothing is synchronized
      assertTrue(StepCost.localSeconds(a, w, 4, g) < StepCost.syncSeconds(a, w, 4, 0, g, 0), a);
    }
    // hybrid: its dense allreduce's packing; the rows' copies go with the servers' messages
    near(2 * 1e6 * 2e-10, StepCost.localSeconds("hybrid", w, 4, g));
    near(0, StepCost.localSeconds("ps", w, 4, g));
    near(0, StepCost.localSeconds("none", w, 4, g));
  }

  @Test
  void projectionNamesABestStrategyAndSpeedUpIsThroughput() {
    // an MLP-sized workload: 0.94 MB of gradients, no table, 1.8 ms of compute
    Workload w = new Workload("mlp", 940_588, 0, 0, 0, 0, 0.0018, false, "test");
    List<StepCost.Point> pts = StepCost.project(w, Network.named("10gbe"), List.of(1, 2, 512),
        16 << 20);
    StepCost.Point one = StepCost.best(pts, 1);
    near(1.0, one.speedup());
    for (StepCost.Point p : pts) {
      assertTrue(p.efficiency() <= 1 + 1e-12, p.toString());
      near(p.speedup() / p.workers(), p.efficiency());
    }
  }

  @Test
  void namedNetworksAreOrderedByBandwidth() {
    double last = 0;
    for (String n : Network.names()) {
      double bw = Network.named(n).bandwidth();
      assertTrue(bw > last, n);
      last = bw;
    }
    near(1e9 / 8 * 1448 / 1538, Network.named("1gbe").bandwidth());
    assertThrows(IllegalArgumentException.class, () -> Network.named("5gbe"));
  }
}
