package org.pscreen2vec.cost;

import java.util.Locale;

/**
 * What bounded the collectives of a calibration taken on an emulated network: the emulated links,
 * or the host under them. An emulated link is a rate limit; whether the job ever reaches it
 * depends on the host. On the 2-core development VM a 1 Gbit/s link is the limit (one message at
 * 99 % of its TCP goodput, the rings explained by the ports), but at 10 Gbit/s one message moves
 * only about 75 % of the link's goodput (the ranks' copies set its rate) and all ports at once
 * carry about 1.4 links' worth (the host's CPU forwards every byte). There a 4-rank ring of
 * 64 MiB took the same time with the links shaped to 100 Gbit/s (docs/PERFORMANCE.md, "Does the
 * emulated 10 Gbit/s link bind?"), so a validation at that rate checks the model's host terms
 * (beta, switch, gamma), not a network of that rate. The report says which it was.
 *
 * @param linkBytesPerSecond the emulated link's TCP goodput (its rate times 1448/1538)
 * @param messageBytesPerSecond one message's rate as calibrated (1 / beta)
 * @param switchBytesPerSecond all ports at once as calibrated (Infinity: the ports explain the
 *     rings)
 */
public record LinkBinding(double linkBytesPerSecond, double messageBytesPerSecond,
    double switchBytesPerSecond) {
  /** The share of the link a measured rate must reach for the link to count as its limit. */
  static final double BOUND = 0.9;

  public LinkBinding {
    if (!(linkBytesPerSecond > 0) || !(messageBytesPerSecond > 0) || !(switchBytesPerSecond > 0)
        || Double.isInfinite(linkBytesPerSecond) || Double.isInfinite(messageBytesPerSecond)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "link %s, message %s and "
          + "switch %s B/s must be > 0 (the first two finite)", linkBytesPerSecond,
          messageBytesPerSecond, switchBytesPerSecond));
    }
  }

  /** The binding of a calibrated network whose links ran at {@code linkBytesPerSecond}. */
  public static LinkBinding of(Network net, double linkBytesPerSecond) {
    return new LinkBinding(linkBytesPerSecond, net.bandwidth(), net.switchBytesPerSecond());
  }

  /** One message's rate over the link's goodput. */
  public double messageShare() {
    return messageBytesPerSecond / linkBytesPerSecond;
  }

  /** How many links' goodput all ports carried at once (Infinity: no switch limit found). */
  public double switchLinks() {
    return switchBytesPerSecond / linkBytesPerSecond;
  }

  /**
   * Whether the links bound a job of {@code ranks} ranks: one message reaches 90 % of a link,
   * and all ports at once 90 % of the {@code ranks} links a collective of that many drives.
   */
  public boolean linksBind(int ranks) {
    return messageShare() >= BOUND && switchLinks() >= BOUND * ranks;
  }

  /** One sentence for a report: which bound the collectives, with the figures. */
  public String describe(int ranks) {
    String message = String.format(Locale.ROOT, "one message moved %.3f GB/s, %.0f %% of a link's"
        + " TCP goodput (%.3f GB/s)%s", messageBytesPerSecond / 1e9, 100 * messageShare(),
        linkBytesPerSecond / 1e9, messageShare() < BOUND
            ? ": the ranks' own copies, not the link, set a message's rate" : "");
    String ports = Double.isInfinite(switchBytesPerSecond)
        ? "the ports explained the rings (no switch limit)"
        : String.format(Locale.ROOT, "all ports at once carried %.3f GB/s, %.2f links' worth%s",
            switchBytesPerSecond / 1e9, switchLinks(), switchLinks() < BOUND * ranks
                ? String.format(Locale.ROOT, ", where %d ranks' ports carry %d: the host, which "
                    + "forwards every byte, set a %d-rank collective's time", ranks, ranks, ranks)
                : "");
    return linksBind(ranks)
        ? "The emulated links bounded this calibration's collectives: " + message + "; " + ports
            + "."
        : "The host, not the emulated links, bounded this calibration's collectives: " + message
            + "; " + ports + ". A validation against it checks the model's host terms (beta, "
            + "switch, gamma) more than a network of this rate.";
  }
}
