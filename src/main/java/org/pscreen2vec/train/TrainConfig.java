package org.pscreen2vec.train;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A training configuration: immutable, validated when built (full-sentence errors naming the
 * key), printed at start and stored with results. Read from a {@code .properties} file
 * ({@code configs/*.properties}) plus {@code key=value} overrides; every key has a default, and an
 * unknown key is an error listing the known ones.
 */
public final class TrainConfig {
  /** Every key, its default and what it means (the one page that documents the settings). */
  public static final Map<String, String[]> KEYS;

  static {
    Map<String, String[]> k = new LinkedHashMap<>();
    k.put("model", new String[] {"screen2vec",
        "screen2vec, ui2vec, layout-ae, fashion-mlp or fashion-cnn"});
    k.put("seed", new String[] {"1", "seed of initialization, shards and sampling"});
    k.put("epochs", new String[] {"5", "passes over the training data"});
    k.put("batch", new String[] {"32", "items per step per worker"});
    k.put("max.steps", new String[] {"0", "stop after this many steps in all (0: no limit)"});
    k.put("optimizer", new String[] {"adam", "dense optimizer: adam or sgd"});
    k.put("lr", new String[] {"0.001", "dense learning rate"});
    k.put("momentum", new String[] {"0.9", "SGD momentum"});
    k.put("sparse.optimizer", new String[] {"adam", "text-table optimizer: adam (lazy) or adagrad"});
    k.put("sparse.lr", new String[] {"0.01", "text-table learning rate"});
    k.put("dim", new String[] {"64", "text/component/screen embedding size (paper: 768)"});
    k.put("class.dim", new String[] {"6", "GUI class embedding size"});
    k.put("text.buckets", new String[] {"16384", "rows of the hashed text table"});
    k.put("text.max.tokens", new String[] {"64", "hashed rows per text at most"});
    k.put("layout.sizes", new String[] {"256,64,32",
        "layout encoder sizes after the 11200 input, code last (paper: 2048,256,64)"});
    k.put("layout.mode", new String[] {"joint", "joint, frozen or none (screen2vec)"});
    k.put("layout.ae.weight", new String[] {"0.1", "weight of the reconstruction loss (joint)"});
    k.put("layout.checkpoint", new String[] {"",
        "a layout-ae checkpoint whose encoder gives frozen codes (layout.mode=frozen)"});
    k.put("nearest", new String[] {"16", "context components per hidden component (ui2vec)"});
    k.put("window", new String[] {"4", "screens per trace window, the target included"});
    k.put("max.components", new String[] {"32", "components per screen at most (screen2vec)"});
    k.put("eval.batch", new String[] {"64", "windows/items per evaluation batch (candidates)"});
    k.put("eval.fraction", new String[] {"0.1", "share of traces held out for evaluation"});
    k.put("data", new String[] {"synthetic",
        "RICO-format folder, 'synthetic' (generated once into .deps/data), or for fashion "
            + "the IDX folder ('default': $FASHION_MNIST_DIR or .deps/data/fashion-mnist)"});
    k.put("synthetic.screens", new String[] {"3000", "screens of the generated data set"});
    k.put("mlp.sizes", new String[] {"784,256,128,10", "fashion-mlp layer sizes"});
    k.put("cnn.channels", new String[] {"8,16", "fashion-cnn channels of the two blocks"});
    k.put("log.every", new String[] {"20", "log a step line every this many steps"});
    KEYS = Collections.unmodifiableMap(k);
  }

  public static final List<String> MODELS =
      List.of("screen2vec", "ui2vec", "layout-ae", "fashion-mlp", "fashion-cnn");

  private final Map<String, String> values;

  private TrainConfig(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    validate();
  }

  /** Defaults overridden by {@code settings}. */
  public static TrainConfig of(Map<String, String> settings) {
    Map<String, String> v = new LinkedHashMap<>();
    KEYS.forEach((key, d) -> v.put(key, d[0]));
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      if (!KEYS.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown configuration key '" + e.getKey()
            + "'; known keys: " + String.join(", ", KEYS.keySet()));
      }
      v.put(e.getKey(), e.getValue().trim());
    }
    return new TrainConfig(v);
  }

  /** A properties file (may be null) then {@code key=value} overrides. */
  public static TrainConfig load(Path file, List<String> overrides) throws IOException {
    Map<String, String> s = new LinkedHashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      p.stringPropertyNames().forEach(key -> s.put(key, p.getProperty(key)));
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("setting '" + o + "' is not of the form key=value");
      }
      s.put(o.substring(0, eq).trim(), o.substring(eq + 1));
    }
    return of(s);
  }

  /** A copy with some keys changed. */
  public TrainConfig with(Map<String, String> changes) {
    Map<String, String> v = new LinkedHashMap<>(values);
    v.putAll(changes);
    return of(v);
  }

  private void validate() {
    if (!MODELS.contains(model())) {
      throw new IllegalArgumentException("model '" + model() + "' is unknown; valid models: "
          + String.join(", ", MODELS));
    }
    positive("epochs");
    positive("batch");
    integer("max.steps", 0, Integer.MAX_VALUE);
    oneOf("optimizer", "adam", "sgd");
    oneOf("sparse.optimizer", "adam", "adagrad");
    oneOf("layout.mode", "joint", "frozen", "none");
    if (!(lr() > 0) || !(sparseLr() > 0)) {
      throw new IllegalArgumentException("learning rates lr and sparse.lr must be positive");
    }
    if (momentum() < 0 || momentum() >= 1) {
      throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum());
    }
    positive("dim");
    positive("class.dim");
    positive("text.buckets");
    positive("text.max.tokens");
    positive("nearest");
    integer("window", 2, 1000);
    positive("max.components");
    integer("eval.batch", 2, 1 << 20);
    double f = eval("eval.fraction");
    if (f <= 0 || f >= 1) {
      throw new IllegalArgumentException("eval.fraction must be in (0, 1), was " + f);
    }
    positive("synthetic.screens");
    positive("log.every");
    for (String key : List.of("layout.sizes", "mlp.sizes", "cnn.channels")) {
      for (int x : ints(key)) {
        if (x < 1) {
          throw new IllegalArgumentException(key + " must list positive sizes, was "
              + get(key));
        }
      }
    }
    if (ints("mlp.sizes").length < 2) {
      throw new IllegalArgumentException("mlp.sizes needs an input and an output size");
    }
    if (ints("cnn.channels").length != 2) {
      throw new IllegalArgumentException("cnn.channels needs two channel counts, was "
          + get("cnn.channels"));
    }
    if (layoutMode().equals("frozen") && get("layout.checkpoint").isEmpty()) {
      throw new IllegalArgumentException("layout.mode=frozen needs layout.checkpoint (a trained "
          + "layout-ae checkpoint)");
    }
  }

  private void positive(String key) {
    integer(key, 1, Integer.MAX_VALUE);
  }

  private void integer(String key, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, was '" + get(key) + "'");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", was " + v);
    }
  }

  private double eval(String key) {
    try {
      return Double.parseDouble(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, was '" + get(key) + "'");
    }
  }

  private void oneOf(String key, String... options) {
    if (!Arrays.asList(options).contains(get(key))) {
      throw new IllegalArgumentException(key + " must be one of " + String.join(", ", options)
          + ", was '" + get(key) + "'");
    }
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("unknown configuration key '" + key + "'");
    }
    return v;
  }

  public int getInt(String key) {
    return Integer.parseInt(get(key));
  }

  public double getDouble(String key) {
    return eval(key);
  }

  public int[] ints(String key) {
    try {
      return Arrays.stream(get(key).split(",")).map(String::trim).mapToInt(Integer::parseInt)
          .toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a comma-separated list of whole numbers,"
          + " was '" + get(key) + "'");
    }
  }

  /** Every resolved setting, in documentation order. */
  public Map<String, String> values() {
    return values;
  }

  public String model() {
    return get("model");
  }

  public long seed() {
    return Long.parseLong(get("seed"));
  }

  public int epochs() {
    return getInt("epochs");
  }

  public int batch() {
    return getInt("batch");
  }

  public int maxSteps() {
    return getInt("max.steps");
  }

  public double lr() {
    return getDouble("lr");
  }

  public double sparseLr() {
    return getDouble("sparse.lr");
  }

  public double momentum() {
    return getDouble("momentum");
  }

  public String layoutMode() {
    return get("layout.mode");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    values.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
    return sb.toString().trim();
  }
}
