package org.pscreen2vec.ps;

/**
 * When a server applies a push and answers a pull.
 *
 * <ul>
 *   <li>{@code bsp}: step t is applied once every worker pushed its step-t gradient (their
 *       sample-weighted average); a pull for step t+1 waits for it — synchronous SGD.</li>
 *   <li>{@code asp}: every push is applied on arrival (scaled by 1/workers); pulls never wait.</li>
 *   <li>{@code ssp:s}: pushes as in asp; a worker more than s steps ahead of the slowest waits.</li>
 * </ul>
 */
public record Consistency(Mode mode, int staleness) {
  public enum Mode {
    BSP, ASP, SSP
  }

  public static Consistency parse(String spec) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("bsp")) {
      return new Consistency(Mode.BSP, 0);
    }
    if (s.equals("asp")) {
      return new Consistency(Mode.ASP, Integer.MAX_VALUE);
    }
    if (s.startsWith("ssp:")) {
      try {
        int b = Integer.parseInt(s.substring(4));
        if (b >= 0) {
          return new Consistency(Mode.SSP, b);
        }
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("consistency '" + spec
        + "' is not one of bsp, asp, ssp:<bound> (e.g. ssp:2)");
  }

  @Override
  public String toString() {
    return mode == Mode.SSP ? "ssp:" + staleness : mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
