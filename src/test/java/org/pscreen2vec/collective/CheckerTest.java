package org.pscreen2vec.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;

/**
 * The harness's checker, which the job tests rely on, must itself catch wrong answers: run it on
 * one rank against an allreduce that is off by one ulp in one element, one that loses a NaN, and
 * a correct one; and the benchmark's check of every timed buffer must count the same errors.
 */
class CheckerTest {
  /** A real single-rank communicator: with nobody to talk to, nothing is ever sent. */
  private static final class SingleRank implements Communicator {
    public int rank() {
      return 0;
    }

    public int size() {
      return 1;
    }

    public String name() {
      return "single";
    }

    public int worldRankOf(int r) {
      return r;
    }

    public long deadlineNanos() {
      return 1;
    }

    private static Request none() {
      throw new IllegalStateException("a single rank has no peers");
    }

    public Request isend(float[] b, int o, int c, int d, int t) {
      return none();
    }

    public Request isend(int[] b, int o, int c, int d, int t) {
      return none();
    }

    public Request isend(byte[] b, int o, int c, int d, int t) {
      return none();
    }

    public Request irecv(float[] b, int o, int c, int s, int t) {
      return none();
    }

    public Request irecv(int[] b, int o, int c, int s, int t) {
      return none();
    }

    public Request irecv(byte[] b, int o, int c, int s, int t) {
      return none();
    }

    public Request irecvAdd(float[] b, int o, int c, int s, int t) {
      return none();
    }

    public void builtinAllreduceSum(float[] src, float[] dst, int count) {
      System.arraycopy(src, 0, dst, 0, count);
    }

    public void barrier(String what) {}

    public long bytesSent() {
      return 0;
    }

    public long bytesReceived() {
      return 0;
    }

    public Communicator split(int color, int key, String name) {
      return this;
    }
  }

  private static final Communicator ONE = new SingleRank();

  private static Collective broken(String name, java.util.function.Consumer<float[]> damage) {
    return Collective.allreduce(new Allreduce() {
      public String name() {
        return name;
      }

      public void allreduce(float[] buf, int offset, int count, Op op) {
        damage.accept(buf);
      }
    }, 1);
  }

  /** Off by one ulp at [5] (when there is one). */
  private static final Collective ONE_ULP = broken("one-ulp", buf -> {
    if (buf.length > 5) {
      buf[5] = Math.nextUp(buf[5]);
    }
  });

  /** Turns every NaN into 0. */
  private static final Collective EATS_NAN = broken("eats-nan", buf -> {
    for (int i = 0; i < buf.length; i++) {
      if (Float.isNaN(buf[i])) {
        buf[i] = 0;
      }
    }
  });

  @Test
  void aCorrectAllreducePasses() {
    Harness h = new Harness(ONE);
    Verifier v = new Verifier();
    Collective ring = Collective.allreduce(Allreduces.create("ring", ONE, 4), 1);
    h.verify(ring, v, 100, Inputs.integers(0), Op.SUM);
    h.verify(ring, v, 100, Inputs.uniform(1), Op.AVERAGE);
    h.verify(ring, v, 10, Inputs.specials(1), Op.SUM);
    h.backToBack(ring, v, new int[] {0, 50});
    assertEquals(0, v.wrong(), v.failures().toString());
    assertEquals(5, v.checks());
    Harness.Verdict all = h.check(ring, new int[] {0, 1, 2, 1000});
    assertEquals(0, all.wrong(), all.failures().toString());
    assertTrue(all.line(1, new int[] {0}).contains("all correct"), all.line(1, new int[] {0}));
  }

  @Test
  void oneUlpOffInOneElementIsCaught() {
    Verifier v = new Verifier();
    new Harness(ONE).verify(ONE_ULP, v, 100, Inputs.integers(0), Op.SUM);
    assertEquals(1, v.wrong(), v.failures().toString());
    assertTrue(v.failures().get(0).contains("[5]"), v.failures().toString());
  }

  @Test
  void oneUlpOffInRandomFloatsIsWithinTheTolerance() {
    Verifier v = new Verifier();
    new Harness(ONE).verify(ONE_ULP, v, 100, Inputs.uniform(7), Op.SUM);
    assertEquals(0, v.wrong(), v.failures().toString());
  }

  @Test
  void aLostNanIsCaught() {
    Verifier v = new Verifier();
    new Harness(ONE).verify(EATS_NAN, v, 10, Inputs.specials(1), Op.SUM);
    assertEquals(1, v.wrong(), v.failures().toString());
    assertTrue(v.failures().get(0).contains("[0]"), v.failures().toString());
  }

  @Test
  void theCheckFailsAWrongCollective() {
    Harness.Verdict verdict = new Harness(ONE).check(ONE_ULP, new int[] {0, 1, 100});
    // integers SUM and AVERAGE at n=100, specials at n=100, back-to-back: first and second
    assertEquals(5, verdict.wrong(), verdict.failures().toString());
    assertTrue(verdict.line(1, new int[] {0}).contains("5 WRONG"), verdict.line(1, new int[] {0}));
  }

  @Test
  void theBenchmarkCountsWrongElementsInEveryTimedBuffer() {
    List<Measurement> rows = new ArrayList<>();
    List<Measurement> out = new Harness(ONE).bench(List.of(() -> ONE_ULP),
        new Harness.Sizes(64, 256, 4, 3, 2), rows::add);
    assertEquals(out, rows);
    assertEquals(2, rows.size()); // 64 and 256 bytes
    for (Measurement m : rows) {
      assertEquals(5, m.wrong(), m.line()); // 2 warm-up + 3 timed iterations, one wrong each
      assertEquals(3, m.millis().n());
      assertEquals("one-ulp", m.algorithm());
    }
    assertEquals(64, rows.get(0).bytes());
  }
}
