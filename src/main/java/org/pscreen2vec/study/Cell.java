package org.pscreen2vec.study;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One cell of a study: a workload trained on one device under one strategy with a given number of
 * workers (and servers, consistency), repeated {@link StudyConfig#repeats()} times.
 *
 * @param number      1-based position in the study (what --cells and Slurm array indices name)
 * @param batch       the per-worker batch (weak scaling: the workload's; strong: global / workers)
 * @param consistency parameter-server consistency, "-" for strategies without servers
 */
public record Cell(int number, StudyConfig.Workload workload, String device, String strategy,
    int workers, int servers, String consistency, int batch) {

  /** Ranks the job needs: workers plus servers. */
  public int ranks() {
    return workers + servers;
  }

  public boolean isBaseline() {
    return strategy.equals("none");
  }

  /**
   * A readable, file-name-safe key, e.g. {@code screen2vec.multicore.hybrid.w2.s1.bsp}; the
   * per-worker batch is part of it under strong scaling, where it differs between worker counts.
   */
  public String key() {
    StringBuilder sb = new StringBuilder(workload.name()).append('.').append(device).append('.')
        .append(strategy).append(".w").append(workers);
    if (servers > 0) {
      sb.append(".s").append(servers).append('.').append(consistency.replace(":", ""));
    }
    if (batch != workload.batch()) {
      sb.append(".b").append(batch);
    }
    return sb.toString();
  }

  /** The job id of one repeat (1-based), unique within the study's results folder. */
  public String jobId(String study, int repeat) {
    return study + "." + key() + ".r" + repeat;
  }

  /**
   * The subcommand and options after the launcher's own, e.g. {@code train --config ...}. A study
   * never resumes a run, so its runs keep no epoch-end checkpoints ({@code checkpoint.epochs=false},
   * 200–450 MB each for Screen2Vec) unless the workload's {@code .set} asks for them.
   */
  public List<String> trainArgs(String experiment, String resultsDir) {
    List<String> a = new ArrayList<>(List.of("train", "--config", workload.config().toString(),
        "--strategy", strategy, "--experiment", experiment, "--results", resultsDir,
        "--set", "checkpoint.epochs=false"));
    for (String s : workload.overrides()) {
      a.add("--set");
      a.add(s);
    }
    if (batch != workload.batch()) {
      a.add("--set");
      a.add("batch=" + batch);
    }
    if (servers > 0) {
      a.addAll(List.of("--servers", Integer.toString(servers), "--consistency", consistency));
    }
    return a;
  }

  /** The cells named by a list such as {@code 1,4-6}; all when the list is null. */
  public static List<Cell> select(List<Cell> all, String list) {
    if (list == null) {
      return all;
    }
    TreeSet<Integer> wanted = new TreeSet<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
        int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
        if (from < 1 || to > all.size() || from > to) {
          throw new IllegalArgumentException("--cells " + list + ": '" + p + "' is outside 1.."
              + all.size() + " (the study has " + all.size() + " cells; see --dry-run)");
        }
        for (int i = from; i <= to; i++) {
          wanted.add(i);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--cells " + list + ": '" + p + "' is not a number or "
            + "a range such as 4-6");
      }
    }
    List<Cell> out = new ArrayList<>();
    for (int i : wanted) {
      out.add(all.get(i - 1));
    }
    return out;
  }
}
