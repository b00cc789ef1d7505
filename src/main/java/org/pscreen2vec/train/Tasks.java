package org.pscreen2vec.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.data.FashionMnist;
import org.pscreen2vec.data.ImageSet;
import org.pscreen2vec.data.RicoData;
import org.pscreen2vec.data.RicoReader;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.SyntheticRico;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.model.FashionCnn;
import org.pscreen2vec.model.FashionMlp;
import org.pscreen2vec.model.LayoutAutoencoder;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.model.Ui2Vec;
import org.pscreen2vec.ops.Ops;

/** Builds the model a configuration names and binds it to its data. */
public final class Tasks {
  private static final Logger LOG = LogManager.getLogger(Tasks.class);

  private Tasks() {}

  /**
   * Images must fit the model before it is built (else the failure comes from deep inside a
   * matrix product): the MLP's first size is the pixel count, the CNN takes square images, and
   * the test split has the training split's size.
   */
  private static void checkImageShapes(Path dir, ImageSet train, ImageSet test, TrainConfig c)
      throws BadInputException {
    String shape = train.rows() + " x " + train.cols();
    if (test.rows() != train.rows() || test.cols() != train.cols()) {
      throw new BadInputException(dir, "the test images are " + test.rows() + " x " + test.cols()
          + " but the training images " + shape);
    }
    int pixels = train.rows() * train.cols();
    if (c.model().equals("fashion-mlp") && c.ints("mlp.sizes")[0] != pixels) {
      throw new BadInputException(dir, "the images are " + shape + " (" + pixels + " pixels) but "
          + "mlp.sizes starts with " + c.ints("mlp.sizes")[0] + "; set mlp.sizes=" + pixels
          + ",... or use 28 x 28 Fashion-MNIST files");
    }
    if (c.model().equals("fashion-cnn") && train.rows() != train.cols()) {
      throw new BadInputException(dir, "the CNN takes square images, these are " + shape);
    }
  }

  public static Task<?> create(TrainConfig c, Ops ops) throws IOException {
    long seed = c.seed();
    switch (c.model()) {
      case "fashion-mlp", "fashion-cnn" -> {
        Path dir = fashionDir(c.get("data"));
        ImageSet train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        ImageSet test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        checkImageShapes(dir, train, test, c);
        int[] ch = c.ints("cnn.channels");
        var model = c.model().equals("fashion-mlp")
            ? new FashionMlp(ops, c.ints("mlp.sizes"), seed)
            : new FashionCnn(ops, train.rows(), ch[0], ch[1], FashionMnist.CLASSES, seed);
        return new FashionTask(ops, model, train, test);
      }
      default -> {
        Path dir = ricoDir(c);
        RicoData data = rico(c, dir);
        TraceSplit split = TraceSplit.of(data.traces(), data.descriptions(),
            c.getDouble("eval.fraction"), seed);
        Featurizer f = new Featurizer(ops,
            new TextHasher(c.getInt("text.buckets"), c.getInt("text.max.tokens")),
            c.getInt("max.components"));
        return switch (c.model()) {
          case "layout-ae" -> new LayoutTask(new LayoutAutoencoder(ops, layoutSizes(c), seed), f,
              split);
          case "ui2vec" -> new Ui2VecTask(new Ui2Vec(ops, c.getInt("dim"),
              c.getInt("class.dim"), c.getInt("text.buckets"),
              Ui2Vec.Head.valueOf(c.get("ui2vec.head").toUpperCase(Locale.ROOT)),
              c.getInt("nearest"), seed), f, split, c.getInt("nearest"), c.getInt("eval.batch"));
          default -> screen2vec(c, ops, f, split, data, dir);
        };
      }
    }
  }

  /** {11200, configured sizes...}. */
  static int[] layoutSizes(TrainConfig c) {
    int[] s = c.ints("layout.sizes");
    int[] all = new int[s.length + 1];
    all[0] = Screen.LAYOUT_SIZE;
    System.arraycopy(s, 0, all, 1, s.length);
    return all;
  }

