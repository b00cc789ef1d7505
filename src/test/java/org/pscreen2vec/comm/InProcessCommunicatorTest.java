package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The in-process communicator keeps the MPJ one's contract: MPI matching order, any-source
 * receives, copy at send, rendezvous above the eager limit, split, barrier, deadlines that end in
 * {@link PeerTimeoutException} naming both ranks, and {@link PeerLostException} naming a rank
 * that left.
 */
class InProcessCommunicatorTest {
  private static final long SHORT = 200_000_000L; // 0.2 s: waits that are meant to time out
  private static final int BIG = InProcessCommunicator.DEFAULT_EAGER_BYTES / 4 + 1; // floats

  @Test
  void messagesFromOneSourceWithOneTagArriveInSendOrderWhateverTheOtherTagsDo() {
    InProcessRanks.run(2, c -> {
      int n = 50;
      if (c.rank() == 0) {
        Request[] sends = new Request[2 * n];
        for (int i = 0; i < n; i++) {
          sends[2 * i] = c.isend(new int[] {i}, 0, 1, 1, 7);
          // every fifth message of tag 8 is above the eager limit (waits for its receive)
          float[] f = new float[i % 5 == 0 ? BIG : 1];
          f[0] = i;
          sends[2 * i + 1] = c.isend(f, 0, f.length, 1, 8);
        }
        for (Request r : sends) {
          r.await("ordered sends");
        }
      } else {
        float[] f = new float[BIG];
        for (int i = 0; i < n; i++) { // tag 8 first: tag 7 messages wait in arrival order
          int got = c.recv(f, 0, f.length, 0, 8);
          assertEquals(i % 5 == 0 ? BIG : 1, got);
          assertEquals(i, f[0]);
        }
        int[] x = new int[1];
        for (int i = 0; i < n; i++) {
          c.recv(x, 0, 1, 0, 7);
          assertEquals(i, x[0]);
        }
      }
    });
  }

  @Test
  void anySourceReceivesTellWhoSentAndTakeTheEarliestMatchingMessage() {
    InProcessRanks.run(4, c -> {
      if (c.rank() != 0) {
        c.send(new int[] {c.rank() * 10, c.rank() * 10 + 1}, 0, 2, 0, 3);
        return;
      }
      Set<Integer> seen = new TreeSet<>();
      for (int k = 0; k < 3; k++) {
        int[] x = new int[2];
        Request r = c.irecv(x, 0, 2, Communicator.ANY_SOURCE, 3);
        assertEquals(2, r.await("any-source receive"));
        assertEquals(r.source() * 10, x[0]);
        assertEquals(Communicator.ANY_SOURCE, r.peer());
        seen.add(r.source());
      }
      assertEquals(Set.of(1, 2, 3), seen);
    });
  }

  @Test
  void aSenderMayReuseItsBufferAsSoonAsTheSendIsPosted() {
    InProcessRanks.run(2, c -> {
      if (c.rank() == 0) {
        float[] small = {1, 2, 3};
        float[] big = new float[BIG];
        big[BIG - 1] = 5;
        Request s1 = c.isend(small, 0, 3, 1, 0);
        Request s2 = c.isend(big, 0, BIG, 1, 1);
        assertTrue(s1.test(), "a send within the eager limit completes at once");
        assertFalse(s2.test(), "a send above the eager limit waits for its receive");
        java.util.Arrays.fill(small, -1);
        java.util.Arrays.fill(big, -1);
        c.send(new int[0], 0, 0, 1, 2); // rank 1 may start receiving now
        s2.await("big send");
      } else {
        c.recv(new int[0], 0, 0, 0, 2);
        float[] small = new float[3];
        float[] big = new float[BIG];
        c.recv(small, 0, 3, 0, 0);
        c.recv(big, 0, BIG, 0, 1);
        assertArrayEquals(new float[] {1, 2, 3}, small);
        assertEquals(0, big[0]);
        assertEquals(5, big[BIG - 1]);
      }
    });
  }

  @Test
  void slicesAndZeroLengthMessages() {
    InProcessRanks.run(2, c -> {
      if (c.rank() == 0) {
        c.send(new byte[] {9, 8, 7, 6}, 1, 2, 1, 4);
        c.send(new byte[0], 0, 0, 1, 4);
        c.send(new float[] {1, 2}, 2, 0, 1, 4); // empty slice at the end of a buffer
        c.send(new int[2], 0, 2, 1, 5); // into a receive of 1 int: truncated
        c.send(new float[2], 0, 2, 1, 5); // into an int receive: wrong type
      } else {
        byte[] b = new byte[5];
        assertEquals(2, c.recv(b, 3, 2, 0, 4));
        assertArrayEquals(new byte[] {0, 0, 0, 8, 7}, b);
        assertEquals(0, c.recv(new byte[3], 1, 2, 0, 4), "a zero-length message is received");
        assertEquals(0, c.recv(new float[0], 0, 0, 0, 4));
        assertEquals(2, c.bytesReceived());
        var e = assertThrows(CommException.class, () -> c.recv(new int[1], 0, 1, 0, 5));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(CommException.class, () -> c.recv(new int[2], 0, 2, 0, 5));
        assertTrue(e.getMessage().contains("of another type"), e.getMessage());
      }
      assertEquals(c.rank() == 0 ? 2 + 8 + 8 : 0, c.bytesSent());
    });
  }

