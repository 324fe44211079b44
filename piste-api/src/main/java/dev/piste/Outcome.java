package dev.piste;

/**
 * What the library decided for one request. Each denial maps to one HTTP status and one
 * problem+json type; the {@link #code()} is the value of the audit event's {@code outcome}.
 */
public enum Outcome {
  /** The request reached the application. */
  ALLOWED("allowed", 200),
  /** A protected operation was called without any credential: 401. */
  MISSING_CREDENTIAL("missing_credential", 401),
  /** The credential is malformed, expired, unknown or badly signed: 401. */
  INVALID_TOKEN("invalid_token", 401),
  /** The request itself is malformed (two Authorization headers, a token in the query): 400. */
  INVALID_REQUEST("invalid_request", 400),
  /** The credential is valid but lacks a scope the operation requires: 403. */
  INSUFFICIENT_SCOPE("insufficient_scope", 403),
  /** A rate limit or quota of the caller is used up: 429. */
  RATE_LIMITED("rate_limited", 429),
  /** A dependency the decision needs (JWKS, introspection, rate-limit store) is unavailable: 503. */
  UNAVAILABLE("unavailable", 503),
  /** The application failed (5xx) or threw. */
  ERROR("error", 500);

  private final String code;
  private final int status;

  Outcome(String code, int status) {
    this.code = code;
    this.status = status;
  }

  /** The snake_case name used in audit events and problem types. */
  public String code() {
    return code;
  }

  /** The HTTP status of a denial of this kind (200 for {@link #ALLOWED}). */
  public int status() {
    return status;
  }
}
