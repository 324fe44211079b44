package dev.piste.servlet.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Through the servlet filter on a real Jetty, each outcome produces exactly one audit event. */
final class ServletAuditTest {

  @TempDir
  Path spool;

  /** 200 with a 5-byte body (after reading the request body); /v1/boom throws. */
  static final class App extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getRequestURI().endsWith("/boom")) {
        throw new IllegalStateException("boom with details that must not be audited");
      }
      if (req.getRequestURI().endsWith("/notes")) {
        // the text as the application reads it, in the request's charset
        String text;
        try {
          text = req.getReader().lines().collect(java.util.stream.Collectors.joining("\n"));
        } catch (java.io.UnsupportedEncodingException e) {
          resp.sendError(415);
          return;
        }
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().print(text);
        return;
      }
      if (req.getRequestURI().endsWith("/reset")) {
        // an application that starts its answer over
        resp.setHeader("X-Discarded", "yes");
        resp.getWriter().print("a first answer, discarded");
        resp.reset();
        resp.setContentType("text/plain");
        resp.getWriter().print("ok");
        return;
      }
      req.getInputStream().readAllBytes();
      resp.setContentType("text/plain");
      resp.getWriter().print("hello");
    }
  }

  @Test
  void eachOutcomeOnRealJettyProducesExactlyOneEventWithItsFields() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.api.id", "invoices")
              .property("piste.token.scope-rules", "GET /v1/admin/* admin")
              .property("piste.ratelimit.rules", "GET /v1/limited 1/m")
              .property("piste.audit.spool-dir", spool.toString())
              .property("piste.audit.flush-interval", "10ms")
              .build())
          .auditSink(events).build().start();
      String token = tokens.valid();
      try (JettyServer server = JettyServer.filtered(new PisteFilter(piste), new App())) {
        assertThat(server.get("/v1/invoices?page=2", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-200").statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/invoices", "X-Request-Id", "r-401").statusCode())
            .isEqualTo(401);
        assertThat(server.get("/v1/admin/users", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-403").statusCode()).isEqualTo(403);
        assertThat(server.get("/v1/limited", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-429a").statusCode()).isEqualTo(200);
        HttpResponse<String> limited = server.get("/v1/limited", "Authorization",
            "Bearer " + token, "X-Request-Id", "r-429");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(server.get("/v1/boom", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-500").statusCode()).isEqualTo(500);
        HttpResponse<String> reset = server.get("/v1/reset", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-reset");
        assertThat(reset.body()).isEqualTo("ok");
        assertThat(reset.headers().firstValue("X-Discarded")).isEmpty();
        assertThat(reset.headers().firstValue("X-Request-Id")).as("kept through reset()")
            .hasValue("r-reset");
      } finally {
        piste.close();
      }
    }
    AuditEvent ok = events.one("r-200");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.outcome()).isEqualTo("allowed");
    assertThat(ok.applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(ok.authMethod()).isEqualTo("jwt");
    assertThat(ok.apiId()).isEqualTo("invoices");
    assertThat(ok.method()).isEqualTo("GET");
    assertThat(ok.path()).isEqualTo("/v1/invoices");
    assertThat(ok.queryParams()).containsExactly("page");
    assertThat(ok.clientIp()).isEqualTo("127.0.0.1");
    assertThat(ok.instanceId()).isNotBlank();
    assertThat(ok.responseBytes()).isEqualTo(5L);

    AuditEvent missing = events.one("r-401");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.outcome()).isEqualTo("missing_credential");
    assertThat(missing.responseBytes()).isPositive();

    AuditEvent scope = events.one("r-403");
    assertThat(scope.status()).isEqualTo(403);
    assertThat(scope.outcome()).isEqualTo("insufficient_scope");
    assertThat(scope.pathTemplate()).isEqualTo("/v1/admin/*");

    assertThat(events.one("r-429a").rateLimitRemaining()).isZero();
    AuditEvent limited = events.one("r-429");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.outcome()).isEqualTo("rate_limited");

    assertThat(events.one("r-reset").responseBytes()).as("only what was sent").isEqualTo(2L);

    AuditEvent boom = events.one("r-500");
    assertThat(boom.status()).isEqualTo(500);
    assertThat(boom.outcome()).isEqualTo("error");
    assertThat(boom.toJson()).doesNotContain("must not be audited");
  }

  @Test
  void secretsSentToRealJettyAppearInNoByteTheSinksWrote() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    Path file = spool.resolve("files").resolve("audit.jsonl");
    String token = tokens.valid();
    String password = "PASSWORDSECRET6161";
    String apiKey = "APIKEYSECRET4242";
    String cookie = "COOKIESECRET5151";
    String querySecret = "QUERYSECRET7171";
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.audit.sinks", "file")
              .property("piste.audit.file.path", file.toString())
              .property("piste.audit.spool-dir", spool.resolve("spool").toString())
              .property("piste.audit.flush-interval", "10ms")
              .property("piste.audit.query-values", "true")
              .property("piste.audit.body.enabled", "true")
              .build())
          .auditSink(events).build().start();
      try (JettyServer server = JettyServer.filtered(new PisteFilter(piste), new App())) {
        assertThat(server.send("POST", "/v1/invoices?secret=" + querySecret + "&page=1",
            "{\"amount\":5,\"password\":\"" + password + "\"}",
            "Authorization", "Bearer " + token, "Content-Type", "application/json",
            "Cookie", "session=" + cookie, "X-Request-Id", "r-secret")
            .statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/invoices?access_token=" + token, "X-API-Key", apiKey,
            "Cookie", "session=" + cookie, "X-Request-Id", "r-secret-2").statusCode())
            .isIn(400, 401);
      } finally {
        piste.close();
      }
    }
    AuditEvent e = events.one("r-secret");
    assertThat(e.requestBody()).isEqualTo("{\"amount\":5,\"password\":\"***\"}");
    assertThat(e.queryValues()).containsEntry("page", "1").doesNotContainKey("secret");
    assertThat(e.requestBytes()).isPositive();
    String written = java.nio.file.Files.readString(file) + events.events();
    assertThat(written).contains("r-secret-2");
    for (String secret : List.of(token, token.substring(token.lastIndexOf('.') + 1), password,
        apiKey, cookie, querySecret)) {
      assertThat(written).doesNotContain(secret);
    }
  }

  @Test
  void aTextBodyInUtf16IsReadByTheApplicationAndRedactedInTheEventAnUnknownCharsetIsRefusedAsWithoutTheFilter()
      throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    String body = "{\"note\":\"caf\u00e9\",\"password\":\"PASSWORDSECRET8181\"}";
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.audit.spool-dir", spool.toString())
              .property("piste.audit.flush-interval", "10ms")
              .property("piste.audit.body.enabled", "true")
              .property("piste.audit.body.content-types", "text/plain")
              .build())
          .auditSink(events).build().start();
      String token = tokens.valid();
      try (JettyServer server = JettyServer.filtered(new PisteFilter(piste), new App())) {
        HttpResponse<String> read = post(server, "r-utf16", body.getBytes(StandardCharsets.UTF_16),
            "text/plain; charset=UTF-16", token);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).as("what the application read").isEqualTo(body);
        HttpResponse<String> unknown = post(server, "r-unknown",
            body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=x-no-such-charset", token);
        assertThat(unknown.statusCode()).as("as the container answers getReader() alone")
            .isEqualTo(415);
      } finally {
        piste.close();
      }
    }
    assertThat(events.one("r-utf16").requestBody())
        .isEqualTo("{\"note\":\"caf\u00e9\",\"password\":\"***\"}");
    assertThat(events.one("r-unknown").requestBody()).as("not readable: not written").isNull();
    assertThat(events.events().toString()).doesNotContain("PASSWORDSECRET8181");
  }

  private static HttpResponse<String> post(JettyServer server, String requestId, byte[] body,
      String contentType, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/v1/notes"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", contentType).header("Authorization", "Bearer " + token)
        .header("X-Request-Id", requestId).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
