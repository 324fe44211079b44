package dev.piste.jaxrs.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.jaxrs.PisteFeature;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** Plans and {@code @RateLimit} through real Jersey on a real Jetty: 429, headers, problem+json. */
final class RateLimitJerseyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Produces("text/plain")
    public String list() {
      return "list";
    }

    @POST
    @RequiresScopes("invoices:write")
    @RateLimit("2/s")
    @Produces("text/plain")
    public String create() {
      return "created";
    }
  }

  private final TestClock clock = TestClock.at(Instant.parse("2026-06-01T08:00:00Z"));
  private final TokenFactory tokens = TokenFactory.using(clock);

  private Piste engine() {
    PisteConfig config = TokenFactory.config(clock, null)
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET)
        .property("piste.ratelimit.plans.free", "3/s; 10000/day")
        .property("piste.ratelimit.plans.gold", "100/s burst 200; 1000000/day")
        .property("piste.ratelimit.default-plan", "free")
        .property("piste.ratelimit.legacy-headers", "true")
        .build();
    return Piste.create(config);
  }

  private static JettyServer jersey(Piste piste) throws Exception {
    ResourceConfig app = new ResourceConfig(InvoiceResource.class).register(new PisteFeature(piste));
    return JettyServer.serving(new ServletContainer(app));
  }

  private String token(String plan) {
    JwtClaims c = tokens.claims();
    if (plan != null) {
      c.setClaim("plan", plan);
    }
    return "Bearer " + tokens.hs256(c);
  }

  @Test
  void planLimitAnswers429WithRetryAfterRateLimitHeadersAndAProblemNamingThePlan() throws Exception {
    try (Piste piste = engine(); JettyServer server = jersey(piste)) {
      String bearer = token(null);
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ok = server.get("/v1/invoices", "Authorization", bearer);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"free-s\";q=3;w=1");
        assertThat(ok.headers().firstValue("RateLimit")).hasValue("\"free-s\";r=" + (2 - i) + ";t=1");
        assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(2 - i));
      }
      HttpResponse<String> denied = server.get("/v1/invoices", "Authorization", bearer);
      assertThat(denied.statusCode()).isEqualTo(429);
      assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(denied.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(denied.headers().firstValue("RateLimit")).hasValue("\"free-s\";r=0;t=1");
      JsonNode body = JSON.readTree(denied.body());
      assertThat(body.get("type").asText()).isEqualTo("https://piste.dev/problems/rate-limited");
      assertThat(body.get("status").asInt()).isEqualTo(429);
      assertThat(body.get("detail").asText()).isEqualTo("Rate limit exceeded: plan free, 3/s.");
    }
  }

  @Test
  void rateLimitAnnotationAppliesOnTopOfAGenerousPlan() throws Exception {
    try (Piste piste = engine(); JettyServer server = jersey(piste)) {
      String bearer = token("gold");
      assertThat(server.send("POST", "/v1/invoices", "", "Authorization", bearer).statusCode()).isEqualTo(200);
      assertThat(server.send("POST", "/v1/invoices", "", "Authorization", bearer).statusCode()).isEqualTo(200);
      HttpResponse<String> denied = server.send("POST", "/v1/invoices", "", "Authorization", bearer);
      assertThat(denied.statusCode()).isEqualTo(429);
      assertThat(JSON.readTree(denied.body()).get("detail").asText())
          .isEqualTo("Rate limit exceeded: operation limit 2/s.");
      assertThat(server.get("/v1/invoices", "Authorization", bearer).statusCode()).isEqualTo(200);
    }
  }
}
