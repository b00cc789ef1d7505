package org.pscreen2vec.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.study.StudyConfig;
import org.pscreen2vec.study.StudyReport;

/**
 * {@code report}: reads a study's folder ({@code <results>/<study>/}) and writes its plots
 * ({@code plots/<study>/*.png}) and {@code REPORT.md} next to the runs.
 */
public final class ReportCommand implements Subcommand {
  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "plots and REPORT.md of a study (speed-up, efficiency, time split, bytes, verdict)";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> STUDY = Opt.text("study", "NAME", null, null,
      "the study's name: its runs are in <results>/NAME/ (written by 'study'); required");
  static final Opt<String> PLOTS = Opt.text("plots", "DIR", null,
      "plots/NAME/ of this project", "where the PNG files go");

  @Override
  public Options options() {
    return Opt.options(STUDY, PLOTS);
  }

  @Override
  public String helpFooter() {
    return """
        Example:
          bin/pscreen2vec report --study local
        Reads <results>/NAME/study.properties, runs.csv and every run folder; writes
        <results>/NAME/REPORT.md and plots/NAME/{speedup,efficiency,time-split,bytes,
        loss-time}.png. Every number in the report is computed from those files.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    String name = STUDY.get(cl);
    if (name == null) {
      throw new UsageException("--study NAME is required (a study run into <results>/NAME/, "
          + "e.g. local)");
    }
    Path home = Paths.get(System.getProperty("pscreen2vec.home", ".")).toAbsolutePath();
    Path dir = ctx.resultsRoot().toAbsolutePath().resolve(name);
    Path file = dir.resolve("study.properties");
    if (!Files.isRegularFile(file)) {
      throw new UsageException("no study '" + name + "' in " + ctx.resultsRoot() + " (" + file
          + " is missing): run 'bin/pscreen2vec study --config configs/study/" + name
          + ".properties' first");
    }
    StudyConfig study;
    try {
      study = StudyConfig.load(file, home);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Path plots = Paths.get(PLOTS.get(cl, home.resolve("plots").resolve(name).toString())).toAbsolutePath();
    StudyReport.Written w = StudyReport.write(study, dir, plots);
    if (w == null) {
      System.err.println("report: no complete run in " + dir + " (see " + dir.resolve("runs.csv")
          + ")");
      return ExitCode.BAD_INPUT;
    }
    System.out.println("report: " + w.runs() + " run(s) -> " + w.report());
    System.out.println("report: plots in " + plots + " (" + String.join(", ", w.plots()) + ")");
    return ExitCode.OK;
  }
}
