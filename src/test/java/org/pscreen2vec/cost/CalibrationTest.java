package org.pscreen2vec.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fit recovers alpha and beta from exact times; the file round-trips; bad files are named. */
class CalibrationTest {
  @Test
  void fitRecoversAlphaAndBeta() {
    List<Calibration.Sample> s = new ArrayList<>();
    for (double b = 4096; b <= 64 << 20; b *= 4) {
      s.add(new Calibration.Sample(b, 2e-4 + b * 8.5e-9));
    }
    double[] ab = Calibration.fitAlphaBeta(s);
    assertEquals(2e-4, ab[0], 1e-9);
    assertEquals(8.5e-9, ab[1], 1e-15);
    assertThrows(IllegalArgumentException.class,
        () -> Calibration.fitAlphaBeta(List.of(new Calibration.Sample(1, 1))));
    // a slow small message (a loaded host) moves alpha by its share of the median only
    s.set(0, new Calibration.Sample(4096, 0.05));
    double[] noisy = Calibration.fitAlphaBeta(s);
    assertEquals(8.5e-9, noisy[1], 1e-15);
    assertTrue(noisy[0] < 2e-4 + 1e-3, "alpha " + noisy[0]);
  }

  @Test
  void switchRateOnlyWhereThePortsDoNotExplainTheRing() {
    double beta = 1e-8;
    double n = 64e6;
    double ports = portsSeconds(n, beta);
    assertTrue(Double.isInfinite(Calibration.switchRate(0, beta,
        List.of(new Calibration.RingSample(4, n, ports)), 0)));
    // twice as slow: the switch moved 2(p-1) n bytes in that time
    double rate = Calibration.switchRate(0, beta,
        List.of(new Calibration.RingSample(4, n, 2 * ports)), 0);
    assertEquals(6 * n / (2 * ports), rate, 1e-6 * rate);
  }

  @Test
  void ofTwoRunsTheMedianIsTheirMean() {
    // two calibrations fitted together (one before a long measurement, one after): the switch
    // rate and the servers' rates are the runs' mean, not the faster run's
    double beta = 1e-8;
    double n = 64e6;
    double ports = portsSeconds(n, beta);
    double two = Calibration.switchRate(0, beta, List.of(new Calibration.RingSample(4, n,
        2 * ports), new Calibration.RingSample(4, n, 3 * ports)), 0);
    double mean = (6 * n / (2 * ports) + 6 * n / (3 * ports)) / 2;
    assertEquals(mean, two, 1e-9 * mean);
    assertEquals(2.5e-9, Calibration.fitPerByte(List.of(new Calibration.Sample(1e6, 2e-3),
        new Calibration.Sample(1e6, 3e-3))), 1e-21);
    assertEquals(0, Calibration.fitPerByte(List.of()));
  }

  /** A 4-rank ring of n bytes where only the ports (beta, no latency) set the time. */
  private static double portsSeconds(double n, double beta) {
    return SyncCost.seconds(SyncCost.ring(4, n, 0),
        new Network("p", 0, beta, Double.POSITIVE_INFINITY, ""));
  }

  @Test
  void gammaIsTheSlopeOfTheReduceRows() {
    List<Calibration.Sample> s = new ArrayList<>();
    for (double b = 4096; b <= 64 << 20; b *= 4) {
      s.add(new Calibration.Sample(b, b * 3.5e-10 + (b < (1 << 20) ? 1e-3 : 0)));
    }
    // the rows below 1 MiB (here with a start-up cost) are left out of the slope
    assertEquals(3.5e-10, Calibration.fitGamma(s), 1e-22);
    assertEquals(0, Calibration.fitGamma(List.of()));
    // the ring's own reductions are not taken for a slow switch
    double beta = 1e-8;
    double n = 64e6;
    Network ports = new Network("p", 0, beta, Double.POSITIVE_INFINITY, 3.5e-10, "");
    double t = SyncCost.seconds(SyncCost.ring(4, n, 0), ports);
    assertTrue(Double.isInfinite(Calibration.switchRate(0, beta, 3.5e-10,
        List.of(new Calibration.RingSample(4, n, t)), 0)));
  }

