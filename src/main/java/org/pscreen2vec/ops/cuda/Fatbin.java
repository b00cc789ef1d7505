package org.pscreen2vec.ops.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The kernels' fatbin, packed into the jar at build time by {@code src/main/cuda/build.sh}
 * (resource {@code kernels.fatbin} next to this class), and the list of kernel names ptxas
 * compiled into it ({@code kernels.txt}). Reading them needs no GPU.
 */
public record Fatbin(byte[] image, List<String> kernels) {
  static final String IMAGE = "kernels.fatbin";
  static final String NAMES = "kernels.txt";
  /** A fatbin container starts with this little-endian magic number. */
  static final int MAGIC = 0xBA55ED50;

  /** Loads the packed fatbin; a build without nvcc has none, which this reports as "no GPU". */
  public static Fatbin load() throws NoGpuException {
    byte[] image = read(IMAGE);
    byte[] names = read(NAMES);
    if (image == null || names == null) {
      throw new NoGpuException("the CUDA kernels were not compiled into this build (no nvcc when "
          + "it was built; rebuild where /usr/local/cuda/bin/nvcc exists)", null);
    }
    if (image.length < 4 || magic(image) != MAGIC) {
      throw new NoGpuException("resource " + IMAGE + " is not a CUDA fatbin (magic "
          + Integer.toHexString(image.length < 4 ? 0 : magic(image)) + ")", null);
    }
    List<String> kernels = Arrays.stream(new String(names, StandardCharsets.US_ASCII).split("\n"))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new Fatbin(image, kernels);
  }

  /** Whether this build carries the compiled kernels. */
  public static boolean packed() {
    return Fatbin.class.getResource(IMAGE) != null;
  }

  static int magic(byte[] b) {
    return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
  }

  private static byte[] read(String name) throws NoGpuException {
    try (InputStream in = Fatbin.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new NoGpuException("cannot read resource " + name + ": " + e.getMessage(), e);
    }
  }
}
