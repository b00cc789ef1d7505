package org.pscreen2vec.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ps.Op;
import org.pscreen2vec.ps.ParameterServer;
import org.pscreen2vec.ps.PsAccounting;
import org.pscreen2vec.run.Csv;

/**
 * Parameter-server accounting of a finished run, so a user can see whether the servers were the
 * bottleneck: per worker {@code ps-rank<r>.csv} (bytes and messages per operation, time waiting
 * on servers), and from worker 0 {@code servers.csv} (each server's requests, bytes, busy and
 * idle time, largest staleness served).
 */
public final class PsReport {
  private static final Logger LOG = LogManager.getLogger(PsReport.class);

  private PsReport() {}

  /** Call after {@link PsSync#close}. */
  public static void write(PsSync sync, Path dir, int rank, boolean root) throws IOException {
    if (sync.client() == null) {
      return;
    }
    PsAccounting a = sync.client().accounting();
    List<String> rows = new ArrayList<>();
    for (Op op : Op.REQUESTS) {
      rows.add(String.format(Locale.ROOT, "%s,%d,%d,%d", op.name(), a.bytesSent(op),
          a.bytesReceived(op), a.messages(op)));
    }
    rows.add(String.format(Locale.ROOT, "WAIT_SECONDS,%.3f,,", a.waitSeconds()));
    Csv.write(dir.resolve("ps-rank" + rank + ".csv"), "operation,bytes_sent,bytes_received,"
        + "messages", rows);
    if (!root) {
      return;
    }
    List<String> servers = new ArrayList<>();
    List<float[]> loads = sync.serverLoads();
    StringBuilder line = new StringBuilder();
    for (int s = 0; s < loads.size(); s++) {
      float[] l = loads.get(s);
      StringBuilder r = new StringBuilder().append(s);
      for (float v : l) {
        r.append(',').append(String.format(Locale.ROOT, "%.1f", v));
      }
      servers.add(r.toString());
      double busy = l[4] / Math.max(1e-9, l[4] + l[5]);
      line.append(String.format(Locale.ROOT, "%sserver %d busy %.0f%%", s == 0 ? "" : ", ", s,
          100 * busy));
    }
    Csv.write(dir.resolve("servers.csv"), "server," + String.join(",",
        ParameterServer.ServerLoad.FIELDS), servers);
    LOG.info("parameter servers: {}; worker 0 waited {} s on them (ps-rank<r>.csv, servers.csv)",
        line, String.format(Locale.ROOT, "%.2f", a.waitSeconds()));
  }
}
