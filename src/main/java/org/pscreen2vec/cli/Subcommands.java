package org.pscreen2vec.cli;

import java.util.List;
import java.util.Optional;
import org.pscreen2vec.selftest.SelfTestCommand;

/** Every subcommand, in the order the main help lists them. Add new ones here. */
public final class Subcommands {
  public static final List<Subcommand> ALL = List.of(
      new SelfTestCommand(),
      new org.pscreen2vec.data.cli.GenDataCommand(),
      new org.pscreen2vec.data.cli.DataStatsCommand(),
      new org.pscreen2vec.collective.CheckCollectivesCommand(),
      new org.pscreen2vec.collective.BenchCollectivesCommand(),
      new org.pscreen2vec.results.PlotCollectivesCommand(),
      new org.pscreen2vec.sync.CheckSyncCommand(),
      new org.pscreen2vec.train.TrainCommand(),
      new org.pscreen2vec.train.BenchStepCommand(),
      new org.pscreen2vec.study.StudyCommand(),
      new org.pscreen2vec.study.ReportCommand());

  private Subcommands() {}

  public static Optional<Subcommand> find(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
