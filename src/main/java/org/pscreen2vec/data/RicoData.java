package org.pscreen2vec.data;

import java.util.List;
import java.util.Map;

/**
 * A RICO-format folder as read by {@link RicoReader}.
 *
 * @param traces       traces in folder order (package, then trace number), each with its kept
 *                     screens in trace order; traces with no kept screen are left out
 * @param combined     the screens of {@code combined/} (empty unless asked for)
 * @param descriptions app package to Play-store description (empty when there is no file)
 * @param stats        what was read, kept and skipped, and why
 */
public record RicoData(List<Trace> traces, List<Screen> combined,
    Map<String, String> descriptions, RicoStats stats) {

  /** All screens of all traces, in order. */
  public List<Screen> traceScreens() {
    return traces.stream().flatMap(t -> t.screens().stream()).toList();
  }
}
