package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.testutil.Launcher;

/**
 * Overlap of communication with backward in real MPJ jobs through bin/pscreen2vec: the same tiny
 * Screen2Vec (joint layout encoder, text table) trained with {@code overlap=false} (one fused
 * allreduce after backward) and {@code overlap=true} with buckets so small that every parameter
 * is its own bucket (reduced by the communication thread while backward runs) ends with the same
 * parameters: bitwise where the allreduce sums each element in the same order whatever the
 * buffer (ring on 2 ranks: a + b is b + a; star: rank 0 sums in rank order), within a stated
 * tolerance where it does not (ring on 3 ranks: the segments move with the buckets). A NaN
 * injected into one worker's gradient still stops the job at that step naming the worker.
 */
class OverlapIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);
  private static final List<String> MODEL = List.of("train", "--model", "screen2vec",
      "--set", "dim=8", "--set", "text.buckets=256", "--set", "layout.sizes=16,4",
      "--set", "synthetic.screens=300", "--set", "batch=4", "--set", "max.steps=10",
      "--set", "eval.batch=8", "--set", "checksum.every=3");
  /** Smaller than any parameter: every parameter is a bucket of its own. */
  private static final String TINY_BUCKETS = "overlap.bucket.mb=0.000001";

  private static Path train(String np, String dev, String strategy, String exp,
      String... extra) {
    List<String> a = new ArrayList<>(List.of("-np", np, "-dev", dev));
    a.addAll(MODEL);
    a.addAll(List.of("--strategy", strategy, "--experiment", exp));
    a.addAll(Arrays.asList(extra));
    Launcher.Result r = Launcher.run(LIMIT, a.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.toString());
    return Launcher.resultsDir().resolve(exp).resolve(r.jobId());
  }

  /** The final model's arrays (dense block and tables) by name. */
  private static Map<String, float[]> parameters(Path run) throws IOException {
    CheckpointFile.Contents c = CheckpointFile.open(run.resolve("checkpoint.bin"), "model");
    Ops ops = CpuOps.plainJava();
    Map<String, Buf> bufs = new LinkedHashMap<>();
    c.arrays().forEach((name, n) -> bufs.put(name, ops.alloc(n)));
    c.read(bufs);
    Map<String, float[]> out = new LinkedHashMap<>();
    bufs.forEach((name, b) -> {
      float[] a = new float[b.length()];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) b.get(i);
      }
      out.put(name, a);
    });
    return out;
  }

  private static void assertSameBits(Path off, Path on) throws IOException {
    Map<String, float[]> a = parameters(off);
    Map<String, float[]> b = parameters(on);
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      assertEquals(x.length, y.length, k);
      for (int i = 0; i < x.length; i++) {
        if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
          throw new AssertionError(k + "[" + i + "]: " + x[i] + " without overlap, " + y[i]
              + " with (must be bitwise equal)");
        }
      }
    }
  }

  /**
   * The steps' sync_total_ms is never below their exposed sync_ms, and is present; their
   * sync_local_ms (the packing passes) is filled in and at most sync_total_ms.
   */
  private static void assertTimeSplit(Path run) throws IOException {
    List<String> lines = Files.readAllLines(run.resolve("steps-rank0.csv"));
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int exposed = header.indexOf("sync_ms");
    int total = header.indexOf("sync_total_ms");
    int local = header.indexOf("sync_local_ms");
    assertTrue(exposed >= 0 && total >= 0 && local >= 0, lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",", -1);
      assertTrue(Double.parseDouble(c[total]) >= Double.parseDouble(c[exposed]), line);
      double l = Double.parseDouble(c[local]);
      assertTrue(l >= 0 && l <= Double.parseDouble(c[total]), line);
    }
  }

  @Test
  void ringOnTwoRanksMulticoreGivesBitwiseTheSameParameters() throws IOException {
    Path off = train("2", "multicore", "ring", "overlap-ring2", "--set", "overlap=false");
    Path on = train("2", "multicore", "ring", "overlap-ring2", "--set", "overlap=true",
        "--set", TINY_BUCKETS, "--timeline");
    assertSameBits(off, on);
    assertTimeSplit(off);
    assertTimeSplit(on);
    assertHiddenInTimeline(on);
  }

  /**
   * The timeline shows the hidden part: on every rank, allreduces recorded on the communication
   * thread's row that started before the same step's forward+backward ended.
   */
  private static void assertHiddenInTimeline(Path run) throws IOException {
    Pattern event = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"ph\":\"X\",\"pid\":0,"
        + "\"tid\":(\\d+),\"ts\":(\\d+),\"dur\":([0-9.]+)");
    Map<Integer, List<long[]>> backward = new LinkedHashMap<>();
    Map<Integer, List<long[]>> comm = new LinkedHashMap<>();
    for (String line : Files.readAllLines(run.resolve("timeline.json"))) {
      Matcher m = event.matcher(line);
      if (!m.find()) {
        continue;
      }
      int tid = Integer.parseInt(m.group(2));
      long ts = Long.parseLong(m.group(3));
      long end = ts + (long) Double.parseDouble(m.group(4));
      if (m.group(1).equals("forward+backward")) {
        backward.computeIfAbsent(tid, k -> new ArrayList<>()).add(new long[] {ts, end});
      } else if (m.group(1).startsWith("allreduce") && tid >= 100_000) {
        comm.computeIfAbsent(tid - 100_000, k -> new ArrayList<>()).add(new long[] {ts, end});
      }
    }
    assertEquals(Set.of(0, 1), backward.keySet(), "forward+backward on both ranks' rows");
    for (int rank : backward.keySet()) {
      long hidden = 0;
      for (long[] c : comm.getOrDefault(rank, List.of())) {
        for (long[] b : backward.get(rank)) {
          if (c[0] >= b[0] && c[0] < b[1]) {
            hidden++;
          }
        }
      }
      assertTrue(hidden > 0, "rank " + rank + ": no allreduce of the communication thread "
          + "started during backward");
    }
  }

  @Test
  void starOnThreeRanksNiodevGivesBitwiseTheSameParameters() throws IOException {
    Path off = train("3", "niodev", "star", "overlap-star3", "--set", "overlap=false");
    Path on = train("3", "niodev", "star", "overlap-star3", "--set", "overlap=true",
        "--set", TINY_BUCKETS);
    assertSameBits(off, on);
  }

  /**
   * Ring on 3 ranks sums an element's three contributions in an order that depends on its place
   * in the buffer, so buckets change the last bits of the sums (about 1e-7 relative); ten Adam
   * steps of lr 1e-3 keep the parameters within 1e-5 absolute of each other, while a lost or
   * doubled bucket moves them by about the learning rate (1e-3) in one step.
   */
  @Test
  void ringOnThreeRanksNiodevStaysWithinRoundingOfTheFusedRun() throws IOException {
    Path off = train("3", "niodev", "ring", "overlap-ring3", "--set", "overlap=false");
    Path on = train("3", "niodev", "ring", "overlap-ring3", "--set", "overlap=true",
        "--set", TINY_BUCKETS);
    Map<String, float[]> a = parameters(off);
    Map<String, float[]> b = parameters(on);
    double worst = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs((double) x[i] - y[i]));
      }
    }
    assertTrue(worst <= 1e-5, "largest difference " + worst + " > 1e-5");
  }

  @Test
  void aNanWithOverlapStillStopsEveryWorkerAtThatStepNamingTheWorker() {
    List<String> a = new ArrayList<>(List.of("-np", "3", "-dev", "multicore"));
    a.addAll(MODEL);
    a.addAll(List.of("--strategy", "ring", "--experiment", "overlap-nan", "--set",
        "overlap=true", "--set", TINY_BUCKETS, "--set", "debug.nan.step=4"));
    Launcher.Result r = Launcher.run(LIMIT, a.toArray(new String[0]));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.all().contains("step 4: the gradient of parameter block"), r.toString());
    assertTrue(r.all().contains("on worker 2"), r.toString());
    assertTrue(!r.all().contains("step 5:"), "stopped at step 4: " + r);
  }
}
