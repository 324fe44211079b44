package dev.piste.core.internal.token;

import com.fasterxml.jackson.databind.JsonNode;
import dev.piste.token.TokenFailure;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The checks a token passes before jose4j sees it (SECURITY-BASELINE steps 2 to 4): length cap,
 * exactly three non-empty segments in the canonical base64url alphabet (no padding, no stray
 * characters, no non-zero trailing bits), a strictly parsed header whose {@code alg}, {@code kid}
 * and {@code typ} are strings, none of the headers that would nest, encrypt, fetch or embed keys or
 * change processing, an allowed algorithm ({@code none} never) and type, and a strictly parsed
 * payload whose time claims are finite numbers.
 */
public final class JwtFormat {

  /** Header members refused outright: nesting, encryption, key references, processing changes. */
  static final Set<String> REFUSED_HEADERS =
      Set.of("cty", "jku", "x5u", "x5c", "jwk", "crit", "b64", "zip", "enc", "epk", "p2s");

  /** What the checks learned from the header. */
  public record Header(String alg, String kid, String typ) {}

  /** A header, or the reason the token failed; {@code unrecognized} when it is not JOSE-shaped. */
  public record Result(Header header, TokenFailure failure, boolean unrecognized) {}

  private static final Result UNRECOGNIZED = new Result(null, null, true);

  private JwtFormat() {}

  public static Result check(String token, long maxLength, Set<String> algorithms,
      List<String> types) {
    if (token.length() > maxLength) {
      return fail(TokenFailure.TOO_LONG);
    }
    int d1 = token.indexOf('.');
    if (d1 < 0) {
      return UNRECOGNIZED;
    }
    int d2 = token.indexOf('.', d1 + 1);
    int d3 = d2 < 0 ? -1 : token.indexOf('.', d2 + 1);
    if (d2 < 0) {
      // two segments: an opaque token with a dot in it (a JWS has three)
      return UNRECOGNIZED;
    }
    if (d3 >= 0) {
      int d4 = token.indexOf('.', d3 + 1);
      // five segments are a JWE, refused; four or six and more are no JOSE form
      return d4 >= 0 && token.indexOf('.', d4 + 1) < 0 ? fail(TokenFailure.ENCRYPTED)
          : UNRECOGNIZED;
    }
    // any character outside Latin-1 becomes '?', which is outside the alphabet
    byte[] raw = token.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    if (!canonicalSegment(raw, 0, d1) || !canonicalSegment(raw, d1 + 1, d2)
        || !canonicalSegment(raw, d2 + 1, raw.length)) {
      return fail(TokenFailure.MALFORMED);
    }
    Base64.Decoder dec = Base64.getUrlDecoder();
    JsonNode h = StrictJson.object(dec.decode(java.util.Arrays.copyOfRange(raw, 0, d1)));
    if (h == null) {
      return fail(TokenFailure.MALFORMED);
    }
    for (String refused : REFUSED_HEADERS) {
      if (h.has(refused)) {
        return fail(refused.equals("cty") || refused.equals("enc") || refused.equals("zip")
            ? TokenFailure.ENCRYPTED : TokenFailure.UNSUPPORTED_HEADER);
      }
    }
    JsonNode alg = h.get("alg");
    JsonNode kid = h.get("kid");
    JsonNode typ = h.get("typ");
    if (alg == null || !alg.isTextual() || (kid != null && !kid.isTextual())
        || (typ != null && !typ.isTextual())) {
      return fail(TokenFailure.MALFORMED);
    }
    if (!algorithms.contains(alg.textValue())) {
      return fail(TokenFailure.ALGORITHM_NOT_ALLOWED);
    }
    if (typ == null || !typeAllowed(typ.textValue(), types)) {
      return fail(TokenFailure.TYPE_NOT_ALLOWED);
    }
    StrictJson.Scan claims = StrictJson.scanClaims(
        dec.decode(java.util.Arrays.copyOfRange(raw, d1 + 1, d2)));
    if (claims != StrictJson.Scan.VALID) {
      return fail(claims == StrictJson.Scan.BAD_TIME ? TokenFailure.INVALID_CLAIM
          : TokenFailure.MALFORMED);
    }
    return new Result(new Header(alg.textValue(), kid != null ? kid.textValue() : null,
        typ.textValue()), null, false);
  }

  /** RFC 7515 5.2 / 9068 4: compared case-insensitively, with an optional application/ prefix. */
  static boolean typeAllowed(String typ, List<String> types) {
    String t = typ.toLowerCase(Locale.ROOT);
    if (t.startsWith("application/")) {
      t = t.substring("application/".length());
    }
    for (String allowed : types) {
      if (allowed.toLowerCase(Locale.ROOT).equals(t)) {
        return true;
      }
    }
    return false;
  }

  /** base64url value of each ASCII character, -1 outside the alphabet. */
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  /** Non-empty, only [A-Za-z0-9_-], a valid length and zero unused bits in the last character. */
  static boolean canonicalSegment(byte[] s, int from, int to) {
    int len = to - from;
    if (len == 0 || len % 4 == 1) {
      return false;
    }
    byte[] values = VALUES;
    for (int i = from; i < to; i++) {
      byte c = s[i];
      if (c < 0 || values[c] < 0) {
        return false;
      }
    }
    int last = values[s[to - 1]];
    int rem = len % 4;
    return rem == 0 || (rem == 2 && (last & 0x0F) == 0) || (rem == 3 && (last & 0x03) == 0);
  }

  private static Result fail(TokenFailure f) {
    return new Result(null, f, false);
  }
}
