package dev.piste.examples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.OpenApi31Schema;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web.xml-only example describes itself from its piste.api.* params and path rules. */
final class WebXmlCatalogDocumentsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static JettyServer server;

  @BeforeAll
  static void deploy() throws Exception {
    server = JettyServer.start(ExampleWebapp.context());
  }

  @AfterAll
  static void undeploy() {
    server.close();
  }

  @Test
  void servesASchemaValidOpenApiDocumentBuiltFromThePathRules() throws Exception {
    HttpResponse<String> r = server.get("/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(OpenApi31Schema.violations(r.body())).isEmpty();
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.at("/info/x-piste-api-id").asText()).isEqualTo("invoices");
    assertThat(doc.at("/info/version").asText()).isEqualTo("1.0.0");
    assertThat(doc.at("/paths/~1v1~1invoices~1{subpath}/get/security/0/oauth2/0").asText())
        .isEqualTo("invoices:read");
    assertThat(doc.at("/paths/~1v1~1invoices/post/security/0/oauth2/0").asText())
        .isEqualTo("invoices:write");
    assertThat(doc.at("/paths/~1v1~1invoices/post/x-piste-rate-limits/0").asText()).isEqualTo("5/s");
    assertThat(doc.at("/paths/~1v1~1status/get/security").toString()).isEqualTo("[]");
  }

  @Test
  void listsItselfInTheRfc9727ApiCatalog() throws Exception {
    HttpResponse<String> r = server.get("/.well-known/api-catalog");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/linkset+json"));
    assertThat(JSON.readTree(r.body()).at("/linkset/1/service-desc/0/href").asText())
        .isEqualTo(server.uri("/openapi.json").toString());
  }
}
