package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query parameter names in audit events: a bare credential in the query string, or a name that
 * looks like one, is never written, in {@code queryParams} or {@code queryValues}.
 */
final class AuditQueryNamesTest {

  /** The format of the keys that {@code FileApiKeyStore} issues: 43 characters of base64url. */
  private static final String API_KEY = "q9Xk2mZ7RgT4bV8nL1wP6yH3cJ5dF0aS_eU-iO7tQrM";

  @TempDir
  Path dir;

  private AuditEvent one(String query, boolean values) {
    MemoryAuditSink sink = new MemoryAuditSink();
    Map<String, String> config = new HashMap<>(Map.of(
        "piste.audit.flush-interval", "10ms",
        "piste.audit.spool-dir", dir.toString()));
    if (values) {
      config.put("piste.audit.query-values", "true");
    }
    try (AuditHarness h = new AuditHarness(config, sink)) {
      h.serve(TestRequest.get("/v1/invoices").query(query).header("Authorization", "Bearer good"),
          AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
      Poll.until(Duration.ofSeconds(10), () -> sink.size() >= 1, () -> "no event");
    }
    assertThat(sink.events()).hasSize(1);
    return sink.events().get(0);
  }

  @Test
  void aBareApiKeyAsTheWholeQueryIsLeftOut() {
    AuditEvent e = one(API_KEY, false);
    assertThat(e.queryParams()).isEmpty();
    assertThat(e.toJson()).doesNotContain(API_KEY);
  }

  @Test
  void everyPairWithoutAnEqualsSignIsLeftOutWhateverItLooksLike() {
    AuditEvent e = one("page=2&" + API_KEY + "&pretty&abc123&utm_source=mail", true);
    assertThat(e.queryParams()).containsExactly("page", "utm_source");
    assertThat(e.queryValues()).containsOnlyKeys("page", "utm_source");
    assertThat(e.toJson()).doesNotContain(API_KEY, "pretty", "abc123");
  }

  @Test
  void aNameThatLooksLikeACredentialIsLeftOutEvenWithAnEqualsSign() {
    String hex = "9f86d081884c7d659a2feaa0c55ad015";
    String jwtHeader = "eyJhbGciOiJSUzI1NiJ9";
    String uuid = "0b7e8f3c-5a2d-4e61-9c3b-7d1f2a4e6b80";
    String lettersOnly = "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTy";
    AuditEvent e = one(API_KEY + "=&" + hex + "=1&" + jwtHeader + ".eyJzdWIiOiJhbGljZSJ9=&"
        + uuid + "=x&filter[" + API_KEY.substring(0, 20) + "]=y&" + lettersOnly + "=z&page=2", true);
    assertThat(e.queryParams()).containsExactly("page");
    assertThat(e.toJson()).doesNotContain(API_KEY.substring(0, 16), hex, jwtHeader, uuid,
        lettersOnly);
  }

  @Test
  void ordinaryNamesAreKept() {
    AuditEvent e = one("page[size]=20&utm_source=mail&filter.status=open&sort-by=date&ids[]=1"
        + "&v2=1&customer_reference=c1&includeArchivedInvoices=true", true);
    assertThat(e.queryParams()).containsExactly("page[size]", "utm_source", "filter.status",
        "sort-by", "ids[]", "v2", "customer_reference", "includeArchivedInvoices");
    assertThat(e.queryValues()).containsEntry("page[size]", "20").containsEntry("ids[]", "1");
  }
}
