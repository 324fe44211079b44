package dev.piste.core.internal.token;

import java.util.List;
import java.util.function.Function;

/** Claim lookups shared by the JWT and the introspection verifiers. */
public final class Claims {
  private Claims() {}

  /**
   * The first of these claims that is a non-empty string ({@code piste.token.application-claims}:
   * {@code client_id}, then {@code azp}), or {@code null}.
   */
  public static String firstString(List<String> names, Function<String, Object> claims) {
    for (String name : names) {
      if (claims.apply(name) instanceof String s && !s.isEmpty()) {
        return s;
      }
    }
    return null;
  }
}
