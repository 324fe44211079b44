package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.testing.IntrospectionServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.core.testing.TestRequest;
import dev.piste.core.token.FileApiKeyStore;
import dev.piste.token.ApiKeyStore;
import dev.piste.token.TokenVerification;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6750 transport rules through the engine's pipeline, with a real JWKS endpoint. */
final class Rfc6750TransportTest {

  static final String API_KEY = "pk_test_0b1c2d3e4f5a6b7c8d9e";
  static final OperationPolicy READ = new OperationPolicy("InvoiceResource.list", "/v1/invoices",
      false, Set.of("invoices:read"), List.of(), true);
  static final OperationPolicy ADMIN = new OperationPolicy("InvoiceResource.purge", "/v1/invoices",
      false, Set.of("invoices:admin"), List.of(), true);
  static final OperationPolicy STATUS = new OperationPolicy("StatusResource.get", "/v1/status",
      true, Set.of(), List.of(), true);

  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  final TokenFactory f = TokenFactory.using(clock);
  @TempDir Path dir;
  JwksServer jwks;
  Piste piste;

  @BeforeEach
  void start() throws Exception {
    jwks = JwksServer.start().keys(f.rsa());
    piste = engine(b -> {});
  }

  @AfterEach
  void stop() {
    piste.close();
    jwks.close();
  }

  Piste engine(Consumer<PisteConfig.Builder> extra) throws Exception {
    Path keys = dir.resolve("api-keys");
    Files.write(keys, List.of(FileApiKeyStore.line(API_KEY, "reporting", "free",
        Set.of("invoices:read"))));
    PisteConfig.Builder b = TokenFactory.config(clock, jwks.uri())
        .property("piste.token.realm", "invoices")
        .property("piste.token.api-key-file", keys.toString());
    extra.accept(b);
    return Piste.create(b.build());
  }

  record Result(Problem problem, Exchange exchange) {
    String challenge() {
      return problem.headers().stream().filter(h -> h.name().equals("WWW-Authenticate"))
          .map(Problem.Header::value).findFirst().orElse(null);
    }

    String body() {
      return new String(problem.body(), StandardCharsets.UTF_8);
    }
  }

  Result call(Piste engine, TestRequest request, OperationPolicy policy) {
    Exchange ex = engine.pipeline().begin(request, policy);
    Problem p = engine.pipeline().enforce(ex);
    engine.pipeline().complete(ex, p != null ? p.status() : 200, 0, 0, null);
    return new Result(p, ex);
  }

  Result call(TestRequest request, OperationPolicy policy) {
    return call(piste, request, policy);
  }

