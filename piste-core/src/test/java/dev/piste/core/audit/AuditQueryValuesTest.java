package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query values in audit events ({@code piste.audit.query-values=true}): kept, or redacted. */
final class AuditQueryValuesTest {

  @TempDir
  Path dir;

  private AuditEvent one(Map<String, String> extra, String query) {
    MemoryAuditSink sink = new MemoryAuditSink();
    Map<String, String> config = new java.util.HashMap<>(Map.of(
        "piste.audit.query-values", "true",
        "piste.audit.flush-interval", "10ms",
        "piste.audit.spool-dir", dir.toString()));
    config.putAll(extra);
    try (AuditHarness h = new AuditHarness(config, sink)) {
      h.serve(TestRequest.get("/v1/invoices").query(query).header("Authorization", "Bearer good"),
          AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
      Poll.until(Duration.ofSeconds(10), () -> sink.size() >= 1, () -> "no event");
    }
    assertThat(sink.events()).hasSize(1);
    return sink.events().get(0);
  }

  @Test
  void aMalformedPercentEscapeKeepsTheEventWithTheValueAsItCame() {
    AuditEvent e = one(Map.of(), "q=%zz&r=%&page=2");
    assertThat(e.queryValues()).containsEntry("q", "%zz").containsEntry("r", "%")
        .containsEntry("page", "2");
  }

  @Test
  void credentialParametersAreRedactedWhateverTheConfiguredList() {
    AuditEvent e = one(Map.of("piste.audit.redact-query-params", "iban"),
        "access_token=at1&refresh_token=rt1&client_secret=cs1&password%5B0%5D=pw1&iban=FR76&page=2");
    assertThat(e.queryParams()).contains("access_token", "refresh_token", "client_secret", "iban");
    assertThat(e.queryValues()).containsOnlyKeys("page").containsEntry("page", "2");
    assertThat(e.toJson()).doesNotContain("at1", "rt1", "cs1", "pw1", "FR76");
  }

  @Test
  void credentialParametersAreRedactedWhateverTheirCaseAndSeparators() {
    AuditEvent e = one(Map.of(), "accessToken=at1&Client-Secret=cs1&newPassword=pw1"
        + "&code=c0de1&subjectToken=st1&user[refreshToken]=rt1&page=2");
    assertThat(e.queryValues()).containsOnlyKeys("page");
    assertThat(e.toJson()).doesNotContain("at1", "cs1", "pw1", "c0de1", "st1", "rt1");
  }

  @Test
  void credentialParametersNamedWithBracketsAreRedactedByEachPartOfTheirName() {
    AuditEvent e = one(Map.of(),
        "user[password]=hunter2&a[access_token]=at1&user%5Bclient_secret%5D=cs1&user[name]=bob"
            + "&page=2");
    assertThat(e.queryParams()).contains("user[password]", "a[access_token]",
        "user[client_secret]");
    assertThat(e.queryValues()).containsOnlyKeys("user[name]", "page")
        .containsEntry("user[name]", "bob");
    assertThat(e.toJson()).doesNotContain("hunter2", "at1", "cs1");
  }

  @Test
  void credentialParametersNamedWithDotsAreRedactedByEachPartOfTheirName() {
    AuditEvent e = one(Map.of(), "user.password=hunter2&client.api_key=k1&user.name=bob");
    assertThat(e.queryValues()).containsOnlyKeys("user.name").containsEntry("user.name", "bob");
    assertThat(e.toJson()).doesNotContain("hunter2", "k1");
  }

  @Test
  void anEventHoldsTheFirstSixtyFourQueryNamesEachOnce() {
    StringBuilder q = new StringBuilder("a=1&a=2");
    for (int i = 0; i < 500; i++) {
      q.append("&p").append(i).append('=').append(i);
    }
    AuditEvent e = one(Map.of(), q.toString());
    assertThat(e.queryParams()).hasSize(64).startsWith("a", "p0").doesNotHaveDuplicates()
        .endsWith("p62");
    assertThat(e.queryValues()).containsEntry("a", "1").hasSize(64);
  }
}
