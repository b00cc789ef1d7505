package org.pscreen2vec.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.pscreen2vec.data.SyntheticApp.ScreenType;

/**
 * A synthetic data set in RICO's on-disk layout, with structure a model can learn:
 * {@code filtered_traces/<package>/trace_<k>/view_hierarchies/<frame>.json} plus
 * {@code gestures.json}, {@code combined/<id>.json} (hard links to the trace files, as RICO's
 * unique screens), and {@code app_descriptions.csv}.
 *
 * <p>Each app has a topic vocabulary and its own words, a subset of 13 screen types (login, home
 * feed, list, detail, search, settings, profile, checkout, drawer, player, map, web view, chat)
 * with characteristic layouts and activities, and its own transition probabilities between them
 * (a favourite successor with probability 0.6, a second with 0.25); traces are walks of that
 * chain. So the next screen of a trace is predictable from the current one far above chance,
 * and not at all once the order is shuffled.
 *
 * <p>Deterministic: the same {@link Config} gives byte-identical files, whatever the thread
 * count (each app draws from its own generator seeded from the seed and the app's index).
 */
public final class SyntheticRico {
  private SyntheticRico() {}

  /**
   * What to generate.
   *
   * @param seed      seed of everything
   * @param screens   total screens over all traces
   * @param apps      number of apps (traces are dealt to apps in turn)
   * @param minTrace  shortest trace, in screens (the last trace may be shorter, to hit screens)
   * @param maxTrace  longest trace
   * @param threads   writer threads
   */
  public record Config(long seed, int screens, int apps, int minTrace, int maxTrace,
      int threads) {
    public Config {
      require(screens >= 1 && screens <= 10_000_000, "screens must be 1..10000000, was "
          + screens);
      require(apps >= 1 && apps <= screens, "apps must be 1..screens (" + screens + "), was "
          + apps);
      require(minTrace >= 1 && maxTrace >= minTrace && maxTrace <= 10_000,
          "trace lengths must satisfy 1 <= min <= max <= 10000, were " + minTrace + ".."
              + maxTrace);
      require(threads >= 1, "threads must be at least 1, was " + threads);
    }

    /** {@code screens} screens over one app per 60 screens (at least 2), traces of 3..15. */
    public static Config of(long seed, int screens) {
      int apps = Math.max(Math.min(2, screens), Math.round(screens / 60f));
      return new Config(seed, screens, apps, 3, 15, Runtime.getRuntime().availableProcessors());
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /**
   * One generated screen with what the reader must find in it.
   *
   * @param screenType  the type the generator chose (the hidden state of the trace chain)
   * @param components  the labeled components by the generator's own bookkeeping, in tree order
   * @param nodes       nodes in the view hierarchy
   * @param depth       depth of the view hierarchy (root = 0)
   */
  public record GeneratedScreen(String packageName, String traceId, String screenId,
      String activity, String screenType, List<GuiComponent> components, int nodes, int depth) {}

  /** What was written. */
  public record Summary(int apps, int traces, int screens, long bytes, RicoStats stats) {}

  /**
   * Writes the data set under {@code out} (created if missing; must not already hold
   * {@code filtered_traces}).
   *
   * @param sink receives every generated screen in folder order (may be null)
   */
  public static Summary generate(Config config, Path out, Consumer<GeneratedScreen> sink)
      throws IOException {
    Path traces = out.resolve("filtered_traces");
    if (Files.exists(traces)) {
      throw new FileAlreadyExistsException(traces.toString(), null,
          "already exists; choose an empty --out folder");
    }
    Files.createDirectories(traces);
    Files.createDirectories(out.resolve("combined"));
    List<SyntheticApp> apps = new ArrayList<>();
    for (int a = 0; a < config.apps(); a++) {
      apps.add(new SyntheticApp(a, new Random(Sharding.mix(config.seed() * 1_000_003L + a))));
    }
    int[][] lengths = planTraces(config);
    int[] firstId = new int[config.apps()];
    for (int a = 1; a < config.apps(); a++) {
      firstId[a] = firstId[a - 1] + java.util.Arrays.stream(lengths[a - 1]).sum();
    }

    List<AppResult> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(config.threads());
    try {
      List<Future<AppResult>> jobs = new ArrayList<>();
      for (int a = 0; a < config.apps(); a++) {
        int app = a;
        jobs.add(pool.submit(() -> writeApp(config, apps.get(app), lengths[app], firstId[app],
            out, sink != null)));
      }
      for (Future<AppResult> j : jobs) {
        results.add(j.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("generating failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }

    var descriptions = new java.util.LinkedHashMap<String, String>();
    for (SyntheticApp app : apps) {
      descriptions.put(app.packageName, app.description);
    }
    try (Writer w = Files.newBufferedWriter(out.resolve(AppDescriptions.FILE_NAME),
        StandardCharsets.UTF_8)) {
      AppDescriptions.write(w, descriptions);
    }
    RicoStats stats = new RicoStats();
    stats.addDescriptions(descriptions.size());
    long bytes = 0;
    int traceCount = 0;
    for (AppResult r : results) {
      bytes += r.bytes;
      traceCount += r.traces;
      stats.merge(r.stats);
      if (sink != null) {
        r.screens.forEach(sink);
      }
    }
    return new Summary(config.apps(), traceCount, config.screens(), bytes, stats);
  }

  /** Trace lengths per app: traces dealt to apps in turn until the total is reached. */
  static int[][] planTraces(Config c) {
    Random r = new Random(Sharding.mix(c.seed() ^ 0x7A11L));
    List<List<Integer>> perApp = new ArrayList<>();
    for (int a = 0; a < c.apps(); a++) {
      perApp.add(new ArrayList<>());
    }
    int left = c.screens();
    int a = 0;
    while (left > 0) {
      int len = Math.min(left, c.minTrace() + r.nextInt(c.maxTrace() - c.minTrace() + 1));
      perApp.get(a).add(len);
      left -= len;
      a = (a + 1) % c.apps();
    }
    int[][] out = new int[c.apps()][];
    for (int i = 0; i < c.apps(); i++) {
      out[i] = perApp.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  private record AppResult(int traces, long bytes, RicoStats stats,
      List<GeneratedScreen> screens) {}

  private static AppResult writeApp(Config config, SyntheticApp app, int[] lengths, int firstId,
      Path out, boolean keep) throws IOException {
    Path appDir = out.resolve("filtered_traces").resolve(app.packageName);
    Path combined = out.resolve("combined");
    List<GeneratedScreen> kept = new ArrayList<>();
    RicoStats stats = new RicoStats();
    long bytes = 0;
    int globalId = firstId;
    StringBuilder sb = new StringBuilder(1 << 16);
    for (int t = 0; t < lengths.length; t++) {
      Random r = new Random(Sharding.mix(config.seed() * 31 + app.index * 1_000_003L + t));
      String traceId = "trace_" + t;
      Path traceDir = appDir.resolve(traceId);
      Path vh = traceDir.resolve("view_hierarchies");
      Files.createDirectories(vh);
      StringBuilder gestures = new StringBuilder("{");
      ScreenType type = app.start;
      int frame = r.nextInt(40);
      for (int s = 0; s < lengths[t]; s++) {
        GenNode root = SyntheticScreens.build(app, type, r);
        String id = String.valueOf(frame);
        sb.setLength(0);
        sb.append("{\"activity_name\":");
        GenNode.quote(sb, app.activityName(type));
        sb.append(",\"activity\":{\"root\":");
        root.writeJson(sb, app.packageName);
        sb.append(",\"added_fragments\":[],\"active_fragments\":[]},"
            + "\"is_keyboard_deployed\":false,\"request_id\":\"").append(globalId).append("\"}");
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        Path file = vh.resolve(id + ".json");
        try (var os = new java.io.FileOutputStream(file.toFile())) {
          os.write(json);
        }
        link(combined.resolve(globalId + ".json"), file);
        bytes += json.length;
        if (s > 0) {
          gestures.append(',');
        }
        gestures.append('"').append(id).append("\":").append(gesture(root, r, s
            < lengths[t] - 1));
        List<GuiComponent> comps = GenNode.expectedComponents(root);
        int nodes = GenNode.count(root);
        int depth = GenNode.depth(root);
        stats.addFile(false, false);
        stats.addKept(comps, nodes, depth);
        if (keep) {
          kept.add(new GeneratedScreen(app.packageName, traceId, id, app.activityName(type),
              type.name(), comps, nodes, depth));
        }
        type = app.next(type, r);
        frame += 2 + r.nextInt(60);
        globalId++;
      }
      gestures.append('}');
      Files.writeString(traceDir.resolve("gestures.json"), gestures);
      stats.addTrace(true, false);
    }
    return new AppResult(lengths.length, bytes, stats, kept);
  }

  /** A tap on a clickable visible node's centre, as RICO's normalized [[x, y]]; [] at the end. */
  private static String gesture(GenNode root, Random r, boolean tapped) {
    if (!tapped) {
      return "[]";
    }
    List<GenNode> clickable = new ArrayList<>();
    java.util.ArrayDeque<GenNode> stack = new java.util.ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      GenNode n = stack.pop();
      if (n.clickable && n.visible) {
        clickable.add(n);
      }
      n.children.forEach(stack::push);
    }
    if (clickable.isEmpty()) {
      return "[]";
    }
    GenNode n = clickable.get(r.nextInt(clickable.size()));
    return String.format(java.util.Locale.ROOT, "[[%.6f,%.6f]]",
        (n.x1 + n.x2) / 2.0 / SyntheticScreens.W, (n.y1 + n.y2) / 2.0 / SyntheticScreens.H);
  }

  /** combined/<id>.json as a hard link to the trace file (a copy where links are not possible). */
  private static void link(Path link, Path target) throws IOException {
    try {
      Files.createLink(link, target);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(target, link);
    }
  }
}
