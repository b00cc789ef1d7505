package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port exchange with real sockets: two ranks say hello and both get the peer list in rank
 * order; bound to 127.0.0.1 (as the launcher runs it for local jobs) it cannot be reached on the
 * host's other addresses.
 */
class PortExchangeTest {
  private static String hello(int port, int rank, int write, int read) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeUTF(PortExchange.HELLO);
      out.writeInt(write);
      out.writeInt(read);
      out.writeInt(rank);
      out.flush();
      s.setSoTimeout(10_000);
      return new DataInputStream(s.getInputStream()).readUTF();
    }
  }

  private static int awaitPort(Path file) throws Exception {
    for (int i = 0; i < 100 && !Files.exists(file); i++) {
      Thread.sleep(50);
    }
    return Integer.parseInt(Files.readString(file).trim());
  }

  /** A 2-rank exchange serving on 127.0.0.1 in the background; its port is in {@code portFile}. */
  private static CompletableFuture<Integer> serve(Path portFile) {
    PortExchange ex = new PortExchange(2, null);
    return CompletableFuture.supplyAsync(() -> {
      try {
        return ex.serve(InetAddress.getLoopbackAddress(), 0, portFile, 30_000);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** Ranks 1 and 0 say hello; both must get the same answer, which is returned. */
  private static String bothRanksJoin(int port) throws Exception {
    CompletableFuture<String> r1 = CompletableFuture.supplyAsync(() -> {
      try {
        return hello(port, 1, 30001, 30002);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String a0 = hello(port, 0, 30003, 30004);
    assertEquals(a0, r1.get(20, TimeUnit.SECONDS));
    return a0;
  }

  @Test
  void twoRanksGetThePeerListAndOnlyLoopbackReachesIt(@TempDir Path dir) throws Exception {
    Path portFile = dir.resolve("port");
    CompletableFuture<Integer> served = serve(portFile);
    int port = awaitPort(portFile);
    Optional<InetAddress> other = Collections.list(NetworkInterface.getNetworkInterfaces())
        .stream().flatMap(n -> Collections.list(n.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
    if (other.isPresent()) {
      try (Socket s = new Socket()) {
        assertThrows(IOException.class,
            () -> s.connect(new InetSocketAddress(other.get(), port), 2000),
            "the exchange bound to 127.0.0.1 answered on " + other.get());
      }
    }
    String a0 = bothRanksJoin(port);
    assertEquals(0, served.get(20, TimeUnit.SECONDS));
    assertEquals(PortExchange.ANSWER_HEAD + ";127.0.0.1@30004@30003@0@0;127.0.0.1@30002@30001@1@0",
        a0);
    assertTrue(Files.exists(portFile));
    Assumptions.assumeTrue(other.isPresent(), "no non-loopback IPv4 address to try the bind on");
  }

  /**
   * Junk sent to a job's port exchange (random bytes, a connection closed at once, a hello for a
   * rank the job does not have, a second hello for a rank that joined) is dropped, and the real
   * ranks still get their answer.
   */
  @Test
  void junkConnectionsAreDroppedAndTheRanksStillJoin(@TempDir Path dir) throws Exception {
    Path portFile = dir.resolve("port");
    CompletableFuture<Integer> served = serve(portFile);
    int port = awaitPort(portFile);
    byte[] junk = new byte[4096];
    new java.util.Random(3).nextBytes(junk);
    junk[0] = 0; // a UTF length the bytes cover, so the junk is read and refused, not waited on
    junk[1] = 100;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write(junk);
    }
    new Socket(InetAddress.getLoopbackAddress(), port).close();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeUTF(PortExchange.HELLO);
      out.writeInt(30001);
      out.writeInt(30002);
      out.writeInt(7); // a rank this 2-rank job does not have
      out.flush();
      s.setSoTimeout(10_000);
      assertEquals(-1, s.getInputStream().read(), "refused: closed without an answer");
    }
    String a0 = bothRanksJoin(port);
    assertEquals(0, served.get(20, TimeUnit.SECONDS));
    assertEquals(PortExchange.ANSWER_HEAD + ";127.0.0.1@30004@30003@0@0;127.0.0.1@30002@30001@1@0",
        a0);
  }
}
