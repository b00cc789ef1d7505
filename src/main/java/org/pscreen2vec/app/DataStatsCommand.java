package org.pscreen2vec.app;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
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

  static final Opt<String> DATA = Opt.text("data", "DIR", null,
      DataPaths.SYNTHETIC + " in the project folder", "the RICO folder");
  static final Opt<Boolean> STRICT = Opt.flag("strict", "stop with exit status 4 at the first "
      + "broken file, naming it (without it: skip the file, count the reason, go on)");
  static final Opt<Boolean> COMBINED = Opt.flag("combined", "also read combined/<id>.json");
  static final Opt<Integer> THREADS = Opt.integer("threads", "T", "all cores", 1, 1024,
      "parser threads");

  @Override
  public Options options() {
    return Opt.options(DATA, STRICT, COMBINED, THREADS);
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
    Path dir = DataPaths.orDefault(DATA.get(cl));
    RicoReader.Options o = RicoReader.Options.defaults()
        .withStrict(STRICT.get(cl))
        .withCombined(COMBINED.get(cl));
    o = o.withThreads(THREADS.get(cl, o.threads()));
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
