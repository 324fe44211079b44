package dev.piste.core.internal.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every key of the {@code piste.*} key space, in documentation order. */
public final class Keys {
  private Keys() {}

  private static final List<Key<?>> ALL;
  private static final Map<String, Key<?>> BY_NAME;

  static {
    List<Key<?>> all = new ArrayList<>();
    all.addAll(CoreKeys.ALL);
    all.addAll(TokenKeys.ALL);
    all.addAll(RateLimitKeys.ALL);
    all.addAll(AuditKeys.ALL);
    all.addAll(CatalogKeys.ALL);
    Map<String, Key<?>> byName = new LinkedHashMap<>();
    for (Key<?> k : all) {
      if (byName.put(k.name(), k) != null) {
        throw new ExceptionInInitializerError("duplicate key " + k.name());
      }
    }
    ALL = List.copyOf(all);
    BY_NAME = Collections.unmodifiableMap(byName);
  }

  public static List<Key<?>> all() {
    return ALL;
  }

  /** The key of this exact name, the prefix key it belongs to, or {@code null}. */
  public static Key<?> find(String name) {
    Key<?> k = BY_NAME.get(name);
    if (k != null) {
      return k;
    }
    for (Key<?> p : ALL) {
      if (p.isPrefix() && name.startsWith(p.name()) && name.length() > p.name().length()) {
        return p;
      }
    }
    return null;
  }

  /** The known key nearest to an unknown one, or {@code null} when none is close. */
  public static String nearest(String unknown) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Key<?> k : ALL) {
      String candidate = k.isPrefix() ? k.name() + "<name>" : k.name();
      String compared = k.isPrefix() && unknown.length() > k.name().length()
          ? unknown.substring(0, Math.min(unknown.length(), k.name().length()))
          : unknown;
      String target = k.isPrefix() ? k.name() : k.name();
      int d = distance(compared, target);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int tolerance = Math.max(2, unknown.length() / 4);
    return bestDistance <= tolerance ? best : null;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
