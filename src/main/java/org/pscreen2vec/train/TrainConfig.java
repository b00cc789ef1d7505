package org.pscreen2vec.train;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
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
  /** RicoReader's limit on the nearest-component lists. */
  public static final int MAX_NEAREST = 1024;

  /** Every key, its default and what it means (the one page that documents the settings). */
  public static final Map<String, String[]> KEYS;

  static {
    Map<String, String[]> k = new LinkedHashMap<>();
    k.put("model", new String[] {"screen2vec",
        "screen2vec, ui2vec, layout-ae, fashion-mlp or fashion-cnn"});
    k.put("seed", new String[] {"1", "seed of initialization, shards and sampling"});
    k.put("epochs", new String[] {"5", "passes over the training data"});
    k.put("batch", new String[] {"32", "items per step per worker (when global.batch is 0)"});
    k.put("global.batch", new String[] {"0", "items per step over all workers, split evenly "
        + "(each worker global.batch / workers; must divide); 0: use batch per worker"});
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
        "a layout-ae checkpoint whose encoder gives frozen codes (layout.mode=frozen); "
            + "relative to the project folder"});
    k.put("layout.ae.config", new String[] {"", "the layout-ae configuration that makes "
        + "layout.checkpoint when it is missing (the study and make run train it first)"});
    k.put("screen.coords", new String[] {"false",
        "true: each component's 4 normalised bounds follow its embedding into the screen RNN "
            + "(the released v4 model)"});
    k.put("screen.description", new String[] {"inside", "inside: the app description is an "
        + "input of the combine layer; outside: appended after the network (v4)"});
    k.put("negatives", new String[] {"0",
        "random training screens per step added to every window's candidates, encoded with "
            + "gradient (paper: 128)"});
    k.put("windows", new String[] {"prefixes", "prefixes: every prefix of every trace (at most "
        + "window screens); full: one window of window screens per trace per epoch, at a random "
        + "start (the original)"});
    k.put("eval", new String[] {"batch", "batch: rank among the evaluation batch's candidates; "
        + "paper: also cosine against every held-out screen (top-1, top 0.01/0.1/1/5 %, "
        + "normalised RMSE)"});
    k.put("eval.candidates", new String[] {"test",
        "eval=paper candidates: test (every held-out screen) or all (every screen)"});
    k.put("ui2vec.head", new String[] {"mean", "mean: mean of the nearest components -> "
        + "linear heads; concat: their concatenation -> dim + class.dim (the original)"});
    k.put("nearest", new String[] {"16",
        "context components per hidden component (ui2vec), 1.." + MAX_NEAREST});
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
    // checkpoints, resume and guards (docs/CHECKPOINTS.md)
    k.put("checkpoint.every", new String[] {"0",
        "write a checkpoint every this many steps and at each epoch end (0: only at epoch ends)"});
    k.put("checkpoint.epochs", new String[] {"true", "also checkpoint at each epoch end and after "
        + "the last step (false: only every checkpoint.every steps and when preempted; studies "
        + "that never resume a run save the disk this way)"});
    k.put("checksum.every", new String[] {"50",
        "allreduce strategies: compare a parameter checksum across workers every this many "
            + "steps and at the end (0: never)"});
    k.put("debug.nan.step", new String[] {"0",
        "tests only: make the last worker's gradient NaN at this step (0: never)"});
    // overlap of communication with backward (docs/PERFORMANCE.md, "Overlap")
    k.put("overlap", new String[] {"true", "allreduce strategies: reduce gradient buckets on a "
        + "communication thread while backward still runs (true or false)"});
    k.put("overlap.bucket.mb", new String[] {"25", "largest gradient bucket in MiB when "
        + "overlapping (a larger parameter is a bucket of its own)"});
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
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("is not UTF-8 text; save it as UTF-8 (e.g. iconv -f "
            + "latin1 -t utf-8)");
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

  /** Values one Java array (one buffer) can hold. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /**
   * Every key: its type, range and finiteness, then products that would overflow a buffer. The
   * message names the key and the value; the caller adds the file.
   */
  private void validate() {
    if (!MODELS.contains(model())) {
      throw new IllegalArgumentException("model '" + model() + "' is unknown; valid models: "
          + String.join(", ", MODELS));
    }
    longValue("seed");
    integer("epochs", 1, 1_000_000);
    integer("batch", 1, 1 << 20);
    integer("global.batch", 0, 1 << 20);
    integer("max.steps", 0, Integer.MAX_VALUE);
    oneOf("optimizer", "adam", "sgd");
    oneOf("sparse.optimizer", "adam", "adagrad");
    oneOf("layout.mode", "joint", "frozen", "none");
    oneOf("screen.coords", "true", "false");
    oneOf("screen.description", "inside", "outside");
    oneOf("windows", "prefixes", "full");
    oneOf("eval", "batch", "paper");
    oneOf("eval.candidates", "test", "all");
    oneOf("ui2vec.head", "mean", "concat");
    oneOf("overlap", "true", "false");
    oneOf("checkpoint.epochs", "true", "false");
    number("overlap.bucket.mb", 0, false, 1 << 20);
    number("lr", 0, false, 1e6);
    number("sparse.lr", 0, false, 1e6);
    number("momentum", 0, true, 1);
    if (momentum() >= 1) {
      throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum());
    }
    number("layout.ae.weight", 0, true, 1e6);
    integer("dim", 1, 1 << 16);
    integer("class.dim", 1, 1 << 10);
    integer("text.buckets", 1, 1 << 30);
    integer("text.max.tokens", 1, 1 << 16);
    integer("nearest", 1, MAX_NEAREST);
    integer("window", 2, 1000);
    integer("max.components", 1, 1 << 16);
    integer("negatives", 0, 1 << 16);
    integer("eval.batch", 2, 1 << 16);
    number("eval.fraction", 0, false, 1);
    if (getDouble("eval.fraction") >= 1) {
      throw new IllegalArgumentException("eval.fraction must be in (0, 1), was "
          + get("eval.fraction"));
    }
    integer("synthetic.screens", 1, 10_000_000);
    integer("log.every", 1, Integer.MAX_VALUE);
    integer("checkpoint.every", 0, Integer.MAX_VALUE);
    integer("checksum.every", 0, Integer.MAX_VALUE);
    integer("debug.nan.step", 0, Integer.MAX_VALUE);
    for (String key : List.of("layout.sizes", "mlp.sizes", "cnn.channels")) {
      for (int x : ints(key)) {
        if (x < 1 || x > 1 << 20) {
          throw new IllegalArgumentException(key + " must list sizes in 1.." + (1 << 20)
              + ", was " + get(key));
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
    products();
  }

  /** Sizes whose products must fit one buffer (the text table, the biggest layers, a batch). */
  private void products() {
    long dim = getInt("dim");
    fits("text.buckets x dim", (long) getInt("text.buckets") * dim);
    long in = 11200; // Screen.LAYOUT_SIZE, the layout bitmap
    long dense = 0;
    for (int x : ints("layout.sizes")) {
      fits("layout.sizes (a layer of " + in + " x " + x + ")", in * x);
      dense += 2 * in * x;
      in = x;
    }
    fits("layout.sizes (encoder and decoder)", dense);
    int[] mlp = ints("mlp.sizes");
    for (int i = 1; i < mlp.length; i++) {
      fits("mlp.sizes (a layer of " + mlp[i - 1] + " x " + mlp[i] + ")",
          (long) mlp[i - 1] * mlp[i]);
    }
    fits("dim x dim x 4 (the LSTM)", 8 * dim * dim);
    long perWorker = Math.max(batch(), getInt("global.batch"));
    fits("nearest x dim x (dim + class.dim) (ui2vec.head=concat)",
        getInt("nearest") * dim * (dim + getInt("class.dim")));
    fits("batch x nearest x dim (ui2vec)", perWorker * getInt("nearest") * dim);
    long screens = perWorker * getInt("window") + getInt("negatives");
    fits("max.components x screens per step x (dim + 4) (screen2vec)",
        getInt("max.components") * screens * (dim + 4));
    fits("batch x screens per step (screen2vec candidates)", perWorker * screens);
    long evalScreens = (long) getInt("eval.batch") * getInt("window");
    fits("eval.batch x eval.batch x window (evaluation candidates)",
        getInt("eval.batch") * evalScreens);
    fits("max.components x eval.batch x window x (dim + 4) (evaluation)",
        getInt("max.components") * evalScreens * (dim + 4));
  }

  private static void fits(String what, long product) {
    if (product > MAX_ARRAY || product < 0) {
      throw new IllegalArgumentException(what + " = " + product + " values exceeds one buffer ("
          + MAX_ARRAY + "); choose smaller sizes");
    }
  }

  /**
   * Per-worker batch for this many workers: global.batch / workers when global.batch is set (it
   * must divide evenly), else batch.
   */
  public int workerBatch(int workers) {
    int global = getInt("global.batch");
    if (global == 0) {
      return batch();
    }
    if (workers < 1 || global % workers != 0 || global / workers < 1) {
      throw new IllegalArgumentException("global.batch=" + global + " cannot be split evenly "
          + "over " + workers + " worker(s); use a worker count that divides " + global
          + " or set global.batch to a multiple of " + workers);
    }
    return global / workers;
  }

  private void integer(String key, int min, int max) {
    long v;
    try {
      v = Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, was '" + get(key) + "'");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", was " + v);
    }
  }

  private void longValue(String key) {
    try {
      Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, was '" + get(key) + "'");
    }
  }

  /** A finite number above min (or at it, when minIncluded) and at most max. */
  private void number(String key, double min, boolean minIncluded, double max) {
    double v = eval(key);
    if (!Double.isFinite(v) || v < min || (v == min && !minIncluded) || v > max) {
      throw new IllegalArgumentException(key + " must be a finite number " + (minIncluded
          ? ">= " : "> ") + min + " and <= " + max + ", was '" + get(key) + "'");
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

  /** A true/false key (checked to be one of them by {@link #validate}). */
  public boolean getBool(String key) {
    return get(key).equals("true");
  }

  public int[] ints(String key) {
    try {
      return Arrays.stream(get(key).split(",", -1)).map(String::trim)
          .mapToInt(Integer::parseInt).toArray();
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
