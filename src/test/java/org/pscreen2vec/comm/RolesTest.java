package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RolesTest {
  @Test
  void workersComeFirstThenServers() {
    Roles r = new Roles(5, 2);
    assertEquals(3, r.workers());
    assertEquals(Roles.Role.WORKER, r.roleOf(0));
    assertEquals(Roles.Role.WORKER, r.roleOf(2));
    assertEquals(Roles.Role.SERVER, r.roleOf(3));
    assertEquals(Roles.Role.SERVER, r.roleOf(4));
    assertEquals(4, r.serverRank(1));
  }

  @Test
  void badRoleCountsAreRejectedWithAReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Roles(2, 2));
    assertTrue(e.getMessage().contains("leaves no worker"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Roles(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Roles(3, -1));
    assertThrows(IllegalArgumentException.class, () -> new Roles(3, 0).roleOf(3));
  }
}
