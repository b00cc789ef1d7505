package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * {@link Workspace}: the k-th take of a scope reuses the storage of the k-th take of the last
 * one, grown when too small; zeroed takes are zero whatever the last step left; outside a scope
 * and on other threads every take is a new buffer (what escapes a step is never reused).
 */
class WorkspaceTest {
  private final Ops ops = CpuOps.plainJava();

  private static float[] array(Buf b) {
    return ((FloatBuf) b).array();
  }

  @Test
  void theKthTakeOfAScopeReusesTheKthStorageOfTheLast() {
    Workspace ws = new Workspace(ops);
    Buf a;
    Buf b;
    try (Workspace.Scope s = ws.begin()) {
      a = ws.overwritten(100);
      b = ws.zeroed(50);
    }
    try (Workspace.Scope s = ws.begin()) {
      Buf a2 = ws.overwritten(80); // smaller: a slice of the same storage
      Buf b2 = ws.zeroed(50);
      assertSame(array(a), array(a2));
      assertEquals(80, a2.length());
      assertEquals(0, a2.offset());
      assertSame(array(b), array(b2));
    }
    assertEquals((int) (100 * Workspace.GROWTH) + (int) (50 * Workspace.GROWTH),
        ws.heldElements());
  }

  @Test
  void aLargerRequestGrowsWithHeadroomAndIsThenReused() {
    Workspace ws = new Workspace(ops);
    try (Workspace.Scope s = ws.begin()) {
      assertEquals((int) (100 * Workspace.GROWTH), array(ws.overwritten(100)).length);
    }
    float[] grown;
    try (Workspace.Scope s = ws.begin()) {
      Buf b = ws.overwritten(200);
      assertEquals(200, b.length());
      grown = array(b);
      assertEquals((int) (200 * Workspace.GROWTH), grown.length);
    }
    try (Workspace.Scope s = ws.begin()) {
      assertSame(grown, array(ws.overwritten(210))); // within the headroom: no new array
    }
  }

  @Test
  void zeroedTakesAreZeroAfterAStepWroteThem() {
    Workspace ws = new Workspace(ops);
    try (Workspace.Scope s = ws.begin()) {
      ops.fill(ws.zeroed(64), 7);
    }
    try (Workspace.Scope s = ws.begin()) {
      Buf b = ws.zeroed(64);
      for (int i = 0; i < b.length(); i++) {
        assertEquals(0.0, b.get(i), "element " + i);
      }
    }
  }

  @Test
  void poisonFillsKeptBuffersWithNanAtBegin() {
    Workspace ws = new Workspace(ops);
    ws.poisonOnBegin(true);
    try (Workspace.Scope s = ws.begin()) {
      ops.fill(ws.overwritten(8), 1);
    }
    try (Workspace.Scope s = ws.begin()) {
      assertTrue(Double.isNaN(ws.overwritten(8).get(3)));
    }
  }

  @Test
  void outsideAScopeEveryTakeIsFresh() {
    Workspace ws = new Workspace(ops);
    try (Workspace.Scope s = ws.begin()) {
      ws.overwritten(10);
    }
    Buf a = ws.overwritten(10);
    Buf b = ws.zeroed(10);
    assertNotSame(array(a), array(b));
    assertEquals((int) (10 * Workspace.GROWTH), ws.heldElements(),
        "takes outside a scope are not kept");
  }

  @Test
  void otherThreadsGetFreshBuffersWhileAScopeIsOpen() throws InterruptedException {
    Workspace ws = new Workspace(ops);
    try (Workspace.Scope s = ws.begin()) {
      Buf mine = ws.overwritten(10);
      AtomicReference<Buf> theirs = new AtomicReference<>();
      Thread t = new Thread(() -> theirs.set(ws.overwritten(10)));
      t.start();
      t.join();
      assertNotSame(array(mine), array(theirs.get()));
      assertEquals((int) (10 * Workspace.GROWTH), ws.heldElements());
    }
  }

  @Test
  void aScopeInsideAScopeAndNegativeSizesFail() {
    Workspace ws = new Workspace(ops);
    try (Workspace.Scope s = ws.begin()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, ws::begin);
      assertTrue(e.getMessage().contains("already open"), e.getMessage());
      IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
          () -> ws.zeroed(-3));
      assertTrue(n.getMessage().contains("-3"), n.getMessage());
    }
    ws.begin().close(); // closed: a new scope opens
  }
}
