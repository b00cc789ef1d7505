package org.pscreen2vec.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.data.RicoData;
import org.pscreen2vec.data.RicoReader;
import org.pscreen2vec.data.SyntheticRico;
import org.pscreen2vec.run.RunContext;

/** {@code gen-data}: writes a synthetic RICO-format data set and prints its statistics. */
public final class GenDataCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(GenDataCommand.class);
  static final int DEFAULT_SCREENS = 5000;

  @Override
  public String name() {
    return "gen-data";
  }

  @Override
  public String summary() {
    return "write a synthetic RICO-format data set (traces, screens, descriptions)";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> OUT = Opt.text("out", "DIR", null,
      DataPaths.SYNTHETIC + " in the project folder", "output folder");
  static final Opt<Integer> SCREENS = Opt.integer("screens", "N", DEFAULT_SCREENS, 1,
      10_000_000, "screens over all traces; RICO has about 70000");
  static final Opt<Integer> APPS = Opt.integer("apps", "A", "one per 60 screens, at least 2", 1,
      10_000_000, "apps, at most one per screen");
  static final Opt<Long> SEED = Opt.count("seed", "S", 1, Long.MIN_VALUE, Long.MAX_VALUE,
      "seed; the same seed and sizes give identical files");
  static final Opt<Integer> MIN_TRACE = Opt.integer("min-trace", "L", "3", 1, 10_000,
      "shortest trace in screens");
  static final Opt<Integer> MAX_TRACE = Opt.integer("max-trace", "L", "15", 1, 10_000,
      "longest trace in screens, at least --min-trace");
  static final Opt<Integer> THREADS = Opt.integer("threads", "T", "all cores", 1, 1024,
      "writer threads; does not change the output");
  static final Opt<Boolean> FORCE = Opt.flag("force",
      "replace a data set already in the output folder");
  static final Opt<Boolean> VERIFY = Opt.flag("verify",
      "read the result back with the RICO reader and check every screen");

  @Override
  public Options options() {
    return Opt.options(OUT, SCREENS, APPS, SEED, MIN_TRACE, MAX_TRACE, THREADS, FORCE, VERIFY);
  }

  @Override
  public String helpFooter() {
    return """
        Writes <out>/filtered_traces/<package>/trace_<k>/{view_hierarchies/<frame>.json,
        gestures.json}, <out>/combined/<id>.json (hard links) and <out>/app_descriptions.csv.
        Examples:
          bin/pscreen2vec gen-data
          bin/pscreen2vec gen-data --screens 70000 --out /tmp/rico-big --seed 7
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    Path out = DataPaths.orDefault(OUT.get(cl));
    int screens = SCREENS.get(cl);
    SyntheticRico.Config d = SyntheticRico.Config.of(1, screens);
    long seed = SEED.get(cl);
    int apps = APPS.get(cl, d.apps());
    if (apps > screens) {
      throw new UsageException("--apps " + apps + " is out of range: use 1.." + screens
          + " (at most one app per screen)");
    }
    int minTrace = MIN_TRACE.get(cl, d.minTrace());
    int maxTrace = MAX_TRACE.get(cl, Math.max(minTrace, d.maxTrace()));
    if (maxTrace < minTrace) {
      throw new UsageException("--max-trace " + maxTrace + " is out of range: use " + minTrace
          + "..10000 (at least --min-trace)");
    }
    int threads = THREADS.get(cl, d.threads());
    SyntheticRico.Config config = new SyntheticRico.Config(seed, screens, apps, minTrace,
        maxTrace, threads);

    if (Files.exists(out.resolve("filtered_traces"))) {
      if (!FORCE.get(cl)) {
        throw new UsageException("--out " + out + " already holds a data set "
            + "(filtered_traces/); use --force to replace it or choose another folder");
      }
      SyntheticFiles.removeDataSet(out);
    }
    LOG.info("generating {} screens of {} apps (seed {}, traces of {}..{} screens) into {}",
        screens, apps, seed, minTrace, maxTrace, out);
    long t0 = System.nanoTime();
    SyntheticRico.Summary s = SyntheticRico.generate(config, out, null);
    double sec = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "gen-data: %d screens in %d traces of %d apps, %.1f MB, in "
        + "%.2f s (%.0f screens/s) -> %s%n", s.screens(), s.traces(), s.apps(),
        s.bytes() / 1e6, sec, s.screens() / sec, out);
    System.out.print(s.stats().format());
    if (VERIFY.get(cl)) {
      return verify(out, s);
    }
    return ExitCode.OK;
  }

  private static int verify(Path out, SyntheticRico.Summary s) throws IOException {
    long t0 = System.nanoTime();
    RicoData data = new RicoReader(RicoReader.Options.defaults().withStrict(true)).scan(out);
    double sec = (System.nanoTime() - t0) / 1e9;
    boolean ok = data.stats().screensKept() == s.screens() && data.stats().screensSkipped() == 0
        && java.util.Arrays.equals(data.stats().classHistogram(), s.stats().classHistogram());
    System.out.printf(Locale.ROOT, "verify: read back %d screens in %d traces in %.2f s: %s%n",
        data.stats().screensKept(), data.stats().traces(), sec, ok ? "OK" : "MISMATCH");
    return ok ? ExitCode.OK : ExitCode.FAILED;
  }

}
