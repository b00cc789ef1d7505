package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShardingTest {
  @Test
  void shardsAreDisjointCoverEverythingAndDifferByAtMostOneItem() {
    int[] sizes = {0, 1, 2, 3, 7, 10, 64, 101, 1000};
    int[] workerCounts = {1, 2, 3, 4, 7, 8};
    int[] batches = {1, 3, 32};
    for (int n : sizes) {
      for (int w : workerCounts) {
        for (int b : batches) {
          int[] seen = new int[n];
          int min = Integer.MAX_VALUE;
          int max = 0;
          int steps = Sharding.steps(n, b, w);
          for (int r = 0; r < w; r++) {
            Sharding.Shard s = Sharding.shard(n, b, 42, 3, r, w);
            assertEquals(steps, s.steps(), "every worker runs the same number of steps");
            int fromBatches = 0;
            for (int step = 0; step < s.steps(); step++) {
              int[] batch = s.batch(step);
              assertTrue(batch.length <= b);
              fromBatches += batch.length;
              for (int i : batch) {
                seen[i]++;
              }
            }
            assertEquals(s.items().length, fromBatches, "the batches hold the whole shard");
            min = Math.min(min, s.items().length);
            max = Math.max(max, s.items().length);
          }
          String at = "n=" + n + " workers=" + w + " batch=" + b;
          for (int c : seen) {
            assertEquals(1, c, "each item exactly once: " + at);
          }
          assertTrue(max - min <= 1, at);
          assertTrue(max - min <= b, at);
        }
      }
    }
  }

  @Test
  void jobSamplesCountEveryWorkersBatchesUpToAStep() {
    for (int n : new int[] {0, 1, 7, 101, 1000}) {
      for (int w : new int[] {1, 2, 3, 8}) {
        for (int b : new int[] {1, 3, 32}) {
          int steps = Sharding.steps(n, b, w);
          for (int k = 0; k <= steps; k++) {
            long expected = 0;
            for (int r = 0; r < w; r++) {
              Sharding.Shard s = Sharding.shard(n, b, 5, 0, r, w);
              for (int step = 0; step < k; step++) {
                expected += s.batch(step).length;
              }
            }
            assertEquals(expected, Sharding.jobSamples(n, b, w, k),
                "n=" + n + " workers=" + w + " batch=" + b + " steps=" + k);
          }
        }
      }
    }
  }

  @Test
  void shardsDependOnlyOnSeedEpochRankAndWorkers() {
    int[] a = Sharding.shard(1000, 8, 7, 2, 1, 4).items();
    assertArrayEquals(a, Sharding.shard(1000, 8, 7, 2, 1, 4).items());
    assertArrayEquals(a, Sharding.shard(1000, 16, 7, 2, 1, 4).items()); // batch size: no effect
    assertFalse(Arrays.equals(a, Sharding.shard(1000, 8, 7, 3, 1, 4).items()));
    assertFalse(Arrays.equals(a, Sharding.shard(1000, 8, 8, 2, 1, 4).items()));
    assertFalse(Arrays.equals(a, Sharding.shard(1000, 8, 7, 2, 2, 4).items()));
  }

  @Test
  void aShorterShardEndsWithShortOrEmptyBatchesInsteadOfFewerSteps() {
    // 9 items, 2 workers, batch 2: shards of 4 and 5 items; both run 3 steps
    Sharding.Shard small = Sharding.shard(9, 2, 1, 0, 0, 2);
    Sharding.Shard big = Sharding.shard(9, 2, 1, 0, 1, 2);
    assertEquals(4, small.items().length);
    assertEquals(5, big.items().length);
    assertEquals(3, small.steps());
    assertEquals(3, big.steps());
    assertEquals(0, small.batch(2).length);
    assertEquals(1, big.batch(2).length);
    assertThrows(IllegalArgumentException.class, () -> small.batch(3));
  }

  @Test
  void permutationsArePermutationsAndVaryWithTheEpoch() {
    int[] p = Sharding.permutation(500, 3, 0);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 500; i++) {
      assertEquals(i, sorted[i]);
    }
    assertFalse(Arrays.equals(p, Sharding.permutation(500, 3, 1)));
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Sharding.shard(10, 0, 1, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Sharding.shard(10, 1, 1, 0, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> Sharding.shard(10, 1, 1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> Sharding.shard(-1, 1, 1, 0, 0, 1));
  }
}
