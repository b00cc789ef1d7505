package org.pscreen2vec.features;

import java.util.Arrays;
import java.util.Locale;
import org.pscreen2vec.nn.Hashing;

/**
 * Text to rows of the text table: each lower-cased word (a run of letters or digits) gives one
 * hashed unigram row and one row per character trigram of {@code <word>} (with boundary marks),
 * all hashed into [0, buckets). At most {@code maxTokens} rows per text (long app descriptions
 * are cut), so a step's cost is bounded. The empty text gives no rows.
 */
public final class TextHasher {
  private static final long WORD_SALT = 0x57_4f_52_44L;
  private static final long TRIGRAM_SALT = 0x54_52_49_47L;
  private final int buckets;
  private final int maxTokens;

  public TextHasher(int buckets, int maxTokens) {
    if (buckets < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("buckets and maxTokens must be positive, were "
          + buckets + " and " + maxTokens);
    }
    this.buckets = buckets;
    this.maxTokens = maxTokens;
  }

  public int buckets() {
    return buckets;
  }

  public int[] rows(String text) {
    int[] out = new int[Math.min(maxTokens, 16)];
    int n = 0;
    String s = text.toLowerCase(Locale.ROOT);
    int i = 0;
    StringBuilder word = new StringBuilder();
    while (i < s.length() && n < maxTokens) {
      while (i < s.length() && !Character.isLetterOrDigit(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        break;
      }
      word.setLength(0);
      word.append('<').append(s, start, i).append('>');
      int[] add = new int[1 + Math.max(0, word.length() - 2)];
      add[0] = bucket(Hashing.hash64(word, 1, word.length() - 1, WORD_SALT));
      for (int t = 0; t + 3 <= word.length(); t++) {
        add[1 + t] = bucket(Hashing.hash64(word, t, t + 3, TRIGRAM_SALT));
      }
      for (int a : add) {
        if (n == maxTokens) {
          break;
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, Math.min(maxTokens, 2 * n));
        }
        out[n++] = a;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private int bucket(long h) {
    return (int) Long.remainderUnsigned(h, buckets);
  }
}
