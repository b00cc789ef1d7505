package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.app.ExitCode;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.Network;

/**
 * {@code project --calibrate A.csv,B.csv}: one calibration fitted from the rows of two bench runs
 * (one before a long measurement, one after) is the calibration of the two files' rows in one
 * file; a missing file or an empty name in the list is a usage error that names it.
 */
class ProjectCalibrateTest {
  @TempDir
  Path dir;

  private static final double ALPHA = 1e-3;
  private static final double BETA = 1e-9;
  private static final String HEADER = "device,algorithm,ranks,bytes,iterations,time_ms_median,"
      + "time_ms_min,time_ms_max,algbw_GBps,busbw_GBps,wrong,segment_bytes,job_id,cpu_ms\n";

  /** A bench run's rows: p2p exactly alpha + bytes * beta, one 4-rank 64 MiB ring in ringMs. */
  private static String rows(double ringMs) {
    StringBuilder b = new StringBuilder();
    for (long bytes : new long[] {4096, 65536, 1 << 20, 4 << 20, 16 << 20, 64 << 20}) {
      double ms = 1e3 * (ALPHA + bytes * BETA);
      b.append(String.format(Locale.ROOT, "niodev,p2p,2,%d,5,%.9f,%.9f,%.9f,0,0,0,4194304,j,0%n",
          bytes, ms, ms, ms));
    }
    return b.append(String.format(Locale.ROOT,
        "niodev,ring,4,67108864,5,%.6f,%.6f,%.6f,0,0,0,4194304,j,0%n", ringMs, ringMs, ringMs))
        .toString();
  }

  private Network calibrate(String list, String name) throws Exception {
    Path cal = dir.resolve(name + ".properties");
    assertEquals(ExitCode.OK, Main.runPlain(new String[] {"project", "--calibrate", list,
        "--calibration", cal.toString()}));
    return Calibration.read(cal);
  }

  @Test
  void twoFilesAreFittedAsTheirRowsTogether() throws Exception {
    Path before = Files.writeString(dir.resolve("before.csv"), HEADER + rows(300));
    Path after = Files.writeString(dir.resolve("after.csv"), HEADER + rows(450));
    Path both = Files.writeString(dir.resolve("both.csv"), HEADER + rows(300) + rows(450));
    Network listed = calibrate(before + "," + after, "listed");
    Network joined = calibrate(both.toString(), "joined");
    Network first = calibrate(before.toString(), "first");
    Network second = calibrate(after.toString(), "second");
    assertEquals(joined.alphaSeconds(), listed.alphaSeconds(), 0);
    assertEquals(joined.betaSecondsPerByte(), listed.betaSecondsPerByte(), 0);
    assertEquals(joined.switchBytesPerSecond(), listed.switchBytesPerSecond(), 0);
    // the rows are exact, so the fit is the generator's (to the file's 9 digits)
    assertEquals(ALPHA, listed.alphaSeconds(), 1e-6 * ALPHA);
    assertEquals(BETA, listed.betaSecondsPerByte(), 1e-6 * BETA);
    // two rings, one rate each: the switch is their mean (of two runs the median)
    double mean = (first.switchBytesPerSecond() + second.switchBytesPerSecond()) / 2;
    assertTrue(first.switchBytesPerSecond() > second.switchBytesPerSecond(), first.describe());
    assertEquals(mean, listed.switchBytesPerSecond(), 1e-5 * mean);
    String provenance = Files.readString(dir.resolve("listed.properties"));
    assertTrue(provenance.contains(before.toString()) && provenance.contains(after.toString()),
        provenance);
  }

