package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.piste.core.Piste;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.core.testing.TestRequest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Arbitrary Authorization headers, bearer tokens, API keys and query strings through the whole
 * authentication stage of a real engine (real JWKS endpoint on loopback): no exception escapes, no
 * 5xx, nothing is accepted. In the normal build Jazzer runs the seeds under
 * {@code src/test/resources/.../AuthenticatorFuzzTestInputs} (regression mode); {@code JAZZER_FUZZ=1}
 * fuzzes.
 */
final class AuthenticatorFuzzTest {

  static final TestClock CLOCK = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  static final OperationPolicy POLICY = new OperationPolicy("Fuzz.op", "/fuzz", false,
      Set.of("invoices:read"), List.of(), false);
  static JwksServer jwks;
  static Piste piste;

  @BeforeAll
  static void start() {
    TokenFactory f = TokenFactory.using(CLOCK);
    jwks = JwksServer.start().keys(f.rsa(), f.ec(), f.ed());
    piste = Piste.create(TokenFactory.config(CLOCK, jwks.uri())
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET)
        .property("piste.token.allow-query-token", "true").build());
  }

  @AfterAll
  static void stop() {
    piste.close();
    jwks.close();
  }

  @FuzzTest(maxDuration = "30s")
  void arbitraryCredentialsAreNeverAcceptedAndNeverCrash(FuzzedDataProvider data) {
    TestRequest request = TestRequest.get("/fuzz");
    int shape = data.consumeInt(0, 5);
    switch (shape) {
      case 0 -> request.header("Authorization", data.consumeRemainingAsString());
      case 1 -> request.header("Authorization", "Bearer " + data.consumeRemainingAsString());
      case 2 -> request.header("Authorization", "Bearer " + data.consumeString(2000))
          .header("Authorization", data.consumeRemainingAsString());
      case 3 -> request.header("X-API-Key", data.consumeRemainingAsString());
      case 4 -> request.query("access_token=" + data.consumeRemainingAsString());
      default -> request.header("Authorization", "Bearer " + jwtShaped(data));
    }
    Exchange ex = piste.pipeline().begin(request, POLICY);
    Problem p = piste.pipeline().enforce(ex);
    piste.pipeline().complete(ex, p != null ? p.status() : 200, 0, 0, null);

    assertThat(p).as("never accepted").isNotNull();
    assertThat(p.status()).as("never 5xx").isIn(400, 401);
  }

  /** Three base64url segments around fuzzed header and payload JSON, to get past the format check. */
  private static String jwtShaped(FuzzedDataProvider data) {
    String header = data.consumeString(300);
    String payload = data.consumeString(600);
    return TokenFactory.b64(header) + "." + TokenFactory.b64(payload) + "."
        + TokenFactory.b64(data.consumeRemainingAsBytes());
  }
}
