package dev.piste.core.testing;

import dev.piste.token.TokenFailure;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Every hostile token of issue 3 and of the security baseline, each named after its source (RFC
 * section, CVE, SECURITY-BASELINE step), with the failure it must give; and the valid tokens that
 * must be accepted. Shared by the core suite and the real-Jetty adapter suites. Tokens are signed
 * for {@link #CLOCK}; serve {@link #jwks()} from a {@link JwksServer} and configure the engine with
 * {@code TokenFactory.config(HostileTokens.CLOCK, jwksUri)}.
 */
public final class HostileTokens {
  private HostileTokens() {}

  public static final TestClock CLOCK = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  public static final TokenFactory F = TokenFactory.using(CLOCK);
  public static final PublicJsonWebKey SMALL_RSA = small();
  /** A symmetric key the issuer (wrongly) publishes in its JWKS. */
  public static final String OCT_SECRET = "published-oct-secret-0123456789abcdef";

  /** The key set to serve: RSA, EC, Ed25519, a 1024-bit RSA key and an oct key. */
  public static String jwks() {
    String oct = "{\"kty\":\"oct\",\"kid\":\"oct-1\",\"k\":\""
        + TokenFactory.b64(OCT_SECRET) + "\"}";
    String keys = TokenFactory.jwks(F.rsa(), F.ec(), F.ed(), SMALL_RSA);
    return keys.substring(0, keys.length() - 2) + "," + oct + "]}";
  }

  private static PublicJsonWebKey small() {
    try {
      PublicJsonWebKey k = RsaJwkGenerator.generateJwk(1024);
      k.setKeyId("rsa-small");
      return k;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Arguments c(String source, Function<TokenFactory, String> token, TokenFailure expected) {
    return Arguments.of(source, token, expected);
  }

  static JwtClaims claims(java.util.function.Consumer<JwtClaims> change) {
    JwtClaims c = F.claims();
    change.accept(c);
    return c;
  }

  static String rs256(JwtClaims c) {
    return F.sign(c, F.rsa(), "RS256");
  }

  static String header(String json) {
    String t = F.valid();
    return TokenFactory.b64(json) + t.substring(t.indexOf('.'));
  }

  static String withPayload(String payloadJson) {
    String t = F.valid();
    return t.substring(0, t.indexOf('.') + 1) + TokenFactory.b64(payloadJson)
        + t.substring(t.lastIndexOf('.'));
  }

  static String none(String alg, String signature) {
    String t = F.valid();
    return TokenFactory.b64("{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\"}")
        + t.substring(t.indexOf('.'), t.lastIndexOf('.') + 1) + signature;
  }

  static String editSignature(Function<String, String> edit) {
    String t = F.valid();
    int dot = t.lastIndexOf('.');
    return t.substring(0, dot + 1) + edit.apply(t.substring(dot + 1));
  }

  static String payloadJson() {
    return F.claims().toJson();
  }

  /** (source, token maker, expected failure). */
  public static Stream<Arguments> hostile() {
    Key rsaAsHmacDer = new SecretKeySpec(F.rsa().getPublicKey().getEncoded(), "HmacSHA256");
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
        F.rsa().getPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    Key rsaAsHmacPem = new SecretKeySpec(pem.getBytes(StandardCharsets.US_ASCII), "HmacSHA256");
    return Stream.of(
        c("RFC 7518 3.6 / CVE-2015-9235: alg none", f -> none("none", "AAAA"),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("RFC 7518 3.6 / CVE-2015-9235: alg None", f -> none("None", "AAAA"),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("RFC 7518 3.6 / CVE-2015-9235: alg NONE", f -> none("NONE", "AAAA"),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("RFC 7518 3.6 / CVE-2015-9235: alg nOnE", f -> none("nOnE", "AAAA"),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("RFC 7518 3.6 / CVE-2015-9235: alg none with an empty signature",
            f -> none("none", ""), TokenFailure.MALFORMED),
        c("CVE-2016-10555 / RFC 8725 3.1: HS256 signed with the RSA public key (DER)",
            f -> f.sign(f.claims(), rsaAsHmacDer, "HS256", h -> h.setKeyIdHeaderValue("rsa-1")),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("CVE-2016-10555 / RFC 8725 3.1: HS256 signed with the RSA public key (PEM)",
            f -> f.sign(f.claims(), rsaAsHmacPem, "HS256", h -> h.setKeyIdHeaderValue("rsa-1")),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("CVE-2018-0114: a token carrying its own jwk", f -> f.sign(f.claims(),
            f.attacker().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setJwkHeader(f.attacker());
            }), TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 8725 3.10: jku pointing to another key set", f -> f.sign(f.claims(),
            f.attacker().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("jku", "http://127.0.0.1:1/attacker-jwks");
            }), TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 8725 3.10: x5u pointing to another certificate", f -> f.sign(f.claims(),
            f.attacker().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("x5u", "http://127.0.0.1:1/attacker.pem");
            }), TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 7515 4.1.6: an embedded x5c chain", f -> f.sign(f.claims(),
            f.attacker().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("x5c", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A");
            }), TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 7515 4.1.4: unknown kid", f -> f.sign(f.claims(), f.rsa2(), "RS256"),
            TokenFailure.UNKNOWN_KEY),
        c("RFC 7515 4.1.4: known kid, another key's signature", f -> f.sign(f.claims(),
            f.attacker(), "RS256"), TokenFailure.BAD_SIGNATURE),
        c("RFC 7518 3.1: RS256 naming the kid of an EC key", f -> f.sign(f.claims(),
            f.rsa().getPrivateKey(), "RS256", h -> h.setKeyIdHeaderValue("ec-1")),
            TokenFailure.UNKNOWN_KEY),
        c("RFC 7518 3.3: an RSA key shorter than 2048 bits", f -> f.sign(f.claims(), SMALL_RSA,
            "RS256"), TokenFailure.UNKNOWN_KEY),
        c("CVE-2022-21449: ECDSA signature with r = s = 0", f -> {
          String t = f.sign(f.claims(), f.ec(), "ES256");
          return t.substring(0, t.lastIndexOf('.') + 1) + TokenFactory.b64(new byte[64]);
        }, TokenFailure.BAD_SIGNATURE),
        c("RFC 7515 5.2: a signature taken from another token", f -> {
          String a = rs256(f.claims());
          String b = rs256(claims(x -> x.setClaim("scope", "admin")));
          return b.substring(0, b.lastIndexOf('.')) + a.substring(a.lastIndexOf('.'));
        }, TokenFailure.BAD_SIGNATURE),
        c("RFC 7519 4.1.4: expired beyond the clock skew", f -> rs256(claims(x -> {
          x.setIssuedAt(NumericDate.fromSeconds(now() - 3600));
          x.setExpirationTime(NumericDate.fromSeconds(now() - 31));
        })), TokenFailure.EXPIRED),
        c("RFC 7519 4.1.5: not yet valid beyond the clock skew", f -> rs256(claims(
            x -> x.setNotBefore(NumericDate.fromSeconds(now() + 31)))), TokenFailure.NOT_YET_VALID),
        c("RFC 7519 4.1.6: issued in the future beyond the clock skew", f -> rs256(claims(
            x -> x.setIssuedAt(NumericDate.fromSeconds(now() + 31)))), TokenFailure.ISSUED_IN_FUTURE),
        c("SECURITY-BASELINE 5: iat an hour in the future", f -> rs256(claims(x -> {
          x.setIssuedAt(NumericDate.fromSeconds(now() + 3600));
          x.setExpirationTime(NumericDate.fromSeconds(now() + 7200));
        })), TokenFailure.ISSUED_IN_FUTURE),
        c("SECURITY-BASELINE 5: exp ten years ahead", f -> rs256(claims(x -> x.setExpirationTime(
            NumericDate.fromSeconds(now() + 315_360_000L)))), TokenFailure.LIFETIME_TOO_LONG),
        c("SECURITY-BASELINE 5: exp 1e400 (infinity)", f -> rs256Raw(payloadJson().replaceFirst(
            "\"exp\":\\d+", "\"exp\":1e400")), TokenFailure.INVALID_CLAIM),
        c("RFC 7519 4.1.1: wrong issuer", f -> rs256(claims(x -> x.setIssuer("https://evil.test"))),
            TokenFailure.WRONG_ISSUER),
        c("RFC 7519 4.1.1: issuer with a trailing slash (exact match)", f -> rs256(claims(
            x -> x.setIssuer(TokenFactory.ISSUER + "/"))), TokenFailure.WRONG_ISSUER),
        c("RFC 7519 4.1.3: wrong audience", f -> rs256(claims(x -> x.setAudience("other-api"))),
            TokenFailure.WRONG_AUDIENCE),
        c("RFC 7519 4.1.3: missing audience", f -> rs256(claims(x -> x.unsetClaim("aud"))),
            TokenFailure.WRONG_AUDIENCE),
        c("RFC 9068 4: typ of another kind of JWT (logout+jwt)", f -> f.sign(f.claims(),
            f.rsa().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("typ", "logout+jwt");
            }), TokenFailure.TYPE_NOT_ALLOWED),
        c("RFC 9068 4: no typ", f -> rs256NoTyp(), TokenFailure.TYPE_NOT_ALLOWED),
        c("RFC 7515 4.1.11: unknown crit parameter", f -> f.sign(f.claims(),
            f.rsa().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setCriticalHeaderNames("exp-ext");
              h.setHeader("exp-ext", "1");
            }), TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 7797 / SECURITY-BASELINE 4: b64 false", f -> header(
            "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\",\"b64\":false}"),
            TokenFailure.UNSUPPORTED_HEADER),
        c("RFC 7516 4.1.3 / SECURITY-BASELINE 4: zip header", f -> header(
            "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\",\"zip\":\"DEF\"}"),
            TokenFailure.ENCRYPTED),
        c("SECURITY-BASELINE 4: a non-string kid", f -> header(
            "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":1}"), TokenFailure.MALFORMED),
        c("SECURITY-BASELINE 4: a non-string alg", f -> header(
            "{\"alg\":[\"RS256\"],\"typ\":\"at+jwt\",\"kid\":\"rsa-1\"}"), TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: '!' inserted in the signature",
            f -> editSignature(s -> s.substring(0, 10) + "!" + s.substring(10)), TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: whitespace inserted in the signature",
            f -> editSignature(s -> s.substring(0, 10) + " " + s.substring(10)), TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: newline inserted in the signature",
            f -> editSignature(s -> s.substring(0, 10) + "\n" + s.substring(10)), TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: base64 alphabet (+/) instead of base64url",
            f -> editSignature(s -> s.replace('-', '+').replace('_', '/') + "+/"),
            TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: padding appended", f -> editSignature(s -> s + "=="),
            TokenFailure.MALFORMED),
        c("RFC 7515 2 / SECURITY-BASELINE 1: trailing newline", f -> f.valid() + "\n",
            TokenFailure.MALFORMED),
        c("RFC 4648 3.5: non-canonical last base64url character", f -> editSignature(s -> {
          char last = s.charAt(s.length() - 1);
          return s.substring(0, s.length() - 1) + (char) (last == 'A' ? 'B' : last + 1);
        }), TokenFailure.MALFORMED),
        c("RFC 7515 7.1: an empty segment", f -> {
          String t = f.valid();
          return t.substring(0, t.indexOf('.') + 1) + t.substring(t.lastIndexOf('.'));
        }, TokenFailure.MALFORMED),
        c("RFC 7515 7.1: a header that is not JSON", f -> header("not json"), TokenFailure.MALFORMED),
        c("RFC 7519 7.2: a payload that is not JSON", f -> withPayload("{\"exp\":"),
            TokenFailure.MALFORMED),
        c("RFC 7516 9: a JWE (five segments) where a JWS is expected",
            f -> "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn",
            TokenFailure.ENCRYPTED),
        c("RFC 8725 2.8 / SECURITY-BASELINE 2: a nested JWT (cty JWT)", f -> f.sign(
            new JwtClaims(), f.rsa().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setContentTypeHeaderValue("JWT");
              h.setPayload(f.valid());
            }), TokenFailure.ENCRYPTED),
        c("SECURITY-BASELINE 3: HS256 with the kid of an oct key published in the JWKS",
            f -> f.sign(f.claims(), new SecretKeySpec(OCT_SECRET.getBytes(StandardCharsets.UTF_8),
                "HmacSHA256"), "HS256", h -> h.setKeyIdHeaderValue("oct-1")),
            TokenFailure.ALGORITHM_NOT_ALLOWED),
        c("SECURITY-BASELINE 7: a token over piste.token.max-length", f -> rs256(claims(
            x -> x.setClaim("pad", "x".repeat(9000)))), TokenFailure.TOO_LONG),
        c("RFC 7515 10.12 / SECURITY-BASELINE 8: a duplicate alg member", f -> header(
            "{\"alg\":\"none\",\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\"}"),
            TokenFailure.MALFORMED),
        c("RFC 7519 4 / SECURITY-BASELINE 8: a duplicate exp member", f -> rs256Raw(
            payloadJson().replace("{", "{\"exp\":99999999999,")), TokenFailure.MALFORMED),
        c("RFC 8259 6 / SECURITY-BASELINE 8: exp with a leading zero", f -> rs256Raw(
            payloadJson().replaceFirst("\"exp\":", "\"exp\":0")), TokenFailure.MALFORMED),
        c("RFC 8259 4 / SECURITY-BASELINE 8: a trailing comma", f -> rs256Raw(
            payloadJson().replaceFirst("}$", ",}")), TokenFailure.MALFORMED),
        c("RFC 8259 8.1 / SECURITY-BASELINE 8: invalid UTF-8 in the payload",
            f -> rs256RawBytes(payloadBytesWithInvalidUtf8()), TokenFailure.MALFORMED),
        c("RFC 8259 8.1: a byte order mark before the header", f -> header(
            "\uFEFF{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\"}"), TokenFailure.MALFORMED),
        c("RFC 9068 2.2: no exp", f -> rs256(claims(x -> x.unsetClaim("exp"))),
            TokenFailure.MISSING_CLAIM),
        c("RFC 9068 2.2: no iat", f -> rs256(claims(x -> x.unsetClaim("iat"))),
            TokenFailure.MISSING_CLAIM),
        c("RFC 9068 2.2: no sub", f -> rs256(claims(x -> x.unsetClaim("sub"))),
            TokenFailure.MISSING_CLAIM),
        c("RFC 9068 2.2: no client_id", f -> rs256(claims(x -> x.unsetClaim("client_id"))),
            TokenFailure.MISSING_CLAIM),
        c("RFC 6749 3.3: a scope with a forbidden character", f -> rs256(claims(
            x -> x.setClaim("scope", "invoices:read \"admin\""))), TokenFailure.INVALID_CLAIM),
        c("RFC 6749 3.3: two spaces between scopes", f -> rs256(claims(
            x -> x.setClaim("scope", "invoices:read  admin"))), TokenFailure.INVALID_CLAIM));
  }

  static long now() {
    return CLOCK.millis() / 1000;
  }

  /** A token whose payload is this exact JSON, validly signed with the RSA key. */
  static String rs256Raw(String payloadJson) {
    return rs256RawBytes(payloadJson.getBytes(StandardCharsets.UTF_8));
  }

  static String rs256NoTyp() {
    return rs256Signed("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
        payloadJson().getBytes(StandardCharsets.UTF_8));
  }

  static String rs256RawBytes(byte[] payload) {
    return rs256Signed("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rsa-1\"}", payload);
  }

  static String rs256Signed(String headerJson, byte[] payload) {
    try {
      String signingInput = TokenFactory.b64(headerJson) + "." + TokenFactory.b64(payload);
      java.security.Signature s = java.security.Signature.getInstance("SHA256withRSA");
      s.initSign(F.rsa().getPrivateKey());
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + TokenFactory.b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] payloadBytesWithInvalidUtf8() {
    byte[] p = payloadJson().replace("billing-app\"", "billing-app\u00e9\"")
        .getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < p.length; i++) {
      if ((p[i] & 0xFF) == 0xC3) {
        p[i + 1] = (byte) 0x28; // 0xC3 0x28: an invalid two-byte sequence
        break;
      }
    }
    return p;
  }

  /** (source, token maker): every one must be accepted. */
  public static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("RFC 7518 3.3: RS256", (Function<TokenFactory, String>) f -> rs256(f.claims())),
        Arguments.of("RFC 7518 3.5: PS256",
            (Function<TokenFactory, String>) f -> f.sign(f.claims(), f.rsa(), "PS256")),
        Arguments.of("RFC 7518 3.4: ES256",
            (Function<TokenFactory, String>) f -> f.sign(f.claims(), f.ec(), "ES256")),
        Arguments.of("RFC 8037 3.1: EdDSA (Ed25519)",
            (Function<TokenFactory, String>) f -> f.sign(f.claims(), f.ed(), "EdDSA")),
        Arguments.of("RFC 9068 2.1: typ application/at+jwt", (Function<TokenFactory, String>) f ->
            f.sign(f.claims(), f.rsa().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("typ", "application/at+jwt");
            })),
        Arguments.of("RFC 7519 5.1: typ JWT", (Function<TokenFactory, String>) f ->
            f.sign(f.claims(), f.rsa().getPrivateKey(), "RS256", h -> {
              h.setKeyIdHeaderValue("rsa-1");
              h.setHeader("typ", "JWT");
            })),
        Arguments.of("RFC 7515 4.1.4: no kid, the only RSA key", (Function<TokenFactory, String>) f ->
            f.sign(f.claims(), f.rsa().getPrivateKey(), "RS256", h -> {})),
        Arguments.of("RFC 7519 4.1.3: aud array containing the audience",
            (Function<TokenFactory, String>) f -> rs256(claims(
                x -> x.setAudience("other-api", TokenFactory.AUDIENCE)))),
        Arguments.of("RFC 8693 4.2: scp array", (Function<TokenFactory, String>) f -> rs256(claims(x -> {
          x.unsetClaim("scope");
          x.setStringListClaim("scp", List.of("invoices:read", "invoices:write"));
        }))),
        Arguments.of("OIDC Core 2: azp instead of client_id",
            (Function<TokenFactory, String>) f -> rs256(claims(x -> {
              x.unsetClaim("client_id");
              x.setClaim("azp", TokenFactory.CLIENT);
            }))),
        Arguments.of("RFC 7519 4.1.4: expired within the clock skew",
            (Function<TokenFactory, String>) f -> rs256(claims(x -> {
              x.setIssuedAt(NumericDate.fromSeconds(now() - 900));
              x.setExpirationTime(NumericDate.fromSeconds(now() - 20));
            }))),
        Arguments.of("RFC 7519 4.1.5: not yet valid within the clock skew",
            (Function<TokenFactory, String>) f -> rs256(claims(
                x -> x.setNotBefore(NumericDate.fromSeconds(now() + 20))))),
        Arguments.of("RFC 7519 4.1.6: issued in the future within the clock skew",
            (Function<TokenFactory, String>) f -> rs256(claims(
                x -> x.setIssuedAt(NumericDate.fromSeconds(now() + 20))))));
  }
}
