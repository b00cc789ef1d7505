package org.pscreen2vec.train;

import java.util.List;
import org.pscreen2vec.run.RunContext;

/** Picks a {@link GradientSync} by name; an unknown or unavailable name fails at once. */
public final class GradientSyncs {
  /** Strategies that can run today. */
  public static final List<String> AVAILABLE = List.of("none");
  /** Strategies of the design that are not implemented yet. */
  public static final List<String> PLANNED = List.of("ring", "naive", "star", "mpj", "ps",
      "hybrid");

  private GradientSyncs() {}

  /**
   * The strategy {@code name} for this rank.
   *
   * @throws IllegalArgumentException for an unknown name, one not implemented yet, or a rank
   *                                  layout the strategy cannot use; the message lists the valid
   *                                  names
   */
  public static GradientSync create(String name, RunContext ctx) {
    String valid = "valid strategies: " + String.join(", ", AVAILABLE);
    if (PLANNED.contains(name)) {
      throw new IllegalArgumentException("strategy '" + name + "' is not implemented yet; "
          + valid);
    }
    if (!AVAILABLE.contains(name)) {
      throw new IllegalArgumentException("unknown strategy '" + name + "'; " + valid);
    }
    int workers = ctx == null ? 1 : ctx.roles().workers();
    if (workers != 1 || (ctx != null && ctx.roles().servers() != 0)) {
      throw new IllegalArgumentException("strategy 'none' trains on exactly one worker and no "
          + "servers, but the job has " + workers + " workers and "
          + (ctx == null ? 0 : ctx.roles().servers()) + " servers; use -np 1");
    }
    return new NoSync();
  }
}
