package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's stall report: a rank that has waited half its deadline logs once what it waits for
 * (peer, operation, tag, bytes, communicator); a wait that ends earlier logs nothing. The log is
 * read through a real log4j appender on the report's logger.
 */
class StallReportTest {
  private static final long DEADLINE = 400_000_000L; // 0.4 s

  /** Collects the formatted messages logged to the stall report's logger. */
  private static final class Capture extends AbstractAppender {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    Capture() {
      super("stall-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      lines.add(event.getMessage().getFormattedMessage());
    }
  }

  private final Capture capture = new Capture();
  private Logger logger;
  private Level level;

  @BeforeEach
  void attach() {
    capture.start();
    logger = (Logger) StallReport.LOG;
    level = logger.getLevel();
    logger.setLevel(Level.WARN);
    logger.addAppender(capture);
  }

  @AfterEach
  void detach() {
    logger.removeAppender(capture);
    logger.setLevel(level);
    capture.stop();
  }

  @Test
  void deadlineRunsTheHalfwayActionOnceAfterHalfTheDeadline() {
    AtomicInteger calls = new AtomicInteger();
    long[] at = new long[1];
    long t0 = System.nanoTime();
    long waited = Deadline.await(() -> false, 100_000_000L, () -> {
      calls.incrementAndGet();
      at[0] = System.nanoTime() - t0;
    });
    assertEquals(-1, waited);
    assertEquals(1, calls.get());
    assertTrue(at[0] >= 50_000_000L && at[0] < 100_000_000L + 50_000_000L, "at " + at[0]);
  }

  @Test
  void deadlineSkipsTheHalfwayActionWhenTheWaitEndsEarlier() {
    AtomicInteger calls = new AtomicInteger();
    long until = System.nanoTime() + 10_000_000L;
    long waited = Deadline.await(() -> System.nanoTime() > until, 1_000_000_000L,
        calls::incrementAndGet);
    assertTrue(waited >= 0);
    assertEquals(0, calls.get());
  }

  @Test
  void aReceiveThatStallsIsReportedOnceNamingPeerTagBytesAndCommunicator() {
    CountDownLatch gaveUp = new CountDownLatch(1);
    InProcessRanks.run(InProcessCommunicator.world(2, DEADLINE), c -> {
      if (c.rank() == 0) {
        float[] buf = new float[1024];
        Request r = c.irecv(buf, 0, buf.length, 1, 7);
        PeerTimeoutException e = assertThrows(PeerTimeoutException.class,
            () -> r.await("ring step 3 receive"));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        gaveUp.countDown();
      } else {
        // sends nothing and leaves only after rank 0 gave up (leaving would end its wait early)
        assertTrue(gaveUp.await(30, TimeUnit.SECONDS));
      }
    });
    List<String> lines = List.copyOf(capture.lines);
    assertEquals(1, lines.size(), "stall reports: " + lines);
    String m = lines.get(0);
    for (String part : new String[] {"rank 0 has waited", "half its 0.4 s deadline", "for rank 1",
        "receive of 4096 bytes, tag 7", "communicator 'world'", "ring step 3 receive"}) {
      assertTrue(m.contains(part), "'" + part + "' missing from: " + m);
    }
  }

  @Test
  void aReceiveAnsweredBeforeHalfTheDeadlineIsNotReported() {
    InProcessRanks.run(InProcessCommunicator.world(2, DEADLINE), c -> {
      int[] x = new int[1];
      if (c.rank() == 0) {
        c.irecv(x, 0, 1, 1, 3).await("quick receive");
      } else {
        c.isend(x, 0, 1, 0, 3).await("quick send");
      }
    });
    assertEquals(List.of(), List.copyOf(capture.lines));
  }

  @Test
  void theMessageReadsWellForAnyRank() {
    String m = StallReport.message(2, -1, "receive of 8 bytes, tag 1", "workers", "ps pull",
        1_500_000_000L, 3_000_000_000L);
    assertEquals("rank 2 has waited 1.5 s (half its 3.0 s deadline) for any rank: receive of 8 "
        + "bytes, tag 1 on communicator 'workers' (ps pull); still waiting", m);
  }
}
