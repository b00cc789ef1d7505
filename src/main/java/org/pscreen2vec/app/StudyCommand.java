package org.pscreen2vec.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.pscreen2vec.run.AtomicFiles;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.study.Cell;
import org.pscreen2vec.study.StudyConfig;
import org.pscreen2vec.study.StudyRunner;

/**
 * {@code study}: runs the cells of a study one after another through the launcher, each repeated,
 * into {@code <results>/<study>/}; skips runs that are already complete there (so an interrupted
 * study resumes), records a failing run with its exit status and goes on.
 */
public final class StudyCommand implements Subcommand {
  @Override
  public String name() {
    return "study";
  }

  @Override
  public String summary() {
    return "run a sweep of training cells (workloads x strategies x workers ...) and record them";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> CONFIG = Opt.text("config", "FILE", null, null,
      "the study, a configs/study/*.properties file (keys: configs/study/README.md); required");
  static final Opt<Boolean> DRY_RUN = Opt.flag("dry-run",
      "list the cells (number, key, ranks, the train command) and run nothing");
  static final Opt<String> CELLS = Opt.text("cells", "LIST", null, "all",
      "run only these cells, e.g. 3 or 1,4-6 (numbers as --dry-run lists them; a Slurm array "
          + "task passes its index)");
  static final Opt<Integer> REPEATS = Opt.integer("repeats", "N", "the study's 'repeats'", 1,
      StudyConfig.MAX_REPEATS, "repeats per cell");
  static final Opt<Boolean> SLURM_GROUPS = Opt.flag("slurm-groups", "print one line per rank "
      + "count: '<ranks> <cell numbers>' (one job array each, see slurm/submit-study) and run "
      + "nothing");
  static final Opt<String> LAUNCHER = Opt.text("launcher", "PATH", null,
      "bin/pscreen2vec of this project", "the launcher that starts each run "
          + "(PSCREEN2VEC_LAUNCH=srun in its environment makes it start ranks with srun)");

  @Override
  public Options options() {
    return Opt.options(CONFIG, DRY_RUN, CELLS, REPEATS, SLURM_GROUPS, LAUNCHER);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec study --config configs/study/local.properties --dry-run
          bin/pscreen2vec study --config configs/study/local.properties
          bin/pscreen2vec report --study local
        Writes <results>/<study>/: study.properties (the study as run), runs.csv (one row per
        attempt: cell, repeat, job id, status, exit status, seconds), logs/<job id>.log, and per
        workload <workload>/summary.csv with one run folder per job. A run is complete when its
        row is in its workload's summary.csv; rerunning the study runs only what is missing.
        Exit status 0 when every run succeeded (or was complete), 1 when any failed.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    Path home = Paths.get(System.getProperty("pscreen2vec.home", ".")).toAbsolutePath();
    if (CONFIG.get(cl) == null) {
      throw new UsageException("--config FILE is required (a study, e.g. "
          + "configs/study/local.properties)");
    }
    StudyConfig study;
    try {
      study = StudyConfig.load(Paths.get(CONFIG.get(cl)), home);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    List<Cell> all = study.cells();
    if (SLURM_GROUPS.get(cl)) {
      study.cellsByRanks().forEach((ranks, cells) -> System.out.println(ranks + " "
          + String.join(",", cells.stream().map(String::valueOf).toList())));
      return ExitCode.OK;
    }
    List<Cell> cells;
    try {
      cells = Cell.select(all, CELLS.get(cl));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    int repeats = REPEATS.get(cl, study.repeats());
    Path dir = ctx.resultsRoot().toAbsolutePath().resolve(study.name());
    if (DRY_RUN.get(cl)) {
      for (Cell c : cells) {
        System.out.printf(Locale.ROOT, "%3d/%d  %-44s -np %-3d -dev %-9s %s%n", c.number(),
            all.size(), c.key(), c.ranks(), c.device(),
            String.join(" ", c.trainArgs(c.workload().name(), dir.toString())));
      }
      System.out.printf(Locale.ROOT, "%d cell(s) x %d repeat(s), %s scaling, results in %s%n",
          cells.size(), repeats, study.scaling().name().toLowerCase(Locale.ROOT), dir);
      return ExitCode.OK;
    }
    Path launcher = Paths.get(LAUNCHER.get(cl, home.resolve("bin").resolve("pscreen2vec")
        .toString()));
    if (!Files.isExecutable(launcher)) {
      throw new UsageException("launcher " + launcher + " is not an executable file");
    }
    Files.createDirectories(dir);
    // the study as run, for the report; its name stays this study's whatever the copy is called
    // (with --repeats, the count it ran with: the file's own is overridden by the last line)
    AtomicFiles.writeString(dir.resolve("study.properties"), "# " + study.file() + ", as run on "
        + java.time.Instant.now() + "\nname = " + study.name() + "\n"
        + Files.readString(study.file()) + (repeats == study.repeats() ? ""
            : "\n# --repeats " + repeats + "\nrepeats = " + repeats + "\n"));
    StudyRunner runner = new StudyRunner(study, dir, launcher, repeats, all.size());
    return runner.run(cells) ? ExitCode.OK : ExitCode.FAILED;
  }
}
