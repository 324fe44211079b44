package dev.piste.core.internal;

import dev.piste.core.internal.config.ValueType;

/**
 * The one catalogue of misuse messages (configuration and annotations). Messages name the place
 * ({@code InvoiceResource.create}) and the expected form; they never contain a secret.
 */
public final class Messages {
  private Messages() {}

  public static String conflictingAnnotations(String where, String a, String b) {
    return a + " and " + b + " together on " + where + ": keep one";
  }

  public static String badScope(String where, String scope) {
    return "@RequiresScopes on " + where + " has an invalid scope '" + scope
        + "': expected non-empty scope tokens of printable ASCII without spaces, quotes or backslashes";
  }

  /** A cost above what the limit's bucket ever holds: every call would be refused. */
  public static String rateLimitCostAboveCapacity(String where, String value, long cost,
      long capacity) {
    return "@RateLimit(\"" + value + "\", cost = " + cost + ") on " + where
        + ": expected a cost of at most " + capacity
        + ", the smallest capacity of its limits (a burst, or a quota's permits)";
  }

  public static String badRateLimit(String where, String value) {
    return "@RateLimit(\"" + value + "\") on " + where
        + ": expected limits such as 5/s, 100/m burst 20 or 50/s; 10000/day ("
        + ValueType.LIMIT_BOUNDS + ")";
  }
}
