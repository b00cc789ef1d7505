package org.pscreen2vec.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.run.AtomicFiles;
import org.pscreen2vec.run.RunContext;

/**
 * Checks that a job is wired up: every rank learns every rank's role and host (all-to-all), a token
 * goes around the ring of all ranks and around the ring of this rank's role group, MPJ Express's
 * own Allreduce sums the ranks, and a barrier completes. Rank 0 prints one summary line and
 * writes {@code selftest.txt} in the run folder.
 */
public final class SelfTestCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(SelfTestCommand.class);
  private static final int RECORD_BYTES = 256;
  private static final int TAG_CHECKIN = 1;
  private static final int TAG_TOKEN = 2;
  private static final int TAG_GROUP_TOKEN = 3;

  @Override
  public String name() {
    return "selftest";
  }

  @Override
  public String summary() {
    return "check the job: ranks, roles, hosts, a token around the ring, MPJ's Allreduce, a "
        + "barrier";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  static final Opt<Integer> EXIT_EARLY_RANK = Opt.integer("exit-early-rank", "R", "none", 0,
      Integer.MAX_VALUE, "fault injection for tests: rank R leaves the job without a word, as a "
          + "crashed rank would (where: --exit-early-at); the others must fail naming it within "
          + "--deadline");
  static final String AT_START = "start";
  static final String AT_MPJ_ALLREDUCE = "mpj-allreduce";
  static final Opt<String> EXIT_EARLY_AT = Opt.choice("exit-early-at", "WHERE", AT_START,
      List.of(AT_START, AT_MPJ_ALLREDUCE), "where the rank of --exit-early-rank leaves: at the "
          + "start, or once the others are inside MPJ Express's own Allreduce (after the barrier "
          + "before it), whose waits have no deadline of their own");

  @Override
  public Options options() {
    return Opt.options(EXIT_EARLY_RANK, EXIT_EARLY_AT);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec -np 4 selftest
          bin/pscreen2vec -np 3 -dev niodev selftest --servers 1
        Writes results/selftest/<job id>/selftest.txt and one rank-<r>.log per rank.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    int vanishing = EXIT_EARLY_RANK.get(cl, -1);
    if (vanishing >= ctx.size()) {
      throw new UsageException("--exit-early-rank " + vanishing + " is out of range: use 0.."
          + (ctx.size() - 1));
    }
    Path dir = ctx.openRunDir("selftest");
    Communicator world = ctx.world();
    LOG.info("selftest: {} ranks ({} workers, {} servers), device {}, deadline {} s, run folder {}",
        ctx.size(), ctx.roles().workers(), ctx.roles().servers(), ctx.device(),
        world.deadlineNanos() / 1e9, dir);
    String leaveAt = EXIT_EARLY_AT.get(cl);
    if (ctx.rank() == vanishing && leaveAt.equals(AT_START)) {
      return leave(ctx);
    }

    String[] records = checkIn(world, ctx);
    long t0 = System.nanoTime();
    int sum = tokenRing(world, TAG_TOKEN, "token ring");
    double ringMs = (System.nanoTime() - t0) / 1e6;
    int expected = world.size() * (world.size() - 1) / 2;
    if (ctx.isRoot() && sum != expected) {
      throw new IllegalStateException("token ring returned " + sum + ", expected " + expected);
    }
    Communicator group = ctx.group();
    int groupSum = tokenRing(group, TAG_GROUP_TOKEN, ctx.role().label() + " token ring");
    if (group.rank() == 0 && groupSum != group.size() * (group.size() - 1) / 2) {
      throw new IllegalStateException(ctx.role().label() + " ring returned " + groupSum);
    }
    // MPJ Express's own collective (the mpj algorithm's): the sum of rank + 1 over the ranks
    float[] mine = {ctx.rank() + 1};
    float[] total = new float[1];
    world.barrier("before MPJ's Allreduce");
    if (ctx.rank() == vanishing) {
      return leave(ctx); // the others are in MPJ's Allreduce now, or about to be
    }
    world.builtinAllreduceSum(mine, total, 1);
    int mpjSum = world.size() * (world.size() + 1) / 2;
    if (total[0] != mpjSum) {
      throw new IllegalStateException("MPJ's Allreduce returned " + total[0] + ", expected "
          + mpjSum);
    }
    world.barrier("selftest end");

    if (ctx.isRoot()) {
      Set<String> hosts = new LinkedHashSet<>();
      List<String> ranks = new ArrayList<>();
      for (String r : records) {
        String[] f = r.split("\t");
        hosts.add(f[2]);
        ranks.add("r" + f[0] + " " + f[1] + "@" + f[2]);
      }
      String line = String.format(
          "selftest OK: %d ranks (%d workers, %d servers) on %d host(s) %s, device %s; "
              + "token ring %d hops in %.2f ms; MPJ's Allreduce OK; %s",
          ctx.size(), ctx.roles().workers(), ctx.roles().servers(), hosts.size(), hosts,
          ctx.device(), ctx.size(), ringMs, String.join(", ", ranks));
      System.out.println(line);
      AtomicFiles.writeString(dir.resolve("selftest.txt"), line + "\n");
      LOG.info("output in {}", dir);
    }
    return ExitCode.OK;
  }

  private static int leave(RunContext ctx) {
    LOG.warn("rank {} leaves the job now (fault injection --exit-early-rank)", ctx.rank());
    return ExitCode.VANISH;
  }

  /** Every rank sends "rank TAB role TAB host" to every other; returns all records by rank. */
  private static String[] checkIn(Communicator world, RunContext ctx) {
    int n = world.size();
    byte[] mine = new byte[RECORD_BYTES];
    byte[] text = (ctx.rank() + "\t" + ctx.role().label() + "\t" + ctx.host())
        .getBytes(StandardCharsets.UTF_8);
    System.arraycopy(text, 0, mine, 0, Math.min(text.length, RECORD_BYTES));
    var sends = new ArrayList<org.pscreen2vec.comm.Request>();
    for (int r = 0; r < n; r++) {
      if (r != ctx.rank()) {
        sends.add(world.isend(mine, 0, RECORD_BYTES, r, TAG_CHECKIN));
      }
    }
    String[] records = new String[n];
    byte[] in = new byte[RECORD_BYTES];
    for (int r = 0; r < n; r++) {
      byte[] rec = mine;
      if (r != ctx.rank()) {
        world.recv(in, 0, RECORD_BYTES, r, TAG_CHECKIN);
        rec = in;
      }
      int len = 0;
      while (len < RECORD_BYTES && rec[len] != 0) {
        len++;
      }
      records[r] = new String(rec, 0, len, StandardCharsets.UTF_8);
    }
    for (var s : sends) {
      s.await("selftest check-in send");
    }
    return records;
  }

  /** Rank 0 starts a token; each rank adds its rank and passes it on. Returns the sum on rank 0. */
  private static int tokenRing(Communicator c, int tag, String what) {
    int n = c.size();
    int[] token = new int[1];
    if (n == 1) {
      return 0;
    }
    int next = (c.rank() + 1) % n;
    int prev = (c.rank() - 1 + n) % n;
    if (c.rank() == 0) {
      c.send(token, 0, 1, next, tag);
      c.recv(token, 0, 1, prev, tag);
    } else {
      c.recv(token, 0, 1, prev, tag);
      token[0] += c.rank();
      c.send(token, 0, 1, next, tag);
    }
    return token[0];
  }
}