  @Test
  void gammaPerRankCountRoundTrips(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("cal.properties");
    Network n = new Network("cal", 3e-5, 9e-9, 3e8, 4e-10, "");
    Calibration.write(f, n, java.util.Map.of(2, 2e-10, 4, 6e-10), "test");
    assertEquals(4e-10, Calibration.read(f).gammaSecondsPerByte(), 1e-22);
    assertEquals(2e-10, Calibration.readForRanks(f, 2).gammaSecondsPerByte(), 1e-22);
    assertEquals(6e-10, Calibration.readForRanks(f, 4).gammaSecondsPerByte(), 1e-22);
    assertEquals(4e-10, Calibration.readForRanks(f, 3).gammaSecondsPerByte(), 1e-22);
    // the table comes along for phases with fewer reducers: one reducer takes the fewest ranks'
    assertEquals(2e-10, Calibration.readForRanks(f, 4).gammaFor(1), 1e-22);
    assertEquals(6e-10, Calibration.readForRanks(f, 4).gammaFor(4), 1e-22);
    // a job's own gamma caps it: 3 ranks (overall 4e-10) with 4 reducing at once
    assertEquals(4e-10, Calibration.readForRanks(f, 3).gammaFor(4), 1e-22);
    assertTrue(Calibration.read(f).gammaByRanks().isEmpty());
    // a bad rank count in a key is named with the file
    Files.writeString(f, Files.readString(f) + "gamma_s_per_byte.ranksx=1e-10\n");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> Calibration.readForRanks(f, 2));
    assertTrue(bad.getMessage().contains(f.toString())
        && bad.getMessage().contains("gamma_s_per_byte.ranksx"), bad.getMessage());
    // a file without gamma (written before it existed) reads as gamma 0
    Files.writeString(f, "alpha_s=1e-5\nbeta_s_per_byte=1e-9\n");
    assertEquals(0, Calibration.read(f).gammaSecondsPerByte());
    assertEquals(ServerCost.NONE, Calibration.readServerCost(f));
  }

  @Test
  void serverWorkRoundTripsAndIsTheMedianPerByte(@TempDir Path dir) throws Exception {
    // time / bytes of 3 rows: 2, 3 and 10 ns per byte -> the median, 3
    assertEquals(3e-9, Calibration.fitPerByte(List.of(new Calibration.Sample(1e6, 2e-3),
        new Calibration.Sample(2e6, 6e-3), new Calibration.Sample(1e6, 1e-2))), 1e-21);
    Path f = dir.resolve("cal.properties");
    Network n = new Network("cal", 3e-5, 9e-9, 3e8, 4e-10, "");
    Calibration.write(f, n, java.util.Map.of(), new ServerCost(3e-9, 1.5e-9, 1e-10), Double.NaN,
        "test");
    assertEquals(new ServerCost(3e-9, 1.5e-9, 1e-10), Calibration.readServerCost(f));
    // the shard: time / (bytes / workers) = 1.5 ns + workers * 0.1 ns, exactly on 2, 3 and 4
    List<Calibration.RingSample> dense = new ArrayList<>();
    for (int p = 2; p <= 4; p++) {
      double shard = 8e6;
      dense.add(new Calibration.RingSample(p, p * shard, shard * (1.5e-9 + p * 1e-10)));
    }
    double[] fit = Calibration.fitShard(dense);
    assertEquals(1.5e-9, fit[0], 1e-18);
    assertEquals(1e-10, fit[1], 1e-18);
    assertEquals(9e-9, Calibration.read(f).betaSecondsPerByte(), 1e-21);
  }

  @Test
  void fileRoundTripsAndBadKeysAreNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("cal.properties");
    Network n = new Network("cal", 3e-5, 9e-9, 3e8, "");
    Calibration.write(f, n, "test provenance, host x");
    Network back = Calibration.read(f);
    assertEquals(n.alphaSeconds(), back.alphaSeconds(), 1e-15);
    assertEquals(n.betaSecondsPerByte(), back.betaSecondsPerByte(), 1e-20);
    assertEquals(3e8, back.switchBytesPerSecond(), 1);
    assertEquals(9e-9, back.wireSecondsPerByte(), 1e-20); // no wire given: beta
    assertTrue(Files.readString(f).contains("provenance=test provenance"));
    Calibration.write(f, n.withWire(8e-9), "with the wire");
    assertEquals(8e-9, Calibration.read(f).wireSecondsPerByte(), 1e-20);
    assertEquals(8e-9, Calibration.readForRanks(f, 3).wireSecondsPerByte(), 1e-20);
    Files.writeString(f, "alpha_s=x\nbeta_s_per_byte=1e-9\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Calibration.read(f));
    assertTrue(e.getMessage().contains("alpha_s"), e.getMessage());
  }

  @Test
  void autoPicksServersForASparseTableAndRingOtherwise() {
    Network net = Network.named("1gbe");
    List<AutoChoice.Table> t = List.of(new AutoChoice.Table("text", 64e6, 1600 * 260));
    assertEquals("ring", AutoChoice.choose(1e7, t, 4, 0, net, 16 << 20).strategy());
    assertEquals("hybrid", AutoChoice.choose(1e7, t, 4, 1, net, 16 << 20).strategy());
    // a table touched whole is cheaper by ring on 2 workers than through one server
    List<AutoChoice.Table> dense = List.of(new AutoChoice.Table("t", 64e6, 64e6 * 1.02));
    // then every block is on ring: plain ring, the server idle, and the log says so
    AutoChoice.Decision d = AutoChoice.choose(1e7, dense, 2, 1, net, 16 << 20);
    assertEquals("ring", d.strategy());
    assertTrue(d.reasons().stream().anyMatch(r -> r.startsWith("every block on ring")
        && r.endsWith("the 1 server rank is idle")), d.toString());
    // without tables the same: ring, with ring's time against the servers' in the log
    AutoChoice.Decision mlp = AutoChoice.choose(1e6, List.of(), 2, 3, net, 16 << 20);
    assertEquals("ring", mlp.strategy());
    assertTrue(mlp.reasons().stream().anyMatch(r -> r.matches("every block on ring "
        + "\\(predicted [0-9.]+ ms vs [0-9.]+ ms with the servers\\); the 3 server ranks are "
        + "idle")), mlp.toString());
  }
}
