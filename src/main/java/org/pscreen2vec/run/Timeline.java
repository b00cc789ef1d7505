package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Chrome trace of where a rank's time goes (Horovod's timeline; opens in Perfetto or
 * chrome://tracing): one row per rank, a span per phase (data, forward+backward, each sync phase,
 * optimizer) with the bytes it moved as an argument. Off unless {@link #start} was called: then
 * {@link #span} returns one shared no-op object after reading one field, so the cost when off is
 * nil. On, a span costs two {@code nanoTime} calls and four array stores; the events are
 * formatted only when the part is written.
 *
 * <p>Each rank writes {@code timeline-rank<r>.part} at the end; rank 0 merges the parts into
 * {@code timeline.json}. Static state is per rank: in a multicore job each rank has its own class
 * loader. Times are microseconds since the Unix epoch (the wall clock at start plus
 * {@code nanoTime} since), so ranks that are processes line up to the clock's agreement.
 */
public final class Timeline {
  /** A span being timed; {@link #close} ends it. */
  public interface Span extends AutoCloseable {
    /** Adds the bytes the phase moved (shown as the span's argument). */
    Span bytes(long n);

    @Override
    void close();
  }

  private static final Span OFF = new Span() {
    @Override
    public Span bytes(long n) {
      return this;
    }

    @Override
    public void close() {}
  };

  private static volatile boolean on;
  private static int rank;
  private static String label = "";
  private static long wall0Micros;
  private static long nano0;
  private static final Map<String, Integer> NAMES = new HashMap<>();
  private static final List<String> NAME_LIST = new ArrayList<>();
  private static int[] name = new int[0];
  private static long[] start = new long[0];
  private static long[] dur = new long[0];
  private static long[] bytes = new long[0];
  private static boolean[] comm = new boolean[0]; // recorded on a communication thread ("comm-*")
  private static int n;
  private static final int COMM_TID = 100_000;

  private Timeline() {}

  /** Starts recording for this rank ("rank 0 worker" is the row's name). */
  public static synchronized void start(int rankNo, String role) {
    rank = rankNo;
    label = "rank " + rankNo + " " + role;
    wall0Micros = System.currentTimeMillis() * 1000;
    nano0 = System.nanoTime();
    n = 0;
    grow(4096);
    on = true;
  }

  public static boolean isOn() {
    return on;
  }

  /** Starts a span; a no-op unless the timeline is on. */
  public static Span span(String phase) {
    return on ? new Live(phase, System.nanoTime()) : OFF;
  }

  private static final class Live implements Span {
    private final String phase;
    private final long t0;
    private long moved = -1;

    Live(String phase, long t0) {
      this.phase = phase;
      this.t0 = t0;
    }

    @Override
    public Span bytes(long b) {
      moved = Math.max(0, moved) + b;
      return this;
    }

    @Override
    public void close() {
      record(phase, t0, System.nanoTime() - t0, moved);
    }
  }

  private static synchronized void record(String phase, long t0, long nanos, long moved) {
    if (!on) {
      return;
    }
    if (n == name.length) {
      grow(name.length * 2);
    }
    Integer id = NAMES.get(phase);
    if (id == null) {
      id = NAME_LIST.size();
      NAMES.put(phase, id);
      NAME_LIST.add(phase);
    }
    name[n] = id;
    start[n] = t0;
    dur[n] = nanos;
    bytes[n] = moved;
    comm[n] = Thread.currentThread().getName().startsWith("comm-");
    n++;
  }

  private static void grow(int size) {
    name = Arrays.copyOf(name, size);
    start = Arrays.copyOf(start, size);
    dur = Arrays.copyOf(dur, size);
    bytes = Arrays.copyOf(bytes, size);
    comm = Arrays.copyOf(comm, size);
  }

  /** Spans recorded so far. */
  public static synchronized int events() {
    return n;
  }

  /** This rank's events as JSON lines (one trace event per line), written atomically. */
  public static synchronized void writePart(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":").append(rank)
        .append(",\"args\":{\"name\":").append(Json.string(label)).append("}}\n");
    sb.append("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":0,\"tid\":").append(rank)
        .append(",\"args\":{\"sort_index\":").append(rank).append("}}\n");
    // spans of the communication thread (overlap) on a row of their own under the rank's
    sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":").append(COMM_TID + rank)
        .append(",\"args\":{\"name\":").append(Json.string(label + " comm")).append("}}\n");
    sb.append("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":0,\"tid\":")
        .append(COMM_TID + rank).append(",\"args\":{\"sort_index\":").append(rank)
        .append("}}\n");
    for (int i = 0; i < n; i++) {
      long ts = wall0Micros + (start[i] - nano0) / 1000;
      sb.append("{\"name\":").append(Json.string(NAME_LIST.get(name[i])))
          .append(",\"ph\":\"X\",\"pid\":0,\"tid\":").append(comm[i] ? COMM_TID + rank : rank)
          .append(",\"ts\":").append(ts).append(',').append("\"dur\":")
          .append(String.format(java.util.Locale.ROOT, "%.3f", dur[i] / 1000.0));
      if (bytes[i] >= 0) {
        sb.append(",\"args\":{\"bytes\":").append(bytes[i]).append('}');
      }
      sb.append("}\n");
    }
    AtomicFiles.writeString(file, sb.toString());
  }

  /** Merges the ranks' parts into one Chrome trace ({@code {"traceEvents": [...]}}). */
  public static void merge(List<Path> parts, Path out) throws IOException {
    StringBuilder sb = new StringBuilder("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
    boolean first = true;
    for (Path p : parts) {
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        sb.append(first ? "" : ",\n").append(line);
        first = false;
      }
    }
    sb.append("\n]}\n");
    AtomicFiles.writeString(out, sb.toString());
  }
}
