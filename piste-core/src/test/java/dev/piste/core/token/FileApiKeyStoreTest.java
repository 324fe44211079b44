package dev.piste.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.token.ApiKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileApiKeyStoreTest {

  static final String KEY = "pk_live_4f9c2a7e1b3d5f6a8c0e2b4d6f8a1c3e";

  @Test
  void findsTheApplicationOfAKeyFromItsHash(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("api-keys");
    Files.write(file, List.of(
        "# PISTE API keys",
        "",
        FileApiKeyStore.line(KEY, "billing", "gold", Set.of("invoices:read")),
        FileApiKeyStore.line("other-key", "reporting", null, Set.of())));
    FileApiKeyStore store = FileApiKeyStore.read(file);

    Caller c = store.find(KEY).orElseThrow();

    assertThat(c.applicationId()).isEqualTo("billing");
    assertThat(c.plan()).isEqualTo("gold");
    assertThat(c.scopes()).containsExactly("invoices:read");
    assertThat(c.authenticationMethod()).isEqualTo(AuthenticationMethod.API_KEY);
    assertThat(store.find("other-key").orElseThrow().scopes()).isEmpty();
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void theFileHoldsOnlyTheHashNeverTheKey(@TempDir Path dir) throws Exception {
    String line = FileApiKeyStore.line(KEY, "billing", "gold", Set.of("invoices:read"));

    assertThat(line).doesNotContain(KEY).startsWith("sha256:")
        .matches("sha256:[0-9a-f]{64} billing plan=gold scopes=invoices:read");
  }

  @Test
  void rejectsUnknownKeysAndNearMisses() {
    FileApiKeyStore store = FileApiKeyStore.parse(
        List.of(FileApiKeyStore.line(KEY, "billing", null, Set.of())), "test");

    assertThat(store.find(KEY + "x")).isEmpty();
    assertThat(store.find(KEY.substring(1))).isEmpty();
    assertThat(store.find(KEY.toUpperCase())).isEmpty();
    assertThat(store.find("")).isEmpty();
    assertThat(store.find(null)).isEmpty();
  }

  @Test
  void aMalformedFileFailsNamingTheLineButNotItsContent() {
    String secretLooking = "sha256:ZZZ-not-a-hash my-app";

    assertThatThrownBy(() -> FileApiKeyStore.parse(List.of("# ok", secretLooking,
        FileApiKeyStore.line(KEY, "a", null, Set.of()) + " color=blue"), "keys.txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2").hasMessageContaining("line 3")
        .hasMessageNotContaining("ZZZ").hasMessageNotContaining("color");
  }

  @Test
  void theSameKeyTwiceIsAnError() {
    String line = FileApiKeyStore.line(KEY, "a", null, Set.of());

    assertThatThrownBy(() -> FileApiKeyStore.parse(List.of(line, line), "keys.txt"))
        .hasMessageContaining("line 2");
  }

  @Test
  void scopesFollowTheRfc6749Syntax() {
    String hash = FileApiKeyStore.line(KEY, "a", null, Set.of()).split(" ")[0];

    assertThatThrownBy(() -> FileApiKeyStore.parse(List.of(hash + " a scopes=ok,\"bad\""), "f"))
        .hasMessageContaining("line 1");
  }

  @Test
  void theSpiFactoryComparesSha256Digests() {
    String hex = HexFormat.of().formatHex(dev.piste.core.internal.token.Sha256.digest(KEY));
    Caller billing = Caller.builder().applicationId("billing").method(AuthenticationMethod.API_KEY)
        .build();
    ApiKeyStore store = ApiKeyStore.ofSha256(Map.of(hex.toUpperCase(), billing));

    assertThat(store.find(KEY)).contains(billing);
    assertThat(store.find(KEY + "!")).isEmpty();
    assertThat(ApiKeyStore.none().find(KEY)).isEmpty();
  }

  @Test
  void toStringNamesOnlyTheSize() {
    FileApiKeyStore store = FileApiKeyStore.parse(
        List.of(FileApiKeyStore.line(KEY, "billing", null, Set.of())), "test");

    assertThat(store.toString()).isEqualTo("FileApiKeyStore[1 keys]");
  }
}
