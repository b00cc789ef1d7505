package org.pscreen2vec.data;

import java.util.Random;
import org.pscreen2vec.data.SyntheticApp.ScreenType;

/**
 * Builds the view hierarchy of one generated screen: Android's window chrome (decor view, action
 * bar overlay, content frame), then a body whose layout and components are characteristic of the
 * screen type and whose texts come from the app's vocabulary. Labels are declared here by hand
 * for each class used (the reader derives them from the class names; the round-trip test checks
 * that the two agree).
 */
final class SyntheticScreens {
  static final int W = ScreenBuilder.SCREEN_WIDTH;
  static final int H = ScreenBuilder.SCREEN_HEIGHT;
  private static final int STATUS = 84;
  private static final int TOOLBAR = 168;
  private static final int BOTTOM = 168;

  private final SyntheticApp app;
  private final Random r;

  private SyntheticScreens(SyntheticApp app, Random r) {
    this.app = app;
    this.r = r;
  }

  /** The whole tree of a screen of type {@code type}. */
  static GenNode build(SyntheticApp app, ScreenType type, Random r) {
    return new SyntheticScreens(app, r).screen(type);
  }

  private GenNode screen(ScreenType type) {
    GenNode decor = new GenNode("com.android.internal.policy.PhoneWindow$DecorView", 0, 0, 0, W, H);
    GenNode outer = decor.add(node("android.widget.LinearLayout", 2, 0, 0, W, H));
    GenNode stub = outer.add(node("android.view.ViewStub", 0, 0, 0, 0, 0));
    stub.resourceId = "action_mode_bar_stub";
    stub.hidden();
    GenNode frame = outer.add(node("android.widget.FrameLayout", 2, 0, STATUS, W, H));
    frame.resourceId = "content";
    GenNode overlay = frame.add(node("android.support.v7.widget.ActionBarOverlayLayout", 2, 0,
        STATUS, W, H));
    GenNode content = overlay.add(node("android.support.v7.widget.ContentFrameLayout", 2, 0,
        STATUS, W, H));
    int bottom = app.bottomBar && type != ScreenType.LOGIN && type != ScreenType.PLAYER ? H - BOTTOM
        : H;
    GenNode body = content.add(node(r.nextBoolean() ? "android.widget.RelativeLayout"
        : "android.widget.LinearLayout", 2, 0, STATUS, W, H));
    int top = STATUS;
    if (type != ScreenType.LOGIN && type != ScreenType.PLAYER && type != ScreenType.MAP) {
      top = toolbar(body, type);
    }
    switch (type) {
      case LOGIN -> login(body, top);
      case HOME -> home(body, top, bottom);
      case LIST -> list(body, top, bottom);
      case DETAIL -> detail(body, top, bottom);
      case SEARCH -> search(body, top, bottom);
      case SETTINGS -> settings(body, top, bottom);
      case PROFILE -> profile(body, top, bottom);
      case CHECKOUT -> checkout(body, top, bottom);
      case DRAWER -> drawer(body, top, bottom);
      case PLAYER -> player(body, top);
      case MAP -> map(body, top, bottom);
      case WEB -> web(body, top, bottom);
      case CHAT -> chat(body, top, bottom);
      default -> throw new IllegalStateException("no recipe for " + type);
    }
    if (bottom < H) {
      bottomBar(body, bottom);
    }
    return decor;
  }

  // ---- building blocks ----

  private static GenNode node(String cls, int label, int x1, int y1, int x2, int y2) {
    return new GenNode(cls, label, x1, y1, x2, y2);
  }

  private GenNode textView(GenNode parent, String text, int x1, int y1, int x2, int y2) {
    String cls = app.compat ? "android.support.v7.widget.AppCompatTextView"
        : "android.widget.TextView";
    return parent.add(node(cls, GenNode.TEXT_RULE, x1, y1, x2, y2).text(text));
  }

  private GenNode image(GenNode parent, int x1, int y1, int x2, int y2) {
    String cls = app.compat ? "android.support.v7.widget.AppCompatImageView"
        : "android.widget.ImageView";
    return parent.add(node(cls, 9, x1, y1, x2, y2));
  }

  private GenNode imageButton(GenNode parent, int x1, int y1, int x2, int y2) {
    String cls = app.compat ? "android.support.v7.widget.AppCompatImageButton"
        : "android.widget.ImageButton";
    return parent.add(node(cls, 10, x1, y1, x2, y2).clickable());
  }

