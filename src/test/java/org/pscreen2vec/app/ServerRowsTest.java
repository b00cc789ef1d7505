package org.pscreen2vec.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.run.Stats;

/** Which in-process server rows bench-collectives measures again: the figures of 2026-12-04. */
class ServerRowsTest {
  @Test
  void aMedianFarAboveTheFastestIterationIsDisturbed() {
    // 4 workers, server-dense, /tmp/net9 recalibration at 23:00: median 78.6, fastest 12.0 ms
    assertTrue(BenchCollectivesCommand.disturbed(new Stats(78.5782, 12.0378, 146.2923, 9)));
    // the same row an hour earlier (/tmp/net7): 12.4 against 12.1 ms
    assertFalse(BenchCollectivesCommand.disturbed(new Stats(12.3646, 12.1145, 15.3845, 9)));
    // the noisiest undisturbed rows seen (rows at 4 workers: 8.4 against 7.0 ms)
    assertFalse(BenchCollectivesCommand.disturbed(new Stats(8.4189, 6.9746, 9.6651, 9)));
  }
}
