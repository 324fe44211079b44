package dev.piste.core.internal.token;

import java.nio.charset.StandardCharsets;

/**
 * The RFC 6750 transport syntax of a bearer token, checked by the authentication stage for a custom
 * verifier and by the library's own verifiers after their verified-token cache.
 */
public final class TokenSyntax {
  private TokenSyntax() {}

  /** The characters of RFC 6750's b64token before its trailing {@code =} padding, by Latin-1 byte. */
  private static final boolean[] B64TOKEN = new boolean[256];

  static {
    for (char c = 'A'; c <= 'Z'; c++) {
      B64TOKEN[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      B64TOKEN[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      B64TOKEN[c] = true;
    }
    for (char c : "-._~+/".toCharArray()) {
      B64TOKEN[c] = true;
    }
  }

  /**
   * RFC 6750 2.1: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". Checked on the
   * Latin-1 bytes (one vectorized copy, then a table): a character beyond U+00FF becomes {@code ?},
   * which is not in the syntax either.
   */
  public static boolean b64token(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    int n = b.length;
    int i = 0;
    while (i < n && B64TOKEN[b[i] & 0xFF]) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    while (i < n && b[i] == '=') {
      i++;
    }
    return i == n;
  }
}
