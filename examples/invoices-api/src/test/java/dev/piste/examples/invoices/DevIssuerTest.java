package dev.piste.examples.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import dev.piste.core.token.JwtTokenVerifier;
import dev.piste.token.TokenVerification;
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

/** The development issuer's tokens pass the hardened verifier, with the scopes and plan of the client. */
final class DevIssuerTest {

  static DevIssuer issuer;
  static JwtTokenVerifier verifier;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    issuer = DevIssuer.start(0, "http://127.0.0.1/dev-issuer", "invoices-api");
    verifier = JwtTokenVerifier.create(PisteConfig.defaults().toBuilder()
        .property("piste.token.jwks-uri", issuer.jwksUri().toString())
        .property("piste.token.issuer", "http://127.0.0.1/dev-issuer")
        .property("piste.token.audience", "invoices-api").build());
  }

  @AfterAll
  static void stop() {
    verifier.close();
    issuer.close();
  }

  static HttpResponse<String> post(String body, String basic) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(issuer.tokenUri())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (basic != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          basic.getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String accessToken(HttpResponse<String> r) {
    Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return m.group(1);
  }

  @Test
  void rfc6749Section4_4AReaderGetsAReadTokenOnTheFreePlanWithHttpBasic() throws Exception {
    HttpResponse<String> r = post("grant_type=client_credentials", "demo-reader:demo-reader-secret");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    TokenVerification v = verifier.verify(accessToken(r));
    assertThat(v.isVerified()).isTrue();
    assertThat(v.caller().applicationId()).isEqualTo("demo-reader");
    assertThat(v.caller().scopes()).containsExactly("invoices:read");
    assertThat(v.caller().plan()).isEqualTo("free");
    assertThat(v.caller().claims()).containsKeys("jti", "iat", "exp", "sub");
  }

  @Test
  void aWriterGetsReadAndWriteOnTheGoldPlanWithFormCredentials() throws Exception {
    HttpResponse<String> r = post("grant_type=client_credentials&client_id=demo-writer"
        + "&client_secret=demo-writer-secret", null);

    TokenVerification v = verifier.verify(accessToken(r));
    assertThat(v.caller().scopes()).containsExactlyInAnyOrder("invoices:read", "invoices:write");
    assertThat(v.caller().plan()).isEqualTo("gold");
  }

  @Test
  void aClientMayNarrowButNotWidenItsScope() throws Exception {
    HttpResponse<String> narrow = post("grant_type=client_credentials&scope=invoices:read",
        "demo-writer:demo-writer-secret");
    HttpResponse<String> wide = post("grant_type=client_credentials&scope=invoices:write",
        "demo-reader:demo-reader-secret");

    assertThat(verifier.verify(accessToken(narrow)).caller().scopes()).containsExactly("invoices:read");
    assertThat(wide.statusCode()).isEqualTo(400);
    assertThat(wide.body()).contains("invalid_scope");
  }

  @Test
  void aWrongSecretIsInvalidClient() throws Exception {
    HttpResponse<String> r = post("grant_type=client_credentials", "demo-reader:guess");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("invalid_client").doesNotContain("demo-reader-secret");
  }

  @Test
  void onlyTheClientCredentialsGrantIsSupported() throws Exception {
    HttpResponse<String> r = post("grant_type=password&username=a&password=b",
        "demo-reader:demo-reader-secret");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("unsupported_grant_type");
  }

  @Test
  void theJwksServesOnlyThePublicKey() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(issuer.jwksUri()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.body()).contains("\"kty\":\"RSA\"").doesNotContain("\"d\"").doesNotContain("\"p\"");
    assertThat(issuer.jwksUri()).isEqualTo(URI.create(issuer.tokenUri().toString()
        .replace("/oauth2/token", "/jwks")));
    assertThat(issuer.clients()).extracting(DevIssuer.Client::id)
        .containsExactly("demo-reader", "demo-writer");
  }
}
