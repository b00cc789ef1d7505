package org.pscreen2vec.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.LayoutAutoencoder;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.run.AtomicFiles;

/**
 * Frozen layout codes, as the original's {@code write_layout.py} makes them: every screen of a
 * data set through a trained layout autoencoder's encoder once, stored on disk and reused by every
 * later run. The cache file is keyed by the data set (its folder and screen count), the layout
 * sizes and the checkpoint's bytes, so a retrained autoencoder or another data set gets its own codes; it also
 * stores every screen's id and is recomputed if they do not match.
 */
public final class LayoutCodes {
  private static final Logger LOG = LogManager.getLogger(LayoutCodes.class);
  private static final int MAGIC = 0x4c434f44; // "LCOD"
  private static final int CHUNK = 64;

  private LayoutCodes() {}

  /** The checkpoint a configuration names, relative paths against the project folder. */
  public static Path checkpoint(TrainConfig c) {
    Path p = Path.of(c.get("layout.checkpoint"));
    return p.isAbsolute() ? p : Tasks.home().resolve(p);
  }

  /**
   * Codes of {@code screens} (every screen of the data set, in the data set's order) from the
   * configured checkpoint, read from the cache when it holds them.
   *
   * @param dataKey names the data set (its folder), part of the cache key
   */
  public static Function<Screen, float[]> of(TrainConfig c, Ops ops, Featurizer f, int[] sizes,
      List<Screen> screens, String dataKey) throws IOException {
    Path ckpt = checkpoint(c);
    if (!Files.isRegularFile(ckpt)) {
      String ae = c.get("layout.ae.config").isEmpty() ? "configs/layout-ae-paper.properties"
          : c.get("layout.ae.config");
      throw new BadInputException(ckpt, "layout.checkpoint does not exist; train the layout "
          + "autoencoder first (bin/pscreen2vec -np 1 train --config " + ae + ", then copy its "
          + "checkpoint.bin to this path; the study and make run do this themselves)");
    }
    Path cache = Tasks.home().resolve(".deps/cache/layout-codes")
        .resolve(key(ckpt, dataKey + " " + java.util.Arrays.toString(sizes), screens.size())
            + ".codes");
    int codeDim = sizes[sizes.length - 1];
    float[][] codes = read(cache, screens, codeDim);
    if (codes == null) {
      long t0 = System.nanoTime();
      codes = compute(ops, f, sizes, c.seed(), ckpt, screens);
      write(cache, screens, codes, codeDim);
      LOG.info("layout codes of {} screens computed with {} in {} s, cached in {}",
          screens.size(), ckpt, String.format(java.util.Locale.ROOT, "%.1f",
              (System.nanoTime() - t0) / 1e9), cache);
    } else {
      LOG.info("layout codes of {} screens read from {}", screens.size(), cache);
    }
    Map<Screen, float[]> byScreen = new IdentityHashMap<>();
    for (int i = 0; i < screens.size(); i++) {
      byScreen.put(screens.get(i), codes[i]);
    }
    return s -> {
      float[] code = byScreen.get(s);
      if (code == null) {
        throw new IllegalStateException("no layout code for screen " + s.id());
      }
      return code;
    };
  }

  static String key(Path ckpt, String dataKey, int screens) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((dataKey + "\n" + screens + "\n").getBytes(StandardCharsets.UTF_8));
      try (InputStream in = Files.newInputStream(ckpt)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static float[][] compute(Ops ops, Featurizer f, int[] sizes, long seed, Path ckpt,
      List<Screen> screens) throws IOException {
    LayoutAutoencoder ae = new LayoutAutoencoder(ops, sizes, seed);
    Checkpoint.load(ckpt, ae);
    int codeDim = sizes[sizes.length - 1];
    float[][] codes = new float[screens.size()][codeDim];
    for (int from = 0; from < screens.size(); from += CHUNK) {
      int n = Math.min(CHUNK, screens.size() - from);
      List<float[]> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(screens.get(from + i).layout());
      }
      Buf code = ae.encode(f.stack(l, Screen.LAYOUT_SIZE), n); // (n, codeDim)
      for (int i = 0; i < n; i++) {
        ops.download(code, i * codeDim, codes[from + i], 0, codeDim);
      }
    }
    return codes;
  }

  /** The cached codes, or null when there is no usable cache file. */
  private static float[][] read(Path cache, List<Screen> screens, int codeDim) {
    if (!Files.isRegularFile(cache)) {
      return null;
    }
    try (DataInputStream d = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(cache), 1 << 16))) {
      if (d.readInt() != MAGIC || d.readInt() != screens.size() || d.readInt() != codeDim) {
        return null;
      }
      float[][] codes = new float[screens.size()][codeDim];
      for (int i = 0; i < codes.length; i++) {
        if (!d.readUTF().equals(screens.get(i).id())) {
          return null;
        }
        for (int j = 0; j < codeDim; j++) {
          codes[i][j] = d.readFloat();
        }
      }
      return codes;
    } catch (IOException e) {
      LOG.warn("ignoring unreadable layout-code cache {}: {}", cache, e.getMessage());
      return null;
    }
  }

  private static void write(Path cache, List<Screen> screens, float[][] codes, int codeDim)
      throws IOException {
    Files.createDirectories(cache.getParent());
    AtomicFiles.write(cache, out -> {
      DataOutputStream d = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
      d.writeInt(MAGIC);
      d.writeInt(screens.size());
      d.writeInt(codeDim);
      for (int i = 0; i < codes.length; i++) {
        d.writeUTF(screens.get(i).id());
        for (float v : codes[i]) {
          d.writeFloat(v);
        }
      }
      d.flush();
    });
  }
}
