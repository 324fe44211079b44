package dev.piste.jaxrs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.annotation.NoAudit;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.TokenFactory;
import dev.piste.jaxrs.PisteFeature;
import dev.piste.servlet.PisteServletContextListener;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Through the JAX-RS feature on real Jersey and Jetty, each outcome produces exactly one audit event. */
final class JaxrsAuditTest {

  private static final long SLOW_WRITE_MILLIS = 500;

  @TempDir
  java.nio.file.Path spool;

  /** Keeps every event. */
  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Path("{id}")
    @Produces("text/plain")
    public String get(@PathParam("id") String id) {
      return "invoice " + id;
    }

    @GET
    @Path("admin")
    @RequiresScopes("admin")
    public String admin() {
      return "admin";
    }

    @GET
    @Path("limited")
    @RateLimit("1/m")
    public String limited() {
      return "limited";
    }

    @POST
    @Path("pay")
    @Consumes("application/json")
    public String pay(String body) {
      return "paid " + body.length();
    }

    @GET
    @Path("slow")
    @Produces("text/plain")
    public StreamingOutput slow() {
      return out -> {
        out.write("first half, ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try {
          Thread.sleep(SLOW_WRITE_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        out.write("second half".getBytes(StandardCharsets.US_ASCII));
      };
    }

    @GET
    @Path("later")
    @Produces("text/plain")
    public void later(@Suspended AsyncResponse response) {
      CompletableFuture.delayedExecutor(SLOW_WRITE_MILLIS, TimeUnit.MILLISECONDS)
          .execute(() -> response.resume("resumed"));
    }

    @GET
    @Path("never")
    @Produces("text/plain")
    public void never(@Suspended AsyncResponse response) {
      response.setTimeout(100, TimeUnit.MILLISECONDS);
    }

    @GET
    @Path("unwritable")
    @Produces("application/json")
    public Unwritable unwritable() {
      return new Unwritable();
    }

    @GET
    @Path("broken")
    @Produces("text/plain")
    public StreamingOutput broken() {
      return out -> {
        throw new IllegalStateException("the entity cannot be written");
      };
    }

    @GET
    @Path("boom")
    public String boom() {
      throw new IllegalStateException("boom with details that must not be audited");
    }
  }

  /** No message body writer in this application can write it. */
  public static final class Unwritable {}

  @Path("/health")
  @Public
  public static final class HealthResource {
    @GET
    @NoAudit
    public String health() {
      return "up";
    }
  }

  /** Jersey in a servlet container: the feature alone, or with the listener (which then records). */
  static JettyServer serve(ResourceConfig app, Piste piste, boolean withListener)
      throws Exception {
    if (!withListener) {
      return JettyServer.serving(new ServletContainer(app));
    }
    return JettyServer.servlets(ctx -> {
      ctx.addEventListener(new PisteServletContextListener(piste));
      ctx.addServlet(new ServletHolder(new ServletContainer(app)), "/*");
    });
  }

  @ParameterizedTest(name = "servlet listener: {0}")
  @ValueSource(booleans = {false, true})
  void eachOutcomeOnRealJerseyProducesExactlyOneEventWithItsFields(boolean withListener)
      throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.api.id", "invoices")
              .property("piste.api.version", "2")
              .property("piste.audit.spool-dir", spool.toString())
              .property("piste.audit.flush-interval", "10ms")
              .property("piste.audit.body.enabled", "true")
              .build())
          .auditSink(events).build().start();
      String token = tokens.valid();
      ResourceConfig app = new ResourceConfig(InvoiceResource.class, HealthResource.class)
          .register(new PisteFeature(piste));
      try (JettyServer server = serve(app, piste, withListener)) {
        assertThat(server.get("/v1/invoices/42", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-200").statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/invoices/42", "X-Request-Id", "r-401").statusCode())
            .isEqualTo(401);
        assertThat(server.get("/v1/invoices/admin", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-403").statusCode()).isEqualTo(403);
        assertThat(server.get("/v1/invoices/limited", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-429a").statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/invoices/limited", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-429").statusCode()).isEqualTo(429);
        assertThat(server.get("/v1/invoices/boom", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-500").statusCode()).isEqualTo(500);
        assertThat(server.get("/health", "X-Request-Id", "r-health").statusCode())
            .isEqualTo(200);
        assertThat(server.send("POST", "/v1/invoices/pay",
            "{\"amount\":5,\"password\":\"PASSWORDSECRET6161\"}", "Authorization",
            "Bearer " + token, "Content-Type", "application/json", "X-Request-Id", "r-body")
            .statusCode()).isEqualTo(200);
      } finally {
        piste.close();
      }
    }
    AuditEvent ok = events.one("r-200");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.outcome()).isEqualTo("allowed");
    assertThat(ok.applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(ok.authMethod()).isEqualTo("jwt");
    assertThat(ok.apiVersion()).isEqualTo("2");
    assertThat(ok.operationId()).contains("InvoiceResource");
    assertThat(ok.pathTemplate()).isEqualTo("/v1/invoices/{id}");
    assertThat(ok.path()).isEqualTo("/v1/invoices/42");

    assertThat(events.one("r-401").outcome()).isEqualTo("missing_credential");
    AuditEvent scope = events.one("r-403");
    assertThat(scope.status()).isEqualTo(403);
    assertThat(scope.outcome()).isEqualTo("insufficient_scope");
    assertThat(events.one("r-429a").status()).isEqualTo(200);
    AuditEvent limited = events.one("r-429");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.outcome()).isEqualTo("rate_limited");
    AuditEvent boom = events.one("r-500");
    assertThat(boom.status()).isEqualTo(500);
    assertThat(boom.outcome()).isEqualTo("error");
    assertThat(boom.toJson()).doesNotContain("must not be audited");
    assertThat(events.withRequestId("r-health")).as("@NoAudit").isEmpty();
    AuditEvent body = events.one("r-body");
    assertThat(body.requestBody()).isEqualTo("{\"amount\":5,\"password\":\"***\"}");
    assertThat(body.toJson()).doesNotContain("PASSWORDSECRET6161");
    assertThat(events.size()).isEqualTo(7);
  }

  /** What a test sends to one server. */
  private interface Requests {
    void send(JettyServer server, String bearer, String suffix) throws Exception;
  }

  /**
   * Serves {@link InvoiceResource} with one engine twice, without then with the servlet listener,
   * sends each the {@code requests} (request ids ending in {@code -false} and {@code -true}) after
   * a warm-up request (the key set fetched, the verifier's code run), and returns the events.
   */
  private MemoryAuditSink bothWays(Requests requests) throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.audit.spool-dir", spool.toString())
              .property("piste.audit.flush-interval", "10ms")
              .build())
          .auditSink(events).build().start();
      String bearer = "Bearer " + tokens.valid();
      try {
        for (boolean withListener : new boolean[] {false, true}) {
          ResourceConfig app = new ResourceConfig(InvoiceResource.class)
              .register(new PisteFeature(piste));
          try (JettyServer server = serve(app, piste, withListener)) {
            assertThat(server.get("/v1/invoices/42", "Authorization", bearer).statusCode())
                .isEqualTo(200);
            requests.send(server, bearer, "-" + withListener);
          }
        }
      } finally {
        piste.close();
      }
    }
    return events;
  }

