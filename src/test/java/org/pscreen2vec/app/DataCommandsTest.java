package org.pscreen2vec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.Main;
import org.pscreen2vec.run.RunContext;

/** gen-data and data-stats as the command line runs them, on real folders. */
class DataCommandsTest {
  @TempDir
  Path home;

  private String savedHome;
  private PrintStream savedOut;
  private PrintStream savedErr;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  @BeforeEach
  void redirect() {
    savedHome = System.getProperty("pscreen2vec.home");
    System.setProperty("pscreen2vec.home", home.toString());
    savedOut = System.out;
    savedErr = System.err;
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    if (savedHome == null) {
      System.clearProperty("pscreen2vec.home");
    } else {
      System.setProperty("pscreen2vec.home", savedHome);
    }
  }

  int run(String... args) throws Exception {
    Subcommand cmd = Main.find(args[0]).orElseThrow();
    assertFalse(cmd.spmd());
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    CommandLine cl = new DefaultParser().parse(CommonOptions.addTo(cmd.options(), false), rest);
    return cmd.run(cl, RunContext.plain("test-host", Level.WARN, home.resolve("results")));
  }

  String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void genDataWritesToTheDefaultFolderAndPrintsItsStatistics() throws Exception {
    assertEquals(ExitCode.OK, run("gen-data", "--screens", "120", "--verify"));
    Path data = home.resolve(".deps/data/rico-synthetic");
    assertTrue(Files.isDirectory(data.resolve("filtered_traces")));
    assertTrue(Files.isRegularFile(data.resolve("app_descriptions.csv")));
    String o = stdout();
    assertTrue(o.contains("gen-data: 120 screens in "), o);
    assertTrue(o.contains("components per screen: min "), o);
    assertTrue(o.contains("tree depth:"), o);
    assertTrue(o.contains("class histogram"), o);
    assertTrue(o.contains("list item"), o);
    assertTrue(o.contains("verify: read back 120 screens"), o);
    assertTrue(o.contains(": OK"), o);

    assertThrows(UsageException.class, () -> run("gen-data", "--screens", "50"));
    assertEquals(ExitCode.OK, run("gen-data", "--screens", "50", "--force"));
    assertTrue(stdout().contains("gen-data: 50 screens"));

    out.reset();
    assertEquals(ExitCode.OK, run("data-stats"));
    assertTrue(stdout().contains("kept: 50, skipped: 0"), stdout());
  }

  @Test
  void genDataRejectsBadValuesNamingThem() {
    UsageException e = assertThrows(UsageException.class,
        () -> run("gen-data", "--screens", "0", "--out", home.resolve("x").toString()));
    assertTrue(e.getMessage().contains("--screens 0"), e.getMessage());
    e = assertThrows(UsageException.class,
        () -> run("gen-data", "--seed", "one", "--out", home.resolve("x").toString()));
    assertTrue(e.getMessage().contains("--seed one"), e.getMessage());
  }

  @Test
  void dataStatsSkipsBrokenFilesButStrictStopsAtTheFirstNamingIt() throws Exception {
    Path data = home.resolve("mixed");
    assertEquals(ExitCode.OK, run("gen-data", "--screens", "30", "--out", data.toString()));
    Path trace;
    try (var apps = Files.list(data.resolve("filtered_traces"))) {
      trace = apps.sorted().findFirst().orElseThrow().resolve("trace_0/view_hierarchies");
    }
    Path broken = trace.resolve("99999.json");
    Files.writeString(broken, "{\"activity\": {\"root\": {\"class\": ");
    out.reset();
    assertEquals(ExitCode.OK, run("data-stats", "--data", data.toString()));
    String o = stdout();
    assertTrue(o.contains("kept: 30, skipped: 1"), o);
    assertTrue(o.contains("malformed or truncated JSON: 1"), o);
    assertTrue(o.contains("99999.json"), o);

    assertEquals(ExitCode.BAD_INPUT, run("data-stats", "--data", data.toString(), "--strict"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains(broken.toString()), e);

    assertEquals(ExitCode.BAD_INPUT, run("data-stats", "--data",
        home.resolve("nothing-here").toString()));
  }
}
