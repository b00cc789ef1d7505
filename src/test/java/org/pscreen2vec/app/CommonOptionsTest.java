package org.pscreen2vec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

class CommonOptionsTest {
  private static CommandLine parse(String... args) throws Exception {
    return new DefaultParser().parse(CommonOptions.addTo(new Options(), true), args);
  }

  @Test
  void defaults() throws Exception {
    CommandLine cl = parse();
    assertEquals(0, CommonOptions.servers(cl));
    assertEquals(300_000_000_000L, CommonOptions.deadlineNanos(cl));
    assertNull(CommonOptions.logLevel(cl));
  }

  @Test
  void valuesAreParsed() throws Exception {
    CommandLine cl = parse("--servers", "2", "--deadline", "2.5", "--log-level", "debug");
    assertEquals(2, CommonOptions.servers(cl));
    assertEquals(2_500_000_000L, CommonOptions.deadlineNanos(cl));
    assertEquals(Level.DEBUG, CommonOptions.logLevel(cl));
  }

  @Test
  void badValuesNameTheOption() throws Exception {
    var e = assertThrows(UsageException.class, () -> CommonOptions.servers(parse("--servers", "x")));
    assertTrue(e.getMessage().contains("--servers x"), e.getMessage());
    e = assertThrows(UsageException.class,
        () -> CommonOptions.deadlineNanos(parse("--deadline", "-1")));
    assertTrue(e.getMessage().contains("--deadline -1 is out of range"), e.getMessage());
    e = assertThrows(UsageException.class, () -> CommonOptions.logLevel(parse("--log-level", "x")));
    assertTrue(e.getMessage().contains("--log-level x"), e.getMessage());
  }
}
