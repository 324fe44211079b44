package dev.piste.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.core.internal.token.Sha256;
import dev.piste.core.testing.Stderr;
import dev.piste.core.testing.TestClock;
import dev.piste.token.ApiKeyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileApiKeyStore#follow}: the file is read again when it changes, on real files. */
final class FollowingApiKeyStoreTest {

  static final String BILLING = "pk_live_4f9c2a7e1b3d5f6a8c0e2b4d6f8a1c3e";
  static final String REPORTING = "pk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  static final String EXPORTS = "pk_live_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
  static final Duration INTERVAL = Duration.ofMillis(FollowingApiKeyStore.CHECK_INTERVAL_MILLIS);

  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void keys() throws IOException {
    file = dir.resolve("api-keys");
    write(line(BILLING, "billing"), line(REPORTING, "reporting"));
  }

  static String line(String key, String application) {
    return FileApiKeyStore.line(key, application, null, Set.of());
  }

  void write(String... lines) throws IOException {
    Files.write(file, List.of(lines));
  }

  /** Writes a whole new file and renames it over the old one, as an operator should. */
  void replace(String... lines) throws IOException {
    Path tmp = dir.resolve("api-keys.new");
    Files.write(tmp, List.of(lines));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  ApiKeyStore follow() throws IOException {
    return FileApiKeyStore.follow(file, clock);
  }

  @Test
  void aKeyAddedToTheFileIsFoundFromTheNextCheckOn() throws Exception {
    ApiKeyStore store = follow();
    write(line(BILLING, "billing"), line(REPORTING, "reporting"), line(EXPORTS, "exports"));

    assertThat(store.find(EXPORTS)).as("no check before the interval").isEmpty();
    clock.advance(INTERVAL.minusMillis(1));
    assertThat(store.find(EXPORTS)).as("no check before the interval").isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(store.find(EXPORTS).orElseThrow().applicationId()).isEqualTo("exports");
    assertThat(store.find(BILLING).orElseThrow().applicationId()).isEqualTo("billing");
  }

  @Test
  void aKeyRemovedFromTheFileIsRefusedFromTheNextCheckOn() throws Exception {
    ApiKeyStore store = follow();
    replace(line(BILLING, "billing"));
    assertThat(store.find(REPORTING)).isPresent();

    clock.advance(INTERVAL);

    assertThat(store.find(REPORTING)).isEmpty();
    assertThat(store.find(BILLING)).isPresent();
  }

  @Test
  void aMalformedRewriteKeepsTheKeysReadBeforeAndWarnsOnceNamingTheLineNotItsContent()
      throws Exception {
    ApiKeyStore store = follow();
    String exportsHash = HexFormat.of().formatHex(Sha256.digest(EXPORTS));
    String billingHash = HexFormat.of().formatHex(Sha256.digest(BILLING));

    String log = stderrOf(() -> {
      write(line(BILLING, "billing"), line(EXPORTS, "exports") + " color=blue");
      for (int i = 0; i < 5; i++) {
        clock.advance(INTERVAL);
        assertThat(store.find(BILLING)).isPresent();
        assertThat(store.find(REPORTING)).as("the keys read before stay").isPresent();
        assertThat(store.find(EXPORTS)).isEmpty();
      }
    });

    assertThat(warnings(log)).hasSize(1);
    assertThat(warnings(log).get(0)).contains("line 2").doesNotContain("line 1");
    assertThat(log).doesNotContain(exportsHash).doesNotContain(billingHash)
        .doesNotContain("color").doesNotContain("exports").doesNotContain(EXPORTS);
  }

  @Test
  void aFixedFileIsUsedAgain() throws Exception {
    ApiKeyStore store = follow();
    replace(line(BILLING, "billing"), "not a key line");
    clock.advance(INTERVAL);
    assertThat(store.find(REPORTING)).isPresent();

    String log = stderrOf(() -> {
      replace(line(EXPORTS, "exports"));
      clock.advance(INTERVAL);
      assertThat(store.find(EXPORTS)).isPresent();
    });

    assertThat(store.find(BILLING)).isEmpty();
    assertThat(store.find(REPORTING)).isEmpty();
    assertThat(warnings(log)).isEmpty();
    assertThat(log).contains("valid again");
  }

  @Test
  void aDeletedFileKeepsTheKeysReadBeforeWithOneWarningUntilItIsBack() throws Exception {
    ApiKeyStore store = follow();

    String log = stderrOf(() -> {
      Files.delete(file);
      for (int i = 0; i < 5; i++) {
        clock.advance(INTERVAL);
        assertThat(store.find(BILLING)).isPresent();
        assertThat(store.find(REPORTING)).isPresent();
      }
    });
    assertThat(warnings(log)).hasSize(1);
    assertThat(warnings(log).get(0)).contains("cannot be read");

    write(line(EXPORTS, "exports"));
    clock.advance(INTERVAL);
    assertThat(store.find(EXPORTS)).isPresent();
    assertThat(store.find(BILLING)).isEmpty();
  }

  @Test
  void aFileMovedAwayAndBackWarnsAgainWhenItGoesAgain() throws Exception {
    ApiKeyStore store = follow();
    clock.advance(INTERVAL);
    store.find(BILLING);
    Path aside = dir.resolve("aside");

    String log = stderrOf(() -> {
      Files.move(file, aside);
      clock.advance(INTERVAL);
      store.find(BILLING);
      Files.move(aside, file);
      clock.advance(INTERVAL);
      store.find(BILLING);
      Files.move(file, aside);
      clock.advance(INTERVAL);
      store.find(BILLING);
    });

    assertThat(warnings(log)).hasSize(2);
    assertThat(log).contains("is back unchanged");
    assertThat(store.find(BILLING)).isPresent();
  }

  @Test
  void aFileThatIsNoLongerUtf8KeepsTheKeysReadBefore() throws Exception {
    ApiKeyStore store = follow();

    String log = stderrOf(() -> {
      Files.write(file, new byte[] {'#', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
      clock.advance(INTERVAL);
      assertThat(store.find(BILLING)).isPresent();
      clock.advance(INTERVAL);
      assertThat(store.find(REPORTING)).isPresent();
    });

    assertThat(warnings(log)).singleElement().asString().contains("not UTF-8");
  }

  @Test
  void aRewriteKeepingTheSizeAndTheTimestampIsSeenByTheCheckAfterARead() throws Exception {
    FileTime written = Files.getLastModifiedTime(file);
    ApiKeyStore store = follow();
    // same length, same file, same time stamp: what a rewrite within the timestamp granularity of
    // the file system looks like
    write(line(BILLING, "billing"), line(EXPORTS, "reporting"));
    Files.setLastModifiedTime(file, written);

    clock.advance(INTERVAL);

    assertThat(store.find(EXPORTS).orElseThrow().applicationId()).isEqualTo("reporting");
    assertThat(store.find(REPORTING)).isEmpty();
  }

  @Test
  void aClockSetBackChecksAtOnce() throws Exception {
    ApiKeyStore store = follow();
    replace(line(BILLING, "billing"));

    clock.advance(Duration.ofHours(-1));

    assertThat(store.find(REPORTING)).isEmpty();
  }

  @Test
  void aMissingOrMalformedFileFailsAtTheStartAsAFixedReadDoes() throws Exception {
    assertThatThrownBy(() -> FileApiKeyStore.follow(dir.resolve("none"), clock))
        .isInstanceOf(NoSuchFileException.class);
    write(line(BILLING, "billing"), "sha256:ZZZ billing");
    assertThatThrownBy(this::follow).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2").hasMessageNotContaining("ZZZ");
  }

  @Test
  void aFixedReadNeverChanges() throws Exception {
    FileApiKeyStore store = FileApiKeyStore.read(file);
    replace(line(EXPORTS, "exports"));

    clock.advance(INTERVAL.multipliedBy(2));

    assertThat(store.find(BILLING)).isPresent();
    assertThat(store.find(EXPORTS)).isEmpty();
  }

  @Test
  void toStringNamesOnlyTheSize() throws Exception {
    assertThat(follow().toString()).isEqualTo("FileApiKeyStore[2 keys, following its file]");
  }

  /** The store's warnings about this test's file. */
  List<String> warnings(String log) {
    return log.lines().filter(l -> l.contains("WARN") && l.contains(file.toString())).toList();
  }

  private interface Action {
    void run() throws Exception;
  }

  /** What was logged (slf4j-simple writes to standard error) while the action ran. */
  private static String stderrOf(Action action) throws Exception {
    return Stderr.during(action::run);
  }
}
