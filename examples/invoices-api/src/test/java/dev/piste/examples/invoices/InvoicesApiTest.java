package dev.piste.examples.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.CatalogKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example API on its embedded defaults, started as its jar's main class does, on a free port:
 * the development issuer hands out tokens, the demo plans and the 5/s limit of POST apply.
 */
final class InvoicesApiTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
  private static InvoicesApi.Setup setup;
  private static InvoicesApi api;

  @BeforeAll
  static void start() throws Exception {
    setup = InvoicesApi.embeddedDefaults(PisteConfig.defaults().toBuilder()
        .property("piste.api.id", "invoices"));
    api = InvoicesApi.start("127.0.0.1", 0, setup.config());
  }

  @AfterAll
  static void stop() {
    api.close();
    setup.devIssuer().close();
  }

  private static String token(String client, String secret) throws Exception {
    String basic = Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(setup.devIssuer().tokenUri())
        .header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Matcher m = ACCESS_TOKEN.matcher(r.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void runsADevelopmentIssuerWhenNoIdentityProviderIsConfigured() {
    assertThat(setup.devIssuer()).isNotNull();
    assertThat(setup.notes()).anySatisfy(n -> assertThat(n).startsWith("development issuer at"));
    assertThat(api.port()).isPositive();
  }

  @Test
  void theOpenApiDocumentNamesTheDevelopmentIssuersTokenEndpoint() throws Exception {
    HttpResponse<String> r = send("GET", "/openapi.json", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = new ObjectMapper().readTree(r.body());
    assertThat(doc.at("/components/securitySchemes/oauth2/flows/clientCredentials/tokenUrl").asText())
        .isEqualTo(setup.devIssuer().tokenUri().toString());
  }

  @Test
  void aConfiguredOpenApiTokenUrlIsKeptWithTheDevelopmentIssuer() throws Exception {
    InvoicesApi.Setup own = InvoicesApi.embeddedDefaults(PisteConfig.defaults().toBuilder()
        .property("piste.catalog.openapi-token-url", "https://auth.example.com/oauth2/token"));
    try {
      assertThat(own.devIssuer()).isNotNull();
      assertThat(own.config().get(CatalogKeys.OPENAPI_TOKEN_URL))
          .isEqualTo(URI.create("https://auth.example.com/oauth2/token"));
    } finally {
      own.devIssuer().close();
    }
  }

  @Test
  void statusIsPublic() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/status", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void invoicesNeedACredential() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/invoices", null, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"invoices\"");
  }

  @Test
  void aReaderTokenReadsInvoicesButCannotCreateOne() throws Exception {
    String reader = token("demo-reader", "demo-reader-secret");
    HttpResponse<String> list = send("GET", "/v1/invoices", reader, null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("INV-00001");
    assertThat(list.headers().firstValue("RateLimit-Policy")).isPresent();
    HttpResponse<String> create = send("POST", "/v1/invoices", reader, "{\"customer\":\"x\",\"amountCents\":5}");
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(create.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"").contains("scope=\"invoices:write\"");
  }

  @Test
  void aWriterCreatesInvoicesUpToTheOperationLimitOfFivePerSecond() throws Exception {
    String writer = token("demo-writer", "demo-writer-secret");
    HttpResponse<String> created = send("POST", "/v1/invoices", writer, "{\"customer\":\"ACME\",\"amountCents\":100}");
    assertThat(created.statusCode()).isEqualTo(201);
    HttpResponse<String> limited = null;
    for (int i = 0; i < 50 && limited == null; i++) {
      HttpResponse<String> r = send("POST", "/v1/invoices", writer, "{\"customer\":\"ACME\",\"amountCents\":100}");
      if (r.statusCode() == 429) {
        limited = r;
      } else {
        assertThat(r.statusCode()).isEqualTo(201);
      }
    }
    assertThat(limited).as("a 429 within 50 rapid creations").isNotNull();
    assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
        v -> assertThat(Long.parseLong(v)).isPositive());
    assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void aForgedTokenIsRejected() throws Exception {
    String reader = token("demo-reader", "demo-reader-secret");
    String forged = reader.substring(0, reader.lastIndexOf('.') + 1) + "AAAA";
    HttpResponse<String> r = send("GET", "/v1/invoices", forged, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    assertThat(r.body()).doesNotContain(forged);
  }
}
