package org.pscreen2vec.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which bounded a calibration's collectives, the emulated links or the host: the figures are two
 * calibrations of the 2-core development VM (set AA at 10 Gbit/s, set Q at 1 Gbit/s,
 * 2026-12-06), the shares exact ratios of them.
 */
class LinkBindingTest {
  /** TCP goodput of an emulated 10 Gbit/s and 1 Gbit/s link (1448/1538 of the line rate). */
  private static final double TEN = 1 / Network.wireOf("10gbit");
  private static final double ONE = 1 / Network.wireOf("1gbit");

  @Test
  void atTenGbitOnTwoCoresTheHostBoundTheCollectives() {
    LinkBinding b = new LinkBinding(TEN, 1 / 1.10489045e-9, 1.63793e9);
    assertEquals(1 / 1.10489045e-9 / TEN, b.messageShare(), 1e-12);
    assertEquals(1.63793e9 / TEN, b.switchLinks(), 1e-12);
    assertFalse(b.linksBind(2), "one message at 77 % of the link");
    String s = b.describe(4);
    assertTrue(s.startsWith("The host, not the emulated links, bounded"), s);
    assertTrue(s.contains("0.905 GB/s, 77 % of a link's TCP goodput (1.177 GB/s): the ranks' own"
        + " copies"), s);
    assertTrue(s.contains("1.638 GB/s, 1.39 links' worth, where 4 ranks' ports carry 4"), s);
  }

  @Test
  void atOneGbitTheLinksBoundThem() {
    LinkBinding b = new LinkBinding(ONE, 1 / 8.61540263e-9, Double.POSITIVE_INFINITY);
    assertTrue(b.linksBind(4));
    String s = b.describe(4);
    assertTrue(s.startsWith("The emulated links bounded this calibration's collectives: one "
        + "message moved 0.116 GB/s, 99 % of a link's TCP goodput (0.118 GB/s); the ports "
        + "explained the rings"), s);
    assertFalse(s.contains("copies") || s.contains("host"), s);
  }

  @Test
  void eachLimitIsNamedOnItsOwnAtTheNinetyPercentBound() {
    // a message at the link's rate, but the ports at once 3 links' worth: bound for 3 ranks
    // (3 >= 0.9 * 3), not for 4 (3 < 3.6)
    LinkBinding ports = new LinkBinding(ONE, ONE, 3 * ONE);
    assertTrue(ports.linksBind(3));
    assertFalse(ports.linksBind(4));
    assertFalse(ports.describe(4).contains("copies"), ports.describe(4));
    assertTrue(ports.describe(4).contains("where 4 ranks' ports carry 4"), ports.describe(4));
    // a message at 89 % of the link, no switch limit: the copies, not the ports
    LinkBinding copies = new LinkBinding(ONE, 0.89 * ONE, Double.POSITIVE_INFINITY);
    assertFalse(copies.linksBind(2));
    assertTrue(copies.describe(2).contains("the ranks' own copies"), copies.describe(2));
    assertFalse(copies.describe(2).contains("ports carry"), copies.describe(2));
    assertTrue(new LinkBinding(ONE, 0.9 * ONE, Double.POSITIVE_INFINITY).linksBind(2));
  }

  @Test
  void nonPositiveOrInfiniteRatesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LinkBinding(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new LinkBinding(1, Double.NaN, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new LinkBinding(Double.POSITIVE_INFINITY, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new LinkBinding(1, 1, -1));
  }

  @Test
  void aCalibrationKeepsItsLinkRateAndOneWithoutItHasNoBinding(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("cal.properties");
    Network n = new Network("cal", 2e-3, 1.1e-9, 1.6e9, 2e-10, "").withWire(1 / TEN);
    Calibration.write(f, n, Map.of(), ServerCost.NONE, TEN, "test");
    LinkBinding b = Calibration.readBinding(f);
    assertEquals(TEN, b.linkBytesPerSecond(), 1e-5 * TEN);
    assertEquals(1 / 1.1e-9, b.messageBytesPerSecond(), 1e-6 / 1.1e-9);
    assertEquals(1.6e9, b.switchBytesPerSecond(), 1e3);
    Calibration.write(f, n, Map.of(), ServerCost.NONE, Double.NaN, "test");
    assertNull(Calibration.readBinding(f));
  }
}
