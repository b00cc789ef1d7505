package org.pscreen2vec.cost;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.pscreen2vec.run.AtomicFiles;
import org.pscreen2vec.run.Stats;

/**
 * A network measured by the project itself: alpha and beta fitted to the point-to-point rows of a
 * {@code bench-collectives} run (time = alpha + bytes * beta), and the switch's aggregate rate
 * from its largest ring rows on 3+ ranks where the ports alone do not explain the ring's time (an
 * emulated network's "switch" is the host's CPU), and gamma, the time per byte of a local
 * reduction, from the {@code reduce} rows ({@code bench-collectives --reduce-row}), overall and
 * per rank count (ranks of one host take cores from each other). Written as a properties file
 * with its provenance: command, date, host, source file, the rows used.
 */
public final class Calibration {
  private Calibration() {}

  /** The key prefix of gamma per rank count: {@code gamma_s_per_byte.ranks<p>}. */
  private static final String GAMMA_BY_RANKS = "gamma_s_per_byte.ranks";

  /** The key of the emulated link's TCP goodput in bytes per second. */
  private static final String LINK = "link_Bps";

  /** A timed message: bytes, seconds. */
  public record Sample(double bytes, double seconds) {}

  /** A ring allreduce row: ranks, bytes, seconds. */
  public record RingSample(int ranks, double bytes, double seconds) {}

  /**
   * Gamma (seconds per byte of {@code a += b}) from local-reduction rows: the least-squares
   * slope through the origin over the rows of 1 MiB and more (all rows when none is that
   * large); 0 without rows.
   */
  public static double fitGamma(List<Sample> reduceRows) {
    List<Sample> use = reduceRows.stream().filter(s -> s.bytes() >= LARGE).toList();
    if (use.isEmpty()) {
      use = reduceRows;
    }
    double sxx = 0;
    double sxy = 0;
    for (Sample s : use) {
      sxx += s.bytes() * s.bytes();
      sxy += s.bytes() * s.seconds();
    }
    return sxx == 0 ? 0 : Math.max(0, sxy / sxx);
  }

  /**
   * Alpha and beta from point-to-point times: beta is the least-squares slope over the messages
   * of 1 MiB and more (where the time is the bytes'), alpha the median over the messages below
   * 1 MiB of (time - bytes * beta), clamped at 0 (without small messages alpha is the intercept
   * of the fit). A loaded host makes small-message times noisy; the median resists that.
   */
  public static double[] fitAlphaBeta(List<Sample> samples) {
    List<Sample> large = samples.stream().filter(s -> s.bytes() >= LARGE).toList();
    List<Sample> small = samples.stream().filter(s -> s.bytes() < LARGE).toList();
    double[] ls = leastSquares(large.size() >= 2 ? large : samples);
    double beta = ls[1];
    double alpha = ls[0];
    if (!small.isEmpty() && large.size() >= 2) {
      alpha = Stats.of(small.stream().mapToDouble(s -> s.seconds() - s.bytes() * beta)
          .toArray()).median();
    }
    return new double[] {Math.max(0, alpha), beta};
  }

  private static final double LARGE = 1 << 20;

