package org.pscreen2vec.collective;

/**
 * What every rank contributes to one checked call, as a pure function of (rank, element): any rank
 * can compute any other rank's input, so the right answer is known without gathering anything
 * (nccl-tests' {@code initData} works the same way).
 */
public final class Inputs {
  private enum Kind {
    INTEGERS, UNIFORM, SPECIALS
  }

  private final Kind kind;
  private final long seed; // INTEGERS, SPECIALS: the call number (rep); UNIFORM: the random seed
  private final int ranks; // SPECIALS: who holds the +Inf (the last rank)

  private Inputs(Kind kind, long seed, int ranks) {
    this.kind = kind;
    this.seed = seed;
    this.ranks = ranks;
  }

  /**
   * Integer-valued floats ({@link TestData#integer}): every sum is exact in float, so results are
   * compared bit for bit. Calls with different {@code rep} differ in every element, so a result
   * left over from an earlier call is caught.
   */
  public static Inputs integers(int rep) {
    return new Inputs(Kind.INTEGERS, rep, 0);
  }

  /** Uniform floats in [-1, 1): compared with a double-precision sum, within a tolerance. */
  public static Inputs uniform(long seed) {
    return new Inputs(Kind.UNIFORM, seed, 0);
  }

  /** {@link #integers}(0) with NaN at [0] on rank 0 and +Inf at [1] on the last rank. */
  public static Inputs specials(int ranks) {
    return new Inputs(Kind.SPECIALS, 0, ranks);
  }

  /** Rank {@code rank}'s element {@code i}. */
  public float value(int rank, int i) {
    return switch (kind) {
      case INTEGERS -> TestData.integer(rank, i, (int) seed);
      case UNIFORM -> TestData.uniform(seed, rank, i);
      case SPECIALS -> i == 0 && rank == 0 ? Float.NaN
          : i == 1 && rank == ranks - 1 ? Float.POSITIVE_INFINITY
          : TestData.integer(rank, i, 0);
    };
  }

  /**
   * Adds rank {@code rank}'s elements {@code [from, from + len)} to {@code sum[0 .. len)}, and
   * their magnitudes to {@code abs} unless it is null: {@link #value} in bulk, one loop per kind
   * (the checker's inner loop over 2^22-element buffers on every rank).
   */
  public void accumulate(int rank, int from, int len, double[] sum, double[] abs) {
    switch (kind) {
      case INTEGERS -> {
        for (int k = 0; k < len; k++) {
          sum[k] += TestData.integer(rank, from + k, (int) seed);
        }
      }
      case UNIFORM -> {
        for (int k = 0; k < len; k++) {
          double x = TestData.uniform(seed, rank, from + k);
          sum[k] += x;
          if (abs != null) {
            abs[k] += Math.abs(x);
          }
        }
      }
      case SPECIALS -> {
        for (int k = 0; k < len; k++) {
          sum[k] += TestData.integer(rank, from + k, 0);
        }
        // NaN and +Inf absorb the integer they replace, as they absorb every other rank's
        if (rank == 0 && from == 0 && len > 0) {
          sum[0] += Float.NaN;
        }
        if (rank == ranks - 1 && from <= 1 && from + len > 1) {
          sum[1 - from] += Float.POSITIVE_INFINITY;
        }
      }
    }
  }

  /** True when every sum of these inputs is exact in float (NaN and +Inf included). */
  public boolean exact() {
    return kind != Kind.UNIFORM;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case INTEGERS -> "integers";
      case UNIFORM -> "randoms";
      case SPECIALS -> "specials";
    };
  }
}
