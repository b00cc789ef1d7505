package org.pscreen2vec.results;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.pscreen2vec.run.AtomicFiles;

/** Writes charts as one PNG (a grid of panels), atomically. */
public final class Png {
  private Png() {}

  public static void grid(List<? extends Chart<?, ?>> charts, int columns, Path out)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (charts.isEmpty()) {
      throw new IOException("nothing to plot into " + out);
    }
    int cols = Math.min(columns, charts.size());
    int rows = (charts.size() + cols - 1) / cols;
    int w = charts.get(0).getWidth();
    int h = charts.get(0).getHeight();
    BufferedImage img = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    for (int i = 0; i < charts.size(); i++) {
      g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * w, (i / cols) * h,
          null);
    }
    g.dispose();
    AtomicFiles.write(out, o -> ImageIO.write(img, "png", o));
  }
}
