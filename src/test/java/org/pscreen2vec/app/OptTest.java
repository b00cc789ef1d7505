package org.pscreen2vec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;

class OptTest {
  static final Opt<Integer> STEPS = Opt.integer("steps", "N", 10, 1, 100, "timed steps");
  static final Opt<Integer> THREADS = Opt.integer("threads", "N", "all cores", 1, 64, "threads");
  static final Opt<Long> SEED = Opt.count("seed", "S", 1, Long.MIN_VALUE, Long.MAX_VALUE, "seed");
  static final Opt<Double> LR = Opt.number("lr", "LR", 0.05, 1e-9, 10, "learning rate");
  static final Opt<String> MODE = Opt.choice("mode", "M", "adam", List.of("adam", "sgd"), "mode");
  static final Opt<String> OUT = Opt.text("out", "DIR", null, "results/", "output folder");
  static final Opt<List<String>> SET = Opt.repeated("set", "K=V", "override");
  static final Opt<Boolean> FORCE = Opt.flag("force", "replace");

  private static CommandLine parse(String... args) throws Exception {
    return new DefaultParser().parse(Opt.options(STEPS, THREADS, SEED, LR, MODE, OUT, SET, FORCE),
        args);
  }

  @Test
  void theHelpStatesTheDefaultThatIsUsed() throws Exception {
    assertEquals("timed steps (default 10)", STEPS.option().getDescription());
    assertEquals("threads (default all cores)", THREADS.option().getDescription());
    assertEquals("mode (adam, sgd) (default adam)", MODE.option().getDescription());
    assertEquals("replace", FORCE.option().getDescription());
    CommandLine cl = parse();
    assertEquals(10, STEPS.get(cl));
    assertNull(THREADS.get(cl), "a computed default is the caller's");
    assertEquals(7, THREADS.get(cl, 7));
    assertEquals(1L, SEED.get(cl));
    assertEquals(0.05, LR.get(cl));
    assertEquals("adam", MODE.get(cl));
    assertNull(OUT.get(cl));
    assertEquals(List.of(), SET.get(cl));
    assertFalse(FORCE.get(cl));
  }

  @Test
  void givenValuesAreParsed() throws Exception {
    CommandLine cl = parse("--steps", "3", "--threads", "2", "--seed", "-5", "--lr", "1e-3",
        "--mode", "sgd", "--out", "x", "--set", "a=1", "--set", "b=2", "--force");
    assertEquals(3, STEPS.get(cl));
    assertEquals(2, THREADS.get(cl, 7));
    assertEquals(-5L, SEED.get(cl));
    assertEquals(1e-3, LR.get(cl));
    assertEquals("sgd", MODE.get(cl));
    assertEquals("x", OUT.get(cl));
    assertEquals(List.of("a=1", "b=2"), SET.get(cl));
    assertTrue(FORCE.get(cl));
  }

  @Test
  void badValuesNameTheOptionAndWhatIsValid() {
    String[][] cases = {
        {"--steps", "0", "--steps 0 is out of range: use 1..100"},
        {"--steps", "x", "--steps x is not a whole number"},
        {"--lr", "Infinity", "--lr Infinity is out of range: use 1.0E-9..10"},
        {"--lr", "fast", "--lr fast is not a number"},
        {"--mode", "rmsprop", "--mode rmsprop is not one of adam, sgd"},
    };
    for (String[] c : cases) {
      UsageException e = assertThrows(UsageException.class, () -> {
        CommandLine cl = parse(c[0], c[1]);
        STEPS.get(cl);
        LR.get(cl);
        MODE.get(cl);
      }, c[2]);
      assertEquals(c[2], e.getMessage());
    }
  }
}