  @ParameterizedTest(name = "RFC 6750 2.1 / RFC 7235 2.1: scheme {0}")
  @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
  void theBearerSchemeIsCaseInsensitive(String scheme) {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        scheme + " " + f.valid()), READ);

    assertThat(r.problem()).isNull();
    assertThat(r.exchange().caller().applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(r.exchange().caller().authenticationMethod()).isEqualTo(AuthenticationMethod.JWT);
  }

  @Test
  void rfc6750Section3_1NoCredentialGivesOnlyTheRealm() {
    Result r = call(TestRequest.get("/v1/invoices"), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.challenge()).isEqualTo("Bearer realm=\"invoices\"");
    assertThat(r.exchange().outcome()).isEqualTo(Outcome.MISSING_CREDENTIAL);
  }

  @Test
  void aPublicOperationNeedsNoCredential() {
    Result r = call(TestRequest.get("/v1/status"), STATUS);

    assertThat(r.problem()).isNull();
    assertThat(r.exchange().caller().isAnonymous()).isTrue();
  }

  @Test
  void rfc6750Section3_1AnInvalidTokenGivesInvalidTokenWithAFixedDescription() {
    String token = f.sign(f.claims(), f.attacker(), "RS256");

    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + token), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.challenge()).isEqualTo("Bearer realm=\"invoices\", error=\"invalid_token\", "
        + "error_description=\"The token signature is invalid.\"");
    assertThat(r.challenge() + r.body()).doesNotContain(token.substring(0, 20))
        .doesNotContain(token.substring(token.lastIndexOf('.') + 1, token.lastIndexOf('.') + 20));
    assertThat(r.body()).contains("\"status\":401").doesNotContain("Exception");
    assertThat(r.exchange().outcome()).isEqualTo(Outcome.INVALID_TOKEN);
    assertThat(r.exchange().reason()).isEqualTo("bad_signature");
  }

  @Test
  void rfc6750Section3_1AMissingScopeGivesInsufficientScopeNamingIt() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + f.valid()), ADMIN);

    assertThat(r.problem().status()).isEqualTo(403);
    assertThat(r.challenge()).contains("error=\"insufficient_scope\"")
        .contains("scope=\"invoices:admin\"");
  }

  @Test
  void rfc6750Section2TwoAuthorizationHeadersAreABadRequest() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + f.valid()).header("authorization", "Bearer " + f.valid()), READ);

    assertThat(r.problem().status()).isEqualTo(400);
    assertThat(r.challenge()).contains("error=\"invalid_request\"");
    assertThat(r.exchange().outcome()).isEqualTo(Outcome.INVALID_REQUEST);
  }

  @Test
  void rfc6750Section2_3AQueryTokenIsABadRequestByDefault() {
    Result r = call(TestRequest.get("/v1/invoices").query("access_token=" + f.valid()), READ);

    assertThat(r.problem().status()).isEqualTo(400);
    assertThat(r.exchange().reason()).isEqualTo("query_token");
  }

  @Test
  void rfc6750Section2_3AQueryTokenIsAcceptedOnlyWhenEnabled() throws Exception {
    try (Piste lenient = engine(b -> b.property("piste.token.allow-query-token", "true"))) {
      Result r = call(lenient, TestRequest.get("/v1/invoices")
          .query("a=1&access_token=" + f.valid()), READ);

      assertThat(r.problem()).isNull();
      Result both = call(lenient, TestRequest.get("/v1/invoices")
          .query("access_token=" + f.valid()).header("Authorization", "Bearer " + f.valid()), READ);
      assertThat(both.problem().status()).isEqualTo(400);
    }
  }

  @Test
  void rfc6750Section2TwoCredentialsAreABadRequest() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + f.valid()).header("X-API-Key", API_KEY), READ);

    assertThat(r.problem().status()).isEqualTo(400);
    assertThat(r.exchange().reason()).isEqualTo("multiple_credentials");
  }

  @Test
  void anApiKeyInItsHeaderAuthenticatesItsApplication() {
    Result r = call(TestRequest.get("/v1/invoices").header("x-api-key", API_KEY), READ);

    assertThat(r.problem()).isNull();
    Caller c = r.exchange().caller();
    assertThat(c.applicationId()).isEqualTo("reporting");
    assertThat(c.plan()).isEqualTo("free");
    assertThat(c.authenticationMethod()).isEqualTo(AuthenticationMethod.API_KEY);
  }

  @Test
  void anUnknownApiKeyIsInvalidAndNeverEchoed() {
    Result r = call(TestRequest.get("/v1/invoices").header("X-API-Key", API_KEY + "0"), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.exchange().reason()).isEqualTo("unknown_api_key");
    assertThat(r.challenge() + r.body()).doesNotContain(API_KEY);
  }

  @Test
  void anApiKeyRemovedFromTheFileIsRefusedWithoutARestart() throws Exception {
    String next = "pk_test_9f8e7d6c5b4a39281706f5e4";
    Files.write(dir.resolve("api-keys"), List.of(FileApiKeyStore.line(next, "reporting", "free",
        Set.of("invoices:read"))));

    clock.advance(Duration.ofSeconds(1));

    Result old = call(TestRequest.get("/v1/invoices").header("X-API-Key", API_KEY), READ);
    assertThat(old.problem().status()).isEqualTo(401);
    assertThat(old.exchange().reason()).isEqualTo("unknown_api_key");
    assertThat(call(TestRequest.get("/v1/invoices").header("X-API-Key", next), READ).problem())
        .isNull();
  }

  @Test
  void twoApiKeyHeadersAreABadRequest() {
    Result r = call(TestRequest.get("/v1/invoices").header("X-API-Key", API_KEY)
        .header("X-API-Key", API_KEY), READ);

    assertThat(r.problem().status()).isEqualTo(400);
  }

  @Test
  void securityBaseline2AnOversizedAuthorizationHeaderIsRefusedBeforeParsing() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + "a".repeat(9000)), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.exchange().reason()).isEqualTo("too_long");
  }

  @ParameterizedTest(name = "RFC 6750 2.1 b64token: [{0}]")
  @ValueSource(strings = {"Bearer", "Bearer ", "Bearer abc def", "Bearer abc\u00e9", "Bearer abc\u4e41",
      "Bearer abc\u012e", "Bearer \u0100", "Bearer =abc",
      "Bearer abc=def", "Bearer \"abc\"", "Bearer abc,def",
      // JWT-shaped: checked by the verifier after its cache, before any parsing
      "Bearer eyJ.abc def.xyz", "Bearer eyJ.abc.xyz\u00e9", "Bearer eyJ.abc=.xyz", "Bearer eyJ.abc.x,z",
      // five segments: without the syntax check, the JWT checks would call it an encrypted token
      "Bearer eyJ.abc.def.ghi.jk,l", "Bearer eyJ.abc.def.ghi.jkl\u00e9"})
  void aBearerCredentialOutsideTheB64tokenSyntaxIsInvalid(String header) {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization", header), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.challenge()).contains("error=\"invalid_token\"");
    assertThat(r.exchange().reason()).isEqualTo("malformed");
  }

  /**
   * Visible ASCII outside the b64token syntax, dots or not: the library's verifiers check the syntax
   * before any introspection call, whichever key sources are configured.
   */
  @ParameterizedTest
  @ValueSource(strings = {"abc:def", "abc!def", "ya29.a0Af:opaque", "one.two.three.fo%ur"})
  void aTokenOutsideTheSyntaxIsMalformedAndNeverIntrospected(String token) {
    for (URI jwksUri : new URI[] {null, jwks.uri()}) {
      Introspection i = introspect(jwksUri, token);

      assertThat(i.result().problem().status()).as("jwks %s", jwksUri).isEqualTo(401);
      assertThat(i.result().exchange().reason()).isEqualTo("malformed");
      assertThat(i.requests()).isZero();
    }
  }

  /**
   * A token the verifier would check later is still malformed first on the paths that answer
   * before the verifier sees it: another credential, a query token, a length just over the limit.
   */
  @Test
  void aMalformedHeaderTokenIsMalformedBeforeAnyOtherAnswer() throws Exception {
    String bad = "eyJ.abc.x,z";
    assertThat(call(TestRequest.get("/v1/invoices").header("Authorization", "Bearer " + bad)
        .header("X-API-Key", API_KEY), READ).exchange().reason()).isEqualTo("malformed");
    assertThat(call(TestRequest.get("/v1/invoices").header("Authorization", "Bearer " + bad)
        .header("X-API-Key", API_KEY).header("X-API-Key", API_KEY), READ).exchange().reason())
        .isEqualTo("malformed");
    assertThat(call(TestRequest.get("/v1/invoices?access_token=abc").header("Authorization",
        "Bearer " + bad), READ).exchange().reason()).isEqualTo("malformed");
    try (Piste shortLimit = engine(b -> b.property("piste.token.max-length", "100"))) {
      String longBad = "eyJ." + "a".repeat(96) + ",";
      assertThat(call(shortLimit, TestRequest.get("/v1/invoices").header("Authorization",
          "Bearer " + longBad), READ).exchange().reason()).isEqualTo("malformed");
      assertThat(call(shortLimit, TestRequest.get("/v1/invoices").header("Authorization",
          "Bearer " + "eyJ." + "a".repeat(97)), READ).exchange().reason()).isEqualTo("too_long");
    }
  }

  @Test
  void aVerifiedTokenWithOneCharacterOutsideTheSyntaxIsNotServedFromTheCache() {
    String token = f.valid();
    assertThat(call(TestRequest.get("/v1/invoices").header("Authorization", "Bearer " + token),
        READ).problem()).isNull();

    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + token + "\u00e9"), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.exchange().reason()).isEqualTo("malformed");
  }

  @Test
  void rfc6750Section3AnotherSchemeIsNoBearerCredential() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Basic dXNlcjpwYXNz"), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.challenge()).isEqualTo("Bearer realm=\"invoices\"");
  }

  @Test
  void anotherSchemeIsNoBearerCredentialHoweverLong() {
    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Basic " + "a".repeat(9000)), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.exchange().reason()).isNotEqualTo("too_long");
    assertThat(r.challenge()).isEqualTo("Bearer realm=\"invoices\"");
  }

  @Test
  void aKeySourceOutageIsA503WithRetryAfterAndNoChallenge() {
    jwks.status(503);

    Result r = call(TestRequest.get("/v1/invoices").header("Authorization",
        "Bearer " + f.valid()), READ);

    assertThat(r.problem().status()).isEqualTo(503);
    assertThat(r.challenge()).isNull();
    assertThat(r.problem().headers()).anyMatch(h -> h.name().equals("Retry-After"));
    assertThat(r.exchange().reason()).isEqualTo("keys_unavailable");
  }

  @Test
  void onlyTheConfiguredCredentialKindsAreLookedAt() throws Exception {
    try (Piste keysOnly = engine(b -> b.property("piste.token.credentials", "api-key"))) {
      Result bearer = call(keysOnly, TestRequest.get("/v1/invoices").header("Authorization",
          "Bearer " + f.valid()), READ);
      Result key = call(keysOnly, TestRequest.get("/v1/invoices").header("X-API-Key",
          API_KEY), READ);

      assertThat(bearer.problem().status()).isEqualTo(401);
      assertThat(bearer.exchange().outcome()).isEqualTo(Outcome.MISSING_CREDENTIAL);
      assertThat(key.problem()).isNull();
    }
  }

  @Test
  void anEngineWithoutAnyKeySourceRejectsEveryToken() {
    try (Piste bare = Piste.create(PisteConfig.defaults().toBuilder().clock(clock).build())) {
      Result r = call(bare, TestRequest.get("/v1/invoices").header("Authorization",
          "Bearer " + f.valid()), READ);

      assertThat(r.problem().status()).isEqualTo(401);
      assertThat(r.exchange().outcome()).isEqualTo(Outcome.INVALID_TOKEN);
    }
  }

  @Test
  void theBuilderReplacesTheVerifierAndTheKeyStore() {
    Caller app = Caller.builder().applicationId("custom").scopes(Set.of("invoices:read"))
        .method(AuthenticationMethod.JWT).build();
    ApiKeyStore store = key -> key.equals("k") ? Optional.of(app) : Optional.empty();
    try (Piste custom = Piste.builder().config(PisteConfig.defaults().toBuilder().clock(clock)
        .build()).tokenVerifier(t -> t.equals("good") ? TokenVerification.verified(app, null)
            : TokenVerification.rejected(dev.piste.token.TokenFailure.INACTIVE))
        .apiKeyStore(store).build()) {

      assertThat(call(custom, TestRequest.get("/").header("Authorization", "Bearer good"),
          READ).problem()).isNull();
      assertThat(call(custom, TestRequest.get("/").header("Authorization", "Bearer bad"),
          READ).exchange().reason()).isEqualTo("inactive");
      assertThat(call(custom, TestRequest.get("/").header("X-API-Key", "k"), READ).problem())
          .isNull();
    }
  }

  @Test
  void aVerifierThatThrowsGivesA503AndTheExceptionDoesNotEscape() {
    try (Piste failing = Piste.builder().config(PisteConfig.defaults().toBuilder().clock(clock)
        .build()).tokenVerifier(t -> {
          throw new IllegalStateException("boom " + t);
        }).build()) {
      Result r = call(failing, TestRequest.get("/").header("Authorization", "Bearer abc"), READ);

      assertThat(r.problem().status()).isEqualTo(503);
      assertThat(r.body()).doesNotContain("boom");
    }
  }

  /** Without an application there is no plan and no quota: refused, whatever verified it. */
  @Test
  void anIntrospectedTokenWithoutAnApplicationIsAnsweredLikeAJwtWithoutOne() {
    var claims = f.claims();
    claims.unsetClaim("client_id");
    String jwt = f.sign(claims, f.rsa(), "RS256");
    try (IntrospectionServer in = IntrospectionServer.start();
        Piste engine = Piste.create(TokenFactory.config(clock, jwks.uri())
            .property("piste.token.realm", "invoices")
            .property("piste.token.introspection-uri", in.uri().toString())
            .property("piste.ratelimit.plans.free", "100/s")
            .property("piste.ratelimit.default-plan", "free").build())) {
      in.answer("opaque-1", "{\"active\":true,\"sub\":\"user-1\",\"scope\":\"invoices:read\"}");

      Result opaque = call(engine, TestRequest.get("/").header("Authorization", "Bearer opaque-1"),
          READ);
      Result signed = call(engine, TestRequest.get("/").header("Authorization", "Bearer " + jwt),
          READ);

      assertThat(opaque.problem().status()).isEqualTo(401);
      assertThat(opaque.exchange().reason()).isEqualTo("missing_claim");
      assertThat(opaque.challenge()).isEqualTo("Bearer realm=\"invoices\", error=\"invalid_token\","
          + " error_description=\"The token lacks a required claim.\"");
      assertThat(signed.problem().status()).isEqualTo(opaque.problem().status());
      assertThat(signed.exchange().reason()).isEqualTo(opaque.exchange().reason());
      assertThat(signed.challenge()).isEqualTo(opaque.challenge());
    }
  }

  /** The answer to {@code token}, and the introspection calls it made. */
  private record Introspection(Result result, int requests) {}

  /**
   * Sends {@code token} to an engine with these key sources (none: {@code null}) and an
   * introspection endpoint that knows it as active.
   */
  private Introspection introspect(URI jwksUri, String token) {
    try (IntrospectionServer in = IntrospectionServer.start();
        Piste engine = Piste.create(TokenFactory.config(clock, jwksUri)
            .property("piste.token.introspection-uri", in.uri().toString()).build())) {
      in.answer(token, "{\"active\":true,\"client_id\":\"a\",\"scope\":\"invoices:read\"}");
      Result r = call(engine, TestRequest.get("/").header("Authorization", "Bearer " + token),
          READ);
      return new Introspection(r, in.requests());
    }
  }

  /** Sends {@code token} to an engine with these key sources: it must be introspected, once. */
  private void assertIntrospected(URI jwksUri, String token) {
    Introspection i = introspect(jwksUri, token);

    assertThat(i.result().problem()).isNull();
    assertThat(i.result().exchange().caller().authenticationMethod())
        .isEqualTo(AuthenticationMethod.INTROSPECTION);
    assertThat(i.requests()).isEqualTo(1);
  }

  @Test
  void withOnlyAnIntrospectionUriEveryBearerTokenIsIntrospected() {
    assertIntrospected(null, f.valid());
  }

  /** Only a token of three segments is a JWT: an opaque token may carry dots of its own. */
  @ParameterizedTest
  @ValueSource(strings = {"ya29.a0AfB_byC-opaque", "one.two.three.four", "a.b.c.d.e.f"})
  void withJwksAndIntrospectionAnOpaqueTokenWithDotsIsIntrospected(String token) {
    assertIntrospected(jwks.uri(), token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ya29.a0AfB_byC-opaque", "one.two.three.four"})
  void withOnlyJwksAnOpaqueTokenWithDotsIsMalformed(String token) {
    Result r = call(piste, TestRequest.get("/").header("Authorization", "Bearer " + token), READ);

    assertThat(r.problem().status()).isEqualTo(401);
    assertThat(r.exchange().reason()).isEqualTo("malformed");
  }

  @Test
  void withJwksAndIntrospectionJwtsAreVerifiedLocallyAndOpaqueTokensIntrospected() {
    try (IntrospectionServer in = IntrospectionServer.start();
        Piste engine = Piste.create(TokenFactory.config(clock, jwks.uri())
            .property("piste.token.introspection-uri", in.uri().toString()).build())) {
      in.answer("opaque-1", "{\"active\":true,\"client_id\":\"a\",\"scope\":\"invoices:read\"}");

      Result jwt = call(engine, TestRequest.get("/").header("Authorization",
          "Bearer " + f.valid()), READ);
      Result opaque = call(engine, TestRequest.get("/").header("Authorization",
          "Bearer opaque-1"), READ);

      assertThat(jwt.exchange().caller().authenticationMethod()).isEqualTo(AuthenticationMethod.JWT);
      assertThat(opaque.exchange().caller().authenticationMethod())
          .isEqualTo(AuthenticationMethod.INTROSPECTION);
      assertThat(in.requests()).isEqualTo(1);
    }
  }
}
