package dev.piste.jaxrs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.annotation.RequiresScopes;
import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.TokenFactory;
import dev.piste.jaxrs.PisteFeature;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request that no resource method matches (routing's 404 or 405) needs a credential, is
 * rate-limited and is audited, as a servlet path that no rule makes public; the answers of the
 * application and of its pre-matching filters are left alone.
 */
final class UnmatchedRequestsTest {

  @TempDir
  java.nio.file.Path spool;

  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Path("{id}")
    @Produces("text/plain")
    public String get(@PathParam("id") String id) {
      if (id.equals("missing")) {
        throw new NotFoundException();
      }
      return "invoice " + id;
    }

    @POST
    @Consumes("application/json")
    public String create(String body) {
      return "created";
    }
  }

  @Path("/v1/status")
  @dev.piste.annotation.Public
  public static final class StatusResource {
    @GET
    @Produces("text/plain")
    public String status() {
      return "up";
    }
  }

  /** Refuses a request without a tenant itself, after matching and before the library. */
  @jakarta.annotation.Priority(100)
  public static final class Tenants implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      if (request.getUriInfo().getPath().endsWith("tenantless")) {
        request.abortWith(Response.status(404).entity("no tenant").type("text/plain").build());
      }
    }
  }

  /** A sub-resource locator. */
  @Path("/v1/folders")
  @RequiresScopes("invoices:read")
  public static final class FolderResource {
    @Path("{id}")
    public Folder folder(@PathParam("id") String id) {
      return new Folder();
    }
  }

  /** The sub-resource. */
  public static final class Folder {
    @GET
    @Produces("text/plain")
    public String get() {
      return "folder";
    }
  }

  /** Answers a retired path itself, before matching. */
  @PreMatching
  @jakarta.annotation.Priority(10)
  public static final class Retired implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      if (request.getUriInfo().getPath().equals("gone")) {
        request.abortWith(Response.status(404).entity("gone for good").type("text/plain").build());
      }
    }
  }

  /** Answers CORS preflights before any resource matching, as the README advises. */
  @PreMatching
  public static final class Preflight implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      if (request.getMethod().equals("OPTIONS")
          && request.getHeaderString("Access-Control-Request-Method") != null) {
        request.abortWith(Response.noContent().header("Access-Control-Allow-Origin", "*").build());
      }
    }
  }

  @ParameterizedTest(name = "servlet listener: {0}")
  @ValueSource(booleans = {false, true})
  void unmatchedRequestsNeedACredentialAndAreAuditedOnce(boolean withListener) throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    MemoryAuditSink events = new MemoryAuditSink();
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
              .property("piste.api.id", "invoices")
              .property("piste.ratelimit.plans.scan", "4/m")
              .property("piste.ratelimit.default-plan", "scan")
              .property("piste.audit.spool-dir", spool.toString())
              .property("piste.audit.flush-interval", "10ms")
              .build())
          .auditSink(events).build().start();
      String bearer = "Bearer " + tokens.valid();
      ResourceConfig app = new ResourceConfig(InvoiceResource.class, FolderResource.class,
          StatusResource.class, Preflight.class, Retired.class, Tenants.class)
          .register(new PisteFeature(piste));
      try (JettyServer server = JaxrsAuditTest.serve(app, piste, withListener)) {
        HttpResponse<String> anonymous = server.get("/wp-login.php", "X-Request-Id", "anon-404");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate"))
            .containsExactly("Bearer realm=\"invoices\"");
        assertThat(anonymous.headers().firstValue("Content-Type"))
            .hasValue("application/problem+json");
        assertThat(anonymous.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(anonymous.headers().firstValue("X-Request-Id")).hasValue("anon-404");
        assertThat(anonymous.body()).contains("\"status\":401").contains("anon-404");

        HttpResponse<String> badToken = server.get("/admin", "Authorization", "Bearer x.y.z",
            "X-Request-Id", "bad-404");
        assertThat(badToken.statusCode()).isEqualTo(401);
        assertThat(badToken.headers().firstValue("WWW-Authenticate").orElseThrow())
            .contains("error=\"invalid_token\"");

        // a protected path with another method: a 405 would tell anyone that the path exists
        HttpResponse<String> anonymousMethod = server.send("DELETE", "/v1/invoices/42", null,
            "X-Request-Id", "anon-405");
        assertThat(anonymousMethod.statusCode()).isEqualTo(401);
        assertThat(anonymousMethod.headers().firstValue("Allow")).isEmpty();

        // a public path with another method: routing's answer stays
        HttpResponse<String> publicMethod = server.send("DELETE", "/v1/status", null,
            "X-Request-Id", "public-405");
        assertThat(publicMethod.statusCode()).isEqualTo(405);
        assertThat(publicMethod.headers().firstValue("Allow").orElseThrow()).contains("GET");

        // a global filter's own 404, after matching, is the application's
        HttpResponse<String> tenantless = server.get("/v1/invoices/tenantless",
            "X-Request-Id", "tenantless");
        assertThat(tenantless.statusCode()).isEqualTo(404);
        assertThat(tenantless.body()).isEqualTo("no tenant");

        // behind a sub-resource locator, a path no method serves needs a credential too
        HttpResponse<String> behindLocator = server.get("/v1/folders/7/nope",
            "X-Request-Id", "anon-locator");
        assertThat(behindLocator.statusCode()).isEqualTo(401);

        // a pre-matching filter's own 404 is the application's
        HttpResponse<String> gone = server.get("/gone", "X-Request-Id", "gone");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo("gone for good");

        HttpResponse<String> anonymousType = server.send("POST", "/v1/invoices", "x",
            "Content-Type", "text/plain", "X-Request-Id", "anon-415");
        assertThat(anonymousType.statusCode()).isEqualTo(401);

        HttpResponse<String> notFound = server.get("/nope", "Authorization", bearer,
            "X-Request-Id", "auth-404");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue("X-Request-Id")).hasValue("auth-404");
        assertThat(notFound.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"scan-m\";r=3;");

        HttpResponse<String> method = server.send("DELETE", "/v1/invoices/42", null,
            "Authorization", bearer, "X-Request-Id", "auth-405");
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(method.headers().firstValue("Allow").orElseThrow()).contains("GET");

        // Jersey's generated OPTIONS answer is an operation of its own
        HttpResponse<String> options = server.send("OPTIONS", "/v1/invoices/42", null,
            "Authorization", bearer, "X-Request-Id", "options");
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("Allow").orElseThrow()).contains("GET");

        // the application's own 404 belongs to its operation, audited once
        HttpResponse<String> own = server.get("/v1/invoices/missing", "Authorization", bearer,
            "X-Request-Id", "own-404");
        assertThat(own.statusCode()).isEqualTo(404);

        // the plan counts scans too: the fifth request of the minute is refused
        HttpResponse<String> limited = server.get("/nope", "Authorization", bearer,
            "X-Request-Id", "auth-429");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();

        // a pre-matching filter's answer is the application's: not enforced, not audited
        HttpResponse<String> preflight = server.send("OPTIONS", "/v1/invoices/42", null,
            "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
            "X-Request-Id", "preflight");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
      } finally {
        piste.close();
      }
    }
    AuditEvent anon = events.one("anon-404");
    assertThat(anon.operationId()).isEqualTo("unmatched");
    assertThat(anon.pathTemplate()).isNull();
    assertThat(anon.path()).isEqualTo("/wp-login.php");
    assertThat(anon.status()).isEqualTo(401);
    assertThat(anon.outcome()).isEqualTo("missing_credential");
    assertThat(events.one("bad-404").outcome()).isEqualTo("invalid_token");
    AuditEvent anonymousMethod = events.one("anon-405");
    assertThat(anonymousMethod.method()).isEqualTo("DELETE");
    assertThat(anonymousMethod.outcome()).isEqualTo("missing_credential");
    assertThat(anonymousMethod.operationId()).isEqualTo("unmatched");
    AuditEvent publicMethod = events.one("public-405");
    assertThat(publicMethod.status()).isEqualTo(405);
    assertThat(publicMethod.outcome()).isEqualTo("allowed");
    assertThat(events.one("anon-415").outcome()).isEqualTo("missing_credential");
    assertThat(events.withRequestId("tenantless")).isEmpty();
    AuditEvent locator = events.one("anon-locator");
    assertThat(locator.outcome()).isEqualTo("missing_credential");
    assertThat(locator.operationId()).isEqualTo("unmatched");
    assertThat(events.withRequestId("gone")).isEmpty();

    AuditEvent found = events.one("auth-404");
    assertThat(found.status()).isEqualTo(404);
    assertThat(found.outcome()).isEqualTo("allowed");
    assertThat(found.applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(found.operationId()).isEqualTo("unmatched");
    AuditEvent wrongMethod = events.one("auth-405");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.outcome()).isEqualTo("allowed");
    assertThat(events.one("auth-429").outcome()).isEqualTo("rate_limited");

    AuditEvent own = events.one("own-404");
    assertThat(own.operationId()).isEqualTo("InvoiceResource.get");
    assertThat(own.status()).isEqualTo(404);
    AuditEvent generated = events.one("options");
    assertThat(generated.operationId()).isEqualTo("OPTIONS");
    assertThat(generated.pathTemplate()).isNull();
    assertThat(generated.path()).isEqualTo("/v1/invoices/42");
    assertThat(events.withRequestId("preflight")).isEmpty();
    assertThat(events.size()).isEqualTo(11);
  }

  @org.junit.jupiter.api.Test
  void jerseyAsAFilterStillHandsItsNotFoundDownTheChain() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa());
        Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
            .property("piste.audit.spool-dir", spool.toString()).build()).build().start()) {
      ResourceConfig app = new ResourceConfig(InvoiceResource.class)
          .property("jersey.config.servlet.filter.forwardOn404", true)
          .register(new PisteFeature(piste));
      try (JettyServer server = JettyServer.servlets(ctx -> {
        ctx.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(new ServletContainer(app)),
            "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        ctx.addServlet(new ServletHolder(new jakarta.servlet.http.HttpServlet() {
          private static final long serialVersionUID = 1L;

          @Override
          protected void doGet(jakarta.servlet.http.HttpServletRequest req,
              jakarta.servlet.http.HttpServletResponse resp) throws java.io.IOException {
            resp.setContentType("text/html");
            resp.getWriter().print("<p>static</p>");
          }
        }), "/*");
      })) {
        HttpResponse<String> page = server.get("/index.html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("<p>static</p>");
        assertThat(server.get("/v1/invoices/42").statusCode()).as("the API is still enforced")
            .isEqualTo(401);
      }
    }
  }
}
