package org.pscreen2vec.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.nn.Hashing;

/**
 * Traces split into training and held-out sets by a hash of (package, trace id, seed): the same
 * on every rank and run, and whole traces stay on one side (no screen leaks into evaluation).
 */
public record TraceSplit(List<Trace> train, List<Trace> test, Map<String, String> descriptions) {
  public static TraceSplit of(List<Trace> traces, Map<String, String> descriptions,
      double testFraction, long seed) {
    List<Trace> train = new ArrayList<>();
    List<Trace> test = new ArrayList<>();
    for (Trace t : traces) {
      long h = Hashing.mix(Hashing.hash64(t.packageName() + "/" + t.id()) ^ seed);
      double u = (h >>> 11) * 0x1.0p-53;
      (u < testFraction ? test : train).add(t);
    }
    if (test.isEmpty() && train.size() > 1) {
      test.add(train.remove(train.size() - 1));
    }
    return new TraceSplit(train, test, descriptions);
  }

  /** Distinct screens of the traces, in order. */
  public static List<Screen> screens(List<Trace> traces) {
    Map<Screen, Boolean> seen = new IdentityHashMap<>();
    List<Screen> out = new ArrayList<>();
    for (Trace t : traces) {
      for (Screen s : t.screens()) {
        if (seen.put(s, Boolean.TRUE) == null) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Windows of at most {@code size} screens: the context in order, the target last. */
  public static List<List<Screen>> windows(List<Trace> traces, int size) {
    List<List<Screen>> out = new ArrayList<>();
    for (Trace t : traces) {
      List<Screen> s = t.screens();
      for (int j = 1; j < s.size(); j++) {
        out.add(s.subList(Math.max(0, j - (size - 1)), j + 1));
      }
    }
    return out;
  }
}
