package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reader on hand-written files in RICO's format (src/test/resources/rico). */
class RicoReaderTest {
  static Path root;
  static RicoData data;

  @BeforeAll
  static void read() throws Exception {
    root = Path.of(RicoReaderTest.class.getResource("/rico").toURI());
    data = new RicoReader(RicoReader.Options.defaults().withCombined(true)).read(root);
  }

  static Screen screen(String pkg, String trace, String id) {
    return data.traces().stream()
        .filter(t -> t.packageName().equals(pkg) && t.id().equals(trace))
        .flatMap(t -> t.screens().stream()).filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow();
  }

  static GuiComponent c(String text, int label, int x1, int y1, int x2, int y2) {
    return new GuiComponent(text, label, x1, y1, x2, y2);
  }

  @Test
  void tracesComeInFolderOrderWithScreensInFrameOrderAndEmptyTracesLeftOut() {
    assertEquals(2, data.traces().size());
    Trace recipes = data.traces().get(0);
    assertEquals("com.example.recipes", recipes.packageName());
    assertEquals("trace_0", recipes.id());
    // numeric order 3 < 7 < 10, not text order; trace_1 held only a dropped screen
    assertEquals(List.of("3", "7", "10"), recipes.screens().stream().map(Screen::id).toList());
    Trace weather = data.traces().get(1);
    assertEquals("com.example.weather", weather.packageName());
    assertEquals(List.of("2"), weather.screens().stream().map(Screen::id).toList());
  }

  @Test
  void visibleNodesBecomeComponentsInPreOrderWithListInheritance() {
    Screen s = screen("com.example.recipes", "trace_0", "3");
    assertEquals("com.example.recipes", s.packageName());
    assertEquals("com.example.recipes/com.example.recipes.ListActivity", s.activity());
    assertEquals(List.of(
        c("", 2, 0, 0, 1440, 2560),           // LinearLayout (the root has no visible flag)
        c("", 21, 0, 84, 1440, 252),          // Toolbar
        c("Recipes", 11, 216, 124, 900, 212), // TextView, not clickable
        c("", 10, 1272, 84, 1440, 252),       // ImageButton
        c("", 12, 0, 252, 1440, 2560),        // RecyclerView
        c("", 24, 0, 252, 1440, 552),         // ConstraintLayout (unknown) under the list
        c("Pasta", 20, 48, 276, 1000, 400),   // clickable TextView keeps its own label
        c("", 24, 1100, 300, 1400, 500)),     // custom StarView (unknown) under the list
        s.components());
  }

  @Test
  void drawerInheritanceAlternativeSpellingsAndListWinningInsideADrawer() {
    Screen s = screen("com.example.recipes", "trace_0", "10");
    assertEquals(List.of(
        c("", 7, 0, 0, 1440, 2560),                         // DrawerLayout ("className")
        c("", 2, 0, 0, 1440, 2560),                         // FrameLayout
        c("", 25, 0, 0, 1080, 2560),                        // NavigationView (unknown)
        c("Favourites", 25, 0, 400, 1080, 560),             // NavigationMenuItemView
        c("", 12, 0, 600, 1080, 1200),                      // ListView inside the drawer
        c("", 2, 0, 600, 1080, 800),                        // LinearLayout keeps its label
        c("Row in a list in the drawer", 24, 24, 620, 1056, 780)), // list wins over drawer
        s.components());
  }

  @Test
  void classBeatsClassNameBlankTextIsEmptyAndBoundsAreClipped() {
    Screen s = screen("com.example.recipes", "trace_0", "7");
    assertEquals(List.of(
        c("", 2, 0, 0, 1440, 2560),
        c("Title", 11, 0, 0, 720, 256),
        c("", 9, 720, 1280, 1440, 2560),
        c("", 20, 0, 1280, 360, 1536),
        c("", 6, 0, 2400, 1440, 2560)), // "class" CheckBox over "className" Switch; clipped
        s.components());
  }

  @Test
  void layoutBitmapMarksVisibleLeavesScaledTo56By100() {
    float[] px = screen("com.example.recipes", "trace_0", "7").layout();
    assertEquals(Screen.LAYOUT_SIZE, px.length);
    // channel 0: "Title" [0,0,720,256] -> columns 0..27, rows 0..9
    assertEquals(280, count(px, 0));
    assertEquals(1f, at(px, 0, 0, 0));
    assertEquals(1f, at(px, 0, 9, 27));
    assertEquals(0f, at(px, 0, 10, 27));
    assertEquals(0f, at(px, 0, 9, 28));
    // channel 1: ImageView [720,1280,1440,2560] -> cols 28..55, rows 50..99 (1400 pixels, its
    // empty "children" array still makes it a leaf); blank-text Button [0,1280,360,1536] -> cols
    // 0..13, rows 50..59 (140); clipped CheckBox [0,2400,1440,2560] -> all cols, rows 93..99 (392),
    // 196 of them shared with the ImageView; the invisible ImageView and the root add nothing.
    assertEquals(1400 + 140 + 392 - 196, count(px, 1));
    assertEquals(1f, at(px, 1, 50, 28));
    assertEquals(1f, at(px, 1, 59, 13));
    assertEquals(0f, at(px, 1, 60, 13));
    assertEquals(1f, at(px, 1, 93, 0));
    assertEquals(0f, at(px, 1, 92, 0));
    for (float v : px) {
      assertTrue(v == 0f || v == 1f);
    }
  }