  private GenNode button(GenNode parent, String text, int x1, int y1, int x2, int y2) {
    String cls = app.compat ? "android.support.v7.widget.AppCompatButton"
        : "android.widget.Button";
    return parent.add(node(cls, 20, x1, y1, x2, y2).text(text).clickable());
  }

  private GenNode editText(GenNode parent, String hint, int x1, int y1, int x2, int y2) {
    String cls = app.compat ? "android.support.v7.widget.AppCompatEditText"
        : "android.widget.EditText";
    return parent.add(node(cls, 11, x1, y1, x2, y2).text(hint).clickable());
  }

  private GenNode linear(GenNode parent, int x1, int y1, int x2, int y2) {
    return parent.add(node("android.widget.LinearLayout", 2, x1, y1, x2, y2));
  }

  private int toolbar(GenNode body, ScreenType type) {
    int y2 = STATUS + TOOLBAR;
    GenNode bar = body.add(node("android.support.design.widget.AppBarLayout", 2, 0, STATUS, W, y2));
    GenNode tb = bar.add(node("android.support.v7.widget.Toolbar", 21, 0, STATUS, W, y2));
    imageButton(tb, 0, STATUS, 168, y2);
    textView(tb, type == ScreenType.HOME ? SyntheticApp.capitalize(app.brand)
        : toolbarTitle(type), 216, STATUS + 40, 900, y2 - 40);
    GenNode menu = tb.add(node("android.support.v7.widget.ActionMenuView", 0, 1100, STATUS, W,
        y2));
    int icons = 1 + r.nextInt(2);
    for (int i = 0; i < icons; i++) {
      int x = W - 168 * (icons - i);
      menu.add(node("android.support.v7.view.menu.ActionMenuItemView", 10, x, STATUS, x + 168,
          y2).clickable());
    }
    return y2;
  }

  private String toolbarTitle(ScreenType type) {
    return switch (type) {
      case SETTINGS -> "Settings";
      case PROFILE -> "Profile";
      case CHECKOUT -> "Checkout";
      case SEARCH -> "Search";
      case CHAT -> "Messages";
      default -> app.title(r);
    };
  }

  private void bottomBar(GenNode body, int y1) {
    GenNode bar = body.add(node("com.roughike.bottombar.BottomBar", 3, 0, y1, W, H));
    String[] tabs = {"Home", "Explore", SyntheticApp.capitalize(app.topic[0]), "Account"};
    int w = W / tabs.length;
    for (int i = 0; i < tabs.length; i++) {
      GenNode tab = linear(bar, i * w, y1, (i + 1) * w, H).clickable();
      image(tab, i * w + w / 2 - 48, y1 + 24, i * w + w / 2 + 48, y1 + 120);
      textView(tab, tabs[i], i * w + 20, y1 + 120, (i + 1) * w - 20, H - 8);
    }
  }

  /** A vertical list; items are ConstraintLayouts (unknown class, so "list item" 24). */
  private GenNode listOf(GenNode parent, String cls, int y1, int y2, int itemHeight, int max,
      boolean withImage) {
    GenNode list = parent.add(node(cls, 12, 0, y1, W, y2));
    int n = Math.min(max, (y2 - y1) / itemHeight);
    for (int i = 0; i < n; i++) {
      int top = y1 + i * itemHeight;
      GenNode item = list.add(node("android.support.constraint.ConstraintLayout", 0, 0, top, W,
          top + itemHeight)).clickable();
      int x = 48;
      if (withImage) {
        image(item, 48, top + 24, 48 + itemHeight - 48, top + itemHeight - 24);
        x = itemHeight + 24;
      }
      textView(item, app.title(r), x, top + 24, W - 160, top + itemHeight / 2);
      textView(item, app.sentence(r), x, top + itemHeight / 2, W - 160, top + itemHeight - 24);
      if (r.nextBoolean()) {
        image(item, W - 136, top + itemHeight / 2 - 40, W - 56, top + itemHeight / 2 + 40);
      }
    }
    return list;
  }

  // ---- recipes, one per screen type ----

