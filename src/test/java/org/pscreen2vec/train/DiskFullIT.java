package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.testutil.Launcher;

/**
 * A run whose results folder fills up (a real 2 MiB tmpfs, mounted for the test; needs root, as
 * CI has): the job ends with status 1 and one line naming the file it could not write and the
 * system's reason, no stack trace on the console, and no half-written or temp file left.
 */
class DiskFullIT {
  private Path mount;

  @BeforeEach
  void mountTinyDisk() throws Exception {
    mount = Files.createTempDirectory("p2v-full");
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
        mount.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!mounted) {
      Files.deleteIfExists(mount);
    }
    Assumptions.assumeTrue(mounted, "skipped: cannot mount a tmpfs (needs root): " + out);
  }

  @AfterEach
  void unmount() throws Exception {
    new ProcessBuilder("umount", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
    Files.deleteIfExists(mount);
  }

  @Test
  void aFullDiskEndsTheJobWithOneLineNamingTheFile() throws IOException {
    Launcher.Result r = Launcher.run(Duration.ofMinutes(2),
        Map.of("PSCREEN2VEC_RESULTS", mount.toString()), "-np", "2", "train", "--model",
        "fashion-mlp", "--strategy", "ring", "--set", "max.steps=30");
    assertEquals(1, r.exitCode(), r.toString());
    String all = r.all();
    assertTrue(all.contains("cannot write " + mount) && all.contains("No space left on device"),
        "the file and the reason: " + r);
    assertTrue(all.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r);
    try (Stream<Path> files = Files.walk(mount)) {
      List<Path> temps = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
      assertTrue(temps.isEmpty(), "temp files left: " + temps);
    }
  }
}