  private static double[] leastSquares(List<Sample> samples) {
    if (samples.size() < 2) {
      throw new IllegalArgumentException("need point-to-point times at 2 or more sizes to fit "
          + "alpha and beta, got " + samples.size());
    }
    double n = samples.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : samples) {
      sx += s.bytes();
      sy += s.seconds();
      sxx += s.bytes() * s.bytes();
      sxy += s.bytes() * s.seconds();
    }
    double den = n * sxx - sx * sx;
    if (den <= 0) {
      throw new IllegalArgumentException("point-to-point rows all have the same size: cannot fit");
    }
    double beta = (n * sxy - sx * sy) / den;
    double alpha = (sy - beta * sx) / n;
    if (!(beta > 0)) {
      throw new IllegalArgumentException("the point-to-point times do not grow with size "
          + "(beta " + beta + "): too noisy to calibrate from");
    }
    if (alpha < 0) {
      beta = sxy / sxx; // through the origin
      alpha = 0;
    }
    return new double[] {alpha, beta};
  }

  /**
   * The switch's aggregate rate from the ring rows of the most ranks (3 or more) at the largest
   * size: where the ring took longer than its busiest port explains by more than 5%, the bytes
   * all ports moved over the time they took (the median over such rows). Infinity when the
   * ports explain them.
   */
  public static double switchRate(double alpha, double beta, List<RingSample> rings,
      double segmentBytes) {
    return switchRate(alpha, beta, 0, rings, segmentBytes);
  }

  /** {@link #switchRate(double, double, List, double)} with the reductions' time (gamma) too. */
  public static double switchRate(double alpha, double beta, double gamma,
      List<RingSample> rings, double segmentBytes) {
    Network ports = new Network("ports", alpha, beta, Double.POSITIVE_INFINITY, gamma, "");
    // the rows of the most ranks (3 or more) at the largest size: there the most flows cross the
    // "switch" at once, and the bytes, not the latencies, set the time
    int most = rings.stream().mapToInt(RingSample::ranks).max().orElse(0);
    double largest = rings.stream().filter(r -> r.ranks() == most).mapToDouble(
        RingSample::bytes).max().orElse(0);
    List<Double> rates = new java.util.ArrayList<>();
    for (RingSample r : rings) {
      if (most < 3 || r.ranks() != most || r.bytes() < largest) {
        continue;
      }
      List<SyncCost.Phase> phases = SyncCost.ring(r.ranks(), r.bytes(), segmentBytes);
      double predicted = SyncCost.seconds(phases, ports);
      if (r.seconds() > 1.05 * predicted) {
        double latency = 0;
        double total = 0;
        for (SyncCost.Phase ph : phases) {
          // not the exposed copies (copyBytes): the switch's rate holds them (SyncCost.Phase)
          latency += ph.messages() * alpha + ph.workBytes() * gamma;
          total += ph.totalBytes();
        }
        rates.add(total / Math.max(1e-9, r.seconds() - latency));
      }
    }
    if (rates.isEmpty()) {
      return Double.POSITIVE_INFINITY;
    }
    // the median over repeated runs: of two (a calibration before and one after a long
    // measurement) their mean, not the faster one
    return Stats.of(rates.stream().mapToDouble(Double::doubleValue).toArray()).median();
  }

  /** Writes the network with its provenance (atomically). */
  public static void write(Path file, Network net, String provenance) throws IOException {
    write(file, net, Map.of(), provenance);
  }

  /** Writes the network, gamma per rank count ({@code gamma_s_per_byte.ranks<p>}), provenance. */
  public static void write(Path file, Network net, Map<Integer, Double> gammaByRanks,
      String provenance) throws IOException {
    write(file, net, gammaByRanks, ServerCost.NONE, Double.NaN, provenance);
  }

  /**
   * {@link #write(Path, Network, Map, String)} with the servers' own work per byte
   * ({@code server_rows_s_per_byte}, {@code server_shard_s_per_byte},
   * {@code server_shard_s_per_byte_per_worker}) when measured, and the emulated link's goodput
   * ({@code link_Bps}, for {@link #readBinding}) where known ({@code linkBytesPerSecond} > 0;
   * NaN: not known).
   */
  public static void write(Path file, Network net, Map<Integer, Double> gammaByRanks,
      ServerCost srv, double linkBytesPerSecond, String provenance) throws IOException {
    StringBuilder perRanks = new StringBuilder();
    if (linkBytesPerSecond > 0) {
      perRanks.append(String.format(Locale.ROOT, "%s=%.6g%n", LINK, linkBytesPerSecond));
    }
    if (srv.measured()) {
      perRanks.append(String.format(Locale.ROOT, "server_rows_s_per_byte=%.9g%n"
          + "server_shard_s_per_byte=%.9g%nserver_shard_s_per_byte_per_worker=%.9g%n",
          srv.secondsPerRowByte(), srv.secondsPerShardByte(),
          srv.secondsPerShardBytePerWorker()));
    }
    new TreeMap<>(gammaByRanks).forEach((p, g) -> perRanks.append(String.format(Locale.ROOT,
        GAMMA_BY_RANKS + "%d=%.9g%n", p, g)));
    String text = String.format(Locale.ROOT, """
        # P-Screen2Vec network calibration (read by 'bin/pscreen2vec project --calibration')
        # %s
        name=%s
        alpha_s=%.9g
        beta_s_per_byte=%.9g
        bandwidth_GBps=%.6f
        switch_Bps=%s
        gamma_s_per_byte=%.9g
        wire_s_per_byte=%.9g
        %sprovenance=%s
        """, provenance.replace("\n", " "), net.name(), net.alphaSeconds(),
        net.betaSecondsPerByte(), net.bandwidth() / 1e9,
        Double.isInfinite(net.switchBytesPerSecond()) ? "inf"
            : String.format(Locale.ROOT, "%.6g", net.switchBytesPerSecond()),
        net.gammaSecondsPerByte(), net.wireSecondsPerByte(), perRanks,
        provenance.replace("\n", " "));
    AtomicFiles.writeString(file, text);
  }

  /** Reads a file {@link #write} wrote; the message names the file and the key. */
  public static Network read(Path file) throws IOException {
    return read(file, load(file));
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    return p;
  }

  private static Network read(Path file, Properties p) {
    double alpha = number(p, file, "alpha_s");
    double beta = number(p, file, "beta_s_per_byte");
    String sw = p.getProperty("switch_Bps", "inf").trim();
    double switchRate = sw.equals("inf") ? Double.POSITIVE_INFINITY : number(p, file, "switch_Bps");
    double gamma = p.getProperty("gamma_s_per_byte") == null ? 0
        : number(p, file, "gamma_s_per_byte");
    // the wire's own time per byte (beta without the nodes' copies; the link's goodput), where
    // the calibration knew the link's rate; else beta
    double wire = p.getProperty("wire_s_per_byte") == null ? beta
        : Math.min(beta, number(p, file, "wire_s_per_byte"));
    try {
      return new Network(p.getProperty("name", file.getFileName().toString()), alpha, beta,
          switchRate, gamma, wire, "calibration " + file + ": "
          + p.getProperty("provenance", "?"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  /**
   * The network of a calibration file as seen by {@code ranks} ranks of one host: its gamma for
   * that rank count when the file has one ({@code gamma_s_per_byte.ranks<p>}), else the overall;
   * and the file's gammas by rank count, for phases in which fewer ranks reduce at once
   * ({@link Network#gammaFor}).
   */
  public static Network readForRanks(Path file, int ranks) throws IOException {
    Properties p = load(file);
    Network net = read(file, p);
    Map<Integer, Double> byRanks = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith(GAMMA_BY_RANKS)) {
        String k = key.substring(GAMMA_BY_RANKS.length());
        if (!k.matches("[1-9][0-9]{0,5}")) {
          throw new IllegalArgumentException(file + ": key '" + key + "': expected "
              + GAMMA_BY_RANKS + "<ranks>, ranks a whole number >= 1");
        }
        byRanks.put(Integer.parseInt(k), number(p, file, key));
      }
    }
    try {
      net = net.withGammaByRanks(byRanks);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
    Double own = byRanks.get(ranks);
    return own == null ? net : net.withGamma(own);
  }

  /**
   * What bounded the calibration's collectives, the emulated links or the host, where the file
   * knows the links' goodput ({@code link_Bps}, written when the bench ran under {@code -emulate});
   * else null.
   */
  public static LinkBinding readBinding(Path file) throws IOException {
    Properties p = load(file);
    if (p.getProperty(LINK) == null) {
      return null;
    }
    try {
      return LinkBinding.of(read(file, p), number(p, file, LINK));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  /** The servers' own work per byte a calibration measured, or {@link ServerCost#NONE}. */
  public static ServerCost readServerCost(Path file) throws IOException {
    Properties p = load(file);
    if (p.getProperty("server_rows_s_per_byte") == null) {
      return ServerCost.NONE;
    }
    try {
      return new ServerCost(number(p, file, "server_rows_s_per_byte"),
          number(p, file, "server_shard_s_per_byte"),
          number(p, file, "server_shard_s_per_byte_per_worker"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  /**
   * The dense part of a server's work from rows of (workers, bytes all workers pushed, seconds):
   * time / shard bytes = apply + workers * per-worker, by least squares over the worker counts
   * (one worker count: all of it per worker). Returns {apply, per worker}, each >= 0.
   */
  public static double[] fitShard(List<RingSample> rows) {
    int n = rows.size();
    if (n == 0) {
      return new double[] {0, 0};
    }
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (RingSample r : rows) {
      double x = r.ranks();
      double y = r.seconds() / (r.bytes() / r.ranks());
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double den = n * sxx - sx * sx;
    if (Math.abs(den) < 1e-12) {
      return new double[] {0, sy / sx};
    }
    double slope = Math.max(0, (n * sxy - sx * sy) / den);
    double apply = Math.max(0, (sy - slope * sx) / n);
    return new double[] {apply, slope};
  }

  /** Seconds per byte of a server's own work: the median of time / bytes over the rows. */
  public static double fitPerByte(List<Sample> rows) {
    return rows.isEmpty() ? 0
        : Stats.of(rows.stream().mapToDouble(s -> s.seconds() / s.bytes()).toArray()).median();
  }

  private static double number(Properties p, Path file, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException(file + ": key '" + key + "' is missing (write the file "
          + "with 'bin/pscreen2vec project --calibrate')");
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": key '" + key + "' is not a number: '" + v
          + "'");
    }
  }
}
