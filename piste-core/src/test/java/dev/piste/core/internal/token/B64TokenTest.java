package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The b64token check against the RFC 6750 grammar as a regular expression, on random strings. */
final class B64TokenTest {

  private static final Pattern GRAMMAR = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  private static final String ALPHABET =
      "ABCXYZabcxyz0189-._~+/=== \"\t,;\u00e9\u00ff\u0100\u012e\u4e41\ud83d\ude00";

  @Test
  void agreesWithTheGrammarOnRandomStrings() {
    SplittableRandom random = new SplittableRandom(6750);
    int valid = 0;
    for (int n = 0; n < 20_000; n++) {
      // short strings and token-sized ones, '=' runs placed anywhere, mostly valid tokens
      int length = random.nextInt(4) == 0 ? random.nextInt(250, 780) : random.nextInt(0, 20);
      StringBuilder sb = new StringBuilder(length);
      int padFrom = random.nextBoolean() ? length - random.nextInt(0, Math.max(1, Math.min(length, 300)))
          : length;
      for (int i = 0; i < length; i++) {
        if (i >= padFrom) {
          sb.append('=');
        } else if (random.nextInt(200) == 0) {
          sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        } else {
          sb.append(ALPHABET.charAt(random.nextInt(22)));
        }
      }
      String s = sb.toString();
      boolean expected = GRAMMAR.matcher(s).matches();
      valid += expected ? 1 : 0;
      assertThat(TokenSyntax.b64token(s)).as("[%s]", s).isEqualTo(expected);
    }
    assertThat(valid).as("valid tokens among the random strings").isBetween(2_000, 18_000);
  }

  @Test
  void paddingMayFollowOnlyAtLeastOneCharacterAndEndTheToken() {
    assertThat(TokenSyntax.b64token("a".repeat(256) + "==")).isTrue();
    assertThat(TokenSyntax.b64token("a".repeat(255) + "=b")).isFalse();
    assertThat(TokenSyntax.b64token("a".repeat(255) + "=" + "=".repeat(300))).isTrue();
    assertThat(TokenSyntax.b64token("a".repeat(256) + "=" + "a")).isFalse();
    assertThat(TokenSyntax.b64token("=")).isFalse();
    assertThat(TokenSyntax.b64token("")).isFalse();
    assertThat(TokenSyntax.b64token("a".repeat(300) + "\u0141")).isFalse();
  }
}
