package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClassLabelsTest {
  @Test
  void exactSimpleNamesFollowTheReferenceTable() {
    assertEquals(1, ClassLabels.of("com.google.android.gms.ads.AdView", false));
    assertEquals(2, ClassLabels.of("android.widget.LinearLayout", false));
    assertEquals(3, ClassLabels.of("com.roughike.bottombar.BottomBar", false));
    assertEquals(5, ClassLabels.of("android.support.v7.widget.CardView", false));
    assertEquals(6, ClassLabels.of("android.widget.CheckBox", false));
    assertEquals(7, ClassLabels.of("android.support.v4.widget.DrawerLayout", false));
    assertEquals(9, ClassLabels.of("android.widget.ImageView", false));
    assertEquals(10, ClassLabels.of("android.widget.ImageButton", true));
    assertEquals(11, ClassLabels.of("android.widget.EditText", true));
    assertEquals(12, ClassLabels.of("android.support.v7.widget.RecyclerView", false));
    assertEquals(13, ClassLabels.of("com.google.android.gms.maps.MapView", false));
    assertEquals(16, ClassLabels.of("android.support.v7.widget.SwitchCompat", false));
    assertEquals(19, ClassLabels.of("android.widget.SeekBar", false));
    assertEquals(20, ClassLabels.of("android.widget.Button", true));
    assertEquals(21, ClassLabels.of("android.support.v7.widget.Toolbar", false));
    assertEquals(22, ClassLabels.of("android.widget.VideoView", false));
    assertEquals(23, ClassLabels.of("android.webkit.WebView", false));
    assertEquals(2, ClassLabels.of("android.support.design.widget.TabLayout$TabView", false));
  }

  @Test
  void repeatedKeysTakeTheLaterLabelAsAPythonDictDoes() {
    assertEquals(18, ClassLabels.of("android.widget.CheckedTextView", false));
  }

  @Test
  void textViewIsATextButtonOnlyWhenClickable() {
    assertEquals(20, ClassLabels.of("android.widget.TextView", true));
    assertEquals(11, ClassLabels.of("android.widget.TextView", false));
    assertEquals(11, ClassLabels.of("TextView", false));
    assertEquals(20, ClassLabels.of("android.support.v7.widget.AppCompatTextView", true));
    assertEquals(11, ClassLabels.of("android.support.v7.widget.AppCompatTextView", false));
  }

  @Test
  void suffixThenPrefixInTableOrder() {
    assertEquals(9, ClassLabels.of("android.support.v7.widget.AppCompatImageView", false));
    assertEquals(10, ClassLabels.of("android.support.v7.widget.AppCompatImageButton", true));
    assertEquals(20, ClassLabels.of("android.support.v7.widget.AppCompatButton", true));
    assertEquals(11, ClassLabels.of("android.support.v7.widget.AppCompatEditText", true));
    assertEquals(17, ClassLabels.of("com.viewpagerindicator.CirclePageIndicator", false));
    // prefix: "LinearLayout" starts "LinearLayoutCompat"; "WebView" starts "WebViewWrapper"
    assertEquals(2, ClassLabels.of("android.support.v7.widget.LinearLayoutCompat", false));
    assertEquals(23, ClassLabels.of("com.example.WebViewWrapper", false));
  }

  @Test
  void unknownNamesAndMissingClassesAreZero() {
    assertEquals(0, ClassLabels.of("android.view.View", false));
    assertEquals(0, ClassLabels.of("com.android.internal.policy.PhoneWindow$DecorView", false));
    assertEquals(0, ClassLabels.of("android.support.constraint.ConstraintLayout", false));
    assertEquals(0, ClassLabels.of("android.widget.ScrollView", false));
    assertEquals(0, ClassLabels.of(null, true));
    assertEquals(0, ClassLabels.of("   ", true));
    assertEquals(0, ClassLabels.of("a.b.", true));
  }

  @Test
  void onlyUnknownComponentsInheritListAndDrawerAndListWins() {
    assertEquals(24, ClassLabels.inherit(0, true, false));
    assertEquals(25, ClassLabels.inherit(0, false, true));
    assertEquals(24, ClassLabels.inherit(0, true, true));
    assertEquals(0, ClassLabels.inherit(0, false, false));
    assertEquals(9, ClassLabels.inherit(9, true, true));
  }

  @Test
  void everyLabelHasAName() {
    assertEquals(GuiComponent.CLASS_COUNT, ClassLabels.NAMES.size());
  }
}
