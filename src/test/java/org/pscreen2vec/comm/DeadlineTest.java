package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeadlineTest {
  @Test
  void returnsAsSoonAsTheConditionHolds() {
    long t0 = System.nanoTime();
    long until = t0 + 20_000_000L;
    long waited = Deadline.await(() -> System.nanoTime() > until, 5_000_000_000L);
    long took = System.nanoTime() - t0;
    assertTrue(waited >= 0 && took >= 20_000_000L && took < 2_000_000_000L,
        "waited " + waited + " ns, took " + took + " ns");
  }

  @Test
  void givesUpAfterTheDeadline() {
    long t0 = System.nanoTime();
    assertEquals(-1, Deadline.await(() -> false, 50_000_000L));
    long took = System.nanoTime() - t0;
    assertTrue(took >= 50_000_000L && took < 1_000_000_000L, "took " + took);
  }

  @Test
  void timeoutMessageNamesBothRanksAndTheOperation() {
    var e = new PeerTimeoutException("workers", 2, 5, "ring step 3 receive", 3.0);
    assertTrue(e.getMessage().contains("rank 2") && e.getMessage().contains("rank 5")
        && e.getMessage().contains("ring step 3 receive") && e.getMessage().contains("workers"));
    assertEquals(5, e.peerWorldRank());
  }
}
