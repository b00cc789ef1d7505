package org.pscreen2vec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;

/**
 * The checker that the job tests rely on must itself catch wrong answers: run it on one rank
 * against an allreduce that is off by one ulp in one element, and against a correct one.
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

  @Test
  void aCorrectAllreducePasses() {
    var c = new CheckCollectivesCommand.Checker(new SingleRank(),
        Allreduces.create("ring", new SingleRank(), 4));
    c.integers(100, Allreduce.Op.SUM);
    c.randoms(100, Allreduce.Op.AVERAGE);
    c.specials(10);
    c.backToBack(new int[] {0, 50});
    assertEquals(0, c.wrong, c.failures.toString());
    assertTrue(c.checks >= 4);
  }

  @Test
  void oneUlpOffInOneElementIsCaught() {
    Allreduce broken = new Allreduce() {
      public String name() {
        return "broken";
      }

      public void allreduce(float[] buf, int offset, int count, Op op) {
        if (count > 5) {
          buf[offset + 5] = Math.nextUp(buf[offset + 5]);
        }
      }
    };
    var c = new CheckCollectivesCommand.Checker(new SingleRank(), broken);
    c.integers(100, Allreduce.Op.SUM);
    assertEquals(1, c.wrong, c.failures.toString());
    assertTrue(c.failures.get(0).contains("[5]"), c.failures.toString());
  }

  @Test
  void aLostNanIsCaught() {
    Allreduce eatsNan = new Allreduce() {
      public String name() {
        return "eats-nan";
      }

      public void allreduce(float[] buf, int offset, int count, Op op) {
        for (int i = offset; i < offset + count; i++) {
          if (Float.isNaN(buf[i])) {
            buf[i] = 0;
          }
        }
      }
    };
    var c = new CheckCollectivesCommand.Checker(new SingleRank(), eatsNan);
    c.specials(10);
    assertEquals(1, c.wrong, c.failures.toString());
  }
}
