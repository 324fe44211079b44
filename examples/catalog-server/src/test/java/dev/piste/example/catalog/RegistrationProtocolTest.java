package dev.piste.example.catalog;

import static dev.piste.core.testing.Poll.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real engine registering in the reference catalog over loopback HTTP. */
final class RegistrationProtocolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Piste engine(URI catalog, String instanceId, String... extra) {
    Map<String, String> keys = new HashMap<>(Map.of(
        "piste.catalog.url", catalog.toString(),
        "piste.catalog.instance-url", "http://127.0.0.1:9999/",
        "piste.catalog.ttl", "1s",
        "piste.instance-id", instanceId));
    for (int i = 0; i < extra.length; i += 2) {
      keys.put(extra[i], extra[i + 1]);
    }
    return Piste.create(PisteConfig.of(keys));
  }

  private static CatalogServer catalog(int port, Path data, URI introspection) throws Exception {
    return CatalogServer.start("127.0.0.1", port, data, introspection, Clock.systemUTC());
  }

  private static List<CatalogStore.Instance> live(CatalogServer catalog, String version) {
    CatalogStore.Version v = catalog.store().version("invoices", version);
    return v == null ? List.of() : catalog.store().liveInstances(v);
  }

  @Test
  void theInstanceRegistersHeartbeatsAndIsRemovedOnShutdown() throws Exception {
    try (CatalogServer catalog = catalog(0, null, null)) {
      Piste piste = engine(catalog.url(), "instance-a");
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      await("the instance in the catalog", WAIT, () -> live(catalog, "1.0.0").size() == 1);
      CatalogStore.Instance first = live(catalog, "1.0.0").get(0);
      assertThat(first.id()).isEqualTo("instance-a");
      assertThat(first.url()).isEqualTo("http://127.0.0.1:9999/");
      assertThat(first.ttlSeconds()).isEqualTo(1);
      await("a heartbeat", WAIT, () -> !live(catalog, "1.0.0").isEmpty()
          && live(catalog, "1.0.0").get(0).lastHeartbeat().isAfter(first.lastHeartbeat()));
      Instant lateEnough = first.expiresAt().plusMillis(500);
      await("the instance outliving its first TTL", WAIT, () -> Instant.now().isAfter(lateEnough));
      assertThat(live(catalog, "1.0.0")).hasSize(1);
      piste.close();
      assertThat(live(catalog, "1.0.0")).isEmpty();
      assertThat(catalog.store().uploads("invoices", "1.0.0")).isEqualTo(1);
    }
  }

  @Test
  void withTheCatalogDownAtStartTheAppStartsAndRegistersOnceTheCatalogAppears() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Piste piste = engine(URI.create("http://127.0.0.1:" + port), "instance-b")) {
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      assertThat(piste.catalogDocuments().find("GET", "/openapi.json", "http://127.0.0.1:9999"))
          .isNotNull();
      Instant downUntil = Instant.now().plusSeconds(1);
      await("the catalog staying down for a second", WAIT, () -> Instant.now().isAfter(downUntil));
      try (CatalogServer catalog = catalog(port, null, null)) {
        await("the late registration", WAIT, () -> live(catalog, "1.0.0").size() == 1);
      }
    }
  }

  @Test
  void aRestartWithUnchangedCodeDoesNotUploadTheDescriptorAgain() throws Exception {
    try (CatalogServer catalog = catalog(0, null, null)) {
      try (Piste first = engine(catalog.url(), "run-1")) {
        first.describe(ExampleApi.invoices("1.0.0")).start();
        await("the first run registered", WAIT, () -> live(catalog, "1.0.0").size() == 1);
      }
      try (Piste second = engine(catalog.url(), "run-2")) {
        second.describe(ExampleApi.invoices("1.0.0")).start();
        await("the second run registered", WAIT, () -> live(catalog, "1.0.0").stream()
            .anyMatch(i -> i.id().equals("run-2")));
      }
      assertThat(catalog.store().uploads("invoices", "1.0.0")).isEqualTo(1);
      try (Piste changed = engine(catalog.url(), "run-3")) {
        changed.describe(ExampleApi.invoices("1.0.0").toBuilder().description("Changed.").build()).start();
        await("the changed code registered", WAIT, () -> live(catalog, "1.0.0").stream()
            .anyMatch(i -> i.id().equals("run-3")));
      }
      assertThat(catalog.store().uploads("invoices", "1.0.0")).isEqualTo(2);
    }
  }

  @Test
  void theCatalogTokenIsObtainedAndRenewedFromARealTokenEndpoint() throws Exception {
    try (TokenServer tokens = new TokenServer("orders-api", "s3cret-for-tests", Duration.ofSeconds(2));
        CatalogServer catalog = catalog(0, null, tokens.introspectionUri())) {
      try (Piste piste = engine(catalog.url(), "instance-t",
          "piste.catalog.token-uri", tokens.tokenUri().toString(),
          "piste.catalog.client-id", "orders-api",
          "piste.catalog.client-secret", "s3cret-for-tests")) {
        piste.describe(ExampleApi.invoices("1.0.0")).start();
        await("the authenticated registration", WAIT, () -> live(catalog, "1.0.0").size() == 1);
        await("three tokens (two renewals)", WAIT, () -> tokens.issued.get() >= 3);
        assertThat(live(catalog, "1.0.0")).hasSize(1);
        assertThat(catalog.rejected()).isZero();
        assertThat(tokens.refused.get()).isZero();
      }
      assertThat(live(catalog, "1.0.0")).isEmpty();
    }
  }

  @Test
  void aCatalogRestartedEmptyGetsTheVersionAndTheInstanceBackAtTheNextHeartbeat() throws Exception {
    CatalogServer first = catalog(0, null, null);
    int port = first.port();
    try (Piste piste = engine(first.url(), "survivor")) {
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      await("the registration", WAIT, () -> live(first, "1.0.0").size() == 1);
      first.close();
      try (CatalogServer empty = catalog(port, null, null)) {
        await("the registration in the new catalog", WAIT, () -> live(empty, "1.0.0").size() == 1);
        assertThat(empty.store().uploads("invoices", "1.0.0")).isEqualTo(1);
      }
    } finally {
      first.close();
    }
  }

  @Test
  void aCatalogThatRequiresATokenRefusesAnInstanceWithoutOne() throws Exception {
    try (TokenServer tokens = new TokenServer("orders-api", "s3cret-for-tests", Duration.ofSeconds(60));
        CatalogServer catalog = catalog(0, null, tokens.introspectionUri());
        Piste piste = engine(catalog.url(), "anonymous")) {
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      await("refused attempts", WAIT, () -> catalog.rejected() >= 2);
      assertThat(live(catalog, "1.0.0")).isEmpty();
    }
  }

  @Test
  void aRequiredCatalogThatIsDownFailsTheStart() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Piste piste = engine(URI.create("http://127.0.0.1:" + port), "strict",
        "piste.catalog.required", "true")) {
      piste.describe(ExampleApi.invoices("1.0.0"));
      assertThatThrownBy(piste::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("piste.catalog.required=true");
    }
  }

  @Test
  void theCatalogKeepsItsApisAcrossRestarts(@TempDir Path data) throws Exception {
    try (CatalogServer catalog = catalog(0, data, null);
        Piste piste = engine(catalog.url(), "persisted")) {
      piste.describe(ExampleApi.invoices("2.0.0")).start();
      await("the registration", WAIT, () -> live(catalog, "2.0.0").size() == 1);
    }
    try (CatalogServer restarted = catalog(0, data, null)) {
      CatalogStore.Version v = restarted.store().version("invoices", "2.0.0");
      assertThat(v).isNotNull();
      assertThat(v.descriptor.path("operations").size()).isEqualTo(4);
      assertThat(v.contentHash).startsWith("sha-256:");
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> notModified = http.send(HttpRequest.newBuilder(
          URI.create(restarted.url() + "/apis/invoices/versions/2.0.0"))
          .header("If-None-Match", "\"" + v.contentHash + "\"").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(notModified.statusCode()).isEqualTo(304);
      HttpResponse<String> openapi = http.send(HttpRequest.newBuilder(
          URI.create(restarted.url() + "/apis/invoices/versions/2.0.0/openapi.json")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(openapi.statusCode()).isEqualTo(200);
      assertThat(openapi.body()).contains("\"openapi\" : \"3.1.0\"");
      assertThat(CatalogStore.JSON.readTree(openapi.body()).at("/servers/0/url").asText())
          .as("no instance is live: the uploaded server, relative to an instance's document")
          .isEqualTo("./");
    }
  }

  @Test
  void theCatalogsCopyOfTheOpenApiDocumentNamesTheLiveInstancesAsItsServers() throws Exception {
    try (CatalogServer catalog = catalog(0, null, null);
        Piste a = engine(catalog.url(), "instance-a", "piste.catalog.instance-url",
            "http://10.0.0.1:8080/billing/");
        Piste b = engine(catalog.url(), "instance-b", "piste.catalog.instance-url",
            "http://10.0.0.2:8080/billing")) {
      a.describe(ExampleApi.invoices("4.0.0")).start();
      b.describe(ExampleApi.invoices("4.0.0")).start();
      await("both registrations", WAIT, () -> live(catalog, "4.0.0").size() == 2);
      HttpResponse<String> openapi = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(catalog.url() + "/apis/invoices/versions/4.0.0/openapi.json")).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode servers = CatalogStore.JSON.readTree(openapi.body()).path("servers");
      assertThat(servers.findValuesAsText("url"))
          .containsExactly("http://10.0.0.1:8080/billing", "http://10.0.0.2:8080/billing");
      assertThat(catalog.store().version("invoices", "4.0.0").openApi.at("/servers/0/url").asText())
          .as("the stored document is the uploaded one").isEqualTo("./");
    }
  }

  @Test
  void thePortalListsEveryApiWithOperationsScopesLimitsAndLiveInstances() throws Exception {
    try (CatalogServer catalog = catalog(0, null, null);
        Piste piste = engine(catalog.url(), "portal-instance")) {
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      await("the registration", WAIT, () -> live(catalog, "1.0.0").size() == 1);
      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(catalog.url().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      assertThat(page.body()).contains("Invoices API", "<code>invoices</code>", "Version 1.0.0",
          "/v1/invoices/{id}", "InvoiceResource.create", "<code>invoices:write</code>",
          "<code>5/s burst 10</code>", "Read invoices", "portal-instance",
          "href=\"/apis/invoices/versions/1.0.0/openapi.json\"");
    }
  }

  @Test
  void malformedUploadsAndRegistrationsAre400AndLeaveNothingBehind() throws Exception {
    try (CatalogServer catalog = catalog(0, null, null)) {
      HttpClient http = HttpClient.newHttpClient();
      String version = catalog.url() + "/apis/a/versions/1";
      assertThat(put(http, version, "not json")).isEqualTo(400);
      assertThat(put(http, version, "{\"descriptor\":{\"id\":\"a\",\"version\":\"1\"},"
          + "\"openapi\":{},\"contentHash\":\"sha-256:x\"}")).isEqualTo(201);
      String instance = version + "/instances/i1";
      assertThat(put(http, instance, "garbage")).isEqualTo(400);
      for (String ttl : List.of("99999999999999999999", "1e300", "2.5", "\"30\"", "0",
          Long.toString(CatalogHandler.MAX_TTL_SECONDS + 1))) {
        assertThat(put(http, instance, "{\"url\":\"http://10.0.0.1:8080\",\"ttlSeconds\":" + ttl + "}"))
            .as("ttlSeconds " + ttl).isEqualTo(400);
      }
      for (String url : List.of("javascript:alert(1)", "http://x\\\"><script>", "http:///nohost",
          "ftp://10.0.0.1/")) {
        assertThat(put(http, instance, "{\"url\":\"" + url + "\",\"ttlSeconds\":30}"))
            .as("url " + url).isEqualTo(400);
      }
      assertThat(catalog.store().liveInstances(catalog.store().version("a", "1"))).isEmpty();
      assertThat(put(http, instance, "{\"url\":\"http://10.0.0.1:8080\",\"ttlSeconds\":"
          + CatalogHandler.MAX_TTL_SECONDS + "}")).isEqualTo(201);
      assertThat(put(http, version + "/instances/i7", "{\"url\":\"http://10.0.0.1:8080\","
          + "\"ttlSeconds\":604800}")).as("piste.catalog.ttl=7d").isEqualTo(201);

      // a provider's own relative server is kept, live instances or not
      assertThat(put(http, catalog.url() + "/apis/b/versions/1", "{\"descriptor\":{\"id\":\"b\","
          + "\"version\":\"1\"},\"openapi\":{\"servers\":[{\"url\":\"/v2\"}]},"
          + "\"contentHash\":\"sha-256:y\"}")).isEqualTo(201);
      assertThat(put(http, catalog.url() + "/apis/b/versions/1/instances/i1",
          "{\"url\":\"http://10.0.0.1:8080\",\"ttlSeconds\":30}")).isEqualTo(201);
      String served = http.send(HttpRequest.newBuilder(URI.create(catalog.url()
          + "/apis/b/versions/1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(CatalogStore.JSON.readTree(served).at("/servers/0/url").asText()).isEqualTo("/v2");
    }
  }

  @Test
  void aWriteWhileTheIntrospectionEndpointIsDownIs503NotA401() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (CatalogServer catalog = catalog(0, null, URI.create("http://127.0.0.1:" + port + "/introspect"))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(catalog.url() + "/apis/a/versions/1")).header("Authorization", "Bearer t")
          .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).doesNotContain("Bearer t");
    }
    com.sun.net.httpserver.HttpServer failing = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    failing.createContext("/introspect", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(500, -1);
      ex.close();
    });
    failing.start();
    try (CatalogServer catalog = catalog(0, null, URI.create("http://127.0.0.1:"
        + failing.getAddress().getPort() + "/introspect"))) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(catalog.url() + "/apis/a/versions/1")).header("Authorization", "Bearer t")
          .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("the endpoint's 500: unavailable, not the token's fault")
          .isEqualTo(503);
    } finally {
      failing.stop(0);
    }
  }

  private static int put(HttpClient http, String uri, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(uri))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