  private void login(GenNode body, int top) {
    GenNode col = linear(body, 96, top + 200, W - 96, H - 200);
    image(col, W / 2 - 240, top + 200, W / 2 + 240, top + 680);
    textView(col, "Welcome to " + SyntheticApp.capitalize(app.brand), 96, top + 720, W - 96,
        top + 840);
    editText(col, "Email", 96, top + 900, W - 96, top + 1040);
    editText(col, "Password", 96, top + 1080, W - 96, top + 1220);
    if (r.nextBoolean()) {
      col.add(node("android.widget.CheckBox", 6, 96, top + 1240, W - 96, top + 1340)
          .text("Remember me").clickable());
    }
    button(col, r.nextBoolean() ? "Sign in" : "Log in", 96, top + 1380, W - 96, top + 1540);
    textView(col, "Forgot password?", 96, top + 1580, W - 96, top + 1680).clickable();
    GenNode social = linear(col, 96, top + 1740, W - 96, top + 1900);
    imageButton(social, 300, top + 1740, 460, top + 1900);
    imageButton(social, 980, top + 1740, 1140, top + 1900);
    textView(col, "Create account", 96, top + 1960, W - 96, top + 2060).clickable();
    col.add(node("android.widget.ProgressBar", 0, W / 2 - 80, top + 1100, W / 2 + 80,
        top + 1260)).hidden();
  }

  private void home(GenNode body, int top, int bottom) {
    GenNode tabs = body.add(node("android.support.design.widget.TabLayout", 2, 0, top, W,
        top + 144));
    GenNode strip = tabs.add(node("android.support.design.widget.TabLayout$SlidingTabStrip", 2,
        0, top, W, top + 144));
    int n = 3 + r.nextInt(2);
    for (int i = 0; i < n; i++) {
      GenNode tab = strip.add(node("android.support.design.widget.TabLayout$TabView", 2,
          i * W / n, top, (i + 1) * W / n, top + 144)).clickable();
      textView(tab, SyntheticApp.capitalize(app.topicWord(r)), i * W / n + 24, top + 40,
          (i + 1) * W / n - 24, top + 104);
    }
    GenNode feed = body.add(node("android.support.v7.widget.RecyclerView", 12, 0, top + 144, W,
        bottom));
    int cardH = 520 + 40 * r.nextInt(4);
    int cards = Math.min(4, (bottom - top - 144) / cardH);
    for (int i = 0; i < cards; i++) {
      int y = top + 144 + i * cardH;
      GenNode card = feed.add(node("android.support.v7.widget.CardView", 5, 32, y + 16, W - 32,
          y + cardH - 16)).clickable();
      GenNode inner = linear(card, 32, y + 16, W - 32, y + cardH - 16);
      image(inner, 32, y + 16, W - 32, y + cardH - 200);
      textView(inner, app.title(r), 64, y + cardH - 190, W - 200, y + cardH - 110);
      textView(inner, app.sentence(r), 64, y + cardH - 110, W - 200, y + cardH - 30);
      imageButton(inner, W - 180, y + cardH - 170, W - 56, y + cardH - 50);
    }
    if (r.nextInt(4) == 0) {
      body.add(node("com.google.android.gms.ads.AdView", 1, 0, bottom - 200, W, bottom));
    }
  }

  private void list(GenNode body, int top, int bottom) {
    String cls = r.nextBoolean() ? "android.widget.ListView"
        : "android.support.v7.widget.RecyclerView";
    listOf(body, cls, top, bottom, 240 + 24 * r.nextInt(4), 9, r.nextBoolean());
  }

  private void detail(GenNode body, int top, int bottom) {
    GenNode scroll = body.add(node("android.widget.ScrollView", 0, 0, top, W, bottom));
    GenNode col = linear(scroll, 0, top, W, bottom);
    image(col, 0, top, W, top + 800);
    textView(col, app.title(r), 48, top + 840, W - 48, top + 960);
    textView(col, (1 + r.nextInt(99)) + "." + (10 + r.nextInt(90)) + " · "
        + app.topicWord(r), 48, top + 980, W - 48, top + 1060);
    if (r.nextBoolean()) {
      col.add(node("android.widget.RatingBar", 0, 48, top + 1080, 600, top + 1160));
    }
    textView(col, app.sentence(r) + " " + app.sentence(r), 48, top + 1180, W - 48, top + 1560);
    GenNode buttons = linear(col, 48, top + 1600, W - 48, top + 1760);
    button(buttons, "Share", 48, top + 1600, W / 2 - 24, top + 1760);
    button(buttons, r.nextBoolean() ? "Save" : "Add to " + app.topicWord(r), W / 2 + 24,
        top + 1600, W - 48, top + 1760);
    if (bottom - top > 1900) {
      textView(col, "More like this", 48, top + 1800, W - 48, top + 1880);
    }
  }

