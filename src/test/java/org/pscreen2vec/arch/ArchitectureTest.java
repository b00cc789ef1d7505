package org.pscreen2vec.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the packages layered: a package may use only itself and the packages below it in
 * {@link #LAYERS} (top to bottom, as in DESIGN.md), so imports run one way and the next feature
 * cannot quietly add a cycle. Reads the import lines and fully qualified names of every main
 * source file; a package that is not in the list fails too, so a new package gets a place.
 */
class ArchitectureTest {
  /** Top to bottom; each may depend on those after it. "" is the root package (Main). */
  static final List<String> LAYERS = List.of(
      "",             // Main: entry point and the subcommand registry
      "app",          // every *Command, options, exit codes
      "study",        // sweeps, figures, plots, REPORT.md
      "results",      // reading result CSVs, drawing PNGs
      "train",        // Trainer, tasks, configuration, checkpoints
      "sync",         // GradientSync and the strategies
      "ps",           // parameter servers: wire, server, client
      "collective",   // allreduce algorithms
      "cost",         // alpha-beta cost model per strategy, calibration (used by study and --strategy auto)
      "run",          // run context, run folders, atomic files, logging
      "comm",         // the only code that imports mpi.*
      "features",     // text hashing, batches from screens
      "model",        // the models
      "model.layers", // layers: parameters from nn, kernels from ops
      "nn",           // parameters, tables, gradients
      "optim",        // optimizers on buffers
      "ops.cuda",     // the CUDA backend (cuBLAS and the project's kernels through JavaCPP)
      "ops.cpu",      // the CPU backend (float kernels, ND4J GEMM)
      "ops.ref",      // the double reference backend
      "ops",          // numeric kernels: Ops, buffers
      "data");        // RICO, synthetic RICO, Fashion-MNIST, sharding

  private static final String BASE = "org.pscreen2vec";
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  /** A reference to a project class: the package is everything before the capitalized name. */
  private static final Pattern USE = Pattern.compile(
      "\\borg\\.pscreen2vec((?:\\.[a-z_][a-z0-9_]*)*)\\.[A-Z]");

  @Test
  void importsRunOneWay() throws IOException {
    Path main = Paths.get("src", "main", "java", "org", "pscreen2vec");
    List<String> violations = new ArrayList<>();
    int files = 0;
    try (Stream<Path> s = Files.walk(main)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        violations.addAll(check(f.toString(), Files.readString(f)));
        files++;
      }
    }
    assertTrue(files > 100, "read the sources (" + files + " files under " + main + ")");
    if (!violations.isEmpty()) {
      fail(violations.size() + " import(s) against the layers (top to bottom: " + LAYERS
          + "):\n" + String.join("\n", violations));
    }
  }

  @Test
  void aPlantedBackImportIsCaught() {
    String planted = """
        package org.pscreen2vec.nn;

        import org.pscreen2vec.ops.Buf;
        import org.pscreen2vec.train.Trainer;

        /** uses {@link org.pscreen2vec.sync.GradientSync} in a comment only */
        final class Planted {
          Object x = new org.pscreen2vec.model.Screen2Vec(null, null, null);
        }
        """;
    List<String> v = check("Planted.java", planted);
    assertEquals(2, v.size(), "the import of train and the qualified use of model: " + v);
    assertTrue(v.get(0).contains("nn -> train"), v.get(0));
    assertTrue(v.get(1).contains("nn -> model"), v.get(1));
    assertEquals(List.of("Unknown.java: package 'gui' has no place in the layers"),
        check("Unknown.java", "package org.pscreen2vec.gui;\nclass Unknown {}\n"));
  }

  /** The layer violations of one source file: "file: from -> to (line)". */
  static List<String> check(String file, String source) {
    Matcher pm = PACKAGE.matcher(source);
    if (!pm.find() || !pm.group(1).startsWith(BASE)) {
      return List.of(file + ": no package under " + BASE);
    }
    String from = relative(pm.group(1));
    int fromLayer = LAYERS.indexOf(from);
    if (fromLayer < 0) {
      return List.of(file + ": package '" + from + "' has no place in the layers");
    }
    Set<String> out = new LinkedHashSet<>();
    String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = USE.matcher(lines[i]);
      while (m.find()) {
        String to = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
        int toLayer = LAYERS.indexOf(to);
        if (to.equals(from)) {
          continue;
        }
        if (toLayer < 0 || toLayer < fromLayer) {
          out.add(file + ": " + (from.isEmpty() ? "(root)" : from) + " -> "
              + (to.isEmpty() ? "(root)" : to) + ": " + lines[i].trim());
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static String relative(String pkg) {
    return pkg.equals(BASE) ? "" : pkg.substring(BASE.length() + 1);
  }
}
