package org.pscreen2vec.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One generated app: its package, topic vocabulary, description, the screen types it has, its own
 * transition probabilities between them, and a visual style. Everything follows from the random
 * generator it is built with.
 */
final class SyntheticApp {
  /** Screen types; each has a characteristic layout ({@link SyntheticScreens}) and activity. */
  enum ScreenType {
    LOGIN("LoginActivity"), HOME("MainActivity"), LIST("CategoryListActivity"),
    DETAIL("DetailActivity"), SEARCH("SearchActivity"), SETTINGS("SettingsActivity"),
    PROFILE("ProfileActivity"), CHECKOUT("CheckoutActivity"), DRAWER("NavigationActivity"),
    PLAYER("PlayerActivity"), MAP("MapActivity"), WEB("WebViewActivity"), CHAT("ChatActivity");

    final String activity;

    ScreenType(String activity) {
      this.activity = activity;
    }
  }

  static final String[][] TOPICS = {
      {"food", "recipe", "dinner", "pasta", "salad", "chicken", "soup", "dessert", "bake", "oven",
          "spicy", "vegan", "lunch", "ingredients", "minutes", "serves", "kitchen", "sauce",
          "Café", "Crème brûlée"},
      {"fitness", "workout", "run", "steps", "calories", "training", "yoga", "muscle", "cardio",
          "weight", "goal", "streak", "heart", "rate", "stretch", "plan", "coach", "reps"},
      {"finance", "account", "balance", "transfer", "payment", "budget", "savings", "invest",
          "stock", "card", "bill", "expense", "income", "loan", "interest", "bank", "€", "fees"},
      {"travel", "flight", "hotel", "trip", "booking", "airport", "beach", "city", "passport",
          "luggage", "destination", "tour", "guide", "São Paulo", "München", "check-in", "room"},
      {"news", "headline", "breaking", "politics", "world", "sports", "story", "editor", "opinion",
          "report", "live", "update", "election", "economy", "science", "column", "press"},
      {"music", "song", "album", "artist", "playlist", "radio", "lyrics", "concert", "track",
          "genre", "jazz", "rock", "shuffle", "repeat", "download", "podcast", "episode"},
      {"shop", "cart", "price", "sale", "discount", "order", "shipping", "size", "color",
          "brand", "deal", "coupon", "review", "stock", "wishlist", "return", "delivery"},
      {"weather", "forecast", "rain", "sunny", "cloudy", "temperature", "wind", "humidity",
          "storm", "snow", "radar", "hourly", "weekly", "alert", "UV", "sunrise", "sunset"},
      {"learn", "lesson", "course", "quiz", "word", "grammar", "level", "practice", "teacher",
          "class", "exam", "score", "chapter", "vocabulary", "日本語", "flashcard", "progress"},
      {"chat", "friend", "message", "group", "photo", "post", "like", "comment", "follow",
          "story", "share", "profile", "feed", "invite", "emoji ⭐", "status", "online 😀"}};

  static final String[] SYLLABLES = {"ka", "lo", "mi", "zu", "ra", "ven", "tor", "qui", "bel",
      "dro", "sa", "nix", "po", "lu", "fen", "ga", "rix", "mo", "tel", "vy"};

  final int index;
  final String packageName;
  final String brand;
  final String[] topic;
  final String[] appWords;
  final List<ScreenType> types;
  /** (types, types) cumulative transition probabilities, rows by position in {@link #types}. */
  final double[][] cumulative;
  final ScreenType start;
  final boolean compat;
  final boolean bottomBar;
  final String description;

  SyntheticApp(int index, Random r) {
    this.index = index;
    this.topic = TOPICS[r.nextInt(TOPICS.length)];
    this.brand = word(r) + word(r);
    String company = word(r) + (r.nextBoolean() ? "soft" : "labs");
    this.packageName = "com." + company + "." + brand + index;
    this.appWords = new String[3 + r.nextInt(4)];
    for (int i = 0; i < appWords.length; i++) {
      appWords[i] = capitalize(word(r) + word(r));
    }
    this.types = chooseTypes(r);
    this.start = types.contains(ScreenType.LOGIN) && r.nextBoolean() ? ScreenType.LOGIN
        : ScreenType.HOME;
    this.cumulative = transitions(r);
    this.compat = r.nextBoolean();
    this.bottomBar = r.nextInt(3) > 0;
    this.description = describe(r);
  }

  String activityName(ScreenType t) {
    return packageName + "/" + packageName + ".activities." + t.activity;
  }

  /** The next screen type after {@code t}. */
  ScreenType next(ScreenType t, Random r) {
    double[] row = cumulative[types.indexOf(t)];
    double u = r.nextDouble();
    for (int j = 0; j < row.length; j++) {
      if (u < row[j]) {
        return types.get(j);
      }
    }
    return types.get(row.length - 1);
  }

  /** A topic word or, one time in five, one of the app's own words. */
  String topicWord(Random r) {
    return r.nextInt(5) == 0 ? appWords[r.nextInt(appWords.length)]
        : topic[r.nextInt(topic.length)];
  }

  /** A title of one to three topic words, capitalized. */
  String title(Random r) {
    int n = 1 + r.nextInt(3);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(topicWord(r));
    }
    return capitalize(sb.toString());
  }

  /** A sentence of six to fourteen words mixing topic words and common words. */
  String sentence(Random r) {
    String[] common = {"the", "and", "with", "for", "your", "new", "best", "today", "more",
        "easy", "all", "now", "from", "our"};
    int n = 6 + r.nextInt(9);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(r.nextInt(2) == 0 ? common[r.nextInt(common.length)] : topicWord(r));
    }
    return capitalize(sb.toString()) + ".";
  }

  private List<ScreenType> chooseTypes(Random r) {
    List<ScreenType> all = new ArrayList<>(List.of(ScreenType.values()));
    all.remove(ScreenType.HOME);
    java.util.Collections.shuffle(all, r);
    List<ScreenType> t = new ArrayList<>();
    t.add(ScreenType.HOME);
    t.addAll(all.subList(0, 5 + r.nextInt(4)));
    return List.copyOf(t);
  }

  /**
   * Each type has a favourite successor (probability 0.6), a second one (0.25), and the rest
   * spread evenly: a first-order model of (app, type) predicts the next type about 60% of the time.
   */
  private double[][] transitions(Random r) {
    int k = types.size();
    double[][] cum = new double[k][k];
    for (int i = 0; i < k; i++) {
      double[] p = new double[k];
      int first = r.nextInt(k - 1);
      first = first >= i ? first + 1 : first; // never itself
      int second = r.nextInt(k);
      while (second == first) {
        second = r.nextInt(k);
      }
      java.util.Arrays.fill(p, 0.15 / k);
      p[first] += 0.6;
      p[second] += 0.25;
      double s = 0;
      for (int j = 0; j < k; j++) {
        s += p[j];
        cum[i][j] = s;
      }
      cum[i][k - 1] = 1.0;
    }
    return cum;
  }

  private String describe(Random r) {
    StringBuilder sb = new StringBuilder(capitalize(brand)).append(" is the ")
        .append(topic[0]).append(" app for ").append(topic[1]).append(" and ")
        .append(topic[2]).append(". ");
    int n = 2 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      sb.append(sentence(r)).append(' ');
    }
    sb.append("Features: ").append(String.join(", ", appWords)).append('.');
    return sb.toString();
  }

  private static String word(Random r) {
    return SYLLABLES[r.nextInt(SYLLABLES.length)] + SYLLABLES[r.nextInt(SYLLABLES.length)];
  }

  static String capitalize(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }
}
