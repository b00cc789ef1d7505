package org.pscreen2vec.app;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.pscreen2vec.run.RunContext;

/**
 * One subcommand of {@code pscreen2vec}. Register new ones in {@link org.pscreen2vec.cli.Subcommands#ALL}.
 *
 * <p>An SPMD subcommand ({@link #spmd()} true) runs on every MPJ rank ({@code bin/pscreen2vec -np N
 * name ...}); the others run as one plain process ({@code bin/pscreen2vec name ...}).
 */
public interface Subcommand {
  /** The word on the command line, e.g. {@code selftest}. */
  String name();

  /** One line for the main help. */
  String summary();

  /** True when it needs MPJ ranks. */
  boolean spmd();

  /**
   * The subcommand's own options. The common options ({@link CommonOptions}) are added by the caller
   * and must not be repeated here.
   */
  Options options();

  /** Extra help text printed after the options (examples, files written); may be empty. */
  default String helpFooter() {
    return "";
  }

  /**
   * Runs on this rank (or in this plain process).
   *
   * @return the exit status: {@link ExitCode#OK} or another {@link ExitCode}
   * @throws UsageException for a bad option value (exit status 2, message shown with usage hint)
   */
  int run(CommandLine cl, RunContext ctx) throws Exception;
}
