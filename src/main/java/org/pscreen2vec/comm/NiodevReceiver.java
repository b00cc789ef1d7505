package org.pscreen2vec.comm;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * MPJ Express niodev's receiving thread, watched so that a rank cut off by niodev learns it at
 * once and names the peers whose connections closed first, instead of blaming a live one.
 *
 * <p>What niodev does when a peer's connection ends (read off MPJ Express 0.44's bytecode,
 * {@code xdev.niodev.NIODevice$2.run}, and seen in the kernel's table: a survivor of a 3-rank job
 * kept 1 of its 5 sockets): its one selector thread, which reads every peer's socket, runs the
 * device's finish ({@code realFinish}), which closes every channel of this rank, and then ends
 * (the loop's exception handler returns). From then on the rank can neither receive (nothing
 * reads) nor send (its sends fail with {@code ClosedChannelException} on a channel it closed
 * itself), and the live peers see their connections to it close in turn. Before this watch a
 * rank blamed whichever live peer it was talking to. CI of stop 32: rank 1 left; rank 0's
 * selector closed everything while rank 0 was posting its sends, and rank 0 reported "lost rank 2
 * ... the peer died" although rank 2 was alive; rank 2, cut off the same way, gave up "waiting for
 * rank 0" 3 s later.
 *
 * <p>Which peers closed first: the kernel's socket table of this rank's network namespace
 * ({@code /proc/self/net/tcp}, {@code tcp6}). Where the peer's FIN (or RST) came first, this end
 * went to CLOSE_WAIT, then, once MPJ closed it, LAST_ACK, and left the table. Where MPJ closed a
 * connection that was still up, this end is the active closer and stays in FIN_WAIT or TIME_WAIT
 * for a minute. So the peers named are those whose sockets are gone or in CLOSE_WAIT/LAST_ACK:
 * the rank that ended, plus any rank that niodev had cut off a moment earlier in the same cascade.
 * Sockets are matched by local and remote port, which two live connections of one namespace do
 * not share (an earlier connection on both of the same ports, still in TIME_WAIT, would hide one
 * that is gone). Where the table cannot be read (not Linux), {@link #closedFirst()} returns null and
 * the message names no peer.
 *
 * <p>Under hybdev the JVMs talk over one niodev device, so the same holds per JVM: a JVM that ends
 * is named by all of its ranks.
 *
 * <p>The device's fields are package-private; they are read once, at start, by reflection.
 * Anything unexpected there (another MPJ version) leaves the watch off, logged at debug level:
 * the deadline still bounds every wait.
 */
final class NiodevReceiver {
  private static final Logger LOG = LogManager.getLogger(NiodevReceiver.class);
  private static final String TIME_WAIT = "06"; // TCP_TIME_WAIT in the kernel's table
  /** CLOSE_WAIT, LAST_ACK: the peer's FIN came before this end closed. */
  private static final Set<String> PEER_CLOSED_FIRST = Set.of("08", "09");
  /** A channel found closed when the watch began: in no table, so counted as closed first. */
  static final long CLOSED_AT_START = -1;
  private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/tcp"),
      Path.of("/proc/self/net/tcp6"));

  private static NiodevReceiver current; // this JVM's watch, once attached (null: none)
  private static boolean attached;

  private final Thread selector;
  private final long[][] connections; // (world size) port pairs of each peer's channels; self: {}

  NiodevReceiver(Thread selector, long[][] connections) {
    this.selector = selector;
    this.connections = connections;
  }

  /**
   * The watch over this rank's niodev device, taken on the first call (right after
   * {@code MPI.Init}: a closed channel no longer tells its ports, so one closed by then counts as
   * closed first), or null where the device is not niodev or does not look like MPJ Express
   * 0.44's.
   */
  static synchronized NiodevReceiver ofThisRank() {
    if (!attached) {
      attached = true;
      current = attach(mpi.MPI.COMM_WORLD.mpjdevComm);
    }
    return current;
  }

  /** @param world the device-level world communicator ({@code MPI.COMM_WORLD.mpjdevComm}) */
  private static NiodevReceiver attach(mpjdev.Comm world) {
    Object dev = mpjdev.javampjdev.MPJDev.dev;
    // hybdev: the JVMs talk over one niodev device; a rank's channels are its JVM's
    UnaryOperator<xdev.ProcessID> jvmOf = id -> id;
    if (dev instanceof xdev.hybdev.HYBDevice hyb) {
      dev = xdev.hybdev.HYBDevice.nioHybDev;
      jvmOf = hyb::getNetworkPid;
    }
    if (dev == null || !dev.getClass().getName().equals("xdev.niodev.NIODevice")) {
      return null;
    }
    try {
      Thread selector = (Thread) field(dev, "selectorThreadStarter");
      if (selector == null) {
        return null;
      }
      Map<?, ?> readable = (Map<?, ?>) field(dev, "worldReadableTable");
      Map<?, ?> writable = (Map<?, ?>) field(dev, "worldWritableTable");
      xdev.ProcessID[] ids = world.group.ids;
      long[][] connections = new long[ids.length][];
      for (int r = 0; r < ids.length; r++) {
        UUID id = jvmOf.apply(ids[r]).uuid(); // no channels to itself (or its own JVM)
        List<Long> pairs = new ArrayList<>(2);
        for (Map<?, ?> table : List.of(readable, writable)) {
          Object ch = r == world.group.rank ? null : table.get(id);
          if (ch instanceof SocketChannel sc) {
            pairs.add(portsOf(sc));
          }
        }
        connections[r] = pairs.stream().mapToLong(Long::longValue).toArray();
      }
      return new NiodevReceiver(selector, connections);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("not watching niodev's receiving thread: {}", e.toString());
      return null;
    }
  }

  /**
   * The channel's port pair, or {@link #CLOSED_AT_START} where it is closed already (a peer that
   * ended while this rank was still starting: the watch must still cover the others).
   */
  static long portsOf(SocketChannel sc) {
    try {
      return portPair(((InetSocketAddress) sc.getLocalAddress()).getPort(),
          ((InetSocketAddress) sc.getRemoteAddress()).getPort());
    } catch (IOException e) {
      return CLOSED_AT_START;
    }
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /** True once MPJ's receiving thread has ended: this rank's connections are all closed. */
  boolean stopped() {
    return !selector.isAlive();
  }

  /**
   * Waits up to {@code millis} for the receiving thread to end; true when it has. For a channel
   * found closed: niodev closes the channels a moment before its thread ends.
   */
  boolean stopsWithin(long millis) {
    try {
      selector.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return stopped();
  }

  /**
   * World ranks whose connection to this rank was closed from their side first, ascending; null
   * when the kernel's socket table cannot be read. See the class comment for how the table tells.
   */
  List<Integer> closedFirst() {
    Map<Long, String> states = socketStates();
    if (states == null) {
      return null;
    }
    List<Integer> closed = new ArrayList<>();
    StringBuilder seen = new StringBuilder();
    for (int r = 0; r < connections.length; r++) {
      boolean first = false;
      for (long pair : connections[r]) {
        String st = states.get(pair);
        seen.append(String.format(" r%d %d->%d %s", r, pair >>> 16, pair & 0xFFFF, st));
        first |= st == null || PEER_CLOSED_FIRST.contains(st);
      }
      if (first) {
        closed.add(r);
      }
    }
    LOG.debug("niodev connections in the kernel's table (state, null: gone):{}", seen);
    return closed;
  }

  /** {@link #socketStates(List)} of this rank's network namespace, IPv4 and IPv6. */
  static Map<Long, String> socketStates() {
    return socketStates(TABLES);
  }

  /**
   * The kernel's state (two hex digits) of every socket in the given tables, by its port pair
   * ({@link #portPair}); the tables are in the kernel's format ({@code sl local_address
   * rem_address st ...}, addresses as {@code HEXADDR:HEXPORT}). Null when none can be read. Where
   * two sockets share a port pair, an earlier connection's TIME_WAIT yields to the other's state.
   */
  static Map<Long, String> socketStates(List<Path> tables) {
    Map<Long, String> states = new HashMap<>();
    boolean any = false;
    for (Path t : tables) {
      List<String> lines;
      try {
        lines = Files.readAllLines(t);
      } catch (IOException e) {
        continue; // no IPv6, or no /proc at all
      }
      any = true;
      for (int i = 1; i < lines.size(); i++) { // the first line names the columns
        String[] f = lines.get(i).trim().split("\\s+");
        if (f.length > 3) {
          states.merge(portPair(port(f[1]), port(f[2])), f[3],
              (a, b) -> a.equals(TIME_WAIT) ? b : a);
        }
      }
    }
    return any ? states : null;
  }

  private static int port(String hexAddress) {
    return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
  }

  static long portPair(int localPort, int remotePort) {
    return ((long) localPort << 16) | remotePort;
  }
}
