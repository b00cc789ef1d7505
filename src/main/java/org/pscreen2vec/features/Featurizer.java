package org.pscreen2vec.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pscreen2vec.data.GuiComponent;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.model.Ui2Vec;
import org.pscreen2vec.model.layers.TokenBags;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Turns data records into model batches: texts into hashed rows (cached per distinct text),
 * screens into {@link Screen2Vec.ScreenBatch}, trace windows into {@link Screen2Vec.WindowBatch},
 * hidden-component items into {@link Ui2Vec.Batch}.
 */
public final class Featurizer {
  private static final int CACHE_LIMIT = 1 << 20;
  /** RICO screen size in pixels (bounds are already clipped to it, see GuiComponent). */
  static final float SCREEN_WIDTH = 1440f;
  static final float SCREEN_HEIGHT = 2560f;
  private final Ops ops;
  private final TextHasher hasher;
  private final int maxComponents;
  private final Map<String, int[]> cache = new HashMap<>();
  /** The training batches' layout rows, kept from one batch to the next (trainingWindows). */
  private final Workspace training;

  /** @param maxComponents at most this many components per screen (the first, in tree order) */
  public Featurizer(Ops ops, TextHasher hasher, int maxComponents) {
    this.ops = ops;
    this.hasher = hasher;
    this.maxComponents = maxComponents;
    this.training = new Workspace(ops);
  }

  public int[] rows(String text) {
    int[] r = cache.get(text);
    if (r == null) {
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      r = hasher.rows(text);
      cache.put(text, r);
    }
    return r;
  }

  /** One row per element: rows (n, width) from float arrays. */
  public Buf stack(List<float[]> rowsList, int width) {
    Buf b = training.overwritten(rowsList.size() * width); // every row uploaded below
    for (int i = 0; i < rowsList.size(); i++) {
      float[] src = rowsList.get(i);
      if (src.length != width) {
        throw new IllegalArgumentException("row " + i + " has " + src.length
            + " values, expected " + width);
      }
      ops.upload(src, 0, b, i * width, width);
    }
    return b;
  }

  /**
   * Distinct screens as a batch; {@code layout} gives each screen's layout input (bitmap or
   * frozen code), or is null for layout mode NONE.
   */
  public Screen2Vec.ScreenBatch screens(List<Screen> screens, Map<String, String> descriptions,
      Function<Screen, float[]> layout, int layoutWidth) {
    int m = screens.size();
    int[] compOffsets = new int[m + 1];
    List<int[]> texts = new ArrayList<>();
    int[] classes = new int[0];
    float[] bounds = new float[0]; // (C, 4)
    int c = 0;
    for (int i = 0; i < m; i++) {
      List<GuiComponent> comps = screens.get(i).components();
      int k = Math.min(comps.size(), maxComponents);
      if (c + k > classes.length) {
        classes = Arrays.copyOf(classes, Math.max(2 * classes.length, c + k));
        bounds = Arrays.copyOf(bounds, Screen2Vec.BOUNDS * classes.length);
      }
      for (int j = 0; j < k; j++) {
        GuiComponent g = comps.get(j);
        texts.add(rows(g.text()));
        bounds[Screen2Vec.BOUNDS * c] = g.x1() / SCREEN_WIDTH;
        bounds[Screen2Vec.BOUNDS * c + 1] = g.y1() / SCREEN_HEIGHT;
        bounds[Screen2Vec.BOUNDS * c + 2] = g.x2() / SCREEN_WIDTH;
        bounds[Screen2Vec.BOUNDS * c + 3] = g.y2() / SCREEN_HEIGHT;
        classes[c++] = g.classLabel();
      }
      compOffsets[i + 1] = c;
    }
    Buf compBounds = training.zeroed(Math.max(1, c * Screen2Vec.BOUNDS));
    ops.upload(bounds, 0, compBounds, 0, c * Screen2Vec.BOUNDS);
    int[][] descRows = new int[m][];
    for (int i = 0; i < m; i++) {
      descRows[i] = rows(descriptions.getOrDefault(screens.get(i).packageName(), ""));
    }
    Buf lay = null;
    if (layout != null) {
      List<float[]> l = new ArrayList<>(m);
      for (Screen s : screens) {
        l.add(layout.apply(s));
      }
      lay = stack(l, layoutWidth);
    }
    return new Screen2Vec.ScreenBatch(TokenBags.of(texts.toArray(new int[0][])),
        Arrays.copyOf(classes, c), compBounds, compOffsets, TokenBags.of(descRows), lay);
  }

  /** Trace windows without random negatives. */
  public Screen2Vec.WindowBatch windows(List<List<Screen>> windows,
      Map<String, String> descriptions, Function<Screen, float[]> layout, int layoutWidth) {
    return windows(windows, List.of(), descriptions, layout, layoutWidth);
  }

