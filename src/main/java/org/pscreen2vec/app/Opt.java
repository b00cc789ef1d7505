package org.pscreen2vec.app;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * One command-line option declared once: its name, argument, help, default and valid range. The
 * help line and the parsing both come from the declaration, so the default in {@code --help} is
 * the default the program uses, and a bad value is a {@link UsageException} naming the option
 * and what would be valid.
 *
 * @param <T> the parsed value's type
 */
public final class Opt<T> {
  private final String name;
  private final String arg; // null: a flag
  private final String help;
  private final T dflt; // null: none (or computed where it is used, see defaultText)
  private final String defaultText; // how the help states the default; null: no default
  private final Function<String, T> parse; // throws UsageException with the reason

  private Opt(String name, String arg, String help, T dflt, String defaultText,
      Function<String, T> parse) {
    this.name = name;
    this.arg = arg;
    this.help = help;
    this.dflt = dflt;
    this.defaultText = defaultText;
    this.parse = parse;
  }

  /** A whole number in [min, max]. */
  public static Opt<Integer> integer(String name, String arg, int dflt, int min, int max,
      String help) {
    return new Opt<>(name, arg, help, dflt, Integer.toString(dflt),
        v -> checkRange(name, v, parseLong(name, v), min, max).intValue());
  }

  /** A whole number in [min, max] whose default is computed where it is used. */
  public static Opt<Integer> integer(String name, String arg, String defaultText, int min,
      int max, String help) {
    return new Opt<>(name, arg, help, null, defaultText,
        v -> checkRange(name, v, parseLong(name, v), min, max).intValue());
  }

  /** A long whole number (a byte count, a seed) in [min, max]. */
  public static Opt<Long> count(String name, String arg, long dflt, long min, long max,
      String help) {
    return new Opt<>(name, arg, help, dflt, Long.toString(dflt),
        v -> checkRange(name, v, parseLong(name, v), min, max));
  }

  /** A finite number in [min, max]. */
  public static Opt<Double> number(String name, String arg, double dflt, double min, double max,
      String help) {
    return new Opt<>(name, arg, help, dflt, trim(dflt), v -> {
      double x;
      try {
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " " + v + " is not a number");
      }
      if (!(x >= min && x <= max)) {
        throw new UsageException("--" + name + " " + v + " is out of range: use " + trim(min)
            + ".." + trim(max));
      }
      return x;
    });
  }

  /** Free text (a path, a name); {@code dflt} may be null (then the help states defaultText). */
  public static Opt<String> text(String name, String arg, String dflt, String defaultText,
      String help) {
    return new Opt<>(name, arg, help, dflt, defaultText, v -> v);
  }

  /** One of a fixed list of words. */
  public static Opt<String> choice(String name, String arg, String dflt, List<String> choices,
      String help) {
    return new Opt<>(name, arg, help + " (" + String.join(", ", choices) + ")", dflt, dflt, v -> {
      if (!choices.contains(v)) {
        throw new UsageException("--" + name + " " + v + " is not one of "
            + String.join(", ", choices));
      }
      return v;
    });
  }

  /** A repeatable option (--set K=V --set K=V): every value given, in order, or none. */
  public static Opt<List<String>> repeated(String name, String arg, String help) {
    return new Opt<>(name, arg, help, List.of(), null, List::of);
  }

  /** An option without an argument: true when given. */
  public static Opt<Boolean> flag(String name, String help) {
    return new Opt<>(name, null, help, false, null, v -> true);
  }

  public String name() {
    return name;
  }

  /** The Commons CLI options of these declarations, in this order. */
  public static Options options(Opt<?>... all) {
    Options o = new Options();
    for (Opt<?> x : all) {
      o.addOption(x.option());
    }
    return o;
  }

  /** The Commons CLI option, its description ending with the default. */
  public Option option() {
    Option.Builder b = Option.builder().longOpt(name)
        .desc(defaultText == null ? help : help + " (default " + defaultText + ")");
    if (arg != null && dflt instanceof List) {
      b.hasArgs().argName(arg);
    } else if (arg != null) {
      b.hasArg().argName(arg);
    }
    return b.get();
  }

  /** The value given, else the declared default (null when there is none). */
  public T get(CommandLine cl) {
    if (arg == null) {
      @SuppressWarnings("unchecked") // a flag is an Opt<Boolean>
      T given = (T) Boolean.valueOf(cl.hasOption(name));
      return given;
    }
    if (dflt instanceof List) {
      String[] all = cl.getOptionValues(name);
      @SuppressWarnings("unchecked") // a repeated option is an Opt<List<String>>
      T values = (T) (all == null ? List.of() : List.of(all));
      return values;
    }
    String v = cl.getOptionValue(name);
    return v == null ? dflt : parse.apply(v);
  }

  /** The value given, else {@code computedDefault} (for defaults known only at run time). */
  public T get(CommandLine cl, T computedDefault) {
    T v = get(cl);
    return v == null ? computedDefault : v;
  }

  private static long parseLong(String name, String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " " + v + " is not a whole number");
    }
  }

  private static Long checkRange(String name, String v, long x, long min, long max) {
    if (x < min || x > max) {
      throw new UsageException(String.format(Locale.ROOT, "--%s %s is out of range: use %d..%d",
          name, v, min, max));
    }
    return x;
  }

  private static String trim(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
        : Double.toString(d);
  }
}
