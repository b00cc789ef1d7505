package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.testutil.Launcher.Result;

/**
 * Parameter servers and the hybrid on real MPJ jobs, against ring allreduce on the same convex
 * problem (check-sync): BSP must give the same parameters as ring; rows nobody pushed keep their
 * values and optimizer state (server ranks exit 1 otherwise); ASP and SSP converge; SSP stays
 * within its bound; malformed requests are rejected; a dead worker ends the job with an error.
 */
class ParameterServerIT {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  /** |ps - ring| <= REL * max(|ps|, |ring|) + ABS, elementwise. */
  private static final double REL = 1e-5;
  private static final double ABS = 1e-6;
  private static final Pattern RESULT = Pattern.compile(
      "loss ([0-9.]+) -> ([0-9.]+)(, max staleness (\\d+))?, parameters in (\\S+)");
  private static float[] ringAdam;
  private static float[] ringSgd;

  private static Matcher run(String... args) {
    Result r = Launcher.run(LIMIT, args);
    assertEquals(0, r.exitCode(), r.toString());
    Matcher m = RESULT.matcher(r.stdout());
    assertTrue(m.find(), r.toString());
    return m;
  }

  private static float[] params(Matcher m) throws Exception {
    byte[] b = Files.readAllBytes(Path.of(m.group(5)));
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.length / 4];
    bb.asFloatBuffer().get(f);
    return f;
  }

  @BeforeAll
  static void ringReference() throws Exception {
    ringAdam = params(run("-np", "2", "check-sync", "--strategy", "ring", "--steps", "12"));
    ringSgd = params(run("-np", "2", "check-sync", "--strategy", "ring", "--steps", "12",
        "--optimizer", "sgd"));
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      double tol = REL * Math.max(Math.abs(expected[i]), Math.abs(actual[i])) + ABS;
      if (!(Math.abs(expected[i] - actual[i]) <= tol) && bad.size() < 5) {
        bad.add("[" + i + "] ring " + expected[i] + " vs " + actual[i]);
      }
    }
    assertTrue(bad.isEmpty(), what + ": " + bad);
  }

  @ParameterizedTest(name = "{0} with {1} workers and {2} servers ({3})")
  @CsvSource({
      "ps,1,1,adam", "ps,2,1,adam", "ps,3,2,adam", "ps,4,2,adam", "ps,2,2,sgd",
      "hybrid,2,1,adam", "hybrid,4,2,adam", "hybrid,3,1,sgd"})
  void bspEqualsRing(String strategy, int workers, int servers, String optimizer)
      throws Exception {
    Matcher m = run("-np", "" + (workers + servers), "check-sync", "--strategy", strategy,
        "--servers", "" + servers, "--steps", "12", "--optimizer", optimizer);
    float[] p = params(m);
    assertClose(optimizer.equals("adam") ? ringAdam : ringSgd, p, strategy + " " + workers + "w "
        + servers + "s");
    assertEquals("0", m.group(4), "BSP never serves a stale pull");
  }

  @Test
  void theWorkerCountDoesNotChangeRingsAnswerEither() throws Exception {
    // ring itself on 1, 3 and 4 workers vs 2: the sample-weighted average is the same gradient.
    for (int np : new int[] {1, 3, 4}) {
      assertClose(ringAdam, params(run("-np", "" + np, "check-sync", "--strategy",
          np == 1 ? "none" : "ring", "--steps", "12")), "ring on " + np);
    }
  }

  @Test
  void aspConvergesOnAConvexProblem() {
    Matcher m = run("-np", "5", "check-sync", "--strategy", "ps", "--servers", "2",
        "--consistency", "asp", "--steps", "150", "--slow-worker-ms", "2");
    double loss0 = Double.parseDouble(m.group(1));
    double loss = Double.parseDouble(m.group(2));
    assertTrue(loss < loss0 / 5, "asp loss " + loss0 + " -> " + loss);
  }

  @Test
  void sspConvergesAndNeverExceedsItsBound() {
    Matcher m = run("-np", "5", "check-sync", "--strategy", "ps", "--servers", "2",
        "--consistency", "ssp:2", "--steps", "150", "--slow-worker-ms", "5");
    double loss0 = Double.parseDouble(m.group(1));
    double loss = Double.parseDouble(m.group(2));
    assertTrue(loss < loss0 / 5, "ssp loss " + loss0 + " -> " + loss);
    int stale = Integer.parseInt(m.group(4));
    assertTrue(stale <= 2, "staleness " + stale + " exceeds the bound 2");
    assertTrue(stale >= 1, "a slow worker should make the others run ahead (observed " + stale
        + ")");
  }

  @Test
  void malformedAndOversizedRequestsAreRejectedAndTheServerKeepsServing() {
    Result r = Launcher.run(LIMIT, "-np", "5", "check-sync", "--strategy", "ps", "--servers",
        "2", "--consistency", "asp", "--malformed", "--steps", "30");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("malformed and oversized requests were all rejected"),
        r.toString());
    assertTrue(r.all().contains("bad magic") && r.all().contains("appears twice")
        && r.all().contains("1073741824 rows"), r.toString());
  }

  @Test
  void aDeadWorkerEndsTheJobWithAnErrorNotAHang() {
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_ABORT_GRACE", "5"), "-np", "4", "-dev",
        "niodev", "check-sync", "--strategy", "ps", "--servers", "1", "--kill-worker", "1",
        "--deadline", "4");
    assertNotEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("rank(s) 1 did not report"), r.toString());
    assertTrue(r.all().contains("parameter server rank 3"), r.toString());
    assertTrue(r.seconds() < 40, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  @Test
  void strategiesRefuseRankLayoutsTheyCannotUse() {
    Result noServers = Launcher.run(LIMIT, "-np", "2", "check-sync", "--strategy", "ps");
    assertEquals(2, noServers.exitCode(), noServers.toString());
    assertTrue(noServers.all().contains("needs parameter-server ranks"), noServers.toString());
    Result unknown = Launcher.run(LIMIT, "-np", "2", "check-sync", "--strategy", "gossip");
    assertEquals(2, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.all().contains("valid: none, ring, naive, star, mpj, ps, hybrid"),
        unknown.toString());
    Result badMode = Launcher.run(LIMIT, "-np", "3", "check-sync", "--strategy", "ps",
        "--servers", "1", "--consistency", "ssp:x");
    assertEquals(2, badMode.exitCode(), badMode.toString());
    assertTrue(badMode.all().contains("bsp, asp, ssp:<bound>"), badMode.toString());
  }
}
