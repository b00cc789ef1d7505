package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The watch over niodev's receiving thread, on real loopback connections and the kernel's own
 * socket table: the multi-rank behaviour is in SelfTestIT.
 */
class NiodevReceiverTest {

  private static long pair(SocketChannel c) throws IOException {
    return NiodevReceiver.portPair(((InetSocketAddress) c.getLocalAddress()).getPort(),
        ((InetSocketAddress) c.getRemoteAddress()).getPort());
  }

  /**
   * Waits (at most 5 s) until the kernel shows the socket of {@code pair} in {@code state}; null:
   * until it has left the table.
   */
  private static void awaitState(long pair, String state) {
    long end = System.nanoTime() + 5_000_000_000L;
    String now = null;
    while (System.nanoTime() < end) {
      now = NiodevReceiver.socketStates().get(pair);
      if (Objects.equals(state, now)) {
        return;
      }
      LockSupport.parkNanos(1_000_000L);
    }
    throw new AssertionError("socket " + Long.toHexString(pair) + " stayed in state " + now
        + ", expected " + state);
  }

  /** Both ends of one loopback connection: this rank's and the peer's. */
  private record Link(SocketChannel here, SocketChannel peer) implements AutoCloseable {
    static Link open(ServerSocketChannel server) throws IOException {
      SocketChannel here = SocketChannel.open(server.getLocalAddress());
      return new Link(here, server.accept());
    }

    @Override
    public void close() throws IOException {
      here.close();
      peer.close();
    }
  }

  /** A server on the loopback address; skips the test where the kernel's table is not there. */
  private static ServerSocketChannel loopbackServer() throws IOException {
    assumeTrue(Files.isReadable(Path.of("/proc/self/net/tcp")), "needs Linux's socket table");
    return ServerSocketChannel.open()
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @Test
  void namesThePeerThatClosedFirstAndNotOneThisEndClosed() throws Exception {
    try (ServerSocketChannel server = loopbackServer();
        Link liveLink = Link.open(server);
        Link deadLink = Link.open(server)) {
      SocketChannel toLive = liveLink.here();
      SocketChannel toDead = deadLink.here();
      Thread selector = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          LockSupport.park();
        }
      }, "stand-in for niodev's selector");
      selector.setDaemon(true);
      selector.start();
      // world rank 0 is this rank (no channels); 1 stays up, 2 will end
      NiodevReceiver watch = new NiodevReceiver(selector,
          new long[][] {{}, {pair(toLive)}, {pair(toDead)}});
      long live = pair(toLive);
      long dead = pair(toDead);
      awaitState(live, "01");
      assertEquals(List.of(), watch.closedFirst(), "both peers are connected");
      assertFalse(watch.stopped());

      deadLink.peer().close(); // the peer's side closes first: this end waits in CLOSE_WAIT
      awaitState(dead, "08");
      assertEquals(List.of(2), watch.closedFirst());

      // then this rank closes everything, as niodev's finish does: the live peer's connection
      // is closed from this side first (FIN_WAIT/TIME_WAIT) and is not blamed; the dead one's
      // socket leaves the table and still counts
      toLive.close();
      toDead.close();
      awaitState(dead, null);
      Map<Long, String> states = NiodevReceiver.socketStates();
      assertFalse(states.containsKey(dead), "closed after the peer: gone, was " + states.get(dead));
      assertTrue(List.of("04", "05", "06").contains(states.get(live)),
          "closed first here: FIN_WAIT or TIME_WAIT, was " + states.get(live));
      assertEquals(List.of(2), watch.closedFirst());

      assertFalse(watch.stopsWithin(20), "the stand-in still runs");
      selector.interrupt();
      assertTrue(watch.stopsWithin(5_000));
      assertTrue(watch.stopped());
    }
  }

  @Test
  void aChannelClosedBeforeTheWatchBeganCountsAsClosedFirst() throws Exception {
    try (ServerSocketChannel server = loopbackServer();
        Link liveLink = Link.open(server);
        Link goneLink = Link.open(server)) {
      SocketChannel toLive = liveLink.here();
      SocketChannel toGone = goneLink.here();
      toGone.close();
      assertEquals(NiodevReceiver.CLOSED_AT_START, NiodevReceiver.portsOf(toGone));
      assertEquals(pair(toLive), NiodevReceiver.portsOf(toLive));
      awaitState(pair(toLive), "01");
      NiodevReceiver watch = new NiodevReceiver(Thread.currentThread(), new long[][] {{},
          {NiodevReceiver.portsOf(toLive)}, {NiodevReceiver.portsOf(toGone)}});
      assertEquals(List.of(2), watch.closedFirst());
    }
  }

  @Test
  void aTableThatCannotBeReadTellsNothing() {
    assertNull(NiodevReceiver.socketStates(List.of(Path.of("/nonexistent/net/tcp"))));
  }

  @Test
  void portPairsKeepBothPorts() {
    assertEquals(0x1F90_D2A4L, NiodevReceiver.portPair(0x1F90, 0xD2A4));
    assertEquals(0xFFFF_0001L, NiodevReceiver.portPair(65535, 1));
  }
}
