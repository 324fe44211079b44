package dev.piste.core.internal.token;

import dev.piste.token.TokenFailure;
import java.security.Key;

/** Where the verification key of a JWT comes from: a JWKS endpoint or a static file. */
public interface KeySource extends AutoCloseable {

  /** The key for this header, or the reason there is none ({@code UNKNOWN_KEY}, {@code KEYS_UNAVAILABLE}). */
  Lookup lookup(String kid, String alg);

  /**
   * A generation under which nothing is cached, so no verification cached against keys matches it:
   * there are no keys yet, or they are past the time they may serve. (HS256 answers are cached
   * under {@link VerifiedTokenCache#ANY_GENERATION}, which matches every generation.)
   */
  long UNUSABLE = -1;

  /**
   * Changes whenever the key set changes; cached verifications of an older generation are ignored.
   * {@link #UNUSABLE} while there is no set that may serve.
   */
  long generation();

  @Override
  default void close() {}

  /** A key or a failure. */
  record Lookup(Key key, TokenFailure failure) {
    public static Lookup of(Key key) {
      return new Lookup(key, null);
    }

    public static Lookup failed(TokenFailure failure) {
      return new Lookup(null, failure);
    }
  }
}