  private void search(GenNode body, int top, int bottom) {
    GenNode box = linear(body, 0, top, W, top + 168);
    editText(box, "Search " + app.topic[0], 48, top + 20, W - 200, top + 148);
    imageButton(box, W - 180, top + 20, W - 48, top + 148);
    textView(body, "Recent searches", 48, top + 200, W - 48, top + 280);
    GenNode recent = body.add(node("android.widget.ListView", 12, 0, top + 300, W, bottom));
    int n = Math.min(3 + r.nextInt(5), (bottom - top - 300) / 144);
    for (int i = 0; i < n; i++) {
      int y = top + 300 + i * 144;
      textView(recent, app.topicWord(r) + " " + app.topicWord(r), 48, y, W - 48, y + 144)
          .clickable();
    }
  }

  private void settings(GenNode body, int top, int bottom) {
    GenNode list = body.add(node("android.support.v7.widget.RecyclerView", 12, 0, top, W,
        bottom));
    String[] rows = {"Notifications", "Dark mode", "Sync over Wi-Fi only", "Location",
        "Sound", "Auto-play videos", "Send usage data", "Language", "About", "Log out"};
    int n = Math.min(rows.length, (bottom - top) / 192);
    for (int i = 0; i < n; i++) {
      int y = top + i * 192;
      GenNode row = linear(list, 0, y, W, y + 192).clickable();
      textView(row, rows[i], 48, y + 40, W - 300, y + 152);
      if (i < 7) {
        String cls = r.nextBoolean() ? "android.widget.Switch"
            : "android.support.v7.widget.SwitchCompat";
        int label = 16;
        if (r.nextInt(3) == 0) {
          cls = "android.widget.CheckBox";
          label = 6;
        }
        row.add(node(cls, label, W - 260, y + 48, W - 48, y + 144).clickable());
      }
    }
  }

  private void profile(GenNode body, int top, int bottom) {
    image(body, W / 2 - 200, top + 48, W / 2 + 200, top + 448);
    textView(body, SyntheticApp.capitalize(app.topicWord(r)) + " " + app.appWords[0], 48,
        top + 480, W - 48, top + 580);
    GenNode stats = linear(body, 0, top + 620, W, top + 800);
    String[] labels = {"Posts", "Followers", "Following"};
    for (int i = 0; i < 3; i++) {
      GenNode s = linear(stats, i * W / 3, top + 620, (i + 1) * W / 3, top + 800);
      textView(s, String.valueOf(r.nextInt(5000)), i * W / 3 + 40, top + 620, (i + 1) * W / 3
          - 40, top + 710);
      textView(s, labels[i], i * W / 3 + 40, top + 710, (i + 1) * W / 3 - 40, top + 800);
    }
    button(body, "Edit profile", 48, top + 840, W - 48, top + 980);
    GenNode grid = body.add(node("android.widget.GridView", 12, 0, top + 1020, W, bottom));
    int side = W / 3;
    int rows = Math.min(3, (bottom - top - 1020) / side);
    for (int i = 0; i < rows * 3; i++) {
      int x = (i % 3) * side;
      int y = top + 1020 + (i / 3) * side;
      image(grid, x + 4, y + 4, x + side - 4, y + side - 4).clickable();
    }
  }

  private void checkout(GenNode body, int top, int bottom) {
    GenNode col = linear(body, 48, top, W - 48, bottom);
    String[] fields = {"Full name", "Address", "City", "Card number"};
    int y = top + 32;
    for (String f : fields) {
      textView(col, f, 48, y, W - 48, y + 72);
      editText(col, "", 48, y + 72, W - 48, y + 200);
      y += 232;
    }
    GenNode group = col.add(node("android.widget.RadioGroup", 0, 48, y, W - 48, y + 280));
    group.add(node("android.widget.RadioButton", 18, 48, y, W - 48, y + 140)
        .text("Standard " + app.topic[0] + " delivery").clickable());
    group.add(node("android.widget.RadioButton", 18, 48, y + 140, W - 48, y + 280)
        .text("Express").clickable());
    col.add(node("android.widget.CheckBox", 6, 48, y + 300, W - 48, y + 400)
        .text("I agree to the terms").clickable());
    textView(col, "Total " + (5 + r.nextInt(200)) + ".99", 48, y + 420, W - 48, y + 520);
    button(col, "Pay now", 48, Math.min(bottom - 200, y + 560), W - 48,
        Math.min(bottom - 40, y + 720));
  }

