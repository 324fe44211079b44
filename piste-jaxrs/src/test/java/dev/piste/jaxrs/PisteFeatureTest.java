package dev.piste.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.annotation.NoAudit;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.JettyServer;
import dev.piste.servlet.PisteServletContextListener;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import java.net.http.HttpResponse;
import java.util.Map;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** The JAX-RS adapter on real Jersey on a real Jetty. */
final class PisteFeatureTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Produces("text/plain")
    public String list(@Context SecurityContext security) {
      return "list " + (security.getUserPrincipal() == null ? "none" : security.getUserPrincipal().getName());
    }

    @GET
    @Path("{id}")
    @Produces("text/plain")
    public String get(@PathParam("id") String id) {
      return id;
    }

    @POST
    @RequiresScopes("invoices:write")
    @RateLimit("5/s")
    public String create() {
      return "created";
    }
  }

  @Path("/v1/status")
  @Public
  public static final class StatusResource {
    @GET
    @Produces("text/plain")
    @NoAudit
    public String status() {
      return "up";
    }
  }

  @Path("/bad")
  public static final class BadResource {
    @GET
    @Public
    @RequiresScopes("x")
    public String both() {
      return "";
    }
  }

  @Path("/bad-limit")
  public static final class BadLimitResource {
    @GET
    @RateLimit("5 per second")
    public String limited() {
      return "";
    }

    @GET
    @Path("costly")
    @RateLimit(value = "2/s; 100/day", cost = 5)
    public String costly() {
      return "";
    }
  }

  private static JettyServer jersey(Piste piste, Class<?>... resources) throws Exception {
    ResourceConfig app = new ResourceConfig(resources).register(new PisteFeature(piste));
    return JettyServer.serving(new ServletContainer(app));
  }

  @Test
  void protectedMethodWithoutCredentialIs401ProblemJson() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of("piste.api.id", "invoices")));
        JettyServer server = jersey(piste, InvoiceResource.class, StatusResource.class)) {
      HttpResponse<String> r = server.get("/v1/invoices/42");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"invoices\"");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("status").asInt()).isEqualTo(401);
      assertThat(body.get("title").asText()).isEqualTo("Unauthorized");
      assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    }
  }

  @Test
  void anApiIdThatCannotBeQuotedIsNoRealm() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of("piste.api.id", "in\"voices")));
        JettyServer server = jersey(piste, InvoiceResource.class)) {
      assertThat(server.get("/v1/invoices/42").headers().allValues("WWW-Authenticate"))
          .containsExactly("Bearer realm=\"piste\"");
    }
  }

  @Test
  void servletAndJaxrsWriteTheSameProblemBody() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of("piste.api.id", "invoices")));
        JettyServer server = jersey(piste, InvoiceResource.class)) {
      HttpResponse<String> r = server.get("/v1/invoices", "X-Request-Id", "same-id");
      assertThat(r.body()).isEqualTo("{\"type\":\"https://piste.dev/problems/missing-credential\","
          + "\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"This operation requires a "
          + "credential.\",\"instance\":\"same-id\"}");
    }
  }

  @Test
  void publicMethodIsServedWithTheRequestId() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.defaults());
        JettyServer server = jersey(piste, InvoiceResource.class, StatusResource.class)) {
      HttpResponse<String> r = server.get("/v1/status", "X-Request-Id", "abc");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("up");
      assertThat(r.headers().firstValue("X-Request-Id")).hasValue("abc");
    }
  }

  @Test
  void featureWithoutEngineFindsTheOneOfTheServletListener() throws Exception {
    ResourceConfig app = new ResourceConfig(StatusResource.class, InvoiceResource.class)
        .register(PisteFeature.class);
    try (JettyServer server = JettyServer.servlets(ctx -> {
      ctx.setInitParameter("piste.token.realm", "from-listener");
      ctx.addEventListener(new PisteServletContextListener());
      ctx.addServlet(new ServletHolder(new ServletContainer(app)), "/*");
    })) {
      assertThat(server.get("/v1/status").statusCode()).isEqualTo(200);
      assertThat(server.get("/v1/invoices").headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"from-listener\"");
    }
  }

  @Test
  void disabledEngineIsAPassThrough() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of("piste.enabled", "false")));
        JettyServer server = jersey(piste, InvoiceResource.class)) {
      HttpResponse<String> r = server.get("/v1/invoices");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("list none");
    }
  }

  @Test
  void methodAnnotationsOverrideClassAnnotations() throws Exception {
    OperationPolicy list = PisteFeature.policyOf(InvoiceResource.class,
        InvoiceResource.class.getMethod("list", SecurityContext.class));
    OperationPolicy create = PisteFeature.policyOf(InvoiceResource.class,
        InvoiceResource.class.getMethod("create"));
    OperationPolicy status = PisteFeature.policyOf(StatusResource.class,
        StatusResource.class.getMethod("status"));
    assertThat(list.scopes()).containsExactly("invoices:read");
    assertThat(list.pathTemplate()).isEqualTo("/v1/invoices");
    assertThat(create.scopes()).containsExactly("invoices:write");
    assertThat(create.limits()).singleElement().satisfies(l -> assertThat(l.limits().get(0).toString()).isEqualTo("5/s"));
    assertThat(create.operationId()).isEqualTo("InvoiceResource.create");
    assertThat(status.publicOperation()).isTrue();
    assertThat(status.audited()).isFalse();
    assertThat(PisteFeature.policyOf(InvoiceResource.class,
        InvoiceResource.class.getMethod("get", String.class)).pathTemplate()).isEqualTo("/v1/invoices/{id}");
  }

  @Test
  void annotationMisuseFailsAtDeploymentNamingTheMethod() {
    assertThatThrownBy(() -> PisteFeature.policyOf(BadResource.class, BadResource.class.getMethod("both")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("@Public and @RequiresScopes together on BadResource.both: keep one");
    assertThatThrownBy(() -> PisteFeature.policyOf(BadLimitResource.class,
        BadLimitResource.class.getMethod("limited")))
        .hasMessage("@RateLimit(\"5 per second\") on BadLimitResource.limited: expected limits such as "
            + "5/s, 100/m burst 20 or 50/s; 10000/day (at most one token a nanosecond (1000000000/s,"
            + " 60000000000/m, 3600000000000/h), a burst refilled within 36500 days)");
    // every call would need more tokens than the 2/s bucket ever holds
    assertThatThrownBy(() -> PisteFeature.policyOf(BadLimitResource.class,
        BadLimitResource.class.getMethod("costly")))
        .hasMessage("@RateLimit(\"2/s; 100/day\", cost = 5) on BadLimitResource.costly: expected a "
            + "cost of at most 2, the smallest capacity of its limits (a burst, or a quota's permits)");
  }

  @Test
  void aDeploymentWithMisusedAnnotationsFailsToStart() {
    try (Piste piste = Piste.create(PisteConfig.defaults())) {
      assertThatThrownBy(() -> jersey(piste, BadResource.class).close())
          .hasStackTraceContaining("@Public and @RequiresScopes together on BadResource.both");
      assertThatThrownBy(() -> jersey(piste, BadLimitResource.class).close())
          .hasStackTraceContaining("@RateLimit(\"5 per second\") on BadLimitResource.limited:"
              + " expected limits such as");
    }
  }
}
