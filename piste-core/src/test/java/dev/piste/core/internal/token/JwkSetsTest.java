package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.Stderr;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.junit.jupiter.api.Test;

/** SECURITY-BASELINE 6: which keys of a JWK set are used, and what is said about the others. */
final class JwkSetsTest {

  final TokenFactory f = TokenFactory.using(TestClock.at(Instant.parse("2026-03-01T10:00:00Z")));

  @Test
  void everyDroppedKeyIsNamedInASecurityWarningWithoutItsKeyMaterial() throws Exception {
    Map<String, Object> enc = f.rsa2().toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    enc.put("use", "enc");
    RsaJsonWebKey shortRsa = RsaJwkGenerator.generateJwk(1024);
    shortRsa.setKeyId("rsa-1024");
    String oct = "{\"kty\":\"oct\",\"kid\":\"oct-1\",\"k\":\"" + TokenFactory.b64("x".repeat(32))
        + "\"}";
    String set = "{\"keys\":[" + JsonUtil.toJson(enc) + "," + oct + ","
        + f.ec().toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + ","
        + shortRsa.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + ","
        + f.rsa().toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";

    List<PublicJsonWebKey> keys = new ArrayList<>();
    String log = capturingErr(() -> keys.addAll(
        JwkSets.parse(set.getBytes(StandardCharsets.UTF_8), "https://issuer.test/jwks")));

    assertThat(keys).extracting(PublicJsonWebKey::getKeyId).containsExactly("rsa-1");
    for (int index = 1; index <= 4; index++) {
      assertThat(log).contains("SECURITY: ").containsPattern("SECURITY: [^\\n]*JWK #" + index
          + " from https://issuer.test/jwks");
    }
    assertThat(log).contains("use is not sig")
        .doesNotContain((String) enc.get("n"))
        .doesNotContain(TokenFactory.b64("x".repeat(32)))
        .doesNotContain((String) f.ec().toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE)
            .get("d"));
  }

  @Test
  void aKeyWhoseUseIsSigOrAbsentIsKept() throws Exception {
    Map<String, Object> sig = f.rsa2().toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    sig.put("use", "sig");
    String set = "{\"keys\":[" + JsonUtil.toJson(sig) + ","
        + f.rsa().toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";

    assertThat(JwkSets.parse(set.getBytes(StandardCharsets.UTF_8), "test"))
        .extracting(PublicJsonWebKey::getKeyId).containsExactly("rsa-2", "rsa-1");
  }

  private interface Parse {
    void run() throws IOException;
  }

  private static String capturingErr(Parse parse) throws IOException {
    return Stderr.during(parse::run);
  }
}
