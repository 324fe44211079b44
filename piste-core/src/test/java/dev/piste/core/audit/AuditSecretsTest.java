package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import dev.piste.core.testing.AuditCollectorServer;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.PostgresFixture;
import dev.piste.core.testing.TestRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends every kind of secret a request can carry and greps every byte every sink wrote — the
 * slf4j log output, the JSON-lines files, the collector's request bodies, the PostgreSQL rows and
 * the spool files — for them.
 */
final class AuditSecretsTest {

  static final String BEARER = "good.eyJzdWIiOiJTRUNSRVRCRUFSRVIifQ.U0lHTkFUVVJFU0VDUkVU";
  static final String API_KEY = "pk_live_APIKEYSECRET4242";
  static final String COOKIE = "COOKIESECRET5151";
  static final String PASSWORD = "PASSWORDSECRET6161";
  static final String IBAN = "FR7630006000011234567890189";
  static final String QUERY_SECRET = "QUERYSECRET7171";
  static final String QUERY_TOKEN = "QUERYTOKEN8181";
  static final String HEADER_SECRET = "HEADERSECRET9191";
  static final List<String> SECRETS = List.of(BEARER, "U0lHTkFUVVJFU0VDUkVU", API_KEY, COOKIE,
      PASSWORD, IBAN, QUERY_SECRET, QUERY_TOKEN, HEADER_SECRET);

  @TempDir
  Path dir;

  /** Copies System.err to a buffer while the test runs. */
  static final class Tee extends OutputStream {
    final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    final PrintStream original;

    Tee(PrintStream original) {
      this.original = original;
    }

    @Override
    public synchronized void write(int b) {
      copy.write(b);
      original.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      copy.write(b, off, len);
      original.write(b, off, len);
    }
  }

  @Test
  void noSecretSentAppearsInAnyByteAnySinkWrote() throws Exception {
    PrintStream originalErr = System.err;
    Tee tee = new Tee(originalErr);
    Path files = dir.resolve("files");
    Path spool = dir.resolve("spool");
    byte[] spoolBytes;
    StringBuilder rows = new StringBuilder();
    try (AuditCollectorServer collector = new AuditCollectorServer();
        PostgresFixture pg = PostgresFixture.start()) {
      try (Connection c = pg.connect(); Statement st = c.createStatement()) {
        st.execute(JdbcAuditSink.ddl("piste_audit"));
      }
      System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
      collector.down(true);
      PisteConfig config = PisteConfig.of(Map.ofEntries(
          Map.entry("piste.audit.sinks", "slf4j, file, http, jdbc"),
          Map.entry("piste.audit.file.path", files.resolve("audit.jsonl").toString()),
          Map.entry("piste.audit.file.max-size", "8KiB"),
          Map.entry("piste.audit.http.url", collector.url().toString()),
          Map.entry("piste.audit.jdbc.url", pg.jdbcUrl()),
          Map.entry("piste.audit.jdbc.user", pg.user()),
          Map.entry("piste.audit.spool-dir", spool.toString()),
          Map.entry("piste.audit.flush-interval", "20ms"),
          Map.entry("piste.audit.query-values", "true"),
          Map.entry("piste.audit.body.enabled", "true"),
          Map.entry("piste.audit.body.content-types",
              "application/json, application/x-www-form-urlencoded"),
          Map.entry("piste.audit.redact-headers", "X-Internal-Secret")));
      int requests = 50;
      try (AuditHarness h = new AuditHarness(config)) {
        for (int i = 0; i < requests / 5; i++) {
          h.serve(TestRequest.of("POST", "/v1/invoices")
                  .query("access_token=" + QUERY_TOKEN + "&secret=" + QUERY_SECRET + "&page=" + i)
                  .header("Authorization", "Bearer " + BEARER)
                  .header("Cookie", "session=" + COOKIE)
                  .header("X-Internal-Secret", HEADER_SECRET)
                  .header("Content-Type", "application/json; charset=utf-8"),
              AuditHarness.policy("InvoiceResource.create", "/v1/invoices", "invoices:read"), null,
              "{\"amount\":12,\"password\":\"" + PASSWORD + "\",\"nested\":{\"iban\":\"" + IBAN
                  + "\"}}");
          h.serve(TestRequest.of("GET", "/v1/invoices").query("api_key=" + API_KEY)
                  .header("X-API-Key", API_KEY).header("Cookie", "a=" + COOKIE),
              AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
          h.serve(TestRequest.of("GET", "/v1/invoices").query("key=" + API_KEY)
                  .header("Authorization", "Bearer " + BEARER),
              AuditHarness.policy("InvoiceResource.delete", "/v1/invoices", "invoices:delete"),
              null);
          h.serve(TestRequest.of("POST", "/v1/login")
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Authorization", "Bearer " + BEARER),
              AuditHarness.policy("Login.post", "/v1/login"), null,
              "user=bob&password=" + PASSWORD);
          h.serve(TestRequest.of("GET", "/v1/invoices").query("token=" + QUERY_TOKEN)
                  .header("Authorization", "Bearer expired." + BEARER),
              AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
        }
        Poll.until(Duration.ofSeconds(20), () -> h.audit.stats().spooled.get() >= requests,
            () -> h.audit.stats().toString());
        spoolBytes = readAll(spool);
        collector.down(false);
        Poll.until(Duration.ofSeconds(30),
            () -> collector.distinctEvents() == requests
                && h.audit.stats().delivered.get() >= 4L * requests,
            () -> collector.distinctEvents() + " at collector; " + h.audit.stats());
      } finally {
        System.setErr(originalErr);
      }
      try (Connection c = pg.connect(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM piste_audit")) {
        ResultSetMetaData md = rs.getMetaData();
        int n = 0;
        while (rs.next()) {
          n++;
          for (int i = 1; i <= md.getColumnCount(); i++) {
            rows.append(rs.getString(i)).append('|');
          }
          rows.append('\n');
        }
        assertThat(n).isEqualTo(requests);
      }
      String log = tee.copy.toString(StandardCharsets.UTF_8);
      String fileText = new String(readAll(files), StandardCharsets.UTF_8);
      String http = new String(collector.allBodies(), StandardCharsets.UTF_8);
      String spooled = new String(spoolBytes, StandardCharsets.UTF_8);
      // the sinks did write the events, redaction markers included
      assertThat(log).contains("\"operationId\":\"InvoiceResource.create\"");
      assertThat(fileText.lines().count()).isEqualTo(requests);
      assertThat(http).contains("\\\"password\\\":\\\"***\\\"").contains("\"page\":\"0\"")
          .contains("password=***");
      assertThat(spooled).contains("InvoiceResource.create");
      assertThat(rows.toString()).contains("InvoiceResource.list");
      for (String secret : SECRETS) {
        assertThat(log).as("slf4j output").doesNotContain(secret);
        assertThat(fileText).as("JSON-lines files").doesNotContain(secret);
        assertThat(http).as("collector bodies").doesNotContain(secret);
        assertThat(rows.toString()).as("jdbc rows").doesNotContain(secret);
        assertThat(spooled).as("spool files").doesNotContain(secret);
      }
    }
  }

  private static byte[] readAll(Path root) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!Files.exists(root)) {
      return out.toByteArray();
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.writeBytes(Files.readAllBytes(p));
      }
    }
    return out.toByteArray();
  }
}
