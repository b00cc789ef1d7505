package org.pscreen2vec.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pscreen2vec.comm.InProcessRanks;

/**
 * Ring, naive and star allreduce on 1..8 in-process ranks, for lengths that do and do not divide
 * the rank count (0, 1, p-1, p, p+1, a few thousand, and one above MPJ's eager limit so sends
 * rendezvous and naive goes pairwise), with the default segment and with segments far smaller
 * than the buffer, summing and averaging a slice in the middle of a larger array.
 *
 * <p>Expected: integer-valued floats exactly (their sums are exact in float); uniform floats in
 * [-1, 1) within 1e-5 * sum|x| of the sum in double; every rank bitwise identical; the elements
 * outside the slice untouched. ({@code mpj}, MPJ Express's own, needs a real MPJ job:
 * CollectivesIT.)
 */
class AllreduceInProcessTest {
  private static final double REL = 1e-5;
  private static final int PAD = 3; // untouched floats on each side of the slice
  private static final float POISON = -777.25f;
  private static final int[] SEGMENTS = {Allreduces.DEFAULT_SEGMENT_FLOATS, 5};

  /** One allreduce every rank makes: its length, sum or average, integer or random data. */
  private record Case(int count, Allreduce.Op op, boolean integers, int segment) {}

  static List<Arguments> algorithmsAndRanks() {
    List<Arguments> out = new ArrayList<>();
    for (String name : List.of("ring", "naive", "star")) {
      for (int p = 1; p <= 8; p++) {
        out.add(Arguments.of(name, p));
      }
    }
    return out;
  }

  private static List<Case> cases(int p) {
    List<Case> cases = new ArrayList<>();
    for (int segment : SEGMENTS) {
      boolean small = segment < Allreduces.DEFAULT_SEGMENT_FLOATS;
      // small segments: lengths of a few segments (messages are cheap, but not free on 2 cores)
      int[] lengths = small ? new int[] {0, 1, Math.max(0, p - 1), p, p + 1, 97}
          : new int[] {0, 1, Math.max(0, p - 1), p, p + 1, 3001};
      for (int count : lengths) {
        for (Allreduce.Op op : Allreduce.Op.values()) {
          cases.add(new Case(count, op, true, segment));
          cases.add(new Case(count, op, false, segment));
        }
      }
    }
    // above the eager limit: sends rendezvous, naive goes pairwise
    cases.add(new Case(40_000, Allreduce.Op.SUM, true, SEGMENTS[0]));
    cases.add(new Case(40_000, Allreduce.Op.AVERAGE, false, SEGMENTS[0]));
    return cases;
  }

  private static float value(Case c, int rank, int i) {
    return c.integers() ? TestData.integer(rank, i) : TestData.uniform(c.count(), rank, i);
  }

  @ParameterizedTest(name = "{0} on {1} ranks")
  @MethodSource("algorithmsAndRanks")
  void sumsAndAveragesExactlyWhereFloatsCanAndIdenticallyOnEveryRank(String name, int p) {
    List<Case> cases = cases(p);
    List<List<float[]>> results = InProcessRanks.call(p, comm -> {
      List<float[]> mine = new ArrayList<>();
      Allreduce[] algos = {Allreduces.create(name, comm, SEGMENTS[0]),
          Allreduces.create(name, comm, SEGMENTS[1])};
      for (Case c : cases) {
        float[] buf = new float[PAD + c.count() + PAD];
        java.util.Arrays.fill(buf, POISON);
        for (int i = 0; i < c.count(); i++) {
          buf[PAD + i] = value(c, comm.rank(), i);
        }
        algos[c.segment() == SEGMENTS[0] ? 0 : 1].allreduce(buf, PAD, c.count(), c.op());
        mine.add(buf);
      }
      return mine;
    });
    for (int k = 0; k < cases.size(); k++) {
      Case c = cases.get(k);
      String what = name + " on " + p + " ranks, " + c;
      float[] first = results.get(0).get(k);
      for (int r = 1; r < p; r++) {
        int rank = r;
        assertEquals(TestData.hashBits(first), TestData.hashBits(results.get(r).get(k)),
            () -> what + ": rank " + rank + " differs from rank 0");
      }
      check(c, p, first, what);
    }
  }

  private static void check(Case c, int p, float[] buf, String what) {
    for (int i = 0; i < PAD; i++) {
      assertEquals(POISON, buf[i], () -> what + ": wrote before the slice");
      assertEquals(POISON, buf[PAD + c.count() + i], () -> what + ": wrote after the slice");
    }
    float inv = 1.0f / p;
    for (int i = 0; i < c.count(); i++) {
      double sum = 0;
      double abs = 0;
      for (int r = 0; r < p; r++) {
        sum += value(c, r, i);
        abs += Math.abs(value(c, r, i));
      }
      float got = buf[PAD + i];
      if (c.integers()) {
        float expected = c.op() == Allreduce.Op.SUM || p == 1 ? (float) sum : (float) sum * inv;
        if (got != expected) { // (messages built only on failure: this loop is the hot part)
          assertEquals(expected, got, 0f, what + ": element " + i);
        }
      } else {
        double expected = c.op() == Allreduce.Op.SUM ? sum : sum / p;
        double tol = REL * (c.op() == Allreduce.Op.SUM ? abs : abs / p);
        if (!(Math.abs(got - expected) <= tol)) {
          fail(what + ": element " + i + " is " + got + ", expected " + expected
              + " within " + tol);
        }
      }
    }
  }
}
