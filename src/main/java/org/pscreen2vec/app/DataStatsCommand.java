package org.pscreen2vec.app;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.data.RicoData;
import org.pscreen2vec.data.RicoReader;
import org.pscreen2vec.run.RunContext;

/** {@code data-stats}: reads a RICO-format folder and prints what it found. */
public final class DataStatsCommand implements Subcommand {
  @Override
  public String name() {
    return "data-stats";
  }

  @Override
  public String summary() {
    return "read a RICO-format folder (real or generated) and print what it holds";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("data").hasArg().argName("DIR")
        .desc("the RICO folder (default " + DataPaths.SYNTHETIC + " in the project folder)")
        .get());
    o.addOption(Option.builder().longOpt("strict")
        .desc("stop with exit status 4 at the first broken file, naming it (default: skip it, "
            + "count the reason, go on)").get());
    o.addOption(Option.builder().longOpt("combined")
        .desc("also read combined/<id>.json").get());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
        .desc("parser threads (default: all cores)").get());
    return o;
  }

  @Override
  public String helpFooter() {
    return """
        Prints traces, screens kept and skipped (by reason, with the first paths), repairs,
        components and nodes per screen, tree depth and the class histogram.
        Examples:
          bin/pscreen2vec data-stats
          bin/pscreen2vec data-stats --data ~/rico --strict
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    Path dir = DataPaths.orDefault(cl.getOptionValue("data"));
    RicoReader.Options o = RicoReader.Options.defaults()
        .withStrict(cl.hasOption("strict"))
        .withCombined(cl.hasOption("combined"));
    o = o.withThreads(CommonOptions.intValue(cl, "threads", o.threads(), 1, 1024));
    long t0 = System.nanoTime();
    RicoData data;
    try {
      data = new RicoReader(o).scan(dir); // statistics only: keeps no screens
    } catch (BadInputException e) {
      System.err.println("pscreen2vec data-stats: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "data-stats: %s read in %.2f s (%.0f screens/s)%n", dir, sec,
        data.stats().files() / Math.max(sec, 1e-9));
    System.out.print(data.stats().format());
    return ExitCode.OK;
  }
}
