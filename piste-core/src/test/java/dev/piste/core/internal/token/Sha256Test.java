package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FIPS 180-4 SHA-256 of the UTF-8 bytes, and its map key form. */
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

  @Test
  void theKeyIsTheDigestAsFourBigEndianLongsWithValueEquality() throws Exception {
    byte[] d = reference("abc");
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d);
    assertThat(Sha256.key("abc")).isEqualTo(new Sha256.Key(b.getLong(0), b.getLong(8),
        b.getLong(16), b.getLong(24)));
    assertThat(Sha256.key("abc")).isEqualTo(Sha256.key(new String("abc")))
        .hasSameHashCodeAs(Sha256.key("abc")).isNotEqualTo(Sha256.key("abd"));
  }
}
