package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.comm.InProcessCommunicator;
import org.pscreen2vec.comm.InProcessRanks;
import org.pscreen2vec.comm.PeerLostException;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.SparseGradients;

/**
 * {@link AllreduceSync} on in-process ranks: the bucketed path (a communication thread reduces
 * buckets while the caller goes on) gives bitwise the fused path's gradients on 2 ranks and the
 * exact sample-weighted mean (computed in double, within 1e-6 relative) on 3; the control block
 * carries stop flags, the first non-finite gradient (found in a bucket the communication thread
 * weighed) and checksums to every worker; a peer lost during a bucket fails the step on the
 * worker's own thread.
 */
class BucketedAllreduceTest {
  private static final int N = 1000;
  private static final int[][] BUCKETS = {{700, 1000}, {300, 700}, {1, 300}}; // last: [0, 1)

  private static float[] gradient(int rank) {
    SplittableRandom r = new SplittableRandom(7 + rank);
    float[] g = new float[N];
    for (int i = 0; i < N; i++) {
      g[i] = (float) r.nextGaussian();
    }
    return g;
  }

  private static int samples(int rank) {
    return 3 + 2 * rank;
  }

  /** One step on this rank; bucketed or fused. */
  private static float[] step(InProcessCommunicator comm, boolean bucketed, StepControl c,
      float[] g) {
    AllreduceSync s = new AllreduceSync(Allreduces.create("ring", comm, 64), comm, true,
        new DenseGradients(g, new float[N], N), List.of());
    try {
      DenseGradients d = new DenseGradients(g, new float[N], N);
      if (bucketed) {
        s.begin(d, samples(comm.rank()), c);
        for (int[] b : BUCKETS) {
          s.submit(b[0], b[1]);
        }
        s.finish(0, 1, List.of());
      } else {
        s.synchronize(d, new ArrayList<SparseGradients>(), samples(comm.rank()), c);
      }
      return g;
    } finally {
      s.close();
    }
  }

  @Test
  void bucketsGiveTheFusedResultBitwiseOnTwoRanksAndTheWeightedMeanOnThree() {
    for (int p : new int[] {2, 3}) {
      List<float[]> fused = InProcessRanks.call(p, c -> step(c, false, null,
          gradient(c.rank())));
      List<float[]> buck = InProcessRanks.call(p, c -> step(c, true,
          new StepControl(c.rank(), p), gradient(c.rank())));
      double total = 0;
      for (int w = 0; w < p; w++) {
        total += samples(w);
      }
      for (int i = 0; i < N; i++) {
        double want = 0;
        for (int w = 0; w < p; w++) {
          want += samples(w) * (double) gradient(w)[i];
        }
        want /= total;
        for (int w = 0; w < p; w++) {
          assertEquals(want, buck.get(w)[i], 1e-6 * Math.max(1, Math.abs(want)),
              p + " ranks, element " + i);
        }
      }
      for (int w = 0; w < p; w++) {
        assertArrayEquals(buck.get(0), buck.get(w), "every worker holds the same bits");
        if (p == 2) {
          assertArrayEquals(fused.get(w), buck.get(w), "2 ranks: bitwise the fused result");
        }
      }
    }
  }

