package dev.piste.examples.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example API started as its jar's main class does, on a free port. */
final class InvoicesApiTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static InvoicesApi api;

  @BeforeAll
  static void start() throws Exception {
    api = InvoicesApi.start("127.0.0.1", 0, PisteConfig.of(Map.of("piste.api.id", "invoices")));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void bindsAFreePortWhenAskedForPortZero() {
    assertThat(api.port()).isPositive();
  }

  @Test
  void statusIsPublic() throws Exception {
    HttpResponse<String> r = get("/v1/status");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void invoicesNeedACredential() throws Exception {
    HttpResponse<String> r = get("/v1/invoices");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"invoices\"");
  }
}
