package dev.piste.servlet.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.Caller;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Token validation through the servlet filter on a real Jetty, keys from a real JWKS endpoint. */
final class ServletTokenTest {

  static final TokenFactory F = TokenFactory.using(Clock.systemUTC());
  static JwksServer jwks;
  static Piste piste;
  static JettyServer server;

  /** Answers 200 with the caller's name and whether it holds invoices:write as a role. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Caller c = (Caller) req.getAttribute(Caller.REQUEST_ATTRIBUTE);
      resp.setContentType("text/plain");
      resp.getWriter().print(c.getName() + " writer=" + req.isUserInRole("invoices:write"));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    jwks = JwksServer.start().keys(F.rsa(), F.ec());
    piste = Piste.create(TokenFactory.config(Clock.systemUTC(), jwks.uri())
        .property("piste.token.realm", "invoices")
        .property("piste.token.max-length", "4KiB")
        .property("piste.token.public-paths", "/v1/status")
        .property("piste.token.scope-rules",
            "GET /v1/invoices/* invoices:read; POST /v1/invoices invoices:write").build());
    server = JettyServer.filtered(new PisteFilter(piste), new EchoServlet());
  }

  @AfterAll
  static void stop() {
    server.close();
    piste.close();
    jwks.close();
  }

  static String reader() {
    var c = F.claims();
    c.setClaim("scope", "invoices:read");
    return F.sign(c, F.rsa(), "RS256");
  }

  @Test
  void aSecondFilterAddsTheScopesOfItsOwnRules() throws Exception {
    // an engine without path rules of its own (explicit builder values outrank init-params)
    try (Piste engine = Piste.create(TokenFactory.config(Clock.systemUTC(), jwks.uri()).build());
        JettyServer twoFilters = JettyServer.servlets(ctx -> {
      JettyServer.listener(ctx, new dev.piste.servlet.PisteServletContextListener(engine));
      JettyServer.filter(ctx, new PisteFilter(), "/*")
          .setInitParameter("piste.token.public-paths", "/v1/status");
      JettyServer.filter(ctx, new PisteFilter(), "/admin/*")
          .setInitParameter("piste.token.scope-rules", "* /admin/* admin");
      JettyServer.servlet(ctx, new EchoServlet(), "/*");
    })) {
      HttpResponse<String> r = twoFilters.get("/admin/users", "Authorization", "Bearer " + reader());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("error=\"insufficient_scope\"").contains("scope=\"admin\"");
      assertThat(r.headers().firstValue("X-Request-Id")).as("the first filter's headers").isPresent();

      var admin = F.claims();
      admin.setClaim("scope", "admin");
      assertThat(twoFilters.get("/admin/users", "Authorization",
          "Bearer " + F.sign(admin, F.rsa(), "RS256")).statusCode()).isEqualTo(200);
      assertThat(twoFilters.get("/admin/users").statusCode()).isEqualTo(401);
      assertThat(twoFilters.get("/v1/status").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aValidTokenReachesTheServletWithItsCaller() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices/42", "Authorization", "Bearer " + F.valid());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TokenFactory.CLIENT + " writer=true");
  }

  @Test
  void rfc6750Section3NoCredentialGivesOnlyTheRealmChallenge() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"invoices\"");
  }

  @Test
  void aPublicPathNeedsNoToken() throws Exception {
    assertThat(server.get("/v1/status").statusCode()).isEqualTo(200);
  }

  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of("RFC 7518 3.6 / CVE-2015-9235: alg none", (Function<TokenFactory, String>) f ->
            TokenFactory.b64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "."
                + TokenFactory.b64(f.claims().toJson()) + ".AAAA"),
        Arguments.of("CVE-2016-10555: HS256 signed with the RSA public key",
            (Function<TokenFactory, String>) f -> f.sign(f.claims(),
                new javax.crypto.spec.SecretKeySpec(f.rsa().getPublicKey().getEncoded(), "HmacSHA256"),
                "HS256", h -> h.setKeyIdHeaderValue("rsa-1"))),
        Arguments.of("RFC 7519 4.1.4: expired", (Function<TokenFactory, String>) f -> {
          var c = f.claims();
          long now = System.currentTimeMillis() / 1000;
          c.setExpirationTime(NumericDate.fromSeconds(now - 120));
          c.setIssuedAt(NumericDate.fromSeconds(now - 3600));
          return f.sign(c, f.rsa(), "RS256");
        }),
        Arguments.of("RFC 7515 4.1.4: unknown kid", (Function<TokenFactory, String>) f ->
            f.sign(f.claims(), f.rsa2(), "RS256")),
        Arguments.of("RFC 7516 9: a JWE", (Function<TokenFactory, String>) f ->
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn"),
        Arguments.of("SECURITY-BASELINE 7: a token over piste.token.max-length (4KiB here; Jetty "
            + "answers 431 itself above its 8KiB header limit)", (Function<TokenFactory, String>) f ->
            "a".repeat(5000)),
        Arguments.of("CVE-2022-21449: ECDSA r = s = 0", (Function<TokenFactory, String>) f -> {
          String t = f.sign(f.claims(), f.ec(), "ES256");
          return t.substring(0, t.lastIndexOf('.') + 1) + TokenFactory.b64(new byte[64]);
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void rfc6750Section3_1AnInvalidTokenIs401InvalidTokenWithASafeDescription(String source,
      Function<TokenFactory, String> token) throws Exception {
    String t = token.apply(F);

    HttpResponse<String> r = server.get("/v1/invoices", "Authorization", "Bearer " + t);

    assertThat(r.statusCode()).as(source).isEqualTo(401);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertThat(challenge).startsWith("Bearer realm=\"invoices\", error=\"invalid_token\", "
        + "error_description=\"").matches("[\\x20-\\x7E]+");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(challenge + r.body()).doesNotContain(t.substring(0, Math.min(t.length(), 24)))
        .doesNotContain("Exception");
  }

  @Test
  void rfc6750Section3_1AMissingScopeIs403InsufficientScopeNamingIt() throws Exception {
    HttpResponse<String> r = server.send("POST", "/v1/invoices", "{}", "Authorization",
        "Bearer " + reader());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"").contains("scope=\"invoices:write\"");
  }

  @Test
  void rfc6750Section2_3AQueryTokenIs400() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices?access_token=" + F.valid());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_request\"");
  }

  @Test
  void rfc6750Section2TwoAuthorizationHeadersAre400() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices", "Authorization", "Bearer " + F.valid(),
        "Authorization", "Bearer " + reader());

    assertThat(r.statusCode()).isEqualTo(400);
  }
}