  @Test
  void reduceRowsOfRankZeroAloneGiveGammaForOneReducerOnly() throws Exception {
    // a += b at 1 ns per byte for 2 ranks at once, 3 ns for 4, 0.5 ns for rank 0 alone
    StringBuilder b = new StringBuilder(HEADER).append(rows(300));
    for (long bytes : new long[] {16 << 20, 64 << 20}) {
      for (double[] rg : new double[][] {{2, 1e-9}, {4, 3e-9}, {1, 0.5e-9}}) {
        double ms = 1e3 * bytes * rg[1];
        b.append(String.format(Locale.ROOT, "niodev,reduce,%d,%d,5,%.6f,%.6f,%.6f,0,0,0,4194304,"
            + "j,0%n", (int) rg[0], bytes, ms, ms, ms));
      }
    }
    Path csv = Files.writeString(dir.resolve("reduce.csv"), b.toString());
    Path cal = dir.resolve("reduce.properties");
    calibrate(csv.toString(), "reduce");
    // the overall gamma is the rows where every rank reduces at once (2 and 4 ranks, equal
    // sizes: the mean slope, 2 ns), not the lone rank's
    assertEquals(2e-9, Calibration.read(cal).gammaSecondsPerByte(), 1e-6 * 2e-9);
    Network four = Calibration.readForRanks(cal, 4);
    assertEquals(3e-9, four.gammaSecondsPerByte(), 1e-6 * 3e-9);
    assertEquals(0.5e-9, four.gammaFor(1), 1e-6 * 0.5e-9); // star's root
    assertEquals(1e-9, four.gammaFor(2), 1e-6 * 1e-9); // MPJ's first level on 4 ranks
  }

  @Test
  void theLinkRateGivesTheWireAndWhatBoundTheCollectives() throws Exception {
    // p2p at 1 ns/B (1 GB/s) on a 10 Gbit/s link (1.18 GB/s goodput), a switch below 4 links
    Path csv = Files.writeString(dir.resolve("ten.csv"), HEADER + rows(300));
    Path cal = dir.resolve("ten.properties");
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertEquals(ExitCode.OK, Main.runPlain(new String[] {"project", "--calibrate",
          csv.toString(), "--calibration", cal.toString(), "--link", "10gbit"}));
    } finally {
      System.setOut(saved);
    }
    String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(printed.contains("The host, not the emulated links, bounded this calibration's "
        + "collectives: one message moved 1.000 GB/s, 85 % of a link's TCP goodput"), printed);
    assertEquals(Network.wireOf("10gbit"), Calibration.read(cal).wireSecondsPerByte(), 1e-17);
    assertEquals(1 / Network.wireOf("10gbit"), Calibration.readBinding(cal).linkBytesPerSecond(),
        1e-5 / Network.wireOf("10gbit"));
    assertTrue(Files.readString(cal).contains(", link 10gbit"), "in the provenance");
    if (System.getenv("PSCREEN2VEC_EMULATE") == null) { // as in make test and CI
      calibrate(csv.toString(), "plain"); // no link rate: no binding to state
      assertEquals(null, Calibration.readBinding(dir.resolve("plain.properties")));
    }
  }

  @Test
  void aBadLinkRateOrALinkWithoutCalibrateIsAUsageError() throws Exception {
    Path csv = Files.writeString(dir.resolve("r.csv"), HEADER + rows(300));
    Path cal = dir.resolve("bad.properties");
    String err = usageError(csv.toString(), cal, "--link", "10 furlongs");
    assertTrue(err.contains("link rate '10 furlongs' (--link or PSCREEN2VEC_EMULATE): expected "
        + "RATE[,LATENCY]"), err);
    assertTrue(Files.notExists(cal), "nothing written after a usage error");
    assertEquals(ExitCode.USAGE, Main.runPlain(new String[] {"project", "--validate",
        csv.toString(), "--calibration", cal.toString(), "--link", "10gbit"}), "--link alone");
  }

  @Test
  void aMissingFileOrAnEmptyNameIsAUsageError() throws Exception {
    Path before = Files.writeString(dir.resolve("before.csv"), HEADER + rows(300));
    Path cal = dir.resolve("cal.properties");
    Path missing = dir.resolve("no-such.csv");
    String err = usageError(before + "," + missing, cal);
    assertTrue(err.contains(missing + ": no such file"), err);
    err = usageError(before + ",", cal);
    assertTrue(err.contains("an empty file name"), err);
    assertTrue(Files.notExists(cal), "nothing written after a usage error");
  }

  /** Runs --calibrate LIST (and more), expects a usage error, returns its stderr. */
  private static String usageError(String list, Path cal, String... more) {
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      List<String> args = new java.util.ArrayList<>(List.of("project", "--calibrate", list,
          "--calibration", cal.toString()));
      args.addAll(List.of(more));
      assertEquals(ExitCode.USAGE, Main.runPlain(args.toArray(new String[0])));
    } finally {
      System.setErr(saved);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
