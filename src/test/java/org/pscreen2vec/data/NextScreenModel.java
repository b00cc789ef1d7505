package org.pscreen2vec.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simplest learner of trace structure, for the learnability test: counts of (screen, next
 * screen) pairs in training traces; predicts the most frequent successor. Activity names carry the
 * app, so the counts are per app.
 */
final class NextScreenModel {
  private NextScreenModel() {}

  /**
   * @return {accuracy of the counts model, accuracy of chance}: chance predicts, for every screen,
   *         the most frequent screen of that app in training (what a model that ignores the
   *         current screen does best)
   */
  static double[] evaluate(List<List<String>> train, List<List<String>> test) {
    Map<String, Map<String, Integer>> next = new HashMap<>();
    Map<String, Map<String, Integer>> prior = new HashMap<>(); // app -> screen counts
    for (List<String> t : train) {
      for (int i = 0; i + 1 < t.size(); i++) {
        next.computeIfAbsent(t.get(i), k -> new HashMap<>()).merge(t.get(i + 1), 1, Integer::sum);
        prior.computeIfAbsent(app(t.get(i + 1)), k -> new HashMap<>())
            .merge(t.get(i + 1), 1, Integer::sum);
      }
    }
    int right = 0;
    int chance = 0;
    int total = 0;
    for (List<String> t : test) {
      for (int i = 0; i + 1 < t.size(); i++) {
        String truth = t.get(i + 1);
        String appBest = argmax(prior.get(app(t.get(i))));
        Map<String, Integer> m = next.get(t.get(i));
        String guess = m == null ? appBest : argmax(m);
        right += truth.equals(guess) ? 1 : 0;
        chance += truth.equals(appBest) ? 1 : 0;
        total++;
      }
    }
    return new double[] {right / (double) total, chance / (double) total};
  }

  private static String app(String activity) {
    return activity.substring(0, Math.max(0, activity.indexOf('/')));
  }

  private static String argmax(Map<String, Integer> m) {
    if (m == null) {
      return "";
    }
    return m.entrySet().stream()
        .max(Map.Entry.<String, Integer>comparingByValue()
            .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
        .get().getKey();
  }
}
