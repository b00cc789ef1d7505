package org.pscreen2vec.app;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.LinkBinding;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.cost.ServerCost;
import org.pscreen2vec.cost.SyncCost;
import org.pscreen2vec.cost.Workload;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.study.ProjectionPlots;
import org.pscreen2vec.study.WorkloadProfile;
import org.pscreen2vec.train.TrainConfig;

/**
 * Projects step time, speed-up and efficiency of every strategy to many workers with the cost
 * model, on named networks or a calibration; calibrates a network from bench-collectives output;
 * checks the collectives' model against measured rows.
 */
public final class ProjectCommand implements Subcommand {
  @Override
  public String name() {
    return "project";
  }

  @Override
  public String summary() {
    return "cost model: project strategies to 512 workers on a network; calibrate; validate";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> WORKLOAD = Opt.text("workload", "NAME", "screen2vec", "screen2vec",
      "built-in workload (the local study's, profiled from its model classes): "
          + String.join(", ", WorkloadProfile.names()));
  static final Opt<String> CONFIG = Opt.text("config", "FILE", null, "none",
      "profile this training configuration's model instead of --workload");
  static final Opt<List<String>> SET = Opt.repeated("set", "KEY=VALUE",
      "override a key of --config's configuration (repeatable), e.g. layout.mode=none");
  static final Opt<String> NETWORK = Opt.text("network", "LIST", "1gbe,10gbe", "1gbe,10gbe",
      "comma-separated named networks: " + String.join(", ", Network.names()));
  static final Opt<String> CALIBRATION = Opt.text("calibration", "FILE", null, "none",
      "a network calibration file (from --calibrate) instead of --network");
  static final Opt<Integer> MAX_WORKERS = Opt.integer("max-workers", "P", 512, 2, 1 << 16,
      "largest worker count projected (1, 2, 4, ... up to P)");
  static final Opt<Double> COMPUTE_MS = Opt.number("compute-ms", "MS", -1, -1, 1e9,
      "compute per step and worker (-1: timed here on the first batches, one thread)");
  static final Opt<Long> SEGMENT = Opt.count("segment-bytes", "B",
      4L * Allreduces.DEFAULT_SEGMENT_FLOATS_TCP, 0, 1L << 34,
      "pipeline segment of ring/naive/star (one alpha per segment and step); the default is "
          + "niodev's");
  static final Opt<String> OUT = Opt.text("out", "DIR", null, "plots/projection",
      "where the table (.md), points (.csv) and plot (.png) go");
  static final Opt<String> CALIBRATE = Opt.text("calibrate", "CSV[,CSV...]", null, "off",
      "fit alpha, beta (p2p rows) and the switch rate (ring rows) from a collectives.csv, or "
          + "from the rows of several together (e.g. one bench run before a long measurement and "
          + "one after), and write them to --calibration FILE");
  static final Opt<String> LINK = Opt.text("link", "RATE", null, "$PSCREEN2VEC_EMULATE",
      "with --calibrate: the emulated link rate the bench ran under, as -emulate takes it "
          + "(1gbit, 10gbe, ...); gives the wire's own time per byte and says whether the links "
          + "or the host bounded the collectives");
  static final Opt<String> VALIDATE = Opt.text("validate", "CSV", null, "off",
      "compare every allreduce row of a collectives.csv (>= 1 MiB) with the model of "
          + "--calibration FILE");

  @Override
  public Options options() {
    return Opt.options(WORKLOAD, CONFIG, SET, NETWORK, CALIBRATION, MAX_WORKERS, COMPUTE_MS,
        SEGMENT, OUT, CALIBRATE, LINK, VALIDATE);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec project --workload screen2vec --network 1gbe,10gbe,100gbe,hdr
          bin/pscreen2vec project --calibrate results/collectives/<job>/collectives.csv \\
              --calibration results/calibration-1gbit.properties
          bin/pscreen2vec project --calibrate before.csv,after.csv --calibration cal.properties
          bin/pscreen2vec project --validate results/collectives/<job>/collectives.csv \\
              --calibration results/calibration-1gbit.properties
          bin/pscreen2vec project --workload fashion-mlp --calibration results/cal.properties
        Named networks (docs/NETWORK.md has the figures and where they come from):
          1gbe 50 us, 0.118 GB/s; 10gbe 20 us, 1.18 GB/s; 25gbe 10 us, 2.94 GB/s;
          100gbe 3 us (RoCE), 11.8 GB/s; hdr (InfiniBand HDR 4x) 1 us, 23.8 GB/s.
        The model: alpha-beta per link, one rank per node, full-duplex ports; ring
        2(p-1)a + 2(p-1)/p n b; naive (p-1)(a + n b); star 2(p-1) n b at rank 0; mpj
        2 ceil(log2 p)(a + n b); ps push + pull of dense + touched rows over S servers;
        hybrid: the rows' pull, then the longer of ring(dense) and the rows' push, the
        servers' work and their answer. Compute from the workload's measured step.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    String cal = CALIBRATION.get(cl);
    if (LINK.get(cl) != null && CALIBRATE.get(cl) == null) {
      throw new UsageException("--link names the link rate a calibration's bench ran under: it "
          + "goes with --calibrate CSV");
    }
    if (CALIBRATE.get(cl) != null) {
      if (cal == null) {
        throw new UsageException("--calibrate needs --calibration FILE: where to write it");
      }
      return calibrate(csvList(CALIBRATE.get(cl)), Paths.get(cal), SEGMENT.get(cl), cl);
    }
    if (VALIDATE.get(cl) != null) {
      if (cal == null) {
        throw new UsageException("--validate needs --calibration FILE: the model to check");
      }
      readCalibration(Paths.get(cal));
      return validate(Paths.get(VALIDATE.get(cl)), Paths.get(cal), SEGMENT.get(cl));
    }
    List<Network> nets = new ArrayList<>();
    if (cal != null) {
      nets.add(readCalibration(Paths.get(cal)));
    } else {
      for (String n : NETWORK.get(cl).split(",")) {
        try {
          nets.add(Network.named(n.trim()));
        } catch (IllegalArgumentException e) {
          throw new UsageException("--network: " + e.getMessage());
        }
      }
    }
    Workload w;
    double compute = COMPUTE_MS.get(cl) >= 0 ? COMPUTE_MS.get(cl) / 1e3 : -1;
    Path home = Paths.get(System.getProperty("pscreen2vec.home", "."));
    if (CONFIG.get(cl) != null) {
      Path f = Paths.get(CONFIG.get(cl));
      if (!Files.isRegularFile(f)) {
        throw new UsageException("--config " + f + ": no such file (a training configuration,"
            + " e.g. configs/screen2vec-local.properties)");
      }
      List<String> sets = SET.get(cl);
      String name = f.getFileName().toString().replaceFirst("\\.properties$", "")
          + sets.stream().map(kv -> "+" + kv).collect(java.util.stream.Collectors.joining());
      TrainConfig c;
      try {
        c = TrainConfig.load(f, sets);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--config " + f + ": " + e.getMessage());
      }
      w = WorkloadProfile.of(name, c, compute,
          f + (sets.isEmpty() ? "" : " with " + String.join(", ", sets)));
    } else {
      if (!SET.get(cl).isEmpty()) {
        throw new UsageException("--set changes a --config FILE's configuration; the built-in "
            + "--workload takes none");
      }
      try {
        w = WorkloadProfile.named(WORKLOAD.get(cl), home, compute);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--workload: " + e.getMessage());
      }
    }
    System.out.println("project: workload " + w.name() + ": " + w.source());
    Path out = Paths.get(OUT.get(cl, Paths.get(System.getProperty("pscreen2vec.home", "."),
        "plots", "projection").toString()));
    String stem = w.name() + "-" + String.join("-", nets.stream().map(Network::name).toList());
    String md = ProjectionPlots.write(w, nets, MAX_WORKERS.get(cl), SEGMENT.get(cl), out, stem);
    System.out.print(md);
    System.out.println("project: " + out.resolve(stem + ".png") + ", .md, .csv");
    return ExitCode.OK;
  }

  private static Network readCalibration(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("--calibration " + file + ": no such file (write one with "
          + "'bin/pscreen2vec project --calibrate <collectives.csv> --calibration " + file + "')");
    }
    try {
      return Calibration.read(file);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(file, e.getMessage().replace(file + ": ", ""));
    }
  }

