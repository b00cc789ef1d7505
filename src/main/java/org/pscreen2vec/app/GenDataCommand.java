package org.pscreen2vec.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
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

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
        .desc("output folder (default " + DataPaths.SYNTHETIC + " in the project folder)").get());
    o.addOption(Option.builder().longOpt("screens").hasArg().argName("N")
        .desc("screens over all traces (default " + DEFAULT_SCREENS + "; RICO has about 70000)")
        .get());
    o.addOption(Option.builder().longOpt("apps").hasArg().argName("A")
        .desc("apps (default: one per 60 screens, at least 2)").get());
    o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
        .desc("seed; the same seed and sizes give identical files (default 1)").get());
    o.addOption(Option.builder().longOpt("min-trace").hasArg().argName("L")
        .desc("shortest trace in screens (default 3)").get());
    o.addOption(Option.builder().longOpt("max-trace").hasArg().argName("L")
        .desc("longest trace in screens (default 15)").get());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("writer threads (default: all cores); does not change the output").get());
    o.addOption(Option.builder().longOpt("force")
        .desc("replace a data set already in the output folder").get());
    o.addOption(Option.builder().longOpt("verify")
        .desc("read the result back with the RICO reader and check every screen").get());
    return o;
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
    Path out = DataPaths.orDefault(cl.getOptionValue("out"));
    int screens = CommonOptions.intValue(cl, "screens", DEFAULT_SCREENS, 1, 10_000_000);
    SyntheticRico.Config d = SyntheticRico.Config.of(1, screens);
    long seed = CommonOptions.longValue(cl, "seed", 1, Long.MIN_VALUE);
    int apps = CommonOptions.intValue(cl, "apps", d.apps(), 1, screens);
    int minTrace = CommonOptions.intValue(cl, "min-trace", d.minTrace(), 1, 10_000);
    int maxTrace = CommonOptions.intValue(cl, "max-trace", Math.max(minTrace, d.maxTrace()),
        minTrace, 10_000);
    int threads = CommonOptions.intValue(cl, "threads", d.threads(), 1, 1024);
    SyntheticRico.Config config = new SyntheticRico.Config(seed, screens, apps, minTrace,
        maxTrace, threads);

    if (Files.exists(out.resolve("filtered_traces"))) {
      if (!cl.hasOption("force")) {
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
    if (cl.hasOption("verify")) {
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