  private static Task<?> screen2vec(TrainConfig c, Ops ops, Featurizer f, TraceSplit split,
      RicoData data, Path dir) throws IOException {
    int[] sizes = layoutSizes(c);
    Screen2Vec.LayoutMode mode = Screen2Vec.LayoutMode.valueOf(
        c.layoutMode().toUpperCase(Locale.ROOT));
    Screen2Vec model = new Screen2Vec(ops, new Screen2Vec.Config(c.getInt("dim"),
        c.getInt("class.dim"), c.getInt("text.buckets"), sizes, mode,
        c.getDouble("layout.ae.weight"), c.getBool("screen.coords"),
        c.get("screen.description").equals("inside")), c.seed());
    Function<Screen, float[]> layout = null;
    int width = 0;
    if (mode == Screen2Vec.LayoutMode.JOINT) {
      layout = Screen::layout;
      width = Screen.LAYOUT_SIZE;
    } else if (mode == Screen2Vec.LayoutMode.FROZEN) {
      layout = LayoutCodes.of(c, ops, f, sizes, TraceSplit.screens(data.traces()),
          dir.toAbsolutePath().normalize().toString());
      width = sizes[sizes.length - 1];
    }
    return new Screen2VecTask(model, f, split, layout, width, new Screen2VecTask.Options(
        c.getInt("window"), c.get("windows").equals("full"), c.getInt("negatives"),
        c.getInt("eval.batch"), c.get("eval").equals("paper"),
        c.get("eval.candidates").equals("all"), c.seed()));
  }

  public static Path home() {
    return Paths.get(System.getProperty("pscreen2vec.home", "."));
  }

  static Path fashionDir(String data) {
    if (!data.equals("synthetic") && !data.equals("default")) {
      return Paths.get(data);
    }
    String env = System.getenv("FASHION_MNIST_DIR");
    return env != null && !env.isBlank() ? Paths.get(env)
        : home().resolve(".deps/data/fashion-mnist");
  }

  /** The RICO-format folder a configuration names (the generated one for 'synthetic'). */
  static Path ricoDir(TrainConfig c) {
    return c.get("data").equals("synthetic")
        ? home().resolve(".deps/data/synthetic-s" + c.seed() + "-n"
            + c.getInt("synthetic.screens"))
        : Paths.get(c.get("data"));
  }

  /**
   * Generates the synthetic set into {@code dir} once, however many ranks (threads of one JVM or
   * processes) ask at the same time: one generates into a folder of its own (a unique temporary
   * name next to {@code dir}) under a file lock and renames it into place; the others wait for
   * the lock and then find it. A failed generation removes its temporary folder.
   */
  static void generateOnce(Path dir, long seed, int screens) throws IOException {
    Path parent = Files.createDirectories(dir.toAbsolutePath().getParent());
    Path lockFile = parent.resolve("." + dir.getFileName() + ".lock");
    while (!Files.isDirectory(dir.resolve("filtered_traces"))) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock lock = ch.lock()) {
        if (Files.isDirectory(dir.resolve("filtered_traces"))) {
          return; // made while we waited
        }
        Path tmp = Files.createTempDirectory(parent, dir.getFileName() + ".tmp-");
        try {
          LOG.info("generating synthetic RICO data ({} screens, seed {}) into {}", screens, seed,
              dir);
          SyntheticRico.generate(SyntheticRico.Config.of(seed, screens), tmp, null);
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          if (Files.exists(tmp)) {
            try (java.util.stream.Stream<Path> w = Files.walk(tmp)) {
              w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
          }
        }
      } catch (java.nio.channels.OverlappingFileLockException e) {
        // another rank in this JVM holds the lock: wait for it
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the synthetic data", ie);
        }
      }
    }
  }

  /** Reads the RICO-format data, generating the synthetic set once if asked for. */
  static RicoData rico(TrainConfig c, Path dir) throws IOException {
    if (c.get("data").equals("synthetic")) {
      int screens = c.getInt("synthetic.screens");
      generateOnce(dir, c.seed(), screens);
    }
    RicoReader.Options o = RicoReader.Options.defaults().withNearest(c.getInt("nearest"));
    RicoData d = new RicoReader(o).read(dir);
    LOG.info("read {} traces from {}", d.traces().size(), dir);
    return d;
  }
}
