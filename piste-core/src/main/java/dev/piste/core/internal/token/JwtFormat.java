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
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) == '.') {
        dots++;
      }
    }
    if (dots == 4) {
      return fail(TokenFailure.ENCRYPTED);
    }
    if (dots != 2) {
      return fail(TokenFailure.MALFORMED);
    }
    if (!canonicalSegment(token, 0, d1) || !canonicalSegment(token, d1 + 1, d2)
        || !canonicalSegment(token, d2 + 1, token.length())) {
      return fail(TokenFailure.MALFORMED);
    }
    Base64.Decoder dec = Base64.getUrlDecoder();
    JsonNode h = StrictJson.object(dec.decode(token.substring(0, d1)));
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
    JsonNode claims = StrictJson.object(dec.decode(token.substring(d1 + 1, d2)));
    if (claims == null) {
      return fail(TokenFailure.MALFORMED);
    }
    for (String time : List.of("exp", "nbf", "iat")) {
      JsonNode t = claims.get(time);
      if (t != null && (!t.isNumber() || !Double.isFinite(t.doubleValue())
          || Math.abs(t.doubleValue()) > 1e13)) {
        return fail(TokenFailure.INVALID_CLAIM);
      }
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

  /** Non-empty, only [A-Za-z0-9_-], a valid length and zero unused bits in the last character. */
  static boolean canonicalSegment(String s, int from, int to) {
    int len = to - from;
    if (len == 0 || len % 4 == 1) {
      return false;
    }
    int last = 0;
    for (int i = from; i < to; i++) {
      int v = value(s.charAt(i));
      if (v < 0) {
        return false;
      }
      last = v;
    }
    int rem = len % 4;
    return rem == 0 || (rem == 2 && (last & 0x0F) == 0) || (rem == 3 && (last & 0x03) == 0);
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '-') {
      return 62;
    }
    return c == '_' ? 63 : -1;
  }

  private static Result fail(TokenFailure f) {
    return new Result(null, f, false);
  }
}
