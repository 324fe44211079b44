package dev.piste.core.internal.problem;

import dev.piste.Outcome;
import java.util.List;
import java.util.Set;

/**
 * The one catalogue of denials: their titles, fixed details and RFC 6750 challenge headers. Details
 * are fixed texts in the RFC 6750 {@code error_description} character set; nothing a caller sent is
 * ever echoed.
 */
public final class Problems {
  private Problems() {}

  public static final String WWW_AUTHENTICATE = "WWW-Authenticate";

  /** 401 without an {@code error}: the operation needs a credential and none was sent (RFC 6750 3.1). */
  public static Problem missingCredential(String realm) {
    return new Problem(Outcome.MISSING_CREDENTIAL, 401, "Unauthorized",
        "This operation requires a credential.", null,
        List.of(new Problem.Header(WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"")));
  }

  /** 401 {@code invalid_token} with a short, fixed description. */
  public static Problem invalidToken(String realm, String description) {
    return new Problem(Outcome.INVALID_TOKEN, 401, "Unauthorized", description, null,
        List.of(new Problem.Header(WWW_AUTHENTICATE, "Bearer realm=\"" + realm
            + "\", error=\"invalid_token\", error_description=\"" + safe(description) + "\"")));
  }

  /** 400 {@code invalid_request}: two Authorization headers, a token where it is not allowed. */
  public static Problem invalidRequest(String realm, String description) {
    return new Problem(Outcome.INVALID_REQUEST, 400, "Bad Request", description, null,
        List.of(new Problem.Header(WWW_AUTHENTICATE, "Bearer realm=\"" + realm
            + "\", error=\"invalid_request\", error_description=\"" + safe(description) + "\"")));
  }

  /** 403 {@code insufficient_scope} naming the scopes the operation requires. */
  public static Problem insufficientScope(String realm, Set<String> required) {
    String scope = String.join(" ", new java.util.TreeSet<>(required));
    return new Problem(Outcome.INSUFFICIENT_SCOPE, 403, "Forbidden",
        "The credential lacks a scope this operation requires: " + scope + ".", null,
        List.of(new Problem.Header(WWW_AUTHENTICATE, "Bearer realm=\"" + realm
            + "\", error=\"insufficient_scope\", error_description=\"The request requires higher "
            + "privileges than provided by the access token.\", scope=\"" + safe(scope) + "\"")));
  }

  /** 503: a dependency of the decision (key source, introspection, rate-limit store) is down. */
  public static Problem unavailable(String detail, long retryAfterSeconds) {
    return new Problem(Outcome.UNAVAILABLE, 503, "Service Unavailable", detail, null,
        List.of(new Problem.Header("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)))));
  }

  /** 429 naming the limit that was hit, with {@code Retry-After} in whole seconds. */
  public static Problem rateLimited(String limitDescription, long retryAfterSeconds) {
    return new Problem(Outcome.RATE_LIMITED, 429, "Too Many Requests",
        "Rate limit exceeded: " + limitDescription + ".", null,
        List.of(new Problem.Header("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)))));
  }

  /**
   * Keeps only the characters RFC 6750 3 allows in a quoted challenge parameter
   * (%x20-21 / %x23-5B / %x5D-7E), replacing others with {@code ?}.
   */
  public static String safe(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
      sb.append(ok ? c : '?');
    }
    return sb.toString();
  }
}
