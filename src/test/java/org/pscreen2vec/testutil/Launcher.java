package org.pscreen2vec.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs {@code bin/pscreen2vec} as a real subprocess on the packaged program, the way a user does,
 * with a hard timeout so a test can never hang. Used by every test that launches MPJ jobs.
 */
public final class Launcher {
  private static final AtomicInteger SEQ = new AtomicInteger();

  private Launcher() {}

  /** What a finished job printed and returned. */
  public record Result(int exitCode, String stdout, String stderr, double seconds, String jobId) {
    public String all() {
      return stdout + "\n" + stderr;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + " after " + String.format("%.1f", seconds) + " s\n--- stdout\n"
          + stdout + "\n--- stderr\n" + stderr;
    }
  }

  public static Path root() {
    return Paths.get(System.getProperty("pscreen2vec.home", ".")).toAbsolutePath();
  }

  /** The build's folder: the packaged jar, lib/ beside it. */
  public static Path buildDir() {
    return Paths.get(System.getProperty("pscreen2vec.builddir", "target")).toAbsolutePath();
  }

  /** Where tests write run folders (not the user's results/). */
  public static Path resultsDir() {
    return buildDir().resolve("it-results");
  }

  /** The packaged program's class path: the jar and its runtime dependencies. */
  public static String classPath() {
    Path build = buildDir();
    Path jar = build.resolve("pscreen2vec.jar");
    if (!Files.exists(jar)) {
      fail("the packaged program " + jar + " is missing: job tests run in 'mvn verify'");
    }
    try (Stream<Path> libs = Files.list(build.resolve("lib"))) {
      return Stream.concat(Stream.of(jar), libs.filter(p -> p.toString().endsWith(".jar")).sorted())
          .map(Path::toString).collect(Collectors.joining(":"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + build.resolve("lib"), e);
    }
  }

  public static Result run(Duration timeout, String... args) {
    return run(timeout, Map.of(), args);
  }

  /** Runs the launcher with extra environment variables; fails the test if it outlives timeout. */
  public static Result run(Duration timeout, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root().resolve("bin/pscreen2vec").toString());
    cmd.addAll(Arrays.asList(args));
    String jobId = "test-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile());
    pb.environment().put("PSCREEN2VEC_CLASSPATH", classPath());
    pb.environment().put("PSCREEN2VEC_RESULTS", resultsDir().toString());
    pb.environment().put("PSCREEN2VEC_JOB_ID", jobId);
    pb.environment().putAll(env);
    try {
      Path out = Files.createTempFile("pscreen2vec-it", ".out");
      Path err = Files.createTempFile("pscreen2vec-it", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        fail("job " + String.join(" ", args) + " did not end within " + timeout + "\n--- stdout\n"
            + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
      }
      double s = (System.nanoTime() - t0) / 1e9;
      Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), s, jobId);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Processes (ranks or daemons) still alive that belong to the job; empty when it cleaned up. */
  public static List<String> leftovers(String jobId) {
    return ProcessHandle.allProcesses()
        .filter(ph -> ph.info().commandLine().map(c -> c.contains("=" + jobId + " ")
            || c.endsWith("=" + jobId)).orElse(false))
        .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse(""))
        .collect(Collectors.toList());
  }

  /**
   * A {@code check-collectives} job that ended well: exit 0, its summary line for {@code ranks}
   * ranks, and every algorithm's line saying all its checks were correct.
   */
  public static void assertCheckCollectivesOk(Result r, int ranks) {
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("check-collectives OK: 4 algorithms on " + ranks + " ranks"),
        r.toString());
    for (String alg : List.of("ring", "naive", "star", "mpj")) {
      assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(alg) && l.contains("all correct")),
          alg + " line missing\n" + r);
    }
  }
}