  @Test
  void anAddingReceiveSumsIntoItsSliceBitForBitLikeAReceiveThenAnAdd() {
    for (int n : new int[] {5, BIG}) { // eager and rendezvous
      InProcessRanks.run(2, c -> {
        java.util.Random rnd = new java.util.Random(n);
        float[] sent = new float[n];
        float[] mine = new float[n + 2];
        for (int i = 0; i < n; i++) {
          sent[i] = (float) rnd.nextGaussian() * 1e3f;
        }
        for (int i = 0; i < mine.length; i++) {
          mine[i] = (float) rnd.nextGaussian();
        }
        if (c.rank() == 0) {
          c.send(sent, 0, n, 1, 3);
          c.send(sent, 0, 2, 1, 4); // shorter than the receive posted for it
        } else {
          float[] expected = mine.clone();
          for (int i = 0; i < n; i++) {
            expected[1 + i] += sent[i];
          }
          float[] got = mine.clone();
          assertEquals(n, c.irecvAdd(got, 1, n, 0, 3).await("add"));
          assertArrayEquals(expected, got, "bitwise: assertArrayEquals on floats compares bits");
          float[] partial = mine.clone();
          assertEquals(2, c.irecvAdd(partial, 1, n, 0, 4).await("short add"));
          assertEquals(mine[1] + sent[0], partial[1]);
          assertEquals(mine[2] + sent[1], partial[2]);
          assertArrayEquals(java.util.Arrays.copyOfRange(mine, 3, n + 2),
              java.util.Arrays.copyOfRange(partial, 3, n + 2), "beyond the message: unchanged");
          assertEquals(mine[0], partial[0]);
        }
      });
    }
  }

  @Test
  void badArgumentsFailAtOnce() {
    InProcessCommunicator c = InProcessCommunicator.world(2).get(0);
    assertThrows(IllegalArgumentException.class, () -> c.isend(new float[2], 1, 2, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> c.isend(new float[2], 0, 1, 2, 0));
    assertThrows(IllegalArgumentException.class,
        () -> c.isend(new float[2], 0, 1, Communicator.ANY_SOURCE, 0));
    assertThrows(IllegalArgumentException.class,
        () -> c.irecv(new int[2], 0, 1, 1, Communicator.MAX_USER_TAG + 1));
    assertThrows(IllegalArgumentException.class, () -> c.irecv(new int[2], 0, 1, 1, -1));
  }

  @Test
  void aWaitPastTheDeadlineNamesBothRanksTheOperationAndTheCommunicator() {
    CountDownLatch release = new CountDownLatch(1);
    long t0 = System.nanoTime();
    var e = assertThrows(PeerTimeoutException.class, () -> InProcessRanks.run(
        InProcessCommunicator.world(3, SHORT), c -> {
          Communicator sub = c.split(c.rank() == 0 ? 0 : 1, c.rank(), "odd-ones");
          if (c.rank() == 2) {
            try {
              sub.recv(new float[1], 0, 1, 0, 5); // world rank 1 is rank 0 of 'odd-ones'
            } finally {
              release.countDown();
            }
          } else {
            release.await(5, TimeUnit.SECONDS); // stay alive: a timeout, not a lost peer
          }
        }));
    String m = e.getMessage();
    assertTrue(m.contains("rank 2") && m.contains("rank 1") && m.contains("'odd-ones'")
        && m.contains("receive 1 floats"), m);
    assertEquals(1, e.peerWorldRank());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "gave up late");
  }

  @Test
  void aRankThatLeftMakesItsPeersFailAtOnceNamingIt() {
    List<InProcessCommunicator> world = InProcessCommunicator.world(2);
    long t0 = System.nanoTime();
    var e = assertThrows(PeerLostException.class, () -> InProcessRanks.run(world, c -> {
      if (c.rank() == 1) {
        c.send(new int[] {42}, 0, 1, 0, 0); // sent before leaving: still delivered
        return; // its thread ends: the rank leaves
      }
      while (!world.get(1).hasLeft()) {
        Thread.sleep(1);
      }
      int[] x = new int[1];
      c.recv(x, 0, 1, 1, 0);
      assertEquals(42, x[0]);
      c.recv(x, 0, 1, 1, 0); // nothing more will come from rank 1
    }));
    assertInstanceOf(PeerLostException.class, e);
    assertFalse(e instanceof PeerTimeoutException, "lost at once, not by deadline: " + e);
    assertEquals(1, e.peerWorldRank());
    assertTrue(e.getMessage().contains("rank 0 lost rank 1 on communicator 'world'"),
        e.getMessage());
    assertTrue(System.nanoTime() - t0 < InProcessCommunicator.DEFAULT_DEADLINE_NANOS / 2);
  }

