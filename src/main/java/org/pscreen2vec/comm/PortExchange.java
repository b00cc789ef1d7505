package org.pscreen2vec.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The port exchange that MPJ Express's niodev needs before its ranks can talk, for rank JVMs that
 * the launcher starts itself (one Slurm task per rank, {@code bin/pscreen2vec -launch srun})
 * instead of through MPJ daemons.
 *
 * <p>What niodev does (read off MPJ Express 0.44, {@code xdev.niodev.NIODevice.init}): each rank
 * binds two ports of its own choosing, connects to the server named in its configuration string
 * ({@code #Server Name} / {@code #Server Port}, appended by {@code runtime.daemon.Wrapper} from its
 * arguments), sends {@code writeUTF("Sending Info")}, {@code writeInt(writePort)},
 * {@code writeInt(readPort)}, {@code writeInt(rank)}, and waits for one {@code readUTF} answer:
 * {@code "#Peer Information;host@readPort@writePort@rank@debugPort;..."} with every rank, in rank
 * order. The ports in the configuration string are ignored, so fixed ports do not remove this step;
 * {@code mpjrun} normally plays the server. This class plays it instead: it reads only a short
 * string and three integers from each connection (no Java deserialization), accepts exactly one
 * connection per rank, optionally only from the allocation's hosts, and ends once every rank has its
 * answer, or with exit status 3 when a rank does not join in time.
 *
 * <p>Usage: {@code java -cp <program> org.pscreen2vec.comm.PortExchange --ranks N --port-file F
 * [--timeout SECONDS] [--allow host,host,...] [--port P] [--bind ADDRESS]}. The port it listens
 * on is written to {@code F} (atomically) once it accepts connections. {@code --bind} listens on one
 * address only: the launcher's local jobs use 127.0.0.1 (or, under {@code -emulate}, the emulated
 * bridge's address), so the exchange is not reachable from other hosts.
 */
public final class PortExchange {
  static final String HELLO = "Sending Info";
  static final String ANSWER_HEAD = "#Peer Information";
  private static final int READ_TIMEOUT_MS = 15_000;

  private final int ranks;
  private final Set<InetAddress> allowed;
  private final String[] hosts;
  private final int[] writePorts;
  private final int[] readPorts;
  private final Socket[] sockets;
  private InetAddress reachableSelf;

  /** One rank's entry as niodev sends it. */
  record Hello(int writePort, int readPort, int rank) {}

  PortExchange(int ranks, Set<InetAddress> allowed) {
    if (ranks < 1) {
      throw new IllegalArgumentException("--ranks must be at least 1");
    }
    this.ranks = ranks;
    this.allowed = allowed;
    this.hosts = new String[ranks];
    this.writePorts = new int[ranks];
    this.readPorts = new int[ranks];
    this.sockets = new Socket[ranks];
  }

  public static void main(String[] args) {
    int ranks = -1;
    int port = 0;
    long timeoutS = 300;
    Path portFile = null;
    String allow = null;
    String bind = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (a) {
          case "--ranks" -> { ranks = Integer.parseInt(need(a, v)); i++; }
          case "--port" -> { port = Integer.parseInt(need(a, v)); i++; }
          case "--timeout" -> { timeoutS = Long.parseLong(need(a, v)); i++; }
          case "--port-file" -> { portFile = Paths.get(need(a, v)); i++; }
          case "--allow" -> { allow = need(a, v); i++; }
          case "--bind" -> { bind = need(a, v); i++; }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (ranks < 1 || portFile == null) {
        throw new IllegalArgumentException("need --ranks N (N >= 1) and --port-file F");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("port exchange: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      PortExchange ex = new PortExchange(ranks, allow == null ? null : resolve(allow));
      InetAddress at = bind == null ? null : InetAddress.getByName(bind);
      int missing = ex.serve(at, port, portFile, timeoutS * 1000);
      System.exit(missing == 0 ? 0 : 3);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("port exchange: " + e.getMessage());
      System.exit(1);
    }
  }

  private static String need(String opt, String v) {
    if (v == null) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return v;
  }

  /** Every address of the named hosts, plus this host's loopback addresses. */
  static Set<InetAddress> resolve(String commaSeparatedHosts) {
    Set<InetAddress> out = new HashSet<>();
    for (String h : commaSeparatedHosts.split(",")) {
      if (h.isBlank()) {
        continue;
      }
      try {
        for (InetAddress a : InetAddress.getAllByName(h.trim())) {
          out.add(a);
        }
      } catch (UnknownHostException e) {
        System.err.println("port exchange: warning: cannot resolve allowed host '" + h + "'");
      }
    }
    return out;
  }

  /**
   * Serves one exchange; returns the number of ranks that did not join before the deadline (0 on
   * success). Writes the listening port to {@code portFile}.
   */
  int serve(int port, Path portFile, long timeoutMs) throws IOException {
    return serve(null, port, portFile, timeoutMs);
  }

  /** As {@link #serve(int, Path, long)}, listening on {@code bindAddress} only (null: all). */
  int serve(InetAddress bindAddress, int port, Path portFile, long timeoutMs)
      throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(bindAddress, port), Math.max(50, ranks));
      writePort(portFile, server.getLocalPort());
      int joined = 0;
      while (joined < ranks) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        server.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        Socket s;
        try {
          s = server.accept();
        } catch (SocketTimeoutException e) {
          break;
        }
        if (accept(s)) {
          joined++;
        }
      }
      if (joined < ranks) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
          if (sockets[r] == null) {
            missing.add(r);
          }
        }
        System.err.println("port exchange: gave up after " + timeoutMs / 1000 + " s: rank(s) "
            + missing + " of " + ranks + " never connected (did their JVMs start?)");
        closeAll();
        return missing.size();
      }
      answerAll();
      return 0;
    }
  }

  /** Reads one rank's hello; keeps the connection open for the answer. False when refused. */
  private boolean accept(Socket s) {
    InetAddress from = s.getInetAddress();
    try {
      if (allowed != null && !from.isLoopbackAddress() && !allowed.contains(from)) {
        System.err.println("port exchange: refused a connection from " + from.getHostAddress()
            + " (not a host of this job)");
        s.close();
        return false;
      }
      s.setSoTimeout(READ_TIMEOUT_MS);
      Hello h = readHello(new DataInputStream(s.getInputStream()));
      if (h.rank < 0 || h.rank >= ranks || sockets[h.rank] != null) {
        System.err.println("port exchange: refused rank " + h.rank + " from "
            + from.getHostAddress() + (h.rank >= 0 && h.rank < ranks ? " (already joined)"
            : " (the job has " + ranks + " ranks)"));
        s.close();
        return false;
      }
      if (!from.isLoopbackAddress() && reachableSelf == null) {
        reachableSelf = s.getLocalAddress();
      }
      hosts[h.rank] = from.getHostAddress();
      writePorts[h.rank] = h.writePort;
      readPorts[h.rank] = h.readPort;
      sockets[h.rank] = s;
      return true;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("port exchange: dropped a bad connection from " + from.getHostAddress()
          + ": " + e.getMessage());
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing to do
      }
      return false;
    }
  }

  /** The hello niodev sends; only a short string and three integers are read. */
  static Hello readHello(DataInputStream in) throws IOException {
    String hello = in.readUTF();
    if (!hello.startsWith(HELLO)) {
      throw new IllegalArgumentException("not an MPJ niodev hello");
    }
    int w = in.readInt();
    int r = in.readInt();
    int rank = in.readInt();
    if (w < 1 || w > 65535 || r < 1 || r > 65535) {
      throw new IllegalArgumentException("ports out of range: " + w + ", " + r);
    }
    return new Hello(w, r, rank);
  }

  /**
   * The answer every rank gets. A rank that reached the server over loopback is on the server's
   * host; when other hosts take part, it is listed under the server's address those hosts used,
   * so that they can reach it.
   */
  String answer() {
    StringBuilder sb = new StringBuilder(ANSWER_HEAD);
    for (int r = 0; r < ranks; r++) {
      String host = hosts[r];
      if (reachableSelf != null) {
        try {
          if (InetAddress.getByName(host).isLoopbackAddress()) {
            host = reachableSelf.getHostAddress();
          }
        } catch (UnknownHostException e) {
          throw new UncheckedIOException(e);
        }
      }
      sb.append(';').append(host).append('@').append(readPorts[r]).append('@')
          .append(writePorts[r]).append('@').append(r).append("@0");
    }
    return sb.toString();
  }

  private void answerAll() throws IOException {
    String info = answer();
    Set<Integer> failed = new TreeSet<>();
    for (int r = 0; r < ranks; r++) {
      try (Socket s = sockets[r]) {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeUTF(info);
        out.flush();
      } catch (IOException e) {
        failed.add(r);
      }
    }
    if (!failed.isEmpty()) {
      throw new IOException("could not send the peer list to rank(s) " + failed);
    }
  }

  private void closeAll() {
    for (Socket s : sockets) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  private static void writePort(Path file, int port) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".port", ".tmp");
    Files.writeString(tmp, port + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
