package dev.piste.core.internal.config;

import dev.piste.ratelimit.Limit;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The string form of one kind of configuration value: how to parse it and how to name the expected
 * form in an error. Parsing throws {@link IllegalArgumentException}; the message is not shown to
 * users (the {@link #expected()} text is), so it never needs to echo the value.
 */
public final class ValueType<T> {

  private final String expected;
  private final Function<String, T> parser;

  private ValueType(String expected, Function<String, T> parser) {
    this.expected = expected;
    this.parser = parser;
  }

  public static <T> ValueType<T> of(String expected, Function<String, T> parser) {
    return new ValueType<>(expected, parser);
  }

  /** The expected form, as shown in errors and in the README key table. */
  public String expected() {
    return expected;
  }

  public T parse(String raw) {
    return parser.apply(raw.trim());
  }

  public static final ValueType<String> STRING = of("a non-empty string", s -> {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    return s;
  });

  public static final ValueType<Boolean> BOOLEAN = of("true or false", s -> {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        throw new IllegalArgumentException("not a boolean");
    }
  });

  public static final ValueType<Integer> POSITIVE_INT = of("a whole number of at least 1", s -> {
    int n = Integer.parseInt(s);
    if (n < 1) {
      throw new IllegalArgumentException("not positive");
    }
    return n;
  });

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, or ISO-8601 {@code PT30S}. */
  public static final ValueType<Duration> DURATION_TYPE =
      of("a duration such as 250ms, 30s, 5m, 24h, 7d or PT30S, at most 366d",
          ValueType::parseDuration);

  /** The longest duration of any key: far beyond any sensible setting, far from any overflow. */
  static final Duration MAX_DURATION = Duration.ofDays(366);

  static Duration parseDuration(String s) {
    Duration d;
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 duration");
      }
    } else {
      Matcher m = DURATION.matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a duration");
      }
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        case "h":
          d = Duration.ofHours(n);
          break;
        default:
          d = Duration.ofDays(n);
          break;
      }
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative");
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("too long");
    }
    return d;
  }

  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(KiB|MiB|GiB)?");

  /** {@code 4096}, {@code 8KiB}, {@code 64MiB}, {@code 1GiB}. */
  public static final ValueType<Long> SIZE_TYPE =
      of("a size in bytes, or a number with KiB, MiB or GiB (4096, 8KiB, 64MiB)", s -> {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
          throw new IllegalArgumentException("not a size");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        int shift = unit == null ? 0 : unit.equals("KiB") ? 10 : unit.equals("MiB") ? 20 : 30;
        if (n > (Long.MAX_VALUE >> shift)) {
          throw new IllegalArgumentException("too large");
        }
        return n << shift;
      });

  /** An absolute http or https URI. */
  public static final ValueType<URI> HTTP_URI = of("an absolute http:// or https:// URI", s -> {
    try {
      URI u = new URI(s);
      String scheme = u.getScheme();
      if (scheme == null || u.getHost() == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new IllegalArgumentException("not an http URI");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI");
    }
  });

  /** Any absolute URI (redis://, jdbc:postgresql: ...). */
  public static final ValueType<URI> ANY_URI = of("an absolute URI", s -> {
    try {
      URI u = new URI(s);
      if (!u.isAbsolute()) {
        throw new IllegalArgumentException("relative");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI");
    }
  });

  public static final ValueType<Path> PATH = of("a file system path", s -> {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a path");
    }
  });

  public static final ValueType<ZoneId> ZONE = of("a time zone id such as UTC or Europe/Paris", s -> {
    try {
      return ZoneId.of(s);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("not a zone");
    }
  });

  /** A comma-separated list of non-empty strings; an empty value is the empty list. */
  public static final ValueType<List<String>> LIST = of("a comma-separated list", ValueType::splitList);

  /** A URL path starting with {@code /}. */
  public static final ValueType<String> URL_PATH = of("a URL path starting with /", s -> {
    if (!s.startsWith("/") || s.contains(" ")) {
      throw new IllegalArgumentException("not a path");
    }
    return s;
  });

  static List<String> splitList(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /**
   * A list that names at least one element: an empty value (an environment variable left blank)
   * is refused rather than read as "none", which would accept any issuer or refuse every token.
   */
  public static ValueType<List<String>> nonEmpty(ValueType<List<String>> list) {
    return of("a non-empty " + list.expected().substring("a ".length()), s -> {
      List<String> items = list.parse(s);
      if (items.isEmpty()) {
        throw new IllegalArgumentException("empty");
      }
      return items;
    });
  }

  /** A list whose every element belongs to a fixed set, compared exactly. */
  public static ValueType<List<String>> listOf(Set<String> allowed) {
    return of("a comma-separated list of " + String.join(", ", new java.util.TreeSet<>(allowed)), s -> {
      List<String> items = splitList(s);
      for (String i : items) {
        if (!allowed.contains(i)) {
          throw new IllegalArgumentException("unknown element");
        }
      }
      return items;
    });
  }

  /** One of a fixed set of words, compared exactly. */
  public static ValueType<String> oneOf(String... words) {
    List<String> allowed = List.of(words);
    return of("one of " + String.join(", ", allowed), s -> {
      if (!allowed.contains(s)) {
        throw new IllegalArgumentException("unknown word");
      }
      return s;
    });
  }

  private static final Pattern LIMIT =
      Pattern.compile("(\\d{1,15})\\s*/\\s*(s|m|h|day|month)(?:\\s+burst\\s+(\\d{1,15}))?");

  /**
   * The longest a smooth limit's burst may take to refill ({@code burst × period / permits}), so
   * that the memory store's state, the time its bucket is full again in epoch nanoseconds, stays
   * within a long (until the 22nd century).
   */
  private static final Duration MAX_REFILL = Duration.ofDays(36_500);

  /** What bounds a limit, as told in every error about one. */
  public static final String LIMIT_BOUNDS = "at most one token a nanosecond (1000000000/s,"
      + " 60000000000/m, 3600000000000/h), a burst refilled within 36500 days";

  /** {@code 50/s burst 100; 1000000/day}: limits separated by semicolons. */
  public static final ValueType<List<Limit>> LIMITS = of(
      "limits such as 50/s, 100/m burst 20 or 50/s burst 100; 1000000/day "
          + "(units s, m, h, day, month; burst only on s, m, h; " + LIMIT_BOUNDS + ")",
      ValueType::parseLimits);

  public static List<Limit> parseLimits(String s) {
    List<Limit> limits = new ArrayList<>();
    for (String part : s.split(";")) {
      String t = part.trim();
      if (t.isEmpty()) {
        continue;
      }
      Matcher m = LIMIT.matcher(t);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a limit");
      }
      long permits = Long.parseLong(m.group(1));
      Limit.Unit unit = unitOf(m.group(2));
      long burst = m.group(3) == null ? permits : Long.parseLong(m.group(3));
      Limit limit = new Limit(permits, unit, burst);
      if (!enforceable(limit)) {
        throw new IllegalArgumentException("beyond the bounds");
      }
      limits.add(limit);
    }
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("no limit");
    }
    return List.copyOf(limits);
  }

  /**
   * Whether every store enforces the limit as written: Bucket4j refills at most one token a
   * nanosecond (it refuses more, at each call), and the memory store counts a burst's refill in
   * nanoseconds. Any quota is enforceable: one above 2^44 - 1 a period (17,592,186,044,415), which
   * the memory store does not count, is an unlimited plan's ({@code 999999999999999/month}).
   */
  private static boolean enforceable(Limit l) {
    if (l.unit().calendar()) {
      return true;
    }
    long period = l.unit().nominal().toNanos();
    // the interval between two tokens, as the memory store computes it
    return l.permits() <= period && l.burst() <= MAX_REFILL.toNanos() / (period / l.permits());
  }

  private static Limit.Unit unitOf(String symbol) {
    for (Limit.Unit u : Limit.Unit.values()) {
      if (u.symbol().equals(symbol)) {
        return u;
      }
    }
    throw new IllegalArgumentException("unknown unit");
  }

  /** A comma-separated list of CIDR blocks or single addresses ({@code 10.0.0.0/8, ::1}). */
  public static final ValueType<List<Cidr>> CIDRS =
      of("a comma-separated list of CIDR blocks or IP addresses (10.0.0.0/8, 127.0.0.1, ::1/128)", s -> {
        List<Cidr> out = new ArrayList<>();
        for (String item : splitList(s)) {
          out.add(Cidr.parse(item));
        }
        return List.copyOf(out);
      });
}