  @Test
  void sendsToARankThatLeftFailAndSoDoPendingRendezvousSends() {
    InProcessRanks.run(2, c -> {
      if (c.rank() == 1) {
        c.recv(new int[0], 0, 0, 0, 1);
        c.close();
        return;
      }
      Request big = c.isend(new float[BIG], 0, BIG, 1, 0); // rank 1 never receives it
      c.send(new int[0], 0, 0, 1, 1);
      var e = assertThrows(PeerLostException.class, () -> big.await("big send"));
      assertEquals(1, e.peerWorldRank());
      e = assertThrows(PeerLostException.class, () -> c.send(new int[1], 0, 1, 1, 0));
      assertTrue(e.getMessage().contains("lost rank 1"), e.getMessage());
    });
  }

  @Test
  void anySourceFailsOnlyWhenEveryOtherRankHasLeft() {
    InProcessRanks.run(3, c -> {
      if (c.rank() == 0) {
        var e = assertThrows(PeerLostException.class,
            () -> c.recv(new int[1], 0, 1, Communicator.ANY_SOURCE, 0));
        assertTrue(e.getMessage().contains("every other rank"), e.getMessage());
      }
    });
  }

  @Test
  void theFirstFailureIsRethrownWithTheConsequencesSuppressed() {
    var e = assertThrows(IllegalStateException.class, () -> InProcessRanks.run(3, c -> {
      if (c.rank() == 2) {
        throw new IllegalStateException("rank 2 breaks");
      }
      c.recv(new int[1], 0, 1, 2, 0);
    }));
    assertEquals("rank 2 breaks", e.getMessage());
    assertEquals(2, e.getSuppressed().length);
    for (Throwable s : e.getSuppressed()) {
      assertInstanceOf(PeerLostException.class, s);
    }
  }

  @Test
  void splitOrdersByKeyAndKeepsItsMessagesApartFromTheParents() {
    List<int[]> got = InProcessRanks.call(5, c -> {
      Communicator half = c.split(c.rank() % 2, -c.rank(), "half");
      // the same tag on both communicators: each receive sees only its own communicator's message
      c.send(new int[] {100 + c.rank()}, 0, 1, (c.rank() + 1) % 5, 9);
      int right = (half.rank() + 1) % half.size();
      half.send(new int[] {200 + c.rank()}, 0, 1, right, 9);
      int[] fromHalf = new int[1];
      int[] fromWorld = new int[1];
      half.recv(fromHalf, 0, 1, (half.rank() - 1 + half.size()) % half.size(), 9);
      c.recv(fromWorld, 0, 1, (c.rank() + 4) % 5, 9);
      half.barrier("after exchange");
      return new int[] {half.rank(), half.size(), half.worldRankOf(0), fromHalf[0],
          fromWorld[0]};
    });
    // evens 0, 2, 4 by descending rank: 4, 2, 0; odds: 3, 1
    assertArrayEquals(new int[] {2, 3, 4, 202, 104}, got.get(0));
    assertArrayEquals(new int[] {1, 2, 3, 203, 100}, got.get(1));
    assertArrayEquals(new int[] {1, 3, 4, 204, 101}, got.get(2));
    assertArrayEquals(new int[] {0, 2, 3, 201, 102}, got.get(3));
    assertArrayEquals(new int[] {0, 3, 4, 200, 103}, got.get(4));
  }

  @Test
  void barrierWaitsForEveryRankAndFailsNamingOneThatLeft() {
    int[] arrived = new int[1];
    InProcessRanks.run(4, c -> {
      synchronized (arrived) {
        arrived[0]++;
      }
      c.barrier("test");
      synchronized (arrived) {
        assertEquals(4, arrived[0]);
      }
    });
    var e = assertThrows(PeerLostException.class, () -> InProcessRanks.run(3, c -> {
      if (c.rank() != 1) {
        c.barrier("with a missing rank");
      }
    }));
    assertEquals(1, e.peerWorldRank());
    assertTrue(e.getMessage().contains("barrier 'with a missing rank'"), e.getMessage());
  }

  @Test
  void builtinAllreduceSumsInRankOrderOnEveryRank() {
    List<float[]> out = InProcessRanks.call(3, c -> {
      float[] src = {c.rank() + 1, 0.1f * c.rank(), 7};
      float[] dst = new float[3];
      c.builtinAllreduceSum(src, dst, 2);
      return dst;
    });
    for (float[] d : out) {
      assertArrayEquals(new float[] {6, 0f + 0.1f + 0.2f, 0}, d);
    }
  }
}
