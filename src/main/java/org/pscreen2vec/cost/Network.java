package org.pscreen2vec.cost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One link of a network in the alpha-beta (Hockney) model: a message of n bytes between two
 * nodes takes {@code alpha + n * beta} seconds; every node has one full-duplex port of that link.
 *
 * <p>The named networks carry the line rate (IEEE 802.3 for Ethernet, the InfiniBand Trade
 * Association's HDR 4x rate) times a goodput factor for TCP/IP framing over a 1500-byte MTU
 * (1448 payload bytes per 1538 on the wire: 0.94; for HDR with RDMA 0.95), and a one-way
 * latency of the order MPI ping-pong benchmarks (OSU micro-benchmarks) show: TCP over 1 GbE about
 * 50 us, 10 GbE 20 us, 25 GbE 10 us, RoCE on 100 GbE 3 us, HDR InfiniBand about 1 us (NVIDIA
 * quotes below 0.6 us adapter-to-adapter for ConnectX-6). They are orders of magnitude to project
 * with, not measurements; a calibration measured on your own network replaces them.
 *
 * <p>{@code switchBytesPerSecond} is what all ports together can carry at once: unlimited
 * (full bisection) for the named networks; for an emulated network on one host it is the host's
 * CPU forwarding every byte through veth, bridge and tc, measured by a calibration.
 *
 * <p>{@code gammaSecondsPerByte} is the node's side: the time of one local pass over a byte of a
 * reduction ({@code a += b} on floats, all ranks of a node at once), which an allreduce does
 * between receiving and sending. Measured by a calibration ({@code bench-collectives
 * --reduce-row}); 0 for the named networks, which describe links, not nodes.
 *
 * <p>{@code gammaByRanks}: where the ranks share one host's cores (an emulated network), gamma as
 * measured with k ranks reducing at once, by k; empty for the named networks and where the
 * calibration has none. A phase in which fewer ranks reduce than the job has (star's root
 * alone, the levels of MPJ's tree) takes its gamma from here ({@link #gammaFor}).
 */
public record Network(String name, double alphaSeconds, double betaSecondsPerByte,
    double switchBytesPerSecond, double gammaSecondsPerByte, double wireSecondsPerByte,
    NavigableMap<Integer, Double> gammaByRanks, String source) {
  /** A network without a table of gamma by reducing ranks. */
  public Network(String name, double alphaSeconds, double betaSecondsPerByte,
      double switchBytesPerSecond, double gammaSecondsPerByte, double wireSecondsPerByte,
      String source) {
    this(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond, gammaSecondsPerByte,
        wireSecondsPerByte, Collections.emptyNavigableMap(), source);
  }

  /** A network without a reduction term (gamma 0). */
  public Network(String name, double alphaSeconds, double betaSecondsPerByte,
      double switchBytesPerSecond, String source) {
    this(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond, 0, source);
  }

  /** A network whose wire is as fast as a message (the wire's time per byte is beta). */
  public Network(String name, double alphaSeconds, double betaSecondsPerByte,
      double switchBytesPerSecond, double gammaSecondsPerByte, String source) {
    this(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond, gammaSecondsPerByte,
        betaSecondsPerByte, source);
  }

  public Network {
    gammaByRanks = gammaByRanks == null ? Collections.emptyNavigableMap() : gammaByRanks;
    for (Map.Entry<Integer, Double> e : gammaByRanks.entrySet()) {
      if (e.getKey() < 1 || !(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
        throw new IllegalArgumentException("network '" + name + "': gamma for " + e.getKey()
            + " reducing ranks must be finite and >= 0 (ranks >= 1), got " + e.getValue());
      }
    }
    gammaByRanks = Collections.unmodifiableNavigableMap(new TreeMap<>(gammaByRanks));
    if (!(wireSecondsPerByte > 0) || wireSecondsPerByte > betaSecondsPerByte) {
      throw new IllegalArgumentException("network '" + name + "': the wire's time per byte must"
          + " be > 0 and at most beta " + betaSecondsPerByte + " s/B, got " + wireSecondsPerByte);
    }
    if (!(gammaSecondsPerByte >= 0) || Double.isInfinite(gammaSecondsPerByte)) {
      throw new IllegalArgumentException("network '" + name + "': gamma (seconds per byte of a "
          + "local reduction) must be finite and >= 0, got " + gammaSecondsPerByte);
    }
    if (!(switchBytesPerSecond > 0)) {
      throw new IllegalArgumentException("network '" + name + "': the switch's aggregate rate "
          + "must be > 0 (Infinity: full bisection), got " + switchBytesPerSecond);
    }
    if (!(alphaSeconds >= 0) || !(betaSecondsPerByte > 0) || Double.isInfinite(alphaSeconds)
        || Double.isInfinite(betaSecondsPerByte)) {
      throw new IllegalArgumentException("network '" + name + "': alpha must be >= 0 and beta > 0"
          + " (finite), got alpha " + alphaSeconds + " s, beta " + betaSecondsPerByte + " s/B");
    }
  }

  private static final double ETHERNET_GOODPUT = 1448.0 / 1538.0;
  private static final Map<String, Network> NAMED = new LinkedHashMap<>();

  static {
    named("1gbe", 1e9, ETHERNET_GOODPUT, 50e-6, "1 Gbit/s Ethernet, TCP");
    named("10gbe", 10e9, ETHERNET_GOODPUT, 20e-6, "10 Gbit/s Ethernet, TCP");
    named("25gbe", 25e9, ETHERNET_GOODPUT, 10e-6, "25 Gbit/s Ethernet, TCP");
    named("100gbe", 100e9, ETHERNET_GOODPUT, 3e-6, "100 Gbit/s Ethernet, RoCE");
    named("hdr", 200e9, 0.95, 1e-6, "InfiniBand HDR 4x (200 Gbit/s), RDMA");
  }

  private static void named(String name, double bitsPerSecond, double goodput, double alpha,
      String what) {
    NAMED.put(name, new Network(name, alpha, 8 / (bitsPerSecond * goodput),
        Double.POSITIVE_INFINITY, String.format(
        Locale.ROOT, "%s: line rate %.0f Gbit/s x goodput %.2f, alpha %.0f us (published orders "
            + "of magnitude, see docs/NETWORK.md)", what, bitsPerSecond / 1e9, goodput,
        alpha * 1e6)));
  }

  /** The names {@link #named} knows: 1gbe, 10gbe, 25gbe, 100gbe, hdr. */
  public static List<String> names() {
    return List.copyOf(NAMED.keySet());
  }

  public static Network named(String name) {
    Network n = NAMED.get(name.toLowerCase(Locale.ROOT));
    if (n == null) {
      throw new IllegalArgumentException("unknown network '" + name + "'; named networks: "
          + String.join(", ", NAMED.keySet()) + " (or a calibration file)");
    }
    return n;
  }

  /** Bytes per second one link carries. */
  public double bandwidth() {
    return 1 / betaSecondsPerByte;
  }

  /** Time of one message of {@code bytes} over one link. */
  public double message(double bytes) {
    return alphaSeconds + bytes * betaSecondsPerByte;
  }

  /** The same network with a reduction term of {@code gamma} seconds per byte. */
  public Network withGamma(double gamma) {
    return new Network(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond, gamma,
        wireSecondsPerByte, gammaByRanks, source);
  }

  /** The same network with gamma by the number of ranks reducing at once ({@link #gammaFor}). */
  public Network withGammaByRanks(Map<Integer, Double> byRanks) {
    return new Network(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond,
        gammaSecondsPerByte, wireSecondsPerByte, new TreeMap<>(byRanks), source);
  }

  /**
   * Seconds per byte of a reduction that {@code reducers} ranks of the job make at once while
   * the others wait ({@code reducers <= 0}: every rank). On one host fewer reducers take fewer
   * cores from each other: the table's gamma for that many ranks, else for the most ranks it has
   * below that many, else for the fewest it has; never more than {@link #gammaSecondsPerByte},
   * the job's own.
   */
  public double gammaFor(int reducers) {
    if (reducers <= 0 || gammaByRanks.isEmpty()) {
      return gammaSecondsPerByte;
    }
    Map.Entry<Integer, Double> e = gammaByRanks.floorEntry(reducers);
    double g = e != null ? e.getValue() : gammaByRanks.firstEntry().getValue();
    return Math.min(g, gammaSecondsPerByte);
  }

  /**
   * The same network with the wire's own time per byte ({@code wire} <= beta): where a message's
   * rate is set by the nodes' copies rather than the wire (beta above the wire's time), two
   * directions that take turns on one link lose only the wire's time of the second.
   */
  public Network withWire(double wire) {
    return new Network(name, alphaSeconds, betaSecondsPerByte, switchBytesPerSecond,
        gammaSecondsPerByte, Math.min(wire, betaSecondsPerByte), gammaByRanks, source);
  }

  /**
   * Seconds per byte of TCP goodput (1448 of 1538 bytes at MTU 1500) on an emulated link given
   * as {@code -emulate} takes it ({@code RATE[,LATENCY]}: a whole number with kbit, mbit or
   * gbit, or 1gbe, 10gbe, 25gbe, 100gbe); NaN for anything else.
   */
  public static double wireOf(String emulate) {
    String rate = emulate.split(",")[0].trim().toLowerCase(Locale.ROOT);
    Matcher m = Pattern.compile("(\\d+)(kbit|mbit|gbit)").matcher(rate);
    double bps;
    if (m.matches()) {
      bps = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
        case "kbit" -> 1e3;
        case "mbit" -> 1e6;
        default -> 1e9;
      };
    } else if (rate.matches("(1|10|25|100)gbe")) {
      bps = Double.parseDouble(rate.substring(0, rate.length() - 3)) * 1e9;
    } else {
      return Double.NaN;
    }
    return bps > 0 ? 8 / (bps * ETHERNET_GOODPUT) : Double.NaN;
  }

  public String describe() {
    return String.format(Locale.ROOT, "%s (alpha %.1f us, %.3f GB/s per link%s%s)", name,
        alphaSeconds * 1e6, bandwidth() / 1e9, Double.isInfinite(switchBytesPerSecond) ? ""
            : String.format(Locale.ROOT, ", %.3f GB/s through the switch", switchBytesPerSecond
                / 1e9), gammaSecondsPerByte == 0 ? "" : String.format(Locale.ROOT,
            ", reductions %.2f GB/s", 1e-9 / gammaSecondsPerByte));
  }
}
