package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FIPS 180-4 SHA-256, through the per-thread buffer or the UTF-8 fallback alike. */
final class Sha256Test {

  private static byte[] reference(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "clé-non-ascii", "🔑"})
  void matchesTheJdkDigestOfTheUtf8Bytes(String s) throws Exception {
    assertThat(Sha256.digest(s)).isEqualTo(reference(s));
  }

  @Test
  void matchesTheJdkDigestForLongerThanTheBufferAndAfterGrowingIt() throws Exception {
    String big = "a".repeat(20_000);
    String medium = "b".repeat(5_000);
    assertThat(Sha256.digest(big)).isEqualTo(reference(big));
    assertThat(Sha256.digest(medium)).isEqualTo(reference(medium));
    assertThat(Sha256.digest("abc")).isEqualTo(reference("abc"));
  }

  @Test
  void knownVectorOfAbc() {
    assertThat(java.util.HexFormat.of().formatHex(Sha256.digest("abc")))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
