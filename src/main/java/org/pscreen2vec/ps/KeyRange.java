package org.pscreen2vec.ps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A range of keys one server holds — its dense shard, or its rows of one sparse table — with the
 * state of the synchronous round in progress and the requests waiting for it. The round logic
 * (who pushed, when a round completes, how many updates were applied) is written here once;
 * {@link DenseRange} and {@link RowRange} supply the storage and the arithmetic.
 */
abstract class KeyRange {
  /** A request that cannot be answered yet, with the way to answer it when it can. */
  record Parked(ServerRequest request, Responder out) {}

  private final String label; // "dense" or "table 'name'", for messages
  private int version; // updates applied
  private boolean initialised;
  private final boolean[] pushed; // (workers) BSP: pushed in the current round
  private int pushes;
  private long roundSamples;
  private final List<Parked> beforeInit = new ArrayList<>();
  private final TreeMap<Integer, List<Parked>> waiting = new TreeMap<>(); // by version awaited

  KeyRange(String label, int workers, boolean empty) {
    this.label = label;
    this.pushed = new boolean[workers];
    this.initialised = empty; // a range holding no keys needs no initial values
  }

  /** Copies the initial values in. */
  abstract void load(float[] values);

  /** The current values of the given keys (rows in the order asked; null: the whole range). */
  abstract float[] read(int[] ids);

  /** ASP and SSP: applies one worker's gradient at once, multiplied by {@code scale}. */
  abstract void applyNow(ServerRequest push, float scale, long update);

  /** BSP: adds {@code weight} times one worker's gradient to the round's sum. */
  abstract void accumulate(ServerRequest push, float weight);

  /** BSP: one optimizer step with the round's sum times {@code scale} (the mean gradient). */
  abstract void applyRound(float scale, long update);

  /** BSP: forgets the round's sum. */
  abstract void clearRound();

  /** How a push of {@code step} reads in an error ("dense step 3"). */
  abstract String pushName(int step);

  String label() {
    return label;
  }

  /** Updates applied so far. */
  int version() {
    return version;
  }

  boolean initialised() {
    return initialised;
  }

  /** Loads the initial values; returns the requests that waited for them, in arrival order. */
  List<Parked> init(float[] values) {
    load(values);
    initialised = true;
    List<Parked> ready = new ArrayList<>(beforeInit);
    beforeInit.clear();
    return ready;
  }

  /** Checkpoint restore: the range holds version v's values (loaded by the caller). */
  void restore(int v) {
    version = v;
    initialised = true;
  }

  void parkUntilInitialised(Parked p) {
    beforeInit.add(p);
  }

  /** Parks a request until {@link #version} reaches {@code v}. */
  void parkUntilVersion(int v, Parked p) {
    waiting.computeIfAbsent(v, k -> new ArrayList<>()).add(p);
  }

  /** Takes the parked requests whose version has been reached, oldest version first. */
  List<Parked> takeReady() {
    List<Parked> ready = new ArrayList<>();
    for (Map.Entry<Integer, List<Parked>> e = waiting.firstEntry();
        e != null && e.getKey() <= version; e = waiting.firstEntry()) {
      ready.addAll(waiting.pollFirstEntry().getValue());
    }
    return ready;
  }

  /** ASP and SSP: one worker's push is one update, scaled by 1/workers. */
  void applyAsync(ServerRequest push) {
    applyNow(push, 1.0f / pushed.length, version + 1L);
    version++;
  }

  /**
   * BSP: adds one worker's push to the current round (its step must be {@link #version}) and
   * applies the samples-weighted mean once every worker has pushed. Returns an error for a second
   * push of the same round, null otherwise.
   */
  String addToRound(ServerRequest push) {
    int w = push.worker();
    if (push.step() < version || pushed[w]) {
      return "worker " + w + " pushed " + pushName(push.step()) + " twice (server is at "
          + version + ")";
    }
    accumulate(push, push.samples());
    pushed[w] = true;
    pushes++;
    roundSamples += push.samples();
    if (pushes == pushed.length) {
      if (roundSamples > 0) {
        applyRound(1.0f / roundSamples, version + 1L);
      }
      clearRound();
      Arrays.fill(pushed, false);
      pushes = 0;
      roundSamples = 0;
      version++;
    }
    return null;
  }

  /** "dense round 3 waits for worker(s) 1, 2", or null when no round is under way. */
  String waitingFor() {
    if (pushes == 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < pushed.length; w++) {
      if (!pushed[w]) {
        sb.append(sb.length() > 0 ? ", " : "").append(w);
      }
    }
    return label + " round " + version + " waits for worker(s) " + sb;
  }

  static void scale(float[] a, float s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= s;
    }
  }
}
