package dev.piste.examples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web.xml example deployed in a real Jetty with the file audit sink: each outcome produces
 * exactly one JSON line, the excluded status path none, and undeploying drains the pipeline.
 */
final class InvoicesWebXmlAuditTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void eachOutcomeOfTheWebXmlExampleIsOneLineOfTheAuditFile() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    Path file = dir.resolve("audit.jsonl");
    List<String> limited = new ArrayList<>();
    String token = tokens.valid();
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa())) {
      WebAppContext webapp = ExampleWebapp.context();
      webapp.setInitParameter("piste.token.jwks-uri", jwks.uri().toString());
      webapp.setInitParameter("piste.token.issuer", TokenFactory.ISSUER);
      webapp.setInitParameter("piste.token.audience", TokenFactory.AUDIENCE);
      webapp.setInitParameter("piste.audit.sinks", "file");
      webapp.setInitParameter("piste.audit.file.path", file.toString());
      webapp.setInitParameter("piste.audit.spool-dir", dir.resolve("spool").toString());
      webapp.setInitParameter("piste.audit.flush-interval", "10ms");
      JwtClaims noScope = tokens.claims();
      noScope.setClaim("scope", "profile");
      String weak = tokens.sign(noScope, tokens.rsa(), "RS256");
      try (JettyServer server = JettyServer.start(webapp)) {
        assertThat(server.get("/v1/invoices/", "Authorization", "Bearer " + token,
            "X-Request-Id", "r-200").statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/invoices/INV-00001", "X-Request-Id", "r-401").statusCode())
            .isEqualTo(401);
        assertThat(server.get("/v1/invoices/INV-00001", "Authorization", "Bearer " + weak,
            "X-Request-Id", "r-403").statusCode()).isEqualTo(403);
        assertThat(server.get("/v1/status", "X-Request-Id", "r-status").statusCode())
            .isEqualTo(200);
        // rounds of ten POSTs at once: one after the other, on a busy machine, they may come
        // slower than the rule's five a second refill
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
          for (int round = 0; round < 5 && limited.isEmpty(); round++) {
            List<Future<String>> posts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
              String id = "r-post-" + round + "-" + i;
              posts.add(clients.submit(() -> server.send("POST", "/v1/invoices",
                  "{\"customer\":\"ACME\",\"amountCents\":5}", "Authorization", "Bearer " + token,
                  "Content-Type", "application/json", "X-Request-Id", id).statusCode() == 429
                  ? id : null));
            }
            for (Future<String> post : posts) {
              if (post.get() != null) {
                limited.add(post.get());
              }
            }
          }
        } finally {
          clients.shutdownNow();
        }
      }
    }
    assertThat(limited).as("the 5/s rule of web.xml answered 429").isNotEmpty();
    Map<String, List<JsonNode>> byRequest = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      JsonNode e = JSON.readTree(line);
      byRequest.computeIfAbsent(e.get("requestId").asText(), k -> new ArrayList<>()).add(e);
    }
    assertThat(one(byRequest, "r-200").get("outcome").asText()).isEqualTo("allowed");
    assertThat(one(byRequest, "r-200").get("apiId").asText()).isEqualTo("invoices");
    assertThat(one(byRequest, "r-401").get("outcome").asText()).isEqualTo("missing_credential");
    assertThat(one(byRequest, "r-403").get("outcome").asText()).isEqualTo("insufficient_scope");
    JsonNode rateLimited = one(byRequest, limited.get(0));
    assertThat(rateLimited.get("status").asInt()).isEqualTo(429);
    assertThat(rateLimited.get("outcome").asText()).isEqualTo("rate_limited");
    assertThat(byRequest).doesNotContainKey("r-status");
    assertThat(Files.readString(file)).doesNotContain(token)
        .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
  }

  private static JsonNode one(Map<String, List<JsonNode>> byRequest, String requestId) {
    assertThat(byRequest.get(requestId)).as("events of %s", requestId).hasSize(1);
    return byRequest.get(requestId).get(0);
  }
}
