package dev.piste.core.testing;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.OkpJwkGenerator;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * Signs test tokens: RS256 / PS256 (RSA 2048), ES256 (P-256), EdDSA (Ed25519) and HS256, with the
 * claims of a valid access token by default, and builds raw hostile tokens. Keys are generated once
 * per JVM. Time comes from the given clock.
 */
public final class TokenFactory {

  public static final String ISSUER = "https://issuer.test";
  public static final String AUDIENCE = "invoices-api";
  public static final String CLIENT = "billing-app";
  /** A 256-bit HS256 secret for tests. */
  public static final String HMAC_SECRET = "0123456789abcdef0123456789abcdef";

  private static final class Keys {
    static final PublicJsonWebKey RSA = generate(() -> RsaJwkGenerator.generateJwk(2048), "rsa-1");
    static final PublicJsonWebKey RSA_2 = generate(() -> RsaJwkGenerator.generateJwk(2048), "rsa-2");
    static final PublicJsonWebKey EC = generate(() -> EcJwkGenerator.generateJwk(EllipticCurves.P256),
        "ec-1");
    static final PublicJsonWebKey ED = generate(
        () -> OkpJwkGenerator.generateJwk(OctetKeyPairJsonWebKey.SUBTYPE_ED25519), "ed-1");
    static final PublicJsonWebKey ATTACKER = generate(() -> RsaJwkGenerator.generateJwk(2048),
        "rsa-1");
  }

  private interface KeyMaker {
    PublicJsonWebKey make() throws JoseException;
  }

  private static PublicJsonWebKey generate(KeyMaker maker, String kid) {
    try {
      PublicJsonWebKey k = maker.make();
      k.setKeyId(kid);
      return k;
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private final Clock clock;

  private TokenFactory(Clock clock) {
    this.clock = clock;
  }

  public static TokenFactory using(Clock clock) {
    return new TokenFactory(clock);
  }

  public PublicJsonWebKey rsa() {
    return Keys.RSA;
  }

  public PublicJsonWebKey rsa2() {
    return Keys.RSA_2;
  }

  public PublicJsonWebKey ec() {
    return Keys.EC;
  }

  public PublicJsonWebKey ed() {
    return Keys.ED;
  }

  /** An RSA key pair unknown to any JWKS, with the same kid as {@link #rsa()}. */
  public PublicJsonWebKey attacker() {
    return Keys.ATTACKER;
  }

  /** The claims of a valid access token: iss, aud, sub, client_id, scope, iat, exp (+15 min), jti. */
  public JwtClaims claims() {
    JwtClaims c = new JwtClaims();
    long now = clock.millis() / 1000;
    c.setIssuer(ISSUER);
    c.setAudience(AUDIENCE);
    c.setSubject(CLIENT);
    c.setClaim("client_id", CLIENT);
    c.setClaim("scope", "invoices:read invoices:write");
    c.setIssuedAt(NumericDate.fromSeconds(now));
    c.setExpirationTime(NumericDate.fromSeconds(now + Duration.ofMinutes(15).getSeconds()));
    c.setJwtId(UUID.randomUUID().toString());
    return c;
  }

  /** A valid RS256 at+jwt access token. */
  public String valid() {
    return sign(claims(), rsa(), "RS256");
  }

  /** Signs with the private key of this JWK, header typ at+jwt and the JWK's kid. */
  public String sign(JwtClaims claims, PublicJsonWebKey key, String alg) {
    return sign(claims, key.getPrivateKey(), alg, jws -> {
      jws.setKeyIdHeaderValue(key.getKeyId());
    });
  }

  /** Signs with any key and algorithm, after letting the caller change the header. */
  public String sign(JwtClaims claims, Key key, String alg, Consumer<JsonWebSignature> header) {
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setAlgorithmHeaderValue(alg);
    jws.setHeader("typ", "at+jwt");
    jws.setKey(key);
    jws.setDoKeyValidation(false);
    jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
    header.accept(jws);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HS256 token signed with {@link #HMAC_SECRET}. */
  public String hs256(JwtClaims claims) {
    return sign(claims, new javax.crypto.spec.SecretKeySpec(
        HMAC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), "HS256", jws -> {});
  }

  /** {@code b64(header).b64(payload).b64(signature)} from raw parts, for hostile tokens. */
  public static String raw(String headerJson, String payloadJson, byte[] signature) {
    return b64(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
        + b64(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + b64(signature);
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A configuration builder (no environment read) with this clock, issuer {@link #ISSUER},
   * audience {@link #AUDIENCE} and, when given, the JWKS URI.
   */
  public static dev.piste.core.PisteConfig.Builder config(Clock clock, java.net.URI jwksUri) {
    dev.piste.core.PisteConfig.Builder b = dev.piste.core.PisteConfig.defaults().toBuilder()
        .clock(clock)
        .property("piste.token.issuer", ISSUER)
        .property("piste.token.audience", AUDIENCE);
    if (jwksUri != null) {
      b.property("piste.token.jwks-uri", jwksUri.toString());
    }
    return b;
  }

  /** The public JWK set document of these keys. */
  public static String jwks(JsonWebKey... keys) {
    List<String> parts = new ArrayList<>();
    for (JsonWebKey k : keys) {
      parts.add(k.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }
    return "{\"keys\":[" + String.join(",", parts) + "]}";
  }
}
