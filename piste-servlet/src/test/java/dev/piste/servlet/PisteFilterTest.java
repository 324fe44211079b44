package dev.piste.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.Caller;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.JettyServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The servlet adapter on a real Jetty. */
final class PisteFilterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Answers 200 with the principal it sees. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Object caller = req.getAttribute(Caller.REQUEST_ATTRIBUTE);
      resp.setContentType("text/plain");
      resp.getWriter().print("ok " + (caller instanceof Caller c ? c.getName() : "none"));
    }
  }

  private static JettyServer webXmlStyle(Map<String, String> contextParams, Map<String, String> initParams)
      throws Exception {
    return JettyServer.servlets(ctx -> {
      JettyServer.initParameters(ctx, contextParams);
      JettyServer.listener(ctx, new PisteServletContextListener());
      var holder = JettyServer.filter(ctx, new PisteFilter(), "/*");
      initParams.forEach(holder::setInitParameter);
      JettyServer.servlet(ctx, new EchoServlet(), "/*");
    });
  }

  @Test
  void engineKeysGivenAsFilterInitParamsNextToTheListenerAreReportedAsIgnored() throws Exception {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try (JettyServer server = webXmlStyle(Map.of("piste.api.id", "invoices"),
        Map.of("piste.token.public-paths", "/v1/status", "piste.enabled", "false"))) {
      // the engine is the listener's: enforcement stays on
      assertThat(server.get("/v1/invoices").statusCode()).isEqualTo(401);
      assertThat(server.get("/v1/status").statusCode()).isEqualTo(200);
    } finally {
      System.setErr(err);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("filter init-param piste.enabled is ignored")
        .doesNotContain("init-param piste.token.public-paths is ignored");
  }

  @Test
  void protectedPathWithoutCredentialIs401ProblemJsonWithBearerChallenge() throws Exception {
    try (JettyServer server = webXmlStyle(Map.of("piste.api.id", "invoices"),
        Map.of("piste.token.public-paths", "/v1/status"))) {
      HttpResponse<String> r = server.get("/v1/invoices");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"invoices\"");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("status").asInt()).isEqualTo(401);
      assertThat(body.get("type").asText()).endsWith("/missing-credential");
      assertThat(body.get("instance").asText())
          .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }
  }

  @Test
  void aDenialThatLeavesTheRequestBodyUnreadClosesTheConnection() throws Exception {
    try (JettyServer server = webXmlStyle(Map.of("piste.api.id", "invoices"),
        Map.of("piste.token.public-paths", "/v1/status"))) {
      for (int i = 0; i < 3; i++) {
        // each answered on a connection of its own: none is sent where a body is still unread
        HttpResponse<String> posted = server.send("POST", "/v1/invoices", "{\"amountCents\":" + i + "}",
            "Content-Type", "application/json");
        assertThat(posted.statusCode()).isEqualTo(401);
        assertThat(posted.headers().firstValue("Connection")).hasValue("close");
      }
      assertThat(server.get("/v1/invoices").headers().firstValue("Connection")).isEmpty();
    }
  }

  /** Jetty's {@code getContentType()} throws for such a charset; the filter never calls it. */
  @Test
  void aRequestWhoseContentTypeNamesAnUnknownCharsetReachesTheApplication() throws Exception {
    try (JettyServer server = webXmlStyle(Map.of(), Map.of("piste.token.public-paths", "/v1/status"))) {
      HttpResponse<String> r = server.send("POST", "/v1/status", "hello",
          "Content-Type", "text/plain; charset=x-no-such-charset");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok anonymous");
    }
  }

  @Test
  void anExactPublicPathDoesNotOpenTheServletThatServesItWithATrailingSlash() throws Exception {
    try (JettyServer server = JettyServer.servlets(ctx -> {
      JettyServer.listener(ctx, new PisteServletContextListener());
      JettyServer.filter(ctx, new PisteFilter(), "/*")
          .setInitParameter("piste.token.public-paths", "/health, /docs/*");
      JettyServer.servlet(ctx, new EchoServlet(), "/health");
      // another servlet: the details behind /health/ are not public
      JettyServer.servlet(ctx, new EchoServlet(), "/health/*");
      JettyServer.servlet(ctx, new EchoServlet(), "/*");
    })) {
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
      for (String path : List.of("/health/", "/health/.", "/health/x/..", "/health/details")) {
        assertThat(server.get(path).statusCode()).as(path).isEqualTo(401);
      }
      assertThat(server.get("/docs/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aStreamingServletSeesTheClientLeaveThroughCheckError() throws Exception {
    java.util.concurrent.CompletableFuture<Integer> detected = new java.util.concurrent.CompletableFuture<>();
    try (JettyServer server = JettyServer.servlets(ctx -> {
      JettyServer.listener(ctx, new PisteServletContextListener());
      JettyServer.filter(ctx, new PisteFilter(), "/*")
          .setInitParameter("piste.token.public-paths", "/events");
      JettyServer.servlet(ctx, new HttpServlet() {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
          resp.setContentType("text/event-stream");
          java.io.PrintWriter w = resp.getWriter();
          long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
          for (int i = 1; System.nanoTime() < end; i++) {
            w.print("data: " + i + "\n\n");
            w.flush();
            if (w.checkError()) {
              detected.complete(i);
              return;
            }
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              return;
            }
          }
          detected.complete(-1);
        }
      }, "/events");
    })) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
        s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().read(new byte[64])).isPositive();
        s.setSoLinger(true, 0); // a reset, as a client that goes away
      }
      assertThat(detected.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .as("writes before the servlet saw the client leave").isPositive();
    }
  }

  @Test
  void publicPathReachesTheApplicationAsAnonymousAndEchoesTheRequestId() throws Exception {
    try (JettyServer server = webXmlStyle(Map.of(), Map.of("piste.token.public-paths", "/v1/status"))) {
      HttpResponse<String> r = server.get("/v1/status", "X-Request-Id", "req-42");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok anonymous");
      assertThat(r.headers().firstValue("X-Request-Id")).hasValue("req-42");
    }
  }

  @Test
  void theListenerSharesOneEngineWithTheFilter() throws Exception {
    PisteServletContextListener listener = new PisteServletContextListener();
    Object[] seen = new Object[1];
    try (JettyServer server = JettyServer.servlets(ctx -> {
      JettyServer.listener(ctx, listener);
      JettyServer.filter(ctx, new PisteFilter(), "/*");
      JettyServer.servlet(ctx, new HttpServlet() {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
          seen[0] = req.getServletContext().getAttribute(Piste.CONTEXT_ATTRIBUTE);
        }
      }, "/*");
      ctx.setInitParameter("piste.token.public-paths", "/*");
    })) {
      assertThat(server.get("/anything").statusCode()).isEqualTo(200);
      assertThat(seen[0]).isInstanceOf(Piste.class);
    }
  }

  @Test
  void disabledEngineIsAPassThrough() throws Exception {
    try (JettyServer server = webXmlStyle(Map.of("piste.enabled", "false"), Map.of())) {
      HttpResponse<String> r = server.get("/v1/invoices");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok none");
      assertThat(r.headers().firstValue("X-Request-Id")).isEmpty();
    }
  }

  @Test
  void aFilterGivenAnEngineInCodeUsesIt() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of("piste.token.public-paths", "/open/*",
        "piste.token.realm", "coded")));
        JettyServer server = JettyServer.filtered(new PisteFilter(piste), new EchoServlet())) {
      assertThat(server.get("/open/x").statusCode()).isEqualTo(200);
      assertThat(server.get("/closed").headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"coded\"");
    }
  }
}
