package dev.piste.core.internal.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a JWK set (or one JWK, or a PEM public key) into the public keys it may use: {@code oct}
 * keys, keys with private members, keys whose {@code use} is not {@code sig} and RSA keys under
 * 2048 bits are dropped with a {@code SECURITY:} warning, and a set with two keys of the same {@code
 * kid} is refused whole (Wycheproof {@code DuplicateKid}).
 */
public final class JwkSets {
  private JwkSets() {}

  private static final Logger LOG = LoggerFactory.getLogger(JwkSets.class);
  static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  /** The usable public keys of a JWK set document; throws {@link IOException} when it is unusable. */
  public static List<PublicJsonWebKey> parse(byte[] json, String origin) throws IOException {
    JsonNode root = StrictJson.object(json);
    if (root == null) {
      throw new IOException("the JWK set from " + origin + " is not one strict JSON object");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (root.has("keys")) {
      if (!root.get("keys").isArray()) {
        throw new IOException("the keys member of the JWK set from " + origin + " is not an array");
      }
      root.get("keys").forEach(nodes::add);
    } else if (root.has("kty")) {
      nodes.add(root);
    } else {
      throw new IOException("the document from " + origin + " is neither a JWK set nor a JWK");
    }
    List<PublicJsonWebKey> keys = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    int index = 0;
    for (JsonNode n : nodes) {
      index++;
      if (!n.isObject() || !n.path("kty").isTextual()) {
        LOG.warn("JWK #{} from {} dropped: not an object with a kty", index, origin);
        continue;
      }
      if (n.has("kid")) {
        if (!n.get("kid").isTextual()) {
          throw new IOException("JWK #" + index + " from " + origin + " has a non-string kid");
        }
        if (!kids.add(n.get("kid").textValue())) {
          throw new IOException("the JWK set from " + origin + " has two keys with the same kid");
        }
      }
      String kty = n.get("kty").textValue();
      if ("oct".equals(kty)) {
        LOG.warn("SECURITY: symmetric (oct) JWK #{} from {} dropped: only public keys are used",
            index, origin);
        continue;
      }
      if (PRIVATE_MEMBERS.stream().anyMatch(n::has)) {
        LOG.warn("SECURITY: JWK #{} from {} holds private key members and was dropped; the issuer"
            + " is publishing private key material", index, origin);
        continue;
      }
      if (n.has("use") && !"sig".equals(n.get("use").asText())) {
        // the value itself is not logged: it is the endpoint's text, of any length
        LOG.warn("SECURITY: JWK #{} from {} dropped: its use is not sig (RFC 7517 4.2)", index,
            origin);
        continue;
      }
      try {
        Map<String, Object> map = StrictJson.toMap(n);
        JsonWebKey jwk = JsonWebKey.Factory.newJwk(map);
        if (jwk instanceof RsaJsonWebKey rsa && rsa.getRsaPublicKey().getModulus().bitLength() < 2048) {
          LOG.warn("SECURITY: RSA JWK #{} from {} dropped: shorter than 2048 bits (RFC 7518 3.3)",
              index, origin);
        } else if (jwk instanceof PublicJsonWebKey p && p.getPrivateKey() == null) {
          keys.add(p);
        }
      } catch (Exception e) {
        LOG.warn("JWK #{} ({}) from {} dropped: unsupported or invalid ({})", index, kty, origin,
            e.getClass().getSimpleName());
      }
    }
    return List.copyOf(keys);
  }

  /** A PEM {@code PUBLIC KEY} (RSA, EC or Ed25519/Ed448) as a JWK without kid. */
  public static PublicJsonWebKey parsePem(String pem, String origin) throws IOException {
    String b64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IOException("the PEM file " + origin + " is not base64");
    }
    for (String alg : List.of("RSA", "EC", "EdDSA")) {
      try {
        PublicKey k = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
        return PublicJsonWebKey.Factory.newPublicJwk(k);
      } catch (Exception e) {
        // try the next key type
      }
    }
    throw new IOException("the PEM file " + origin + " holds no RSA, EC or EdDSA public key");
  }

  /** Parses a file's content: a PEM public key, or a JWK set or JWK in JSON. */
  public static List<PublicJsonWebKey> parseFile(byte[] content, String origin) throws IOException {
    String text = new String(content, StandardCharsets.UTF_8).strip();
    if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
      return List.of(parsePem(text, origin));
    }
    if (text.startsWith("-----BEGIN")) {
      throw new IOException("the file " + origin + " holds a private key or a certificate: only a"
          + " PUBLIC KEY PEM or a JWK set is accepted");
    }
    return parse(content, origin);
  }

  /** Whether this key may verify this JWS algorithm (key type, curve, and the JWK's own alg/use). */
  public static boolean fits(PublicJsonWebKey jwk, String alg) {
    if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(alg)) {
      return false;
    }
    Key k = jwk.getKey();
    if (alg.startsWith("RS") || alg.startsWith("PS")) {
      return jwk instanceof RsaJsonWebKey;
    }
    if (alg.startsWith("ES") && jwk instanceof EllipticCurveJsonWebKey ec) {
      String crv = ec.getCurveName();
      return switch (alg) {
        case "ES256" -> EllipticCurves.P_256.equals(crv);
        case "ES384" -> EllipticCurves.P_384.equals(crv);
        case "ES512" -> EllipticCurves.P_521.equals(crv);
        default -> false;
      };
    }
    return "EdDSA".equals(alg) && jwk instanceof OctetKeyPairJsonWebKey && k != null;
  }

  /**
   * The key with this kid if it fits the algorithm; else (no kid in the token, or no key with that
   * kid) the only key without a kid that fits the algorithm; else null.
   */
  public static PublicJsonWebKey select(List<PublicJsonWebKey> keys, String kid, String alg) {
    if (kid != null) {
      for (PublicJsonWebKey k : keys) {
        if (kid.equals(k.getKeyId())) {
          return fits(k, alg) ? k : null;
        }
      }
    }
    PublicJsonWebKey found = null;
    for (PublicJsonWebKey k : keys) {
      if ((kid == null || k.getKeyId() == null) && fits(k, alg)) {
        if (found != null) {
          return null;
        }
        found = k;
      }
    }
    return found;
  }

  /** Whether a key with this kid exists at all (whatever its type). */
  public static boolean hasKid(List<PublicJsonWebKey> keys, String kid) {
    for (PublicJsonWebKey k : keys) {
      if (kid != null && kid.equals(k.getKeyId())) {
        return true;
      }
    }
    return false;
  }
}