  @Test
  void nearestComponentsFollowScreen2VecsBoundsDistance() {
    Screen s = screen("com.example.recipes", "trace_0", "7");
    assertEquals(5, s.nearest().length);
    // worked by hand: for "Title" the squared gaps are root 583936, ImageView 1048576,
    // Button 1178176, CheckBox 5115136
    assertArrayEquals(new int[] {0, 2, 3, 4}, s.nearest()[1]);
    // for the Button: ImageView 195136, CheckBox 876096, Title 1178176, root 1768000
    assertArrayEquals(new int[] {2, 4, 1, 0}, s.nearest()[3]);
    for (int i = 0; i < 5; i++) {
      assertEquals(4, s.nearest()[i].length); // k = min(16, count - 1)
    }
  }

  @Test
  void nearestListsAreCutToN() throws Exception {
    RicoReader r = new RicoReader(RicoReader.Options.defaults().withNearest(2));
    Screen s = r.readScreen(root.resolve(
        "filtered_traces/com.example.recipes/trace_0/view_hierarchies/7.json"), "x");
    assertArrayEquals(new int[] {0, 2}, s.nearest()[1]);
    assertArrayEquals(new int[] {2, 4}, s.nearest()[3]);
  }

  @Test
  void packageFallsBackToTheFolderWithoutActivityName() {
    Screen s = screen("com.example.weather", "trace_0", "2");
    assertEquals("com.example.weather", s.packageName());
    assertEquals("", s.activity());
    assertEquals("Sunny, 21 °C", s.components().get(1).text());
  }

  @Test
  void droppedAndBrokenScreensAreCountedNotFatal() {
    RicoStats st = data.stats();
    assertEquals(3, st.traces());
    assertEquals(7, st.files()); // 6 trace screens (the ._5.json junk is ignored) + 1 combined
    assertEquals(5, st.screensKept());
    assertEquals(Map.of(SkipReason.TOO_FEW_COMPONENTS, 1, SkipReason.MALFORMED_JSON, 1),
        st.skipped());
    assertTrue(st.firstPaths(SkipReason.MALFORMED_JSON).get(0).contains("4.json"));
    assertTrue(st.firstPaths(SkipReason.TOO_FEW_COMPONENTS).get(0).contains("5.json"));
    assertTrue(st.format().contains("fewer than two labeled components: 1"));
  }

  @Test
  void combinedScreensAndDescriptionsAreRead() {
    assertEquals(1, data.combined().size());
    assertEquals("100", data.combined().get(0).id());
    assertEquals(Map.of("com.example.recipes",
        "Recipes for every day, with \"quick\" dinners.\nShopping lists too.",
        "com.example.weather", "Forecasts by the hour"), data.descriptions());
  }

  @Test
  void strictModeNamesTheFirstBrokenFile() {
    RicoReader strict = new RicoReader(RicoReader.Options.defaults().withStrict(true));
    BadInputException e = assertThrows(BadInputException.class, () -> strict.read(root));
    assertTrue(e.getMessage().contains("com.example.weather"), e.getMessage());
    assertTrue(e.getMessage().contains("4.json"), e.getMessage());
    assertEquals(SkipReason.MALFORMED_JSON, e.reason());
  }

  @Test
  void aFolderWithoutTracesIsBadInput() {
    Path notRico = root.resolve("combined");
    BadInputException e = assertThrows(BadInputException.class,
        () -> new RicoReader(RicoReader.Options.defaults()).read(notRico));
    assertTrue(e.getMessage().contains("not a RICO folder"), e.getMessage());
    assertThrows(BadInputException.class,
        () -> new RicoReader(RicoReader.Options.defaults()).read(root.resolve("missing")));
  }

  @Test
  void scanCountsLikeReadButKeepsNoScreens() throws Exception {
    RicoData scanned = new RicoReader(RicoReader.Options.defaults().withCombined(true))
        .scan(root);
    assertEquals(data.stats().format(), scanned.stats().format());
    assertTrue(scanned.traces().isEmpty());
    assertTrue(scanned.combined().isEmpty());
  }

  @Test
  void theSameResultWithOneThread() throws Exception {
    RicoData one = new RicoReader(RicoReader.Options.defaults().withCombined(true)
        .withThreads(1)).read(root);
    assertEquals(data.traceScreens().stream().map(Screen::components).toList(),
        one.traceScreens().stream().map(Screen::components).toList());
  }

  static int count(float[] px, int channel) {
    int n = 0;
    for (int i = channel * 5600; i < (channel + 1) * 5600; i++) {
      n += px[i] == 1f ? 1 : 0;
    }
    return n;
  }

  static float at(float[] px, int c, int y, int x) {
    return px[(c * Screen.LAYOUT_HEIGHT + y) * Screen.LAYOUT_WIDTH + x];
  }
}
