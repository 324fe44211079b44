package dev.piste.token;

import dev.piste.Caller;
import dev.piste.Outcome;
import java.time.Instant;
import java.util.Objects;

/**
 * The answer of a {@link TokenVerifier}: verified with the {@link Caller}, rejected (401) or
 * unavailable (503) with a fixed {@link TokenFailure}, or unrecognized (not this verifier's kind of
 * token, so that a chain may try the next one). Immutable.
 */
public final class TokenVerification {

  /** The four kinds of answer. */
  public enum Status { VERIFIED, REJECTED, UNAVAILABLE, UNRECOGNIZED }

  private static final TokenVerification UNRECOGNIZED =
      new TokenVerification(Status.UNRECOGNIZED, null, null, TokenFailure.UNSUPPORTED);

  private final Status status;
  private final Caller caller;
  private final Instant expiresAt;
  private final TokenFailure failure;

  private TokenVerification(Status status, Caller caller, Instant expiresAt, TokenFailure failure) {
    this.status = status;
    this.caller = caller;
    this.expiresAt = expiresAt;
    this.failure = failure;
  }

  /** A valid credential of this caller, trusted until {@code expiresAt} (null: no expiry known). */
  public static TokenVerification verified(Caller caller, Instant expiresAt) {
    return new TokenVerification(Status.VERIFIED, Objects.requireNonNull(caller, "caller"),
        expiresAt, null);
  }

  /** A credential refused for this reason; an outage reason gives {@link #unavailable}. */
  public static TokenVerification rejected(TokenFailure failure) {
    Objects.requireNonNull(failure, "failure");
    return failure.outcome() == Outcome.UNAVAILABLE ? unavailable(failure)
        : new TokenVerification(Status.REJECTED, null, null, failure);
  }

  /** The credential cannot be checked now because a dependency is down: 503, not 401. */
  public static TokenVerification unavailable(TokenFailure failure) {
    if (failure.outcome() != Outcome.UNAVAILABLE) {
      throw new IllegalArgumentException(failure + " is not an outage");
    }
    return new TokenVerification(Status.UNAVAILABLE, null, null, failure);
  }

  /** Not this verifier's kind of token. */
  public static TokenVerification unrecognized() {
    return UNRECOGNIZED;
  }

  public Status status() {
    return status;
  }

  public boolean isVerified() {
    return status == Status.VERIFIED;
  }

  /** The caller of a verified credential, else {@code null}. */
  public Caller caller() {
    return caller;
  }

  /** Until when a verified answer may be reused, or {@code null}. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Why the credential was not accepted, {@code null} when verified. */
  public TokenFailure failure() {
    return failure;
  }

  /** {@link Outcome#ALLOWED} when verified, else the failure's outcome. */
  public Outcome outcome() {
    return status == Status.VERIFIED ? Outcome.ALLOWED : failure.outcome();
  }

  @Override
  public String toString() {
    return "TokenVerification[" + status + (caller != null ? ", " + caller : "")
        + (failure != null ? ", " + failure.code() : "") + "]";
  }
}