  /** The home feed with the navigation drawer open over it. */
  private void drawer(GenNode body, int top, int bottom) {
    GenNode dl = body.add(node("android.support.v4.widget.DrawerLayout", 7, 0, top, W, bottom));
    GenNode main = dl.add(node("android.widget.FrameLayout", 2, 0, top, W, bottom));
    listOf(main, "android.support.v7.widget.RecyclerView", top, bottom, 280, 6, true).hidden();
    GenNode nav = dl.add(node("android.support.design.widget.NavigationView", 0, 0, top,
        W * 3 / 4, bottom));
    GenNode header = linear(nav, 0, top, W * 3 / 4, top + 400);
    image(header, 48, top + 48, 248, top + 248);
    textView(header, app.appWords[0] + " " + SyntheticApp.capitalize(app.topicWord(r)), 48,
        top + 280, W * 3 / 4 - 48, top + 380);
    String[] items = {"Home", "Favourites", SyntheticApp.capitalize(app.topic[0]), "Downloads",
        "Settings", "Help & feedback"};
    for (int i = 0; i < items.length; i++) {
      int y = top + 420 + i * 160;
      if (y + 160 > bottom) {
        break;
      }
      GenNode item = nav.add(node("android.support.design.internal.NavigationMenuItemView", 0,
          0, y, W * 3 / 4, y + 160)).clickable();
      item.text(items[i]);
    }
  }

  private void player(GenNode body, int top) {
    body.add(node("android.widget.VideoView", 22, 0, top, W, top + 810));
    textView(body, app.title(r), 48, top + 860, W - 48, top + 980);
    textView(body, app.appWords[r.nextInt(app.appWords.length)], 48, top + 990, W - 48,
        top + 1070);
    body.add(node("android.widget.SeekBar", 19, 48, top + 1120, W - 48, top + 1200));
    textView(body, r.nextInt(4) + ":" + (10 + r.nextInt(50)), 48, top + 1210, 300, top + 1280);
    textView(body, (4 + r.nextInt(4)) + ":" + (10 + r.nextInt(50)), W - 300, top + 1210,
        W - 48, top + 1280);
    GenNode controls = linear(body, 0, top + 1320, W, top + 1560);
    for (int i = 0; i < 3; i++) {
      imageButton(controls, 200 + i * 400, top + 1320, 440 + i * 400, top + 1560);
    }
  }

  private void map(GenNode body, int top, int bottom) {
    body.add(node("com.google.android.gms.maps.MapView", 13, 0, top, W, bottom));
    GenNode box = body.add(node("android.support.v7.widget.CardView", 5, 48, top + 48, W - 48,
        top + 216));
    editText(box, "Search here", 96, top + 64, W - 200, top + 200);
    imageButton(body, W - 240, bottom - 600, W - 48, bottom - 408);
    GenNode sheet = body.add(node("android.support.v7.widget.CardView", 5, 0, bottom - 380, W,
        bottom));
    textView(sheet, app.title(r), 48, bottom - 360, W - 48, bottom - 260);
    textView(sheet, (1 + r.nextInt(20)) + " km · " + app.topicWord(r), 48, bottom - 250,
        W - 48, bottom - 170);
    button(sheet, "Directions", 48, bottom - 160, W / 2, bottom - 24);
  }

  private void web(GenNode body, int top, int bottom) {
    body.add(node("android.widget.ProgressBar", 0, 0, top, W, top + 16)).hidden();
    body.add(node("android.webkit.WebView", 23, 0, top, W, bottom));
  }

  private void chat(GenNode body, int top, int bottom) {
    GenNode list = body.add(node("android.support.v7.widget.RecyclerView", 12, 0, top, W,
        bottom - 200));
    int y = top + 24;
    while (y + 200 < bottom - 200) {
      boolean mine = r.nextBoolean();
      int h = 140 + 60 * r.nextInt(3);
      int x1 = mine ? 400 : 48;
      int x2 = mine ? W - 48 : W - 400;
      GenNode bubble = list.add(node("android.widget.LinearLayout", 2, x1, y, x2, y + h));
      textView(bubble, app.sentence(r), x1 + 24, y + 16, x2 - 24, y + h - 16);
      y += h + 32;
    }
    GenNode input = linear(body, 0, bottom - 200, W, bottom);
    editText(input, "Type a message", 48, bottom - 176, W - 240, bottom - 24);
    imageButton(input, W - 200, bottom - 176, W - 48, bottom - 24);
  }
}
