package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.run.RunContext;

class StrategiesTest {
  private static RunContext job(int ranks, int servers) {
    return new RunContext(new Roles(ranks, servers), 0, "host", "multicore", "job", null, null,
        Level.INFO, java.nio.file.Path.of("results"));
  }

  @Test
  void namesAndRankLayoutsAreChecked() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Strategies.validate("rnig", job(2, 0)));
    assertTrue(e.getMessage().contains("unknown strategy 'rnig'")
        && e.getMessage().contains("none, ring, naive, star, mpj, ps, hybrid"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Strategies.validate("ps", job(2, 0)));
    assertTrue(e.getMessage().contains("--servers"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Strategies.validate("ring", job(3, 1)));
    assertTrue(e.getMessage().contains("uses no parameter servers"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Strategies.validate("none", job(2, 0)));
    assertTrue(e.getMessage().contains("exactly one worker"), e.getMessage());
    assertDoesNotThrow(() -> Strategies.validate("hybrid", job(3, 1)));
    assertDoesNotThrow(() -> Strategies.validate("none", job(1, 0)));
  }

  @Test
  void consistencyModesParse() {
    assertTrue(Consistency.parse("BSP").mode() == Consistency.Mode.BSP);
    assertTrue(Consistency.parse("ssp:3").staleness() == 3);
    assertThrows(IllegalArgumentException.class, () -> Consistency.parse("ssp:-1"));
    assertThrows(IllegalArgumentException.class, () -> Consistency.parse("eventual"));
  }
}
