package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Where the valid copy of a CUDA buffer is, run on host memory playing the device
 * ({@link HostDeviceMemory}): first use, transfers at offsets in pieces, device buffers that
 * stay on the device across host copies, foreign heap buffers, reuse of pooled blocks, index scratch.
 */
class DeviceArraysTest {
  private final HostDeviceMemory dev = new HostDeviceMemory();
  private final DeviceArrays mem = new DeviceArrays(dev, 5); // copies in pieces of 5 floats

  @Test
  void initializedOnTheHostIsUploadedOnFirstUse() {
    FloatBuf b = mem.alloc(7);
    assertEquals(DeviceArrays.State.HOST, mem.state(b));
    for (int i = 0; i < 7; i++) {
      b.set(i, i + 1); // as ParameterStore initializes
    }
    DeviceArrays.Call c = mem.call();
    long a = c.in(b.slice(2, 3));
    c.done();
    assertEquals(DeviceArrays.State.DEVICE, mem.state(b));
    assertArrayEquals(new float[] {3, 4, 5}, dev.read(a, 3), "the slice's device address");
    assertEquals(28, dev.bytesToDevice, "the whole array once");
    assertEquals(0, dev.zeros);
  }

  @Test
  void untouchedBufferIsZeroedOnTheDeviceNotCopied() {
    FloatBuf b = mem.alloc(9);
    DeviceArrays.Call c = mem.call();
    long a = c.out(b);
    c.done();
    assertEquals(1, dev.zeros);
    assertEquals(0, dev.bytesToDevice);
    assertArrayEquals(new float[9], dev.read(a, 9), "stale device bytes were cleared");
  }

  @Test
  void transfersAtOffsetsInPiecesOnceOnTheDevice() {
    FloatBuf b = mem.alloc(23);
    DeviceArrays.Call c = mem.call();
    long a = c.out(b);
    c.done();
    float[] src = new float[30];
    for (int i = 0; i < src.length; i++) {
      src[i] = i * 0.5f;
    }
    mem.upload(src, 4, b.slice(1, 20), 2, 13); // b[3 .. 16) = src[4 .. 17)
    float[] onDevice = dev.read(a, 23);
    for (int i = 0; i < 23; i++) {
      assertEquals(i >= 3 && i < 16 ? (i + 1) * 0.5f : 0f, onDevice[i], "device element " + i);
    }
    float[] back = new float[15];
    mem.download(b, 3, back, 1, 13);
    for (int i = 0; i < 13; i++) {
      assertEquals(src[4 + i], back[1 + i]);
    }
    assertEquals(0f, back[0]);
    assertEquals(0f, back[14]);
    assertEquals(0f, b.get(5), "the shadow is stale once the device holds the data");
  }

  @Test
  void deviceBufferStaysOnTheDeviceAcrossHostCopies() {
    FloatBuf b = mem.alloc(6);
    DeviceArrays.Call c = mem.call();
    long a = c.out(b);
    dev.write(a, 1, 2, 3, 4, 5, 6); // a kernel's result
    c.done();
    float[] host = new float[6];
    mem.download(b, 0, host, 0, 6); // what a strategy's staging does
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, host);
    assertEquals(DeviceArrays.State.DEVICE, mem.state(b), "a download does not move the buffer");
    mem.upload(new float[] {40, 50}, 0, b, 3, 2);
    assertArrayEquals(new float[] {1, 2, 3, 40, 50, 6}, dev.read(a, 6), "uploads go to the device");
    assertArrayEquals(new float[6], b.array(), "the shadow is never written");
    c = mem.call();
    assertEquals(a + 12, c.in(b.slice(3, 2)), "a slice is an address inside the block");
    c.done();
    assertEquals(0, mem.stagedBytes(), "no staging for the backend's own buffers");
    assertNull(mem.state(new FloatBuf(new float[3])));
  }

  @Test
  void foreignHeapBufferIsStagedPerCallAndReturned() {
    float[] rows = {9, 1, 2, 3, 4, 9};
    FloatBuf view = new FloatBuf(rows, 1, 4);
    DeviceArrays.Call c = mem.call();
    long in = c.in(view);
    long out = c.out(new FloatBuf(rows, 2, 2)); // the same array: one scratch block
    assertEquals(in + 4, out, "slices of one foreign array share its staging");
    assertArrayEquals(new float[] {1, 2, 3, 4}, dev.read(in, 4));
    dev.write(out, 20, 30);
    c.done();
    assertArrayEquals(new float[] {9, 1, 20, 30, 4, 9}, rows);
    assertTrue(mem.pooledBytes() > 0, "the scratch block went back to the pool");
    int mallocs = dev.mallocs;
    c = mem.call();
    c.in(new FloatBuf(new float[6]));
    c.done();
    assertEquals(mallocs, dev.mallocs, "and was reused");
  }

  @Test
  void collectedBuffersBlocksAreReusedAndCleared() throws InterruptedException {
    long address = dirtyBlock(1024); // a 4 KiB bucket; the polling allocations below use 256 B
    for (int i = 0; i < 100 && mem.pooledBytes() == 0; i++) {
      System.gc();
      Thread.sleep(10);
      mem.alloc(1); // alloc polls the collected buffers
    }
    assertEquals(4096, mem.pooledBytes(), "the collected buffer's block is in the pool");
    int mallocs = dev.mallocs;
    FloatBuf b = mem.alloc(1000); // same bucket
    assertEquals(mallocs, dev.mallocs, "no new block");
    DeviceArrays.Call c = mem.call();
    long a = c.in(b);
    c.done();
    assertEquals(address, a, "the pooled block");
    assertArrayEquals(new float[1000], dev.read(a, 1000), "cleared before its first use");
    assertEquals(0, dev.frees, "blocks are pooled, not freed");
  }

  private long dirtyBlock(int n) {
    FloatBuf b = mem.alloc(n);
    DeviceArrays.Call c = mem.call();
    long a = c.out(b);
    float[] junk = new float[n];
    java.util.Arrays.fill(junk, 7f);
    dev.write(a, junk);
    c.done();
    return a; // b becomes garbage here
  }

  @Test
  void scratchUploadsIndicesAndMasksAndReadsResults() {
    Scratch s = new Scratch(dev);
    s.reset();
    int[] ids = {5, -1, 7};
    long a = s.ints(ids);
    long m = s.mask(new boolean[] {true, false, true});
    assertArrayEquals(ids, readInts(s, a, 3));
    assertEquals(0, a % 16, "aligned");
    assertTrue(m >= a + 12, "no overlap");
    long big = s.reserve(3L << 20); // grows: a new arena, the old one kept until reset
    assertTrue(big != 0);
    assertArrayEquals(ids, readInts(s, a, 3), "earlier scratch of this call still valid");
    int live = dev.liveBlocks();
    s.reset();
    assertEquals(live - 1, dev.liveBlocks(), "the outgrown arena freed at the next call");
  }

  private static int[] readInts(Scratch s, long address, int n) {
    int[] v = new int[n];
    s.readInts(address, v, n);
    return v;
  }
}
