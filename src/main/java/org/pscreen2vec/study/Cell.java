package org.pscreen2vec.study;

import java.util.ArrayList;
import java.util.List;

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

  /** The subcommand and options after the launcher's own, e.g. {@code train --config ...}. */
  public List<String> trainArgs(String experiment, String resultsDir) {
    List<String> a = new ArrayList<>(List.of("train", "--config", workload.config().toString(),
        "--strategy", strategy, "--experiment", experiment, "--results", resultsDir));
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
}