  /**
   * The local packing passes ({@code lastLocalNanos}) leave out the time inside the allreduce
   * calls: with an allreduce that takes at least 60 ms a call, the step's busy time holds every
   * call, the local time none of them, and the passes over a 1M-float gradient are there.
   */
  @Test
  void theLocalPassesLeaveOutTheTimeInsideTheAllreduce() {
    int n = 1 << 20;
    List<long[]> times = InProcessRanks.call(2, c -> {
      Allreduce ring = Allreduces.create("ring", c, 1 << 16);
      Allreduce slow = new Allreduce() {
        @Override
        public String name() {
          return "slow ring";
        }

        @Override
        public void allreduce(float[] buf, int offset, int count, Op op) {
          try {
            Thread.sleep(60);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ring.allreduce(buf, offset, count, op);
        }
      };
      float[] g = new float[n];
      Arrays.fill(g, 1f + c.rank());
      AllreduceSync s = new AllreduceSync(slow, c, true, new DenseGradients(g, new float[n], n),
          List.of());
      try {
        DenseGradients d = new DenseGradients(g, new float[n], n);
        s.synchronize(d, new ArrayList<SparseGradients>(), 1, null);
        assertEquals(1.5f, g[n - 1], "the mean of 1 and 2");
        return new long[] {s.lastBusyNanos(), s.lastLocalNanos()};
      } finally {
        s.close();
      }
    });
    for (long[] t : times) {
      assertTrue(t[0] >= 60_000_000L, "busy " + t[0] + " ns holds the 60 ms call");
      assertTrue(t[1] > 0 && t[1] <= t[0] - 60_000_000L,
          "local " + t[1] + " ns: the passes, without the call (busy " + t[0] + " ns)");
    }
  }

  @Test
  void theControlBlockReachesEveryWorkerWithTheFirstNonFiniteBucketValue() {
    List<StepControl> got = InProcessRanks.call(3, c -> {
      StepControl ctl = new StepControl(c.rank(), 3);
      ctl.prepare(c.rank() == 1, true, true, c.rank() == 2 ? 0x1234_5678_9ABC_DEF0L
          : 0x0FED_CBA9_8765_4321L);
      float[] g = gradient(c.rank());
      if (c.rank() == 2) {
        g[450] = Float.NaN;  // in bucket [300, 700), weighed by the communication thread
        g[800] = Float.POSITIVE_INFINITY; // an earlier bucket: that one is reported
      }
      AllreduceSync s = new AllreduceSync(Allreduces.create("ring", c, 64), c, true,
          new DenseGradients(g, new float[N], N), List.of());
      try {
        s.begin(new DenseGradients(g, new float[N], N), 4, ctl);
        for (int[] b : BUCKETS) {
          s.submit(b[0], b[1]);
        }
        s.finish(0, 1, List.of());
      } finally {
        s.close();
      }
      return ctl;
    });
    for (StepControl ctl : got) {
      assertTrue(ctl.stop(), "worker 1 asked to stop: all stop");
      assertEquals(2, ctl.nanWorker());
      assertEquals(StepControl.DENSE, ctl.kind(2));
      assertEquals(800, ctl.index(2));
      assertEquals(2, ctl.mismatchWorker());
      assertEquals(0x1234_5678_9ABC_DEF0L, ctl.checksum(2));
      assertEquals(0x0FED_CBA9_8765_4321L, ctl.checksum(0));
    }
  }

  @Test
  void theWeightingPassFindsTheFirstNonFiniteValueAcrossItsChunks() {
    float[] src = new float[5003];
    for (int i = 0; i < src.length; i++) {
      src[i] = (i % 7) - 3f;
    }
    float[] dst = new float[src.length + 10];
    assertEquals(-1, AllreduceSync.weigh(src, 0, dst, 10, src.length, 4f));
    for (int i = 0; i < src.length; i++) {
      assertEquals(4f * src[i], dst[10 + i], "weighted exactly");
    }
    src[4100] = Float.NaN;
    src[4999] = Float.NEGATIVE_INFINITY;
    assertEquals(4100 - 3, AllreduceSync.weigh(src, 3, dst, 0, src.length - 3, 4f));
    src[4100] = 1f;
    src[2049] = Float.POSITIVE_INFINITY;
    assertEquals(2049, AllreduceSync.weigh(src, 0, dst, 0, src.length, 0f), "0 x inf too");
    src[2049] = 1f;
    src[4999] = 1f;
    src[77] = 3e38f; // finite, but weighted by 32 it overflows: the sum would not be finite
    assertEquals(77, AllreduceSync.weigh(src, 0, dst, 0, src.length, 32f));
  }

  @Test
  void largeIndicesAndTheLossSurviveTheEncoding() {
    StepControl a = new StepControl(0, 2);
    StepControl b = new StepControl(1, 2);
    a.prepare(false, true, false, 0);
    a.foundDense(54_700_001); // beyond 2^24: not exact as one float
    b.prepare(false, false, false, 0);
    b.foundTable(3); // the loss wins: it is reported
    float[] x = new float[StepControl.floats(2)];
    float[] y = new float[StepControl.floats(2)];
    a.write(x, 0);
    b.write(y, 0);
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
    a.read(x, 0);
    assertEquals(0, a.nanWorker());
    assertEquals(54_700_001, a.index(0));
    assertEquals(StepControl.LOSS, a.kind(1));
    assertEquals(-1, a.mismatchWorker(), "no checksums sent: no mismatch");
  }

  @Test
  void aPeerLostDuringABucketFailsTheStepOnTheWorkersThread() {
    List<InProcessCommunicator> world = InProcessCommunicator.world(2, 2_000_000_000L);
    List<Throwable> errors = InProcessRanks.call(world, c -> {
      float[] g = gradient(c.rank());
      AllreduceSync s = new AllreduceSync(Allreduces.create("ring", c, 64), c, true,
          new DenseGradients(g, new float[N], N), List.of());
      if (c.rank() == 1) {
        c.close(); // leaves after the start, before the step
        return null;
      }
      try {
        s.begin(new DenseGradients(g, new float[N], N), 4, new StepControl(0, 2));
        for (int[] b : BUCKETS) {
          s.submit(b[0], b[1]);
        }
        s.finish(0, 1, List.of());
        return null;
      } catch (RuntimeException e) {
        return e;
      } finally {
        s.close();
      }
    });
    Throwable e = errors.get(0);
    assertTrue(e instanceof PeerLostException, "worker 0 got " + e);
    assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
  }
}
