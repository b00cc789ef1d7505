package org.pscreen2vec.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.InProcessRanks;

/**
 * The harness on in-process ranks, as check-collectives and bench-collectives use it on MPJ
 * ranks: every algorithm passes the check on 3 ranks; a rank whose result differs in one bit is
 * caught by the cross-rank comparison; the benchmark's rows (p2p first) are checked and only
 * rank 0 gets them; MPJ's size refusal skips the size on every rank alike.
 */
class HarnessInProcessTest {
  private static final int[] LENGTHS = {0, 1, 2, 3, 4, 1001};

  @Test
  void everyAlgorithmPassesTheCheckOnThreeRanks() {
    for (String name : Allreduces.NAMES) {
      if (name.equals("mpj")) {
        continue; // the in-process communicator has no MPJ built-in; the job tests cover it
      }
      List<Harness.Verdict> verdicts = InProcessRanks.call(3, comm -> new Harness(comm)
          .check(Collective.allreduce(Allreduces.create(name, comm, 5), 3), LENGTHS));
      for (Harness.Verdict v : verdicts) {
        assertEquals(0, v.wrong(), name + ": " + v.failures());
        assertEquals(LENGTHS.length * 4 + 4 + 2, v.checks(), name); // 4 lengths >= 2: specials
      }
    }
  }

  @Test
  void aRankThatDiffersInOneBitIsCaughtByRankZero() {
    List<Harness.Verdict> verdicts = InProcessRanks.call(3, comm -> {
      Allreduce ring = Allreduces.create("ring", comm, 5);
      Allreduce oddOnRank2 = new Allreduce() {
        public String name() {
          return "odd";
        }

        public void allreduce(float[] buf, int offset, int count, Op op) {
          ring.allreduce(buf, offset, count, op);
          if (comm.rank() == 2 && count > 0 && Float.isNaN(buf[offset])) {
            buf[offset] = Float.intBitsToFloat(Float.floatToRawIntBits(buf[offset]) ^ 1);
          }
        }
      };
      return new Harness(comm).check(Collective.allreduce(oddOnRank2, 3), new int[] {10});
    });
    // only the NaN case differs, and only in its payload: the values check passes, the bits not
    for (Harness.Verdict v : verdicts) {
      assertEquals(1, v.wrong(), v.failures().toString());
    }
    assertTrue(verdicts.get(0).failures().get(0).contains("rank 2"),
        verdicts.get(0).failures().toString());
  }

  @Test
  void theBenchmarkTimesCheckedRowsOnRankZeroOnly() {
    List<List<Measurement>> rows = InProcessRanks.call(3, comm -> new Harness(comm).bench(
        List.of(() -> new PointToPoint(comm),
            () -> Collective.allreduce(Allreduces.create("naive", comm, 64), 3)),
        new Harness.Sizes(4096, 65536, 16, 2, 1), m -> { }));
    assertTrue(rows.get(1).isEmpty() && rows.get(2).isEmpty());
    List<Measurement> atRoot = rows.get(0);
    assertEquals(4, atRoot.size()); // 4096 and 65536 bytes, p2p then naive
    assertEquals(List.of("p2p", "naive", "p2p", "naive"),
        atRoot.stream().map(Measurement::algorithm).toList());
    for (Measurement m : atRoot) {
      assertEquals(0, m.wrong(), m.line());
      assertEquals(m.algorithm().equals("p2p") ? 2 : 3, m.ranks());
      assertEquals(m.algBw() * (m.algorithm().equals("p2p") ? 1 : 4.0 / 3), m.busBw(), 1e-9);
      assertEquals(2, m.millis().n());
    }
  }

  @Test
  void aTimeFloorGivesShortRowsMoreIterationsOnEveryRank() {
    // a call of at least 2 ms: 200 ms of them is at most 100 iterations; --iters 2 is the least.
    // Every rank must run the count rank 0 chose, or the naive row would stall or fail its check
    List<List<Measurement>> rows = InProcessRanks.call(3, comm -> new Harness(comm).bench(
        List.of(() -> Collective.allreduce(new Allreduce() {
          final Allreduce naive = Allreduces.create("naive", comm, 64);

          public String name() {
            return "slow-naive";
          }

          public void allreduce(float[] buf, int offset, int count, Op op) {
            naive.allreduce(buf, offset, count, op);
            try {
              Thread.sleep(2);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }, 3)), new Harness.Sizes(4096, 4096, 4, 2, 1, 200), m -> { }));
    Measurement m = rows.get(0).get(0);
    assertEquals(0, m.wrong(), m.line());
    assertTrue(m.millis().n() > 2 && m.millis().n() <= 100, m.line() + ": " + m.millis().n());
    // without warm-up there is nothing to size the row from: --iters exactly
    List<List<Measurement>> exact = InProcessRanks.call(2, comm -> new Harness(comm).bench(
        List.of(() -> new PointToPoint(comm)), new Harness.Sizes(4096, 4096, 4, 3, 0, 200),
        x -> { }));
    assertEquals(3, exact.get(0).get(0).millis().n());
  }

  @Test
  void aRefusedSizeIsSkippedOnEveryRank() {
    Collective refusesBig = Collective.allreduce(new Allreduce() {
      public String name() {
        return "small-only";
      }

      public void allreduce(float[] buf, int offset, int count, Op op) {
        if (count > 1024) {
          throw new SizeLimitException("too big");
        }
      }
    }, 1);
    List<List<Measurement>> rows = InProcessRanks.call(2, comm -> new Harness(comm).bench(
        List.of(() -> refusesBig), new Harness.Sizes(4096, 16384, 4, 1, 0), m -> { }));
    assertEquals(1, rows.get(0).size()); // 4096 bytes measured, 16384 skipped
    assertEquals(4096, rows.get(0).get(0).bytes());
  }
}
