package dev.piste.core.internal.ratelimit;

/** A store call that failed or timed out. Carries a short reason, never a stack trace or a secret. */
public final class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  StoreException(String reason) {
    super(reason, null, false, false);
  }
}
