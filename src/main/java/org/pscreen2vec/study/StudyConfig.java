package org.pscreen2vec.study;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.sync.Strategies;
import org.pscreen2vec.train.TrainConfig;

/**
 * A study: workloads (a training configuration plus overrides) × strategies × worker counts ×
 * server counts × consistency × device, each cell repeated, with weak or strong scaling. Read from
 * a {@code configs/study/*.properties} file (keys in {@code configs/study/README.md}), validated
 * when built: every workload's configuration is loaded with its overrides, so a bad key fails
 * before the first run, naming the file and the key.
 *
 * <p>Every workload and device gets the single-worker baseline ({@code none}, 1 worker) that
 * speed-ups are measured against; the strategies run at each worker count of {@code workers}.
 */
public record StudyConfig(Path file, String name, Scaling scaling, int repeats,
    List<String> devices, List<String> strategies, List<Integer> workers, List<Integer> servers,
    List<String> consistencies, List<Workload> workloads, int timeoutSeconds,
    Map<String, String> values) {

  /** Weak: the per-worker batch is fixed. Strong: the global batch is fixed. */
  public enum Scaling {
    WEAK, STRONG
  }

  /**
   * One workload: a training configuration, the overrides the study applies to it, and an
   * optional quality target ({@code loss} falls to, or an evaluation metric rises to, a value).
   */
  public record Workload(String name, String model, Path config, List<String> overrides,
      String targetMetric, double targetValue, int batch) {
    /** Screen2Vec is the multimodal workload; the others are the simple baselines. */
    public boolean multimodal() {
      return model.equals("screen2vec");
    }

    /** True when the target is reached by falling (loss), false when by rising (accuracy). */
    public boolean targetFalls() {
      return targetMetric != null && (targetMetric.endsWith("loss") || targetMetric.endsWith("mse"));
    }
  }

  /** The most repeats per cell a study may ask for (its {@code repeats}, {@code --repeats}). */
  public static final int MAX_REPEATS = 1000;
  private static final Set<String> KEYS = Set.of("name", "scaling", "repeats", "devices",
      "strategies", "workers", "servers", "consistency", "timeout.seconds");
  private static final Set<String> WORKLOAD_KEYS = Set.of("config", "set", "target");
  private static final Set<String> DEVICES = Set.of("multicore", "niodev", "hybdev", "native");

  /**
   * Reads and validates a study file; relative workload configuration paths resolve against
   * {@code home} (the project folder).
   */
  public static StudyConfig load(Path file, Path home) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("study file " + file + " does not exist");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + " is not UTF-8 text");
    }
    // keys in the order the file names them, so workloads run and report in that order
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String k = line.split("[=:]", 2)[0].trim();
      if (p.containsKey(k)) {
        v.putIfAbsent(k, p.getProperty(k).trim());
      }
    }
    new TreeSet<>(p.stringPropertyNames()).forEach(k -> v.putIfAbsent(k, p.getProperty(k).trim()));
    try {
      return of(file, home, v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  private static StudyConfig of(Path file, Path home, Map<String, String> v) throws IOException {
    Map<String, Map<String, String>> wl = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : v.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("workload.")) {
        int dot = k.lastIndexOf('.');
        String wname = k.substring("workload.".length(), Math.max(dot, "workload.".length()));
        String field = k.substring(dot + 1);
        if (wname.isEmpty() || !WORKLOAD_KEYS.contains(field)) {
          throw new IllegalArgumentException("key '" + k + "' is not workload.<name>.config, "
              + ".set or .target");
        }
        checkName("workload", wname);
        wl.computeIfAbsent(wname, x -> new LinkedHashMap<>()).put(field, e.getValue());
      } else if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown key '" + k + "'; valid keys: "
            + String.join(", ", new TreeSet<>(KEYS)) + ", workload.<name>.{config,set,target}");
      }
    }
    if (wl.isEmpty()) {
      throw new IllegalArgumentException("names no workload (workload.<name>.config = FILE)");
    }
    String base = file.getFileName().toString().replaceFirst("\\.properties$", "");
    String name = v.getOrDefault("name", base);
    checkName("name", name);
    Scaling scaling = switch (v.getOrDefault("scaling", "weak")) {
      case "weak" -> Scaling.WEAK;
      case "strong" -> Scaling.STRONG;
      default -> throw new IllegalArgumentException("scaling must be weak or strong, was '"
          + v.get("scaling") + "'");
    };
    int repeats = intIn(v, "repeats", "1", 1, MAX_REPEATS);
    int timeout = intIn(v, "timeout.seconds", "1800", 10, 7 * 24 * 3600);
    List<String> devices = list(v, "devices", "multicore");
    for (String d : devices) {
      if (!DEVICES.contains(d)) {
        throw new IllegalArgumentException("device '" + d + "' is unknown; valid devices: "
            + String.join(", ", new TreeSet<>(DEVICES)));
      }
    }
    List<String> strategies = list(v, "strategies", String.join(",", Strategies.NAMES.stream()
        .filter(s -> !s.equals("none")).toList()));
    for (String s : strategies) {
      if (!Strategies.NAMES.contains(s) || s.equals("none")) {
        throw new IllegalArgumentException("strategy '" + s + "' is unknown; valid strategies: "
            + String.join(", ", Strategies.NAMES.stream().filter(x -> !x.equals("none"))
                .toList()) + " (the single-worker baseline 'none' is always included)");
      }
    }
    List<Integer> workers = ints(v, "workers", "2", 1);
    List<Integer> servers = ints(v, "servers", "1", 1);
    List<String> consistencies = list(v, "consistency", "bsp");
    for (String c : consistencies) {
      Consistency.parse(c);
    }
    List<Workload> workloads = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : wl.entrySet()) {
      workloads.add(workload(e.getKey(), e.getValue(), home, scaling, workers));
    }
    return new StudyConfig(file, name, scaling, repeats, devices, strategies, workers, servers,
        consistencies, List.copyOf(workloads), timeout, Map.copyOf(v));
  }

  private static Workload workload(String name, Map<String, String> f, Path home,
      Scaling scaling, List<Integer> workers) throws IOException {
    String c = f.get("config");
    if (c == null) {
      throw new IllegalArgumentException("workload '" + name + "' has no workload." + name
          + ".config");
    }
    Path config = home.resolve(c).normalize();
    if (!Files.isRegularFile(config)) {
      throw new IllegalArgumentException("workload '" + name + "': configuration file " + config
          + " does not exist");
    }
    List<String> sets = f.containsKey("set") ? overrides(f.get("set")) : List.of();
    TrainConfig tc;
    try {
      tc = TrainConfig.load(config, sets);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("workload '" + name + "' (" + config + " with "
          + sets + "): " + e.getMessage());
    }
    int batch = tc.batch();
    int global = tc.getInt("global.batch");
    if (global > 0) { // split over the workers whatever the scaling: check every worker count
      for (int w : workers) {
        if (global % w != 0) {
          throw new IllegalArgumentException("workload '" + name + "' (" + config + "): "
              + "global.batch=" + global + " cannot be split evenly over " + w + " workers");
        }
      }
    } else if (scaling == Scaling.STRONG) {
      for (int w : workers) {
        if (batch % w != 0) {
          throw new IllegalArgumentException("workload '" + name + "': strong scaling keeps the "
              + "global batch " + batch + " fixed, which " + w + " workers cannot share evenly");
        }
      }
    }
    String metric = null;
    double value = Double.NaN;
    String t = f.get("target");
    if (t != null) {
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("workload." + name + ".target must be METRIC:VALUE "
            + "(e.g. loss:0.5 or accuracy:0.8), was '" + t + "'");
      }
      metric = t.substring(0, colon).trim();
      value = number("workload." + name + ".target", t.substring(colon + 1).trim());
    }
    return new Workload(name, tc.model(), config, sets, metric, value, batch);
  }

  /** The cells in run order: per workload and device, the baseline, then each worker count. */
  public List<Cell> cells() {
    List<Cell> out = new ArrayList<>();
    for (Workload w : workloads) {
      for (String d : devices) {
        out.add(new Cell(out.size() + 1, w, d, "none", 1, 0, "-", w.batch()));
        for (int n : workers) {
          int batch = scaling == Scaling.STRONG ? w.batch() / n : w.batch();
          for (String s : strategies) {
            if (!Strategies.usesServers(s)) {
              out.add(new Cell(out.size() + 1, w, d, s, n, 0, "-", batch));
              continue;
            }
            for (int srv : servers) {
              for (String c : consistencies) {
                out.add(new Cell(out.size() + 1, w, d, s, n, srv, c, batch));
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** Distinct rank counts and the cells that need them (one Slurm job array each). */
  public Map<Integer, List<Integer>> cellsByRanks() {
    Map<Integer, List<Integer>> m = new java.util.TreeMap<>();
    for (Cell c : cells()) {
      m.computeIfAbsent(c.ranks(), k -> new ArrayList<>()).add(c.number());
    }
    return m;
  }

  private static void checkName(String what, String s) {
    if (!s.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
      throw new IllegalArgumentException(what + " '" + s + "' may hold only letters, digits, "
          + "'_' and '-'");
    }
  }

  /**
   * {@code KEY=VALUE, KEY=VALUE, ...}: a comma starts the next override only where a key and
   * {@code =} follow it, so list values stay whole ({@code layout.sizes=64,16, epochs=1}).
   */
  static List<String> overrides(String text) {
    return Arrays.stream(text.split(",(?=\\s*[A-Za-z][\\w.]*\\s*=)")).map(String::trim)
        .filter(x -> !x.isEmpty()).toList();
  }

  private static List<String> list(Map<String, String> v, String key, String dflt) {
    List<String> out = new ArrayList<>(new LinkedHashSet<>(Arrays.stream(
        v.getOrDefault(key, dflt).split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toList()));
    if (out.isEmpty()) {
      throw new IllegalArgumentException(key + " is empty");
    }
    return out;
  }

  private static List<Integer> ints(Map<String, String> v, String key, String dflt, int min) {
    List<Integer> out = new ArrayList<>();
    for (String s : list(v, key, dflt)) {
      int n = (int) number(key, s);
      if (n != number(key, s) || n < min || n > 4096) {
        throw new IllegalArgumentException(key + " holds '" + s + "', not a whole number in "
            + min + "..4096");
      }
      out.add(n);
    }
    return out;
  }

  private static int intIn(Map<String, String> v, String key, String dflt, int min, int max) {
    String s = v.getOrDefault(key, dflt);
    double d = number(key, s);
    if (d != Math.rint(d) || d < min || d > max) {
      throw new IllegalArgumentException(key + " must be a whole number in " + min + ".." + max
          + ", was '" + s + "'");
    }
    return (int) d;
  }

  private static double number(String key, String s) {
    try {
      double d = Double.parseDouble(s);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " holds '" + s + "', not a finite number");
    }
  }
}