  /** A collectives.csv row; segment: its segment_bytes (0 where the file has no such column). */
  private record Row(String algorithm, int ranks, double bytes, double seconds, double segment) {}

  private static List<Row> rows(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new UsageException(csv + ": no such file (a collectives.csv from bench-collectives)");
    }
    CsvTable t = CsvTable.read(csv, "algorithm", "ranks", "bytes", "time_ms_median");
    List<Row> out = new ArrayList<>();
    boolean segments = !t.rows().isEmpty()
        && t.record(t.rows().get(0)).containsKey("segment_bytes");
    for (String[] r : t.rows()) {
      out.add(new Row(t.get(r, "algorithm"), (int) t.number(r, "ranks"), t.number(r, "bytes"),
          t.number(r, "time_ms_median") / 1e3, segments ? t.number(r, "segment_bytes") : 0));
    }
    return out;
  }

  /** The --calibrate files: comma-separated, none empty. */
  static List<Path> csvList(String arg) {
    List<Path> out = new ArrayList<>();
    for (String s : arg.split(",", -1)) {
      if (s.isBlank()) {
        throw new UsageException("--calibrate '" + arg + "': an empty file name in the list "
            + "(CSV[,CSV...])");
      }
      out.add(Paths.get(s.trim()));
    }
    return out;
  }

  private static int calibrate(List<Path> csvs, Path file, double segmentBytes, CommandLine cl)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    for (Path csv : csvs) {
      rows.addAll(rows(csv));
    }
    String csv = String.join(", ", csvs.stream().map(Path::toString).toList());
    List<Calibration.Sample> p2p = new ArrayList<>();
    List<Calibration.RingSample> rings = new ArrayList<>();
    List<Calibration.Sample> reduce = new ArrayList<>();
    Map<Integer, List<Calibration.Sample>> reduceByRanks = new TreeMap<>();
    List<Calibration.Sample> serverRows = new ArrayList<>();
    List<Calibration.RingSample> serverDense = new ArrayList<>();
    for (Row r : rows) {
      if (r.algorithm().equals("server-rows")) {
        serverRows.add(new Calibration.Sample(r.bytes(), r.seconds()));
      } else if (r.algorithm().equals("server-dense")) {
        serverDense.add(new Calibration.RingSample(r.ranks(), r.bytes(), r.seconds()));
      } else if (r.algorithm().equals("p2p")) {
        p2p.add(new Calibration.Sample(r.bytes(), r.seconds()));
      } else if (r.algorithm().equals("reduce")) {
        if (r.ranks() > 1) { // the overall gamma is for jobs whose every rank reduces at once
          reduce.add(new Calibration.Sample(r.bytes(), r.seconds()));
        }
        reduceByRanks.computeIfAbsent(r.ranks(), k -> new ArrayList<>())
            .add(new Calibration.Sample(r.bytes(), r.seconds()));
      } else if (r.algorithm().equals("ring")) {
        rings.add(new Calibration.RingSample(r.ranks(), r.bytes(), r.seconds()));
      }
    }
    double[] ab;
    try {
      ab = Calibration.fitAlphaBeta(p2p);
    } catch (IllegalArgumentException e) {
      System.err.println("project: " + csv + ": " + e.getMessage()
          + " (run bench-collectives over several sizes, with its p2p row)");
      return ExitCode.BAD_INPUT;
    }
    double gamma = Calibration.fitGamma(reduce);
    Map<Integer, Double> gammas = new TreeMap<>();
    reduceByRanks.forEach((p, list) -> gammas.put(p, Calibration.fitGamma(list)));
    // the switch is what the ring's time leaves unexplained by its ports and its reductions
    double ringSegment = rows.stream().filter(r -> r.algorithm().equals("ring") && r.segment() > 0)
        .mapToDouble(Row::segment).max().orElse(segmentBytes); // the bench's own segment
    double sw = Calibration.switchRate(ab[0], ab[1], gamma, rings, ringSegment);
    String emulate = LINK.get(cl) != null ? LINK.get(cl)
        : System.getenv().getOrDefault("PSCREEN2VEC_EMULATE", "");
    double wire = emulate.isBlank() ? Double.NaN : Network.wireOf(emulate); // the link's goodput
    if (!emulate.isBlank() && !(wire > 0)) {
      throw new UsageException("link rate '" + emulate + "' (--link or PSCREEN2VEC_EMULATE): "
          + "expected RATE[,LATENCY] as -emulate takes it, e.g. 1gbit, 10gbit,20us or 10gbe");
    }
    int alone = reduceByRanks.getOrDefault(1, List.of()).size();
    String provenance = String.format(Locale.ROOT, "fitted %s from %s (%d p2p rows, %d ring "
        + "rows, %d reduce rows%s, %d server rows) by 'bin/pscreen2vec project --calibrate' on "
        + "host %s%s", Instant.now(), csv, p2p.size(), rings.size(), reduce.size(),
        alone == 0 ? "" : " and " + alone + " of rank 0 alone", serverRows.size()
        + serverDense.size(),
        InetAddress.getLocalHost().getHostName(),
        emulate.isBlank() ? "" : ", link " + emulate);
    if (reduce.isEmpty()) {
      System.err.println("project: note: " + csv + " has no 'reduce' rows (bench-collectives "
          + "--reduce-row), so gamma is 0: the model leaves the reductions' local work out");
    }
    String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
    Network net = new Network(name, ab[0], ab[1], sw, gamma, provenance);
    if (wire > 0) {
      net = net.withWire(wire);
    }
    double[] shard = Calibration.fitShard(serverDense);
    ServerCost srv = serverRows.isEmpty() || serverDense.isEmpty() ? ServerCost.NONE
        : new ServerCost(Calibration.fitPerByte(serverRows), shard[0], shard[1]);
    double link = wire > 0 ? 1 / wire : Double.NaN; // the link's goodput, B/s, where known
    Calibration.write(file, net, gammas, srv, link, provenance);
    System.out.println("project: calibrated " + net.describe() + " -> " + file);
    if (link > 0) {
      int most = rings.stream().mapToInt(Calibration.RingSample::ranks).max().orElse(2);
      System.out.println("project: " + LinkBinding.of(net, link).describe(most));
    }
    return ExitCode.OK;
  }

  private static int validate(Path csv, Path cal, double segmentBytes) throws IOException {
    Network net = Calibration.read(cal);
    System.out.printf(Locale.ROOT, "Model (%s) vs %s%n%n| algorithm | ranks | bytes | measured"
        + " ms | predicted ms | error |%n|---|---:|---:|---:|---:|---:|%n", net.describe(), csv);
    double worst = 0;
    for (Row r : rows(csv)) {
      if (r.algorithm().equals("p2p") || r.algorithm().equals("reduce")
          || r.algorithm().startsWith("server-") || r.bytes() < (1 << 20)) {
        continue;
      }
      double pred = SyncCost.seconds(SyncCost.allreduce(r.algorithm(), r.ranks(), r.bytes(),
          r.segment() > 0 ? r.segment() : segmentBytes), Calibration.readForRanks(cal, r.ranks()));
      double err = (pred - r.seconds()) / r.seconds();
      worst = Math.max(worst, Math.abs(err));
      System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %+.1f%% |%n",
          r.algorithm(), r.ranks(), r.bytes(), r.seconds() * 1e3, pred * 1e3, 100 * err);
    }
    System.out.printf(Locale.ROOT, "%nlargest error %.1f%%%n", 100 * worst);
    return ExitCode.OK;
  }
}
