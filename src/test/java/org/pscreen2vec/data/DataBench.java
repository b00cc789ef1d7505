package org.pscreen2vec.data;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Generation and loading speed of the synthetic RICO set (not a unit test; run by hand):
 * {@code java -cp target-data/test-classes:target-data/classes:CP org.pscreen2vec.data.DataBench
 * SCREENS RUNS THREADS}. Prints wall and process CPU seconds per run, and the median; the first run
 * of each phase warms the JIT and is excluded.
 */
public final class DataBench {
  private DataBench() {}

  public static void main(String[] args) throws Exception {
    int screens = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int threads = args.length > 2 ? Integer.parseInt(args[2])
        : Runtime.getRuntime().availableProcessors();
    Path dir = Files.createTempDirectory("rico-bench");
    double[] gen = new double[runs];
    double[] genCpu = new double[runs];
    double[] load = new double[runs];
    double[] loadCpu = new double[runs];
    for (int r = -1; r < runs; r++) {
      Path out = dir.resolve("run" + (r + 1));
      SyntheticRico.Config c = SyntheticRico.Config.of(1, screens);
      c = new SyntheticRico.Config(1, screens, c.apps(), c.minTrace(), c.maxTrace(), threads);
      long cpu0 = cpu();
      long t0 = System.nanoTime();
      SyntheticRico.Summary s = SyntheticRico.generate(c, out, null);
      double g = (System.nanoTime() - t0) / 1e9;
      double gc = (cpu() - cpu0) / 1e9;
      cpu0 = cpu();
      t0 = System.nanoTime();
      RicoData d = new RicoReader(RicoReader.Options.defaults().withThreads(threads)).read(out);
      double l = (System.nanoTime() - t0) / 1e9;
      double lc = (cpu() - cpu0) / 1e9;
      System.out.printf(Locale.ROOT, "%s: generate %d screens (%.1f MB) %.2f s wall %.2f s cpu "
          + "(%.0f screens/s); load %d screens %.2f s wall %.2f s cpu (%.0f screens/s)%n",
          r < 0 ? "warm-up" : "run " + r, s.screens(), s.bytes() / 1e6, g, gc, screens / g,
          d.stats().screensKept(), l, lc, screens / l);
      if (r >= 0) {
        gen[r] = g;
        genCpu[r] = gc;
        load[r] = l;
        loadCpu[r] = lc;
      }
      org.pscreen2vec.data.cli.TestFiles.deleteTree(out);
    }
    System.out.printf(Locale.ROOT, "median of %d: generate %.2f s wall (%.0f screens/s), %.2f s "
        + "cpu; load %.2f s wall (%.0f screens/s), %.2f s cpu; %d threads, %d cores%n", runs,
        median(gen), screens / median(gen), median(genCpu), median(load),
        screens / median(load), median(loadCpu), threads,
        Runtime.getRuntime().availableProcessors());
    Files.deleteIfExists(dir);
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
