package dev.piste.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.OpenApi31Schema;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A web.xml-style application (context-params, listener, filter) serving its catalog documents. */
final class CatalogDocumentsServletTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.getWriter().write("hello");
    }
  }

  private static final Map<String, String> CONTEXT_PARAMS = Map.of(
      "piste.api.id", "invoices-servlet",
      "piste.api.version", "1.0.0",
      "piste.api.name", "Invoices (web.xml)",
      "piste.token.hmac-secret", "0123456789abcdef0123456789abcdef-test-only",
      "piste.token.issuer", "https://issuer.example.com", "piste.token.audience", "invoices",
      "piste.token.public-paths", "/v1/status",
      "piste.token.scope-rules", "GET /v1/invoices/* invoices:read; POST /v1/invoices invoices:write",
      "piste.ratelimit.rules", "POST /v1/invoices 5/s burst 10");

  private static JettyServer app() throws Exception {
    return JettyServer.webXml(CONTEXT_PARAMS, new PisteServletContextListener(), new PisteFilter(),
        new Hello());
  }

  @Test
  void servesASchemaValidOpenApiDocumentWithoutCredential() throws Exception {
    try (JettyServer server = app()) {
      HttpResponse<String> r = server.get("/openapi.json");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/json"));
      assertThat(OpenApi31Schema.violations(r.body())).isEmpty();
      JsonNode doc = JSON.readTree(r.body());
      assertThat(doc.at("/info/title").asText()).isEqualTo("Invoices (web.xml)");
      assertThat(doc.at("/paths/~1v1~1invoices/post/security/0/oauth2/0").asText()).isEqualTo("invoices:write");
      assertThat(doc.at("/paths/~1v1~1invoices/post/x-piste-rate-limits/0").asText()).isEqualTo("5/s burst 10");
      assertThat(doc.at("/paths/~1v1~1status/get/security").toString()).isEqualTo("[]");
      assertThat(doc.at("/components/securitySchemes/oauth2/flows/clientCredentials/tokenUrl").asText())
          .isEqualTo("https://issuer.example.com/token");
    }
  }

  @Test
  void servesTheRfc9727ApiCatalogWithoutCredential() throws Exception {
    try (JettyServer server = app()) {
      HttpResponse<String> r = server.get("/.well-known/api-catalog");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/linkset+json"));
      assertThat(r.headers().firstValue("Link")).hasValue("</.well-known/api-catalog>; rel=\"api-catalog\"");
      JsonNode linkset = JSON.readTree(r.body()).path("linkset");
      assertThat(linkset.at("/1/service-desc/0/href").asText())
          .isEqualTo("http://127.0.0.1:" + server.port() + "/openapi.json");
      assertThat(server.get("/v1/invoices/1").statusCode()).isEqualTo(401);
      HttpResponse<String> head = server.send("HEAD", "/.well-known/api-catalog", null);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(r.body().length()));
    }
  }
}
