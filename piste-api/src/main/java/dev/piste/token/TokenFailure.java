package dev.piste.token;

import dev.piste.Outcome;

/**
 * Why a credential was not accepted: a fixed vocabulary, so that no response, log line or audit
 * event ever carries text taken from the token. The {@link #description()} is a short sentence in
 * the RFC 6750 {@code error_description} character set.
 */
public enum TokenFailure {
  MALFORMED("malformed", "The token is malformed."),
  TOO_LONG("too_long", "The token is too long."),
  UNSUPPORTED_HEADER("unsupported_header", "The token header is not accepted."),
  ENCRYPTED("encrypted", "Encrypted or nested tokens are not accepted."),
  ALGORITHM_NOT_ALLOWED("algorithm_not_allowed", "The token algorithm is not accepted."),
  TYPE_NOT_ALLOWED("type_not_allowed", "The token type is not accepted."),
  UNKNOWN_KEY("unknown_kid", "The token was signed by an unknown key."),
  BAD_SIGNATURE("bad_signature", "The token signature is invalid."),
  EXPIRED("expired", "The token has expired."),
  NOT_YET_VALID("not_yet_valid", "The token is not yet valid."),
  ISSUED_IN_FUTURE("issued_in_future", "The token was issued in the future."),
  TOO_OLD("too_old", "The token was issued too long ago."),
  LIFETIME_TOO_LONG("lifetime_too_long", "The token lifetime is too long."),
  WRONG_ISSUER("wrong_issuer", "The token issuer is not accepted."),
  WRONG_AUDIENCE("wrong_audience", "The token audience is not accepted."),
  MISSING_CLAIM("missing_claim", "The token lacks a required claim."),
  INVALID_CLAIM("invalid_claim", "The token has an invalid claim."),
  INACTIVE("inactive", "The token is not active."),
  UNKNOWN_API_KEY("unknown_api_key", "The API key is not known."),
  UNSUPPORTED("unsupported", "The token is not accepted."),
  KEYS_UNAVAILABLE("keys_unavailable", "The token keys are temporarily unavailable."),
  INTROSPECTION_UNAVAILABLE("introspection_unavailable",
      "Token introspection is temporarily unavailable."),
  STORE_UNAVAILABLE("store_unavailable", "The API key store is temporarily unavailable.");

  private final String code;
  private final String description;

  TokenFailure(String code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The snake_case reason recorded in the audit event ({@code expired}, {@code unknown_kid}). */
  public String code() {
    return code;
  }

  /** The fixed text sent as {@code error_description} and problem detail. */
  public String description() {
    return description;
  }

  /** {@link Outcome#UNAVAILABLE} for the outage kinds, else {@link Outcome#INVALID_TOKEN}. */
  public Outcome outcome() {
    return this == KEYS_UNAVAILABLE || this == INTROSPECTION_UNAVAILABLE || this == STORE_UNAVAILABLE
        ? Outcome.UNAVAILABLE : Outcome.INVALID_TOKEN;
  }
}
