package dev.piste.core.internal.token;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The strict scope parser (RFC 6749 3.3): scope tokens of NQCHAR (%x21 / %x23-5B / %x5D-7E)
 * separated by single spaces, or an array of such tokens. Anything else is refused as a whole.
 */
public final class Scopes {
  private Scopes() {}

  /** The scopes of a {@code scope} string or {@code scp} array, or {@code null} when malformed. */
  public static Set<String> parse(Object claim) {
    Set<String> out = new LinkedHashSet<>();
    if (claim == null) {
      return out;
    }
    if (claim instanceof String s) {
      if (s.isEmpty()) {
        return out;
      }
      for (String part : s.split(" ", -1)) {
        if (!valid(part)) {
          return null;
        }
        out.add(part);
      }
      return out;
    }
    if (claim instanceof Collection<?> list) {
      for (Object o : list) {
        if (!(o instanceof String part) || !valid(part)) {
          return null;
        }
        out.add(part);
      }
      return out;
    }
    return null;
  }

  static boolean valid(String scope) {
    if (scope.isEmpty()) {
      return false;
    }
    for (int i = 0; i < scope.length(); i++) {
      char c = scope.charAt(i);
      if (!(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) {
        return false;
      }
    }
    return true;
  }
}
