package org.pscreen2vec.model;

import java.util.HashMap;
import java.util.Map;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.ParameterStore;

/**
 * Told during backward that a range of the flat dense gradient is final: no later part of this
 * step's backward adds to it (what DDP's per-parameter hooks tell its reducer). Models call it
 * after each top-level module's backward ({@link Model#onGradientsReady}).
 */
@FunctionalInterface
public interface GradientReady {
  GradientReady NONE = (from, to) -> {};

  /** {@code [from, to)} of the flat gradient buffer is final for this step. */
  void ready(int from, int to);

  /** A model's side of the hook: its modules' ranges by name prefix, and the current listener. */
  final class Hook {
    private final Map<String, int[]> ranges = new HashMap<>();
    private GradientReady listener = NONE;

    /** The ranges of the parameters named {@code prefix.*}, for each prefix (contiguous). */
    Hook(ParameterStore store, String... prefixes) {
      for (String prefix : prefixes) {
        int from = Integer.MAX_VALUE;
        int to = -1;
        for (DenseParam p : store.params()) {
          if (p.name().startsWith(prefix + ".")) {
            from = Math.min(from, p.offset());
            to = Math.max(to, p.offset() + p.size());
          }
        }
        if (to >= 0) {
          ranges.put(prefix, new int[] {from, to});
        }
      }
    }

    void set(GradientReady l) {
      listener = l == null ? NONE : l;
    }

    /** The module {@code prefix} has finished its backward. */
    void done(String prefix) {
      int[] r = ranges.get(prefix);
      if (r != null) {
        listener.ready(r[0], r[1]);
      }
    }
  }
}
