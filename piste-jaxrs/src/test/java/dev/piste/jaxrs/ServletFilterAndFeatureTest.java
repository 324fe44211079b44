package dev.piste.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.annotation.RequiresScopes;
import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import dev.piste.servlet.PisteServletContextListener;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servlet filter in front of the JAX-RS feature in one application: each request is enforced,
 * rate-limited and audited once, and the resource method's scopes still hold.
 */
final class ServletFilterAndFeatureTest {

  private static final TokenFactory F = TokenFactory.using(Clock.systemUTC());

  @jakarta.ws.rs.Path("/v1/invoices")
  public static final class Invoices {
    @GET
    @Produces("text/plain")
    @RequiresScopes("invoices:read")
    public String list() {
      return "invoices";
    }

    @GET
    @jakarta.ws.rs.Path("admin")
    @Produces("text/plain")
    @RequiresScopes("invoices:admin")
    public String admin() {
      return "admin";
    }
  }

  @TempDir
  java.nio.file.Path dir;

  /** The engine (with these extra keys), the listener, the filter at /* and Jersey behind it. */
  private void serve(MemoryAuditSink sink, Map<String, String> extra, Scenario scenario)
      throws Exception {
    try (JwksServer jwks = JwksServer.start().keys(F.rsa())) {
      var config = TokenFactory.config(Clock.systemUTC(), jwks.uri())
          .property("piste.audit.flush-interval", "10ms")
          .property("piste.audit.spool-dir", dir.toString());
      extra.forEach(config::property);
      try (Piste piste = Piste.builder().config(config.build()).auditSink(sink).build().start()) {
        ResourceConfig app = new ResourceConfig(Invoices.class).register(PisteFeature.class);
        try (JettyServer server = JettyServer.servlets(ctx -> {
          ctx.addEventListener(new PisteServletContextListener(piste));
          JettyServer.filter(ctx, new PisteFilter(), "/*");
          ctx.addServlet(new ServletHolder(new ServletContainer(app)), "/*");
        })) {
          var reader = F.claims();
          reader.setClaim("scope", "invoices:read");
          scenario.run(server, "Bearer " + F.sign(reader, F.rsa(), "RS256"));
        }
      }
    }
  }

  @FunctionalInterface
  private interface Scenario {
    void run(JettyServer server, String readerToken) throws Exception;
  }

  @Test
  void eachRequestIsLimitedAndAuditedOnceAndTheMethodScopesHold() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink();
    serve(sink, Map.of("piste.ratelimit.plans.small", "4/m",
        "piste.ratelimit.default-plan", "small"), (server, token) -> {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(server.get("/v1/invoices", "Authorization", token,
            "X-Request-Id", "req-" + i).statusCode());
      }
      HttpResponse<String> admin = server.get("/v1/invoices/admin", "Authorization", token,
          "X-Request-Id", "req-admin");

      assertThat(statuses).as("a 4/m plan admits four requests, each counted once")
          .containsExactly(200, 200, 200, 200);
      assertThat(admin.statusCode()).isEqualTo(429);

      Poll.until(Duration.ofSeconds(10), () -> sink.size() >= 5, () -> sink.size() + " events");
      Thread.sleep(100);
      assertThat(sink.events()).extracting(AuditEvent::requestId)
          .containsExactlyInAnyOrder("req-0", "req-1", "req-2", "req-3", "req-admin");
    });
  }

  @Test
  void theResourceMethodsScopesHoldBehindTheServletFilter() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink();
    serve(sink, Map.of(), (server, token) -> {
      HttpResponse<String> admin = server.get("/v1/invoices/admin", "Authorization", token,
          "X-Request-Id", "req-admin");
      HttpResponse<String> anonymous = server.get("/v1/invoices", "X-Request-Id", "req-anon");

      assertThat(admin.statusCode()).isEqualTo(403);
      assertThat(admin.body()).doesNotContain("admin\n").contains("insufficient");
      assertThat(admin.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("insufficient_scope");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      Poll.until(Duration.ofSeconds(10), () -> sink.size() >= 2, () -> sink.size() + " events");
      Thread.sleep(100);
      assertThat(sink.events()).hasSize(2);
      AuditEvent denied = sink.one("req-admin");
      assertThat(denied.status()).isEqualTo(403);
      assertThat(denied.outcome()).isEqualTo("insufficient_scope");
    });
  }
}
