package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What of the CUDA backend runs without a GPU: launch-dimension math, the grouping of repeated
 * ids, the packing of kernel parameters (JavaCPP's core, no CUDA library), the fatbin resource
 * and the one-launcher-per-kernel rule against the kernels in src/main/cuda.
 */
class CudaHostLogicTest {
  private static final Path HOME = Path.of(System.getProperty("pscreen2vec.home", "."));

  @Test
  void launchBlocksCoverEveryElementOnceUpToTheCap() {
    assertEquals(0, Launch.blocks(0));
    assertEquals(0, Launch.blocks(-5));
    assertEquals(1, Launch.blocks(1));
    assertEquals(1, Launch.blocks(Launch.THREADS));
    assertEquals(2, Launch.blocks(Launch.THREADS + 1));
    assertEquals(Launch.MAX_BLOCKS, Launch.blocks(1L << 40), "capped; the kernels stride");
    assertEquals(Launch.MAX_BLOCKS, Launch.blocks((long) Integer.MAX_VALUE * 8));
    for (long n : new long[] {1, 255, 256, 257, 1_000_003, 5_000_000_000L}) {
      int b = Launch.blocks(n);
      long cover = Launch.coverage(b, Launch.THREADS);
      // grid-stride: element i is visited by thread i % cover in sweep i / cover; every thread
      // index below cover exists, so all n are covered; no thread starts beyond n + one block
      assertTrue(cover >= Math.min(n, (long) Launch.MAX_BLOCKS * Launch.THREADS), "n " + n);
      assertTrue(cover < n + Launch.THREADS || b == Launch.MAX_BLOCKS, "n " + n);
    }
    assertThrows(IllegalArgumentException.class, () -> Launch.blocks(10, 0, 1));
    assertEquals(Launch.REDUCE_BLOCKS, Launch.blocks(1L << 30, Launch.THREADS,
        Launch.REDUCE_BLOCKS));
    assertEquals(0, Launch.THREADS % 32, "block reductions need whole warps");
  }

  @Test
  void columnSumChunksCoverEveryRowOnce() {
    int[][] shapes = {{1, 1}, {256, 10}, {65536, 1024}, {7, 5000}, {100_000, 3}, {33, 300_000}};
    for (int[] s : shapes) {
      int rows = s[0];
      int cols = s[1];
      int per = Launch.rowsPerChunk(rows, cols);
      int blocks = Launch.columnSumBlocks(rows, cols);
      long chunks = (rows + (long) per - 1) / per;
      assertTrue(per >= 1 && per <= rows, "rows per chunk " + per);
      assertTrue(blocks >= 1 && blocks <= Launch.MAX_BLOCKS, "blocks " + blocks);
      // the kernel strides b over tiles * chunks, its tiles one column per thread or (cols % 4
      // == 0, aligned pointers) four: either way each (tile, chunk) is one b, visited once
      for (long width : new long[] {cols, Launch.columnThreads(cols)}) {
        long tiles = (width + Launch.THREADS - 1) / Launch.THREADS;
        long[] visits = new long[(int) Math.min(tiles * chunks, 1 << 20)];
        for (long b0 = 0; b0 < blocks; b0++) {
          for (long b = b0; b < tiles * chunks; b += blocks) {
            if (b < visits.length) {
              visits[(int) b]++;
            }
          }
        }
        for (long v : visits) {
          assertEquals(1, v, rows + " x " + cols);
        }
      }
      assertTrue(chunks * per >= rows && (chunks - 1) * per < rows, rows + " x " + cols);
    }
    assertEquals(0, Launch.columnSumBlocks(0, 5));
    assertEquals(0, Launch.columnSumBlocks(5, 0));
  }

  @Test
  void poolBucketsFitTheRequestAndWasteLittle() {
    assertEquals(256, DeviceArrays.bucket(0));
    assertEquals(256, DeviceArrays.bucket(4));
    assertEquals(256, DeviceArrays.bucket(256));
    assertEquals(512, DeviceArrays.bucket(257));
    assertEquals(4L << 20, DeviceArrays.bucket(4L << 20));
    assertEquals(6L << 20, DeviceArrays.bucket((4L << 20) + 1));
    for (long b = 1; b < (1L << 34); b = b * 3 + 7) {
      long k = DeviceArrays.bucket(b);
      assertTrue(k >= b, "bucket " + k + " holds " + b);
      assertTrue(k < Math.max(512, 2 * b) || k - b < (2L << 20), "bucket " + k + " for " + b);
      assertEquals(k, DeviceArrays.bucket(k), "a bucket is its own bucket");
    }
  }

  @Test
  void onlyUntouchedShadowsSkipTheUpload() {
    assertTrue(DeviceArrays.allZero(new float[0]));
    assertTrue(DeviceArrays.allZero(new float[1000]));
    float[] a = new float[1000];
    a[999] = 1e-30f;
    assertTrue(!DeviceArrays.allZero(a));
    a[999] = -0f; // written by initialization: must be uploaded, not memset
    assertTrue(!DeviceArrays.allZero(a));
  }

  @Test
  void groupsCombineRepeatsInPositionOrder() {
    Groups g = Groups.of(new int[] {5, 2, 5, 0, 2, 5}, 6, "id");
    assertArrayEquals(new int[] {0, 2, 5}, g.keys());
    assertArrayEquals(new int[] {0, 1, 3, 6}, g.starts());
    assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, g.order());
    Groups empty = Groups.of(new int[0], 3, "id");
    assertEquals(0, empty.count());
    assertArrayEquals(new int[] {0}, empty.starts());
    assertThrows(IndexOutOfBoundsException.class, () -> Groups.of(new int[] {1, 3}, 3, "id"));
    assertThrows(IndexOutOfBoundsException.class, () -> Groups.of(new int[] {-1}, 3, "id"));
  }

  /** The counting sort and the comparison sort group alike (same order, starts, keys). */
  @Test
  void countingAndSortingGroupAlike() {
    Random rnd = new Random(11);
    for (int n : new int[] {0, 1, 2, 17, 1000, 50_000}) {
      for (int limit : new int[] {1, 3, 97, 200_000}) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
          ids[i] = rnd.nextInt(limit);
        }
        Groups c = Groups.of(ids, limit, "id", true);
        Groups s = Groups.of(ids, limit, "id", false);
        String what = n + " ids below " + limit;
        assertArrayEquals(s.order(), c.order(), what);
        assertArrayEquals(s.starts(), c.starts(), what);
        assertArrayEquals(s.keys(), c.keys(), what);
      }
    }
    assertThrows(IndexOutOfBoundsException.class, () -> Groups.of(new int[] {3}, 3, "id", true));
  }

  /** What the scatter-add kernel computes from the groups equals adding rows one by one. */
  @Test
  void groupedScatterEqualsSequentialScatter() {
    Random rnd = new Random(3);
    for (int n : new int[] {0, 1, 9, 40, 1000}) {
      int rows = 13;
      int dim = 3;
      int[] ids = new int[n];
      float[] dOut = new float[n * dim];
      for (int i = 0; i < n; i++) {
        ids[i] = rnd.nextInt(rows);
      }
      for (int i = 0; i < dOut.length; i++) {
        dOut[i] = (float) rnd.nextGaussian();
      }
      double[] want = new double[rows * dim];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < dim; j++) {
          want[ids[i] * dim + j] += dOut[i * dim + j];
        }
      }
      Groups g = Groups.of(ids, rows, "id");
      double[] got = new double[rows * dim];
      Set<Integer> seen = new HashSet<>();
      for (int q = 0; q < g.count(); q++) { // the kernel's loop, one (group, column) at a time
        assertTrue(seen.add(g.keys()[q]), "each id in one group");
        for (int j = 0; j < dim; j++) {
          double acc = 0;
          int last = -1;
          for (int p = g.starts()[q]; p < g.starts()[q + 1]; p++) {
            assertTrue(g.order()[p] > last, "positions in order within a group");
            last = g.order()[p];
            assertEquals(g.keys()[q], ids[g.order()[p]]);
            acc += dOut[g.order()[p] * dim + j];
          }
          got[g.keys()[q] * dim + j] += acc;
        }
      }
      assertArrayEquals(want, got, 1e-9, "n " + n);
    }
  }

  @Test
  void kernelArgumentsPackOneSlotEach() {
    try (KernelArgs a = new KernelArgs()) {
      a.reset().ptr(0x7f00_1234_5678L).i32(-7).f32(1.5f).f64(-2.25).ptr(0);
      assertEquals(5, a.count());
      assertEquals(0x7f00_1234_5678L, a.rawSlot(0));
      assertEquals(-7, (int) a.rawSlot(1), "an int in the slot's low 4 bytes (little-endian)");
      assertEquals(Float.floatToIntBits(1.5f), (int) a.rawSlot(2));
      assertEquals(Double.doubleToLongBits(-2.25), a.rawSlot(3));
      assertEquals(0L, a.rawSlot(4));
      for (int i = 0; i < KernelArgs.MAX_ARGS; i++) {
        // entry i of the parameter array points at slot i: the value's host address
        assertEquals(a.slotAddress(i), a.params().get(i).address() + a.params().get(i).position());
      }
      a.reset().i32(3);
      assertEquals(1, a.count());
      assertEquals(3, (int) a.rawSlot(0));
      a.reset();
      for (int i = 0; i < KernelArgs.MAX_ARGS; i++) {
        a.i32(i);
      }
      assertThrows(IllegalStateException.class, () -> a.i32(0));
    }
  }

  @Test
  void fatbinIsPackedWithEveryKernelAndOnlyThose() throws Exception {
    assumeTrue(Fatbin.packed(), "skipped: this build had no nvcc, so no kernels were packed");
    Fatbin f = Fatbin.load();
    assertEquals(Fatbin.MAGIC, Fatbin.magic(f.image()));
    assertEquals(new TreeSet<>(Kernels.NAMES), new TreeSet<>(f.kernels()),
        "kernels compiled into the fatbin vs launchers in Kernels.java");
  }

  /** Every extern "C" kernel of src/main/cuda has exactly one launcher, and the reverse. */
  @Test
  void everyKernelHasExactlyOneLauncher() throws IOException {
    assumeTrue(Files.isDirectory(HOME.resolve("src/main/cuda")),
        "skipped: no sources here (the GPU bundle); the fatbin test checks the names");
    Set<String> kernels = new TreeSet<>();
    // an optional occupancy request (MIN_BLOCKS(b), common.cuh) before the name
    Pattern decl = Pattern.compile(
        "extern \"C\" __global__ void (?:MIN_BLOCKS\\(\\d+\\) )?(\\w+)\\(");
    try (Stream<Path> files = Files.list(HOME.resolve("src/main/cuda"))) {
      for (Path p : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
        Matcher m = decl.matcher(Files.readString(p));
        while (m.find()) {
          assertTrue(kernels.add(m.group(1)), "kernel " + m.group(1) + " defined twice");
        }
      }
    }
    assertEquals(kernels, new TreeSet<>(Kernels.NAMES));
    assertEquals(Kernels.NAMES.size(), new HashSet<>(Kernels.NAMES).size(), "names repeat");
    String src = Files.readString(HOME.resolve(
        "src/main/java/org/pscreen2vec/ops/cuda/Kernels.java"));
    String launchers = src.substring(src.indexOf("private void goBlocks"));
    List<String> wrong = new ArrayList<>();
    for (String k : kernels) {
      int uses = launchers.split("\"" + k + "\"", -1).length - 1;
      if (uses != 1) {
        wrong.add(k + " launched from " + uses + " places");
      }
    }
    assertEquals(List.of(), wrong);
  }

  /**
   * Opening the backend either works or fails with NoGpuException saying why; never an
   * UnsatisfiedLinkError or another error of the library loader (which would fail this test).
   * Where a GPU opens, there is nothing to check (the GPU tests cover it). A driver folder can be
   * anywhere the loader looks (the H200 nodes have it in /usr/local/nvidia/lib64), so the test
   * asks the backend rather than looking for files.
   */
  @Test
  void noDriverBecomesNoGpu() {
    try {
      CudaOps.open(0, false);
    } catch (NoGpuException e) {
      assertTrue(e.getMessage().startsWith("no GPU: "), e.getMessage());
      return;
    }
    org.junit.jupiter.api.Assumptions.abort("a GPU opened here: nothing to check");
  }
}
