package org.pscreen2vec.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads a RICO-format folder: {@code filtered_traces/<package>/trace_<k>/view_hierarchies/*.json}
 * (screens in trace order: by file number), optionally {@code combined/<id>.json}, and
 * {@code app_descriptions.csv} (see {@link AppDescriptions}). A folder that holds
 * {@code <package>/trace_<k>/} directly (as Screen2Vec's sample data does) is read as the traces.
 *
 * <p>Nothing a screen file contains can crash or hang the reader: a broken file is skipped, counted
 * by reason in {@link RicoStats}, and the first few are logged; with {@link Options#strict()} the
 * first broken file (in folder order) is a {@link BadInputException} naming it. Files are parsed in
 * parallel; the result does not depend on the thread count. A file's cost is bounded whatever it
 * holds: it is streamed, never recursed into, its strings are capped (each, and 8M characters in
 * all), and its nodes, nesting and components are limited ({@link Options}).
 */
public final class RicoReader {
  private static final Logger LOG = LogManager.getLogger(RicoReader.class);
  private static final int LOGGED_SKIPS = 5;
  private static final ThreadLocal<byte[]> BUFFER =
      ThreadLocal.withInitial(() -> new byte[1 << 16]);

  /**
   * Reading options.
   *
   * @param nearest       n of the nearest-components lists (Screen2Vec: 16)
   * @param strict        the first broken file is an error instead of a skip
   * @param readCombined  also read {@code combined/}
   * @param maxTextChars  longer texts and class names are cut to this many characters
   * @param maxNodes      a view hierarchy with more nodes is skipped (bounds memory per file)
   * @param maxComponents a screen with more labeled components is skipped (bounds the O(c^2)
   *                      nearest-component search)
   * @param threads       parser threads
   */
  public record Options(int nearest, boolean strict, boolean readCombined, int maxTextChars,
      int maxNodes, int maxComponents, int threads) {
    public Options {
      check(nearest >= 1 && nearest <= 1024, "nearest must be 1..1024, was " + nearest);
      check(maxTextChars >= 1, "maxTextChars must be at least 1, was " + maxTextChars);
      check(maxNodes >= 1, "maxNodes must be at least 1, was " + maxNodes);
      check(maxComponents >= 2 && maxComponents <= 1 << 20,
          "maxComponents must be 2..1048576, was " + maxComponents);
      check(threads >= 1, "threads must be at least 1, was " + threads);
    }

    /** n = 16, lenient, traces only, texts up to 1,000 characters, 200,000 nodes, 5,000 labeled
     * components, one thread per core. */
    public static Options defaults() {
      return new Options(16, false, false, 1000, 200_000, 5000,
          Runtime.getRuntime().availableProcessors());
    }

    public Options withStrict(boolean s) {
      return new Options(nearest, s, readCombined, maxTextChars, maxNodes, maxComponents, threads);
    }

    public Options withCombined(boolean c) {
      return new Options(nearest, strict, c, maxTextChars, maxNodes, maxComponents, threads);
    }

    public Options withNearest(int n) {
      return new Options(n, strict, readCombined, maxTextChars, maxNodes, maxComponents, threads);
    }

    public Options withThreads(int t) {
      return new Options(nearest, strict, readCombined, maxTextChars, maxNodes, maxComponents, t);
    }

    public Options withLimits(int textChars, int nodes, int components) {
      return new Options(nearest, strict, readCombined, textChars, nodes, components, threads);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  private final Options options;

  public RicoReader(Options options) {
    this.options = options;
  }

  /**
   * Reads the folder.
   *
   * @throws BadInputException when the folder is not a RICO folder, or (strict only) at a
   *                           malformed descriptions file or the first broken screen file
   */
  public RicoData read(Path root) throws IOException {
    return walk(root, true);
  }

  /**
   * Reads the folder for its statistics only: every file is parsed and checked as by
   * {@link #read}, but no screen is kept, so memory stays small whatever the folder's size (the
   * returned data has no traces and no combined screens).
   */
  public RicoData scan(Path root) throws IOException {
    return walk(root, false);
  }

  private RicoData walk(Path root, boolean keep) throws IOException {
    Path traces = RicoFolder.tracesFolder(root);
    Path combinedDir = root.resolve("combined");
    boolean combined = options.readCombined() && Files.isDirectory(combinedDir);
    if (traces == null && !combined) {
      throw new BadInputException(root, "not a RICO folder: no filtered_traces/, no "
          + "<package>/trace_<k>/ folders" + (options.readCombined() ? ", no combined/" : ""));
    }
    RicoStats stats = new RicoStats();
    Map<String, String> descriptions = Map.of();
    Path descFile = root.resolve(AppDescriptions.FILE_NAME);
    if (Files.isRegularFile(descFile)) {
      try {
        descriptions = AppDescriptions.read(descFile);
      } catch (BadInputException e) {
        if (options.strict()) {
          throw e;
        }
        LOG.warn("ignoring the app descriptions: {}", e.getMessage());
      }
      stats.addDescriptions(descriptions.size());
    }
    List<RicoFolder.TraceDir> traceDirs = traces == null ? List.of()
        : RicoFolder.listTraces(traces);
    List<Path> files = new ArrayList<>();
    for (RicoFolder.TraceDir t : traceDirs) {
      files.addAll(t.screens());
    }
    if (combined) {
      files.addAll(RicoFolder.jsonFiles(combinedDir));
    }
    Assembly a = new Assembly(traceDirs, stats, keep);
    parseInOrder(files, keep, a);
    LOG.info("read {}: {} traces, {} screens kept, {} skipped{}", root, stats.traces(),
        stats.screensKept(), stats.screensSkipped(),
        stats.skipped().isEmpty() ? "" : " " + stats.skipped());
    if (keep && a.traces.isEmpty() && a.combined.isEmpty()) {
      throw new BadInputException(root, "holds no usable screen: " + stats.traces()
          + " trace folder(s), " + files.size() + " view hierarchy file(s)"
          + (stats.skipped().isEmpty() ? "" : ", all skipped " + stats.skipped())
          + "; point data= at a RICO folder (filtered_traces/<package>/trace_<k>/"
          + "view_hierarchies/*.json) or use data=synthetic");
    }
    return new RicoData(List.copyOf(a.traces), List.copyOf(a.combined), descriptions, stats);
  }

  /** Puts parsed files, delivered in folder order, into traces and then combined screens. */
  private final class Assembly {
    final List<RicoFolder.TraceDir> dirs;
    final RicoStats stats;
    final boolean keep;
    final List<Trace> traces = new ArrayList<>();
    final List<Screen> combined = new ArrayList<>();
    final List<Screen> current = new ArrayList<>();
    int trace; // index into dirs of the trace being filled; dirs.size() once in combined/
    int left; // files of that trace still to come
    boolean anyKept;
    int logged;

    Assembly(List<RicoFolder.TraceDir> dirs, RicoStats stats, boolean keep) {
      this.dirs = dirs;
      this.stats = stats;
      this.keep = keep;
      left = dirs.isEmpty() ? 0 : dirs.get(0).screens().size();
      closeFinished();
    }

    void add(Path file, Parsed p) {
      logged = account(p, file, stats, logged);
      if (trace < dirs.size()) {
        if (p.components != null) {
          anyKept = true;
          if (keep) {
            current.add(p.screen);
          }
        }
        left--;
        closeFinished();
      } else if (p.components != null && keep) {
        combined.add(p.screen);
      }
    }

    private void closeFinished() {
      while (trace < dirs.size() && left == 0) {
        RicoFolder.TraceDir t = dirs.get(trace);
        stats.addTrace(Files.isRegularFile(t.dir().resolve("gestures.json")), !anyKept);
        if (!current.isEmpty()) {
          traces.add(new Trace(t.packageName(), t.dir().getFileName().toString(),
              List.copyOf(current)));
        }
        current.clear();
        anyKept = false;
        trace++;
        left = trace < dirs.size() ? dirs.get(trace).screens().size() : 0;
      }
    }
  }

  /**
   * Reads one view hierarchy file into a screen.
   *
   * @param packageFallback the package when the file's activity_name has none
   * @throws BadInputException when the file is broken or its screen is dropped by the rules
   *                           ({@link BadInputException#reason()} says which)
   */
  public Screen readScreen(Path file, String packageFallback) throws IOException {
    Parsed p = parse(file, packageFallback, true);
    if (p.screen == null) {
      throw new BadInputException(file, p.reason, p.message);
    }
    return p.screen;
  }

  private int account(Parsed p, Path file, RicoStats stats, int logged) {
    stats.addFile(p.truncatedText, p.invalidUtf8);
    if (p.components != null) {
      stats.addKept(p.components, p.nodes, p.depth);
      return logged;
    }
    stats.addSkip(p.reason, file, p.message);
    if (p.reason.badFile() && logged < LOGGED_SKIPS) {
      LOG.warn("skipped {}: {}{}", file, p.message,
          logged == LOGGED_SKIPS - 1 ? " (further skips are only counted)" : "");
      return logged + 1;
    }
    return logged;
  }

  /**
   * The result of one file: its components (and, when asked for, the whole screen), or why not.
   */
  private record Parsed(Screen screen, List<GuiComponent> components, SkipReason reason,
      String message, int nodes, int depth, boolean truncatedText, boolean invalidUtf8) {
    static Parsed failed(SkipReason reason, String message, ViewHierarchy h) {
      return h == null ? new Parsed(null, null, reason, message, 0, 0, false, false)
          : new Parsed(null, null, reason, message, h.count, h.maxDepth, h.textTruncated,
              h.invalidUtf8);
    }
  }

  /** Parses a file; {@code full} builds the whole screen, else only its components (scan). */
  private Parsed parse(Path file, String packageFallback, boolean full) {
    ViewHierarchy h;
    if (!Files.isRegularFile(file)) { // a FIFO would block the reader forever, a device too
      return Parsed.failed(SkipReason.UNREADABLE, "not a regular file (a FIFO, device or folder "
          + "named *.json)", null);
    }
    try (InputStream in = Files.newInputStream(file)) {
      h = ViewHierarchy.parse(in, BUFFER.get(), new ViewHierarchy.Limits(options.maxTextChars(),
          options.maxNodes(), 2 * options.maxNodes() + 64));
    } catch (ViewHierarchy.ParseException e) {
      return Parsed.failed(e.reason, e.getMessage(), null);
    } catch (IOException | RuntimeException e) {
      return Parsed.failed(SkipReason.UNREADABLE, String.valueOf(e.getMessage()), null);
    }
    try {
      if (full) {
        String id = RicoFolder.stem(file.getFileName().toString());
        Screen s = ScreenBuilder.build(h, id, packageFallback, options.nearest(),
            options.maxComponents());
        return new Parsed(s, s.components(), null, "", h.count, h.maxDepth, h.textTruncated,
            h.invalidUtf8);
      }
      List<GuiComponent> c = ScreenBuilder.labeled(h, ScreenBuilder.boxes(h),
          options.maxComponents());
      return new Parsed(null, c, null, "", h.count, h.maxDepth, h.textTruncated, h.invalidUtf8);
    } catch (ScreenBuilder.Dropped e) {
      return Parsed.failed(e.reason, e.getMessage(), h);
    }
  }

  /** Files parsed per block: bounds what is held besides the result. */
  private static final int BLOCK = 1024;

  /**
   * Parses the files in parallel, a block at a time, and hands the results to {@code a} in file
   * order; under strict mode the first broken file in that order is a {@link BadInputException}.
   */
  private void parseInOrder(List<Path> files, boolean full, Assembly a) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
      Thread t = new Thread(r, "rico-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      Parsed[] block = new Parsed[BLOCK];
      for (int start = 0; start < files.size(); start += BLOCK) {
        int n = Math.min(BLOCK, files.size() - start);
        int chunk = Math.max(1, n / (options.threads() * 4));
        List<Future<?>> jobs = new ArrayList<>();
        for (int from = 0; from < n; from += chunk) {
          int lo = from;
          int hi = Math.min(n, from + chunk);
          int base = start;
          jobs.add(pool.submit(() -> {
            for (int i = lo; i < hi; i++) {
              Path f = files.get(base + i);
              block[i] = parse(f, RicoFolder.packageFromPath(f), full);
            }
          }));
        }
        for (Future<?> j : jobs) {
          j.get();
        }
        for (int i = 0; i < n; i++) {
          Parsed p = block[i];
          if (options.strict() && p.components == null && p.reason.badFile()) {
            throw new BadInputException(files.get(start + i), p.reason, p.message);
          }
          a.add(files.get(start + i), p);
          block[i] = null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading RICO files", e);
    } catch (ExecutionException e) {
      throw new IOException("reading RICO files failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
