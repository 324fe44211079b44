package dev.piste.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's key table is generated from the key table in code, so that it lists every key with
 * its type and default. Run with {@code -Dupdate.readme=true} to rewrite it after a change.
 */
final class ReadmeKeyTableTest {

  private static final String START = "<!-- keys:start -->";
  private static final String END = "<!-- keys:end -->";

  static String table() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for (Key<?> k : Keys.all()) {
      String name = k.isPrefix() ? k.name() + "*name*" : k.name();
      String def = k.defaultValue() == null ? "" : k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
      String type = k.isSecret() ? "secret" : k.type().expected();
      sb.append("| `").append(name).append("` | ").append(type.replace("|", "\\|")).append(" | ")
          .append(def).append(" | ").append(k.meaning().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }

  @Test
  void readmeListsEveryKeyWithTypeAndDefault() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertThat(start).as("README has a generated key table section").isNotNegative();
    String expected = START + "\n" + table() + END;
    if (Boolean.getBoolean("update.readme")) {
      text = text.substring(0, start) + expected + text.substring(end + END.length());
      Files.writeString(readme, text, StandardCharsets.UTF_8);
    }
    String current = text.substring(start, text.indexOf(END) + END.length());
    assertThat(current).isEqualTo(expected);
    for (Key<?> k : Keys.all()) {
      assertThat(current).contains("`" + (k.isPrefix() ? k.name() + "*name*" : k.name()) + "`");
    }
  }
}
