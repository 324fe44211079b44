package dev.piste.token;

import java.util.List;

/**
 * Checks one bearer token (the string after {@code Bearer }). Implementations are thread-safe,
 * never throw for a bad token and never put the token in a message or log line. The defaults are
 * {@code dev.piste.core.token.JwtTokenVerifier} and {@code IntrospectionTokenVerifier}.
 */
@FunctionalInterface
public interface TokenVerifier {

  TokenVerification verify(String token);

  /** Rejects every token: the verifier of an engine with no key source configured. */
  static TokenVerifier rejectingAll() {
    return token -> TokenVerification.rejected(TokenFailure.UNSUPPORTED);
  }

  /**
   * Asks each verifier in turn; the first answer that is not {@link
   * TokenVerification#unrecognized()} wins. When none recognizes the token it is rejected as
   * {@link TokenFailure#MALFORMED}.
   */
  static TokenVerifier chain(TokenVerifier... verifiers) {
    List<TokenVerifier> list = List.of(verifiers);
    return token -> {
      for (TokenVerifier v : list) {
        TokenVerification r = v.verify(token);
        if (r.status() != TokenVerification.Status.UNRECOGNIZED) {
          return r;
        }
      }
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    };
  }
}
