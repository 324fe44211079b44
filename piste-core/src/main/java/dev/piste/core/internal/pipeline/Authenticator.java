package dev.piste.core.internal.pipeline;

import dev.piste.core.internal.problem.Problem;

/**
 * Finds and verifies the request's credential. Sets {@link Exchange#caller(dev.piste.Caller)} when
 * a valid credential is present; leaves it {@code null} when none is (the pipeline then answers a
 * protected operation with 401 {@code missing_credential}). Returns a problem for an invalid
 * credential (401), a malformed request (400) or an unavailable key source (503), else {@code null}.
 */
@FunctionalInterface
public interface Authenticator {

  Problem authenticate(Exchange exchange);

  /** Accepts no credential at all: every protected operation answers 401. */
  static Authenticator none() {
    return exchange -> null;
  }
}
