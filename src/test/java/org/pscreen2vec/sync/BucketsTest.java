package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bucket plan: reverse registration order, greedy packing under the cap, whole parameters. */
class BucketsTest {
  private static int[] offsets(int... sizes) {
    int[] o = new int[sizes.length];
    for (int p = 1; p < sizes.length; p++) {
      o[p] = o[p - 1] + sizes[p - 1];
    }
    return o;
  }

  @Test
  void bucketsRunFromTheLastParameterBackwardsAndCoverTheBufferOnce() {
    int[] sizes = {4, 3, 5, 2, 6};
    List<Buckets.Bucket> b = Buckets.plan(offsets(sizes), sizes, 8);
    // reverse: 6 + 2 (8, at the cap) | 5 + 3 (8) | 4
    assertEquals(List.of(new Buckets.Bucket(12, 20, 3, 5), new Buckets.Bucket(4, 12, 1, 3),
        new Buckets.Bucket(0, 4, 0, 1)), b);
    int end = 20;
    for (Buckets.Bucket x : b) {
      assertEquals(end, x.to(), "each bucket ends where the previous began");
      assertTrue(x.length() <= 8);
      end = x.from();
    }
    assertEquals(0, end);
  }

  @Test
  void aBucketExactlyAtTheCapIsClosedOnlyByTheNextParameter() {
    int[] sizes = {2, 2, 2, 2};
    assertEquals(List.of(new Buckets.Bucket(4, 8, 2, 4), new Buckets.Bucket(0, 4, 0, 2)),
        Buckets.plan(offsets(sizes), sizes, 4));
  }

  @Test
  void aParameterLargerThanTheCapIsABucketOfItsOwn() {
    int[] sizes = {1, 100, 1, 1};
    assertEquals(List.of(new Buckets.Bucket(101, 103, 2, 4), new Buckets.Bucket(1, 101, 1, 2),
        new Buckets.Bucket(0, 1, 0, 1)), Buckets.plan(offsets(sizes), sizes, 3));
  }

  @Test
  void oneBucketWhenEverythingFitsAndNoneWithoutParameters() {
    int[] sizes = {3, 4, 5};
    assertEquals(List.of(new Buckets.Bucket(0, 12, 0, 3)),
        Buckets.plan(offsets(sizes), sizes, 1 << 20));
    assertEquals(List.of(), Buckets.plan(new int[0], new int[0], 10));
  }

  @Test
  void theCapInMebibytesAndBadPlansAreRefused() {
    assertEquals(25L * (1 << 20) / 4, Buckets.capFloats(25));
    assertEquals(1, Buckets.capFloats(0.000001));
    assertThrows(IllegalArgumentException.class, () -> Buckets.plan(new int[] {0, 5},
        new int[] {4, 4}, 10), "a gap between parameters");
    assertThrows(IllegalArgumentException.class, () -> Buckets.plan(new int[] {0},
        new int[] {4}, 0));
  }
}