  @Test
  void underTheServletListenerTheEventIsRecordedOnceTheResponseIsWritten() throws Exception {
    MemoryAuditSink events = bothWays((server, bearer, suffix) -> {
      HttpResponse<String> r = server.get("/v1/invoices/slow", "Authorization", bearer,
          "X-Request-Id", "slow" + suffix);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("first half, second half");
    });
    // the response filter runs before the entity is written: without the listener the event is
    // recorded then; with it, at requestDestroyed, after the slow write
    assertThat(events.one("slow-false").durationMicros()).isLessThan(SLOW_WRITE_MILLIS * 1000);
    assertThat(events.one("slow-true").durationMicros())
        .isGreaterThanOrEqualTo(SLOW_WRITE_MILLIS * 1000);
    assertThat(events.one("slow-true").status()).isEqualTo(200);
    assertThat(events.size()).as("two warm-up requests and two slow ones").isEqualTo(4);
  }

  @Test
  void anAsynchronousResourceProducesOneEventWhenItIsResumedOrTimesOut() throws Exception {
    MemoryAuditSink events = bothWays((server, bearer, suffix) -> {
      HttpResponse<String> r = server.get("/v1/invoices/later", "Authorization", bearer,
          "X-Request-Id", "later" + suffix);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("resumed");
      assertThat(server.get("/v1/invoices/never", "Authorization", bearer,
          "X-Request-Id", "never" + suffix).statusCode()).isEqualTo(503);
    });
    for (String id : new String[] {"later-false", "later-true"}) {
      AuditEvent e = events.one(id);
      assertThat(e.status()).as(id).isEqualTo(200);
      assertThat(e.outcome()).as(id).isEqualTo("allowed");
      assertThat(e.durationMicros()).as(id).isGreaterThanOrEqualTo(SLOW_WRITE_MILLIS * 1000);
    }
    for (String id : new String[] {"never-false", "never-true"}) {
      AuditEvent e = events.one(id);
      assertThat(e.status()).as(id).isEqualTo(503);
      assertThat(e.durationMicros()).as(id).isGreaterThanOrEqualTo(100_000);
    }
    assertThat(events.size()).as("two warm-up requests and four asynchronous ones").isEqualTo(6);
  }

  @Test
  void underTheServletListenerAResponseThatFailsToBeWrittenIsAuditedAsWhatTheClientGets()
      throws Exception {
    MemoryAuditSink events = bothWays((server, bearer, suffix) -> {
      for (String path : new String[] {"unwritable", "broken"}) {
        assertThat(server.get("/v1/invoices/" + path, "Authorization", bearer,
            "X-Request-Id", path + suffix).statusCode()).as(path).isEqualTo(500);
      }
    });
    for (String id : new String[] {"unwritable-true", "broken-true"}) {
      AuditEvent e = events.one(id);
      assertThat(e.status()).as(id).isEqualTo(500);
      assertThat(e.outcome()).as(id).isEqualTo("error");
    }
    assertThat(events.one("unwritable-true").reason()).isEqualTo("MessageBodyProviderNotFoundException");
    assertThat(events.one("broken-true").reason()).isEqualTo("IllegalStateException");
    // without the listener the event is recorded by the response filter, before the entity is
    // written (see the README): one event each all the same
    assertThat(events.size()).as("two warm-up requests and four failed writes").isEqualTo(6);
  }
}