  /**
   * {@link #windows(List, List, Map, Function, int)} for a training step, whose batch lives
   * until the next one is built: the batch's layout rows and bounds are kept from one call to
   * the next (issue 15: at the local size the layout rows were a 5 MB humongous array a step),
   * so a batch from here is valid only until the next call. Other calls allocate fresh.
   */
  public Screen2Vec.WindowBatch trainingWindows(List<List<Screen>> windows,
      List<Screen> negatives, Map<String, String> descriptions, Function<Screen, float[]> layout,
      int layoutWidth) {
    try (Workspace.Scope scope = training.begin()) {
      return windows(windows, negatives, descriptions, layout, layoutWidth);
    }
  }

  /**
   * Trace windows: each list holds the context screens in order and the true next screen last.
   * Screens are told apart by identity; the candidates of window b are the targets of all windows,
   * b's own context screens, and every screen of {@code negatives} (random screens, encoded with
   * the others; one that is also a window's screen is the same candidate).
   */
  public Screen2Vec.WindowBatch windows(List<List<Screen>> windows, List<Screen> negatives,
      Map<String, String> descriptions, Function<Screen, float[]> layout, int layoutWidth) {
    int bsz = windows.size();
    Map<Screen, Integer> index = new IdentityHashMap<>();
    List<Screen> distinct = new ArrayList<>();
    int steps = 0;
    for (List<Screen> w : windows) {
      if (w.size() < 2) {
        throw new IllegalArgumentException("a window needs a context screen and a target");
      }
      steps = Math.max(steps, w.size() - 1);
      for (Screen s : w) {
        index.computeIfAbsent(s, k -> {
          distinct.add(k);
          return distinct.size() - 1;
        });
      }
    }
    int[] negIdx = new int[negatives.size()];
    for (int i = 0; i < negIdx.length; i++) {
      negIdx[i] = index.computeIfAbsent(negatives.get(i), k -> {
        distinct.add(k);
        return distinct.size() - 1;
      });
    }
    int m = distinct.size();
    int[] context = new int[steps * bsz];
    Arrays.fill(context, -1);
    int[] lengths = new int[bsz];
    int[] targets = new int[bsz];
    boolean[] allowed = new boolean[bsz * m];
    for (int b = 0; b < bsz; b++) {
      List<Screen> w = windows.get(b);
      targets[b] = index.get(w.get(w.size() - 1));
      lengths[b] = w.size() - 1;
      for (int t = 0; t < w.size() - 1; t++) {
        int s = index.get(w.get(t));
        context[t * bsz + b] = s;
        allowed[b * m + s] = true;
      }
    }
    for (int b = 0; b < bsz; b++) {
      for (int t : targets) {
        allowed[b * m + t] = true;
      }
      for (int n : negIdx) {
        allowed[b * m + n] = true;
      }
    }
    return new Screen2Vec.WindowBatch(screens(distinct, descriptions, layout, layoutWidth), steps,
        context, lengths, targets, allowed);
  }

  /**
   * UI2Vec items: (screen, component) pairs; the context of each is its nearest components
   * (at most n of the screen's list). Other targets with the same text are not candidates.
   */
  public Ui2Vec.Batch components(List<Screen> screens, int[] componentIndex, int n) {
    int bsz = screens.size();
    List<int[]> ctxTexts = new ArrayList<>();
    List<Integer> ctxClasses = new ArrayList<>();
    int[] offsets = new int[bsz + 1];
    int[][] targetTexts = new int[bsz][];
    int[] targetClasses = new int[bsz];
    String[] raw = new String[bsz];
    for (int b = 0; b < bsz; b++) {
      Screen s = screens.get(b);
      int ci = componentIndex[b];
      int[] near = s.nearest()[ci];
      for (int q = 0; q < Math.min(n, near.length); q++) {
        GuiComponent g = s.components().get(near[q]);
        ctxTexts.add(rows(g.text()));
        ctxClasses.add(g.classLabel());
      }
      offsets[b + 1] = ctxClasses.size();
      GuiComponent target = s.components().get(ci);
      raw[b] = target.text();
      targetTexts[b] = rows(target.text());
      targetClasses[b] = target.classLabel();
    }
    boolean[] allowed = new boolean[bsz * bsz];
    for (int i = 0; i < bsz; i++) {
      for (int j = 0; j < bsz; j++) {
        allowed[i * bsz + j] = i == j || !raw[i].equals(raw[j]);
      }
    }
    return new Ui2Vec.Batch(TokenBags.of(ctxTexts.toArray(new int[0][])),
        ctxClasses.stream().mapToInt(Integer::intValue).toArray(), offsets,
        TokenBags.of(targetTexts), targetClasses, allowed);
  }
}
