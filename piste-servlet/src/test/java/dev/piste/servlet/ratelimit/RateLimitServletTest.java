package dev.piste.servlet.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import dev.piste.servlet.PisteServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rate limits through the servlet filter on a real Jetty, configured like web.xml. */
final class RateLimitServletTest {

  static final class OkServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.getWriter().print("ok");
    }
  }

  private static JettyServer server(String... extra) throws Exception {
    Map<String, String> params = new HashMap<>(Map.of(
        "piste.token.hmac-secret", TokenFactory.HMAC_SECRET,
        "piste.token.issuer", TokenFactory.ISSUER,
        "piste.token.audience", TokenFactory.AUDIENCE,
        "piste.token.public-paths", "/v1/status",
        "piste.ratelimit.plans.free", "100/m; 10000/day",
        "piste.ratelimit.default-plan", "free",
        "piste.ratelimit.rules", "POST /v1/invoices 2/m"));
    for (int i = 0; i < extra.length; i += 2) {
      params.put(extra[i], extra[i + 1]);
    }
    return JettyServer.webXml(params, new PisteServletContextListener(), new PisteFilter(),
        new OkServlet());
  }

  @Test
  void servletRuleLimitAnswers429WithRetryAfterAndRateLimitHeaders() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    String bearer = "Bearer " + tokens.hs256(tokens.claims());
    try (JettyServer server = server()) {
      HttpResponse<String> first = server.send("POST", "/v1/invoices", "", "Authorization", bearer);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"operation-m\";q=2;w=60");
      assertThat(first.headers().firstValue("RateLimit")).hasValue("\"operation-m\";r=1;t=30");
      assertThat(server.send("POST", "/v1/invoices", "", "Authorization", bearer).statusCode())
          .isEqualTo(200);
      HttpResponse<String> denied = server.send("POST", "/v1/invoices", "", "Authorization", bearer);
      assertThat(denied.statusCode()).isEqualTo(429);
      assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 30L);
      assertThat(denied.body()).contains("Rate limit exceeded: operation limit 2/m.");
      HttpResponse<String> list = server.get("/v1/invoices", "Authorization", bearer);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.headers().firstValue("RateLimit-Policy")).hasValue("\"free-m\";q=100;w=60");
    }
  }

  @Test
  void aServletRuleCountsPerClientIpAtItsCost() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    String bearer = "Bearer " + tokens.hs256(tokens.claims());
    try (JettyServer server = server(
        "piste.ratelimit.rules", "POST /v1/exports 4/m per client-ip cost 2",
        "piste.ratelimit.trusted-proxies", "127.0.0.1, ::1")) {
      HttpResponse<String> first = server.send("POST", "/v1/exports", "", "Authorization", bearer,
          "X-Forwarded-For", "198.51.100.1");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("RateLimit")).hasValue("\"operation-m\";r=2;t=30");
      assertThat(server.send("POST", "/v1/exports", "", "Authorization", bearer,
          "X-Forwarded-For", "198.51.100.1").statusCode()).isEqualTo(200);
      // the same token from another client address has a bucket of its own
      assertThat(server.send("POST", "/v1/exports", "", "Authorization", bearer,
          "X-Forwarded-For", "198.51.100.2").statusCode()).isEqualTo(200);
      assertThat(server.send("POST", "/v1/exports", "", "Authorization", bearer,
          "X-Forwarded-For", "198.51.100.1").statusCode()).isEqualTo(429);
    }
  }

  @Test
  void aLimitRuleIsOneBucketWhateverTheMethodOrTheScopeRuleOfTheRequest() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    String bearer = "Bearer " + tokens.hs256(tokens.claims());
    try (JettyServer server = server("piste.ratelimit.rules", "* /v1/* 2/m",
        "piste.token.scope-rules", "GET /v1/invoices/* invoices:read")) {
      // three operations (GET /v1/invoices/*, POST /v1/*, GET /v1/*) under one limit rule
      assertThat(server.get("/v1/invoices/1", "Authorization", bearer).statusCode()).isEqualTo(200);
      assertThat(server.send("POST", "/v1/customers", "", "Authorization", bearer).statusCode())
          .isEqualTo(200);
      HttpResponse<String> third = server.get("/v1/customers", "Authorization", bearer);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(third.body()).contains("operation limit 2/m");
    }
  }

  @Test
  void spoofedXForwardedForFromAnUntrustedPeerDoesNotEscapeTheAnonymousLimit() throws Exception {
    try (JettyServer server = server("piste.ratelimit.anonymous", "2/m")) {
      int[] statuses = new int[3];
      for (int i = 0; i < 3; i++) {
        statuses[i] = server.get("/v1/status", "X-Forwarded-For", "198.51.100." + i).statusCode();
      }
      assertThat(statuses).containsExactly(200, 200, 429);
    }
  }

  @Test
  void clientsBehindATrustedProxyAreLimitedOneByOne() throws Exception {
    try (JettyServer server = server("piste.ratelimit.anonymous", "2/m",
        "piste.ratelimit.trusted-proxies", "127.0.0.1, ::1")) {
      for (int i = 0; i < 3; i++) {
        assertThat(server.get("/v1/status", "X-Forwarded-For", "198.51.100." + i).statusCode())
            .isEqualTo(200);
      }
      assertThat(server.get("/v1/status", "X-Forwarded-For", "198.51.100.0").statusCode()).isEqualTo(200);
      assertThat(server.get("/v1/status", "X-Forwarded-For", "198.51.100.0").statusCode()).isEqualTo(429);
    }
  }
}
