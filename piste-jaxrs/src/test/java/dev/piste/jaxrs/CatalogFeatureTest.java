package dev.piste.jaxrs;

import static dev.piste.core.testing.Poll.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.annotation.PisteApi;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.catalog.CatalogRegistration;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.OpenApi31Schema;
import dev.piste.servlet.PisteServletContextListener;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.servlet.init.JerseyServletContainerInitializer;
import org.junit.jupiter.api.Test;

/** The feature describes a real Jersey application and serves its catalog documents on Jetty. */
final class CatalogFeatureTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Path("{id}")
    @Produces("application/json")
    public String get(@PathParam("id") String id) {
      return "{}";
    }

    @POST
    @RequiresScopes("invoices:write")
    @RateLimit("5/s burst 10")
    public String create() {
      return "created";
    }
  }

  @Path("/v1/status")
  @Public
  public static final class StatusResource {
    @GET
    @Produces("text/plain")
    public String status() {
      return "up";
    }
  }

  @PisteApi(id = "invoices", version = "3.1.0", name = "Invoices API", contact = "team@example.com")
  public static final class InvoicesApplication extends ResourceConfig {
    InvoicesApplication(Piste piste) {
      register(new InvoiceResource());
      register(StatusResource.class);
      register(new PisteFeature(piste));
    }
  }

  @Test
  void describesTheJerseyApplicationServesItsDocumentsAndRegistersIt() throws Exception {
    List<CatalogRegistration> registered = new CopyOnWriteArrayList<>();
    try (Piste piste = Piste.builder()
        .config(PisteConfig.of(Map.of("piste.catalog.instance-url", "http://127.0.0.1:8080/",
            "piste.token.hmac-secret", "0123456789abcdef0123456789abcdef-test-only",
            "piste.token.issuer", "https://issuer.example.com", "piste.token.audience", "invoices")))
        .catalogClient(registered::add).build().start();
        JettyServer server =
            JettyServer.serving(new ServletContainer(new InvoicesApplication(piste)))) {
      HttpResponse<String> r = server.get("/openapi.json");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(OpenApi31Schema.violations(r.body())).isEmpty();
      JsonNode doc = JSON.readTree(r.body());
      assertThat(doc.at("/info/title").asText()).isEqualTo("Invoices API");
      assertThat(doc.at("/paths/~1v1~1invoices/post/security/0/oauth2/0").asText()).isEqualTo("invoices:write");
      assertThat(doc.at("/paths/~1v1~1invoices/post/x-piste-rate-limits/0").asText()).isEqualTo("5/s burst 10");
      assertThat(doc.at("/paths/~1v1~1status/get/security").toString()).isEqualTo("[]");

      HttpResponse<String> catalog = server.get("/.well-known/api-catalog");
      assertThat(catalog.statusCode()).isEqualTo(200);
      assertThat(catalog.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/linkset+json"));
      assertThat(JSON.readTree(catalog.body()).at("/linkset/1/service-desc/0/href").asText())
          .isEqualTo("http://127.0.0.1:8080/openapi.json");
      assertThat(server.get("/v1/invoices/7").statusCode()).isEqualTo(401);
      HttpResponse<String> head = server.send("HEAD", "/openapi.json", null);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();

      await("the registration", Duration.ofSeconds(10), () -> !registered.isEmpty());
      CatalogRegistration last = registered.get(registered.size() - 1);
      assertThat(last.api().id()).isEqualTo("invoices");
      assertThat(last.api().version()).isEqualTo("3.1.0");
      assertThat(last.api().operations()).extracting(OperationDescriptor::operationId)
          .containsExactlyInAnyOrder("InvoiceResource.get", "InvoiceResource.create",
              "StatusResource.status");
      assertThat(registered).extracting(CatalogRegistration::contentHash).containsOnly(last.contentHash());
    }
  }

  @Test
  void theDocumentsServerLeadsToTheOperationsUnderAContextPathAndAServletMapping() throws Exception {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of(
            "piste.token.hmac-secret", "0123456789abcdef0123456789abcdef-test-only",
            "piste.token.issuer", "https://issuer.example.com", "piste.token.audience", "invoices")))
            .start();
        JettyServer server = JettyServer.start(billingContext(piste))) {
      URI docUri = server.uri("/billing/api/openapi.json");
      HttpResponse<String> r = server.get(docUri.getPath());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(OpenApi31Schema.violations(r.body())).isEmpty();
      JsonNode doc = JSON.readTree(r.body());
      // as a client of the document does: its server resolved against where it was served, then
      // the path appended
      String base = docUri.resolve(doc.at("/servers/0/url").asText()).toString();
      assertThat(base).isEqualTo(server.uri("/billing/api/").toString());
      String prefix = URI.create(base).getPath().replaceAll("/$", "");
      assertThat(doc.path("paths").has("/v1/status")).isTrue();
      assertThat(server.get(prefix + "/v1/status").body()).isEqualTo("up");
      assertThat(doc.path("paths").has("/v1/invoices/{id}")).isTrue();
      assertThat(server.get(prefix + "/v1/invoices/7").statusCode())
          .as("a protected operation, reached").isEqualTo(401);
    }
  }

  @Path("/v1/items")
  @Public
  public static final class ItemResource {
    @GET
    @Path("{id}")
    @Produces("text/plain")
    public String get(@PathParam("id") String id) {
      return "item " + id;
    }
  }

  /** The README's shape: {@code @ApplicationPath} and {@code @PisteApi} on the application. */
  @ApplicationPath("/api")
  @PisteApi(id = "items", version = "1.0.0")
  public static final class ItemsApplication extends ResourceConfig {
    public ItemsApplication() {
      register(ItemResource.class);
      register(new PisteFeature());
    }
  }

  @Test
  void withApplicationPathTheDocumentsServerAndPathsLeadToTheOperations() throws Exception {
    try (Piste piste = Piste.create(ITEMS).start();
        JettyServer server = JettyServer.start(context(piste, ctx ->
            // as a servlet container deploys an @ApplicationPath application: Jersey's initializer
            // maps it at /api/*
            ctx.addServletContainerInitializer(new JerseyServletContainerInitializer(),
                ItemsApplication.class)))) {
      assertThat(itemFollowedFromTheDocument(server, "/shop/api/openapi.json")).isEqualTo("item 123");
    }
  }

  @Test
  void withAServletMappingInsteadOfTheApplicationPathTheDocumentLeadsToTheOperations()
      throws Exception {
    try (Piste piste = Piste.create(ITEMS).start();
        JettyServer server = JettyServer.start(context(piste, ctx -> {
          // as web.xml declares it: the mapping, not @ApplicationPath, is the application's base
          ServletHolder jersey = new ServletHolder(ServletContainer.class);
          jersey.setInitParameter("jakarta.ws.rs.Application", ItemsApplication.class.getName());
          ctx.addServlet(jersey, "/rest/*");
        }))) {
      assertThat(itemFollowedFromTheDocument(server, "/shop/rest/openapi.json")).isEqualTo("item 123");
    }
  }

  private static final PisteConfig ITEMS = PisteConfig.of(Map.of(
      "piste.token.hmac-secret", "0123456789abcdef0123456789abcdef-test-only",
      "piste.token.issuer", "https://issuer.example.com", "piste.token.audience", "items"));

  /** A context at /shop whose engine the no-arg feature finds through the listener. */
  private static ServletContextHandler context(Piste piste, Consumer<ServletContextHandler> setup) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/shop");
    context.addEventListener(new PisteServletContextListener(piste));
    setup.accept(context);
    return context;
  }

  /**
   * What a client of the document at {@code documentPath} gets from its one operation with
   * {@code 123} for the path parameter: the document's server resolved against where it was
   * served, then the path appended.
   */
  private static String itemFollowedFromTheDocument(JettyServer server, String documentPath)
      throws Exception {
    HttpResponse<String> r = server.get(documentPath);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(OpenApi31Schema.violations(r.body())).isEmpty();
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.path("paths").size()).isEqualTo(1);
    String path = doc.path("paths").fieldNames().next();
    URI base = server.uri(documentPath).resolve(doc.at("/servers/0/url").asText());
    String url = base.getPath().replaceAll("/$", "") + path.replaceAll("\\{[^/]*}", "123");
    HttpResponse<String> item = server.get(url);
    assertThat(item.statusCode()).as("GET " + url).isEqualTo(200);
    return item.body();
  }

  private static ServletContextHandler billingContext(Piste piste) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/billing");
    JettyServer.servlet(context, new ServletContainer(new InvoicesApplication(piste)), "/api/*");
    return context;
  }

  @Test
  void withTheCatalogDownTheApplicationStartsAndServesThenRegistersWhenTheCatalogAppears()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    PisteConfig config = PisteConfig.of(Map.of("piste.catalog.url", "http://127.0.0.1:" + port,
        "piste.catalog.instance-url", "http://127.0.0.1:8080/", "piste.catalog.ttl", "1s",
        "piste.token.hmac-secret", "0123456789abcdef0123456789abcdef-test-only",
        "piste.token.issuer", "https://issuer.example.com", "piste.token.audience", "invoices"));
    try (Piste piste = Piste.create(config).start();
        JettyServer server =
            JettyServer.serving(new ServletContainer(new InvoicesApplication(piste)))) {
      assertThat(server.get("/v1/status").statusCode()).isEqualTo(200);
      assertThat(server.get("/openapi.json").statusCode()).isEqualTo(200);
      AtomicInteger instancePuts = new AtomicInteger();
      HttpServer catalog = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
      catalog.createContext("/", ex -> {
        ex.getRequestBody().readAllBytes();
        boolean instance = ex.getRequestURI().getPath().contains("/instances/");
        if (instance && ex.getRequestMethod().equals("PUT")) {
          instancePuts.incrementAndGet();
        }
        ex.sendResponseHeaders(ex.getRequestMethod().equals("GET") ? 404
            : ex.getRequestMethod().equals("DELETE") ? 204 : 201, -1);
        ex.close();
      });
      catalog.start();
      try {
        await("the registration once the catalog is up", Duration.ofSeconds(10),
            () -> instancePuts.get() >= 1);
      } finally {
        catalog.stop(0);
      }
    }
  }
}
