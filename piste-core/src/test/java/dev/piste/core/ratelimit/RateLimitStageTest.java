package dev.piste.core.ratelimit;

import static dev.piste.core.ratelimit.TestEngine.operation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.Outcome;
import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.PathRules;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TestRequest;
import dev.piste.ratelimit.PlanResolver;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RateLimitStageTest {

  private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
  private final TestClock clock = TestClock.at(T0);

  private static Map<String, String> plans(String... more) {
    Map<String, String> m = new java.util.HashMap<>(Map.of(
        "piste.ratelimit.plans.gold", "100/s burst 200; 1000000/day",
        "piste.ratelimit.plans.free", "5/s; 10000/day",
        "piste.ratelimit.default-plan", "free"));
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  @Test
  void admitsTheBurstOfThePlanThenAnswers429WithExactRetryAfterAndHeaders() {
    try (TestEngine e = new TestEngine(plans(), clock)) {
      for (int i = 0; i < 5; i++) {
        TestEngine.Result r = e.call("app-1", "free", operation("list"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("RateLimit")).isEqualTo("\"free-s\";r=" + (4 - i) + ";t=" + (i == 4 ? 1 : 1));
        assertThat(r.header("RateLimit-Policy")).isEqualTo("\"free-s\";q=5;w=1");
        assertThat(r.exchange().rateLimitRemaining()).isEqualTo(4 - i);
      }
      TestEngine.Result r = e.call("app-1", "free", operation("list"));
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.problem().outcome()).isEqualTo(Outcome.RATE_LIMITED);
      assertThat(r.problem().detail()).isEqualTo("Rate limit exceeded: plan free, 5/s.");
      assertThat(r.header("Retry-After")).isEqualTo("1");
      assertThat(r.exchange().reason()).isEqualTo("plan_limit");
      assertThat(r.header("RateLimit")).isEqualTo("\"free-s\";r=0;t=1");
    }
  }

  @Test
  void refillsGreedilyOneTokenPerIntervalAndRetryAfterRoundsTheWaitUp() {
    try (TestEngine e = new TestEngine(plans("piste.ratelimit.plans.slow", "2/m"), clock)) {
      assertThat(e.call("app-1", "slow", operation("list")).status()).isEqualTo(200);
      assertThat(e.call("app-1", "slow", operation("list")).status()).isEqualTo(200);
      TestEngine.Result denied = e.call("app-1", "slow", operation("list"));
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("Retry-After")).isEqualTo("30");
      clock.advance(Duration.ofSeconds(29).plusMillis(1));
      assertThat(e.call("app-1", "slow", operation("list")).header("Retry-After")).isEqualTo("1");
      clock.advance(Duration.ofMillis(999));
      assertThat(e.call("app-1", "slow", operation("list")).status()).isEqualTo(200);
      assertThat(e.call("app-1", "slow", operation("list")).status()).isEqualTo(429);
    }
  }

  @Test
  void burstAllowsMoreThanThePerSecondAmountAtOnce() {
    try (TestEngine e = new TestEngine(plans(), clock)) {
      int allowed = 0;
      for (int i = 0; i < 250; i++) {
        allowed += e.call("app-g", "gold", operation("list")).status() == 200 ? 1 : 0;
      }
      assertThat(allowed).isEqualTo(200);
      clock.advance(Duration.ofMillis(50));
      allowed = 0;
      for (int i = 0; i < 10; i++) {
        allowed += e.call("app-g", "gold", operation("list")).status() == 200 ? 1 : 0;
      }
      assertThat(allowed).isEqualTo(5);
    }
  }

  @Test
  void usedUpDailyQuotaAnswersRetryAfterUntilMidnightOfTheConfiguredZoneAndResetsThen() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    clock.set(ZonedDateTime.of(2026, 3, 10, 23, 59, 20, 0, paris).toInstant());
    try (TestEngine e = new TestEngine(Map.of("piste.ratelimit.plans.tiny", "3/day",
        "piste.ratelimit.default-plan", "tiny", "piste.ratelimit.time-zone", "Europe/Paris"), clock)) {
      for (int i = 0; i < 3; i++) {
        TestEngine.Result r = e.call("app-1", null, operation("list"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("RateLimit")).isEqualTo("\"tiny-day\";r=" + (2 - i) + ";t=40");
        assertThat(r.header("RateLimit-Policy")).isEqualTo("\"tiny-day\";q=3;w=86400");
      }
      clock.advance(Duration.ofMillis(500));
      TestEngine.Result denied = e.call("app-1", null, operation("list"));
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("Retry-After")).isEqualTo("40");
      assertThat(denied.exchange().reason()).isEqualTo("quota_exhausted");
      assertThat(denied.problem().detail()).isEqualTo("Rate limit exceeded: plan tiny, 3/day.");
      clock.set(ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, paris).toInstant());
      assertThat(e.call("app-1", null, operation("list")).status()).isEqualTo(200);
    }
  }

  @Test
  void monthlyQuotaResetsOnTheFirstWhateverTheMonthsLength() {
    clock.set(Instant.parse("2026-02-01T00:00:00Z"));
    try (TestEngine e = new TestEngine(Map.of("piste.ratelimit.plans.m", "2/month",
        "piste.ratelimit.default-plan", "m"), clock)) {
      assertThat(e.call("a", null, operation("x")).status()).isEqualTo(200);
      assertThat(e.call("a", null, operation("x")).status()).isEqualTo(200);
      clock.set(Instant.parse("2026-02-28T23:59:59Z"));
      TestEngine.Result denied = e.call("a", null, operation("x"));
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("Retry-After")).isEqualTo("1");
      clock.set(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(e.call("a", null, operation("x")).status()).isEqualTo(200);
    }
  }

  @Test
  void unknownPlanNameFallsBackToTheDefaultPlan() {
    try (TestEngine e = new TestEngine(plans(), clock)) {
      TestEngine.Result r = e.call("app-1", "platinum", operation("list"));
      assertThat(r.header("RateLimit-Policy")).isEqualTo("\"free-s\";q=5;w=1");
    }
  }

  @Test
  void perApplicationOverrideWinsOverTheClaimAndTheResolver() {
    try (TestEngine e = new TestEngine(plans("piste.ratelimit.applications.vip", "gold"), clock,
        PlanResolver.byApplication(Map.of("vip", "free", "other", "gold")), null)) {
      assertThat(e.call("vip", "free", operation("list")).header("RateLimit-Policy"))
          .isEqualTo("\"gold-s\";q=200;w=2");
      assertThat(e.call("other", "free", operation("list")).header("RateLimit-Policy"))
          .isEqualTo("\"gold-s\";q=200;w=2");
      assertThat(e.call("third", null, operation("list")).header("RateLimit-Policy"))
          .isEqualTo("\"free-s\";q=5;w=1");
    }
  }

  @Test
  void oneNoisyApplicationDoesNotStarveAnother() {
    try (TestEngine e = new TestEngine(plans(), clock)) {
      for (int i = 0; i < 20; i++) {
        e.call("noisy", "free", operation("list"));
      }
      assertThat(e.call("noisy", "free", operation("list")).status()).isEqualTo(429);
      assertThat(e.call("quiet", "free", operation("list")).status()).isEqualTo(200);
    }
  }

  @Test
  void operationLimitAppliesInAdditionToThePlanPerOperationAndTakesItsCost() {
    OperationPolicy create = TestEngine.operation("create",
        List.of(new OperationLimit(ValueType.parseLimits("6/s"), "application", 2, false)));
    OperationPolicy other = TestEngine.operation("update",
        List.of(new OperationLimit(ValueType.parseLimits("6/s"), "application", 2, false)));
    try (TestEngine e = new TestEngine(plans(), clock)) {
      for (int i = 0; i < 3; i++) {
        assertThat(e.call("app-g", "gold", create).status()).isEqualTo(200);
      }
      TestEngine.Result denied = e.call("app-g", "gold", create);
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.problem().detail()).isEqualTo("Rate limit exceeded: operation limit 6/s.");
      assertThat(denied.exchange().reason()).isEqualTo("operation_limit");
      assertThat(e.call("app-g", "gold", other).status()).isEqualTo(200);
      assertThat(e.call("app-h", "gold", create).status()).isEqualTo(200);
    }
  }

  @Test
  void sharedOperationLimitCountsEveryOperationOfTheApi() {
    OperationLimit shared = new OperationLimit(ValueType.parseLimits("2/s"), "application", 1, true);
    try (TestEngine e = new TestEngine(plans(), clock)) {
      assertThat(e.call("app-g", "gold", TestEngine.operation("a", List.of(shared))).status()).isEqualTo(200);
      assertThat(e.call("app-g", "gold", TestEngine.operation("b", List.of(shared))).status()).isEqualTo(200);
      assertThat(e.call("app-g", "gold", TestEngine.operation("c", List.of(shared))).status()).isEqualTo(429);
    }
  }

  @Test
  void aSharedLimitIsOneBucketForOperationsOfDifferentCosts() {
    OperationLimit cheap = new OperationLimit(ValueType.parseLimits("10/m"), "application", 1, true);
    OperationLimit dear = new OperationLimit(ValueType.parseLimits("10/m"), "application", 5, true);
    try (TestEngine e = new TestEngine(plans(), clock)) {
      for (int i = 0; i < 10; i++) {
        assertThat(e.call("app-g", "gold", TestEngine.operation("a", List.of(cheap))).status())
            .isEqualTo(200);
      }
      assertThat(e.call("app-g", "gold", TestEngine.operation("b", List.of(dear))).status())
          .as("the ten tokens of the shared 10/m are spent").isEqualTo(429);
    }
  }

  @Test
  void operationLimitPerClientIpCountsEachAddressSeparately() {
    OperationLimit perIp = new OperationLimit(ValueType.parseLimits("1/s"), "client-ip", 1, false);
    OperationPolicy op = new OperationPolicy("status", "/v1/status", true, java.util.Set.of(),
        List.of(perIp), true);
    try (TestEngine e = new TestEngine(plans(), clock)) {
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("192.0.2.1"), op).status()).isEqualTo(200);
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("192.0.2.1"), op).status()).isEqualTo(429);
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("192.0.2.2"), op).status()).isEqualTo(200);
    }
  }

  @Test
  void anonymousLimitRejectsBeforeAuthenticationAndFailedAuthenticationsCountAgainstIt() {
    try (TestEngine e = new TestEngine(plans("piste.ratelimit.anonymous", "4/s"), clock)) {
      TestRequest bad = TestRequest.of("GET", "/v1/invoices").remoteAddress("198.51.100.7")
          .header("X-Test-Bad", "1");
      assertThat(e.call(bad, operation("list")).status()).isEqualTo(401);
      assertThat(e.call(bad, operation("list")).status()).isEqualTo(401);
      TestEngine.Result r = e.call(bad, operation("list"));
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.exchange().reason()).isEqualTo("anonymous_limit");
      TestRequest good = TestRequest.of("GET", "/v1/invoices").remoteAddress("198.51.100.8")
          .header("X-Test-App", "app-1");
      assertThat(e.call(good, operation("list")).status()).isEqualTo(200);
    }
  }

  @Test
  void legacyHeadersAreSentWhenConfigured() {
    try (TestEngine e = new TestEngine(plans("piste.ratelimit.legacy-headers", "true"), clock)) {
      TestEngine.Result r = e.call("app-1", "free", operation("list"));
      assertThat(r.header("X-RateLimit-Limit")).isEqualTo("5");
      assertThat(r.header("X-RateLimit-Remaining")).isEqualTo("4");
      assertThat(r.header("X-RateLimit-Reset")).isEqualTo("1");
    }
  }

  @Test
  void anonymousCallerOfAPublicOperationWithoutLimitCarriesNoRateLimitHeader() {
    OperationPolicy open = new OperationPolicy("status", "/v1/status", true, java.util.Set.of(),
        List.of(), true);
    try (TestEngine e = new TestEngine(plans(), clock)) {
      TestEngine.Result r = e.call(TestRequest.of("GET", "/v1/status").remoteAddress("192.0.2.1"), open);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("RateLimit")).isNull();
      assertThat(r.exchange().rateLimitRemaining()).isEqualTo(-1);
    }
  }

  @Test
  void aServletLimitRuleIsOneBucketForEveryMethodItMatches() {
    PathRules rules = PathRules.compile(List.of(), null, "* /v1/* 2/day", List.of(), "public",
        "scopes", "limits", "audit");
    try (TestEngine e = new TestEngine(Map.of(), clock)) {
      for (String method : List.of("GET", "HEAD")) {
        assertThat(e.call(request(method, "/v1/invoices/1"),
            rules.policyFor(method, "/v1/invoices/1")).status()).as(method).isEqualTo(200);
      }
      TestEngine.Result third = e.call(request("POST", "/v1/orders"),
          rules.policyFor("POST", "/v1/orders"));
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.exchange().reason()).isEqualTo("operation_limit");
    }
  }

  @Test
  void twoOperationsOfOneNameOnTwoPathTemplatesHaveABucketEach() {
    List<OperationLimit> oncePerDay = List.of(
        new OperationLimit(ValueType.parseLimits("1/day"), "application", 1, false));
    OperationPolicy list = new OperationPolicy("InvoiceResource.get", "/v1/invoices", false,
        java.util.Set.of(), oncePerDay, true);
    OperationPolicy one = new OperationPolicy("InvoiceResource.get", "/v1/invoices/{id}", false,
        java.util.Set.of(), oncePerDay, true);
    try (TestEngine e = new TestEngine(Map.of(), clock)) {
      assertThat(e.call("app-1", null, list).status()).isEqualTo(200);
      assertThat(e.call("app-1", null, one).status()).isEqualTo(200);
      assertThat(e.call("app-1", null, list).status()).isEqualTo(429);
      assertThat(e.call("app-1", null, one).status()).isEqualTo(429);
    }
  }

  @Test
  void anOperationCostingMoreThanAPlanHoldsIsLoggedOnce() {
    OperationPolicy export = new OperationPolicy("ExportResource.create", "/v1/exports", false,
        java.util.Set.of(),
        List.of(new OperationLimit(ValueType.parseLimits("100/m"), "application", 8, false)), true);
    String log = dev.piste.core.testing.Stderr.during(() -> {
      try (TestEngine e = new TestEngine(plans(), clock)) {
        assertThat(e.call("app-1", "free", export).status()).isEqualTo(429);
        assertThat(e.call("app-1", "gold", export).status()).isEqualTo(200);
        assertThat(e.call("app-1", "free", export).status()).isEqualTo(429);
      }
    });
    assertThat(log).containsOnlyOnce("operation ExportResource.create costs 8 tokens a call,"
        + " more than plan free holds (5)");
    assertThat(log).doesNotContain("plan gold");
  }

  private static TestRequest request(String method, String path) {
    return TestRequest.of(method, path).remoteAddress("192.0.2.10").header("X-Test-App", "app-1");
  }

  @Test
  void aRejectionNamesTheBlockingLimitWithWhatItHolds() {
    // cost 5: after two calls the minute holds 5 again and the day 2, so the day refuses the third
    OperationPolicy export = TestEngine.operation("export",
        List.of(new OperationLimit(ValueType.parseLimits("5/m; 12/day"), "application", 5, false)));
    try (TestEngine e = new TestEngine(plans("piste.ratelimit.default-plan", "gold"), clock)) {
      assertThat(e.call("exporter", null, export).status()).isEqualTo(200);
      clock.set(T0.plusSeconds(60));
      assertThat(e.call("exporter", null, export).status()).isEqualTo(200);
      clock.set(T0.plusSeconds(120));
      TestEngine.Result denied = e.call("exporter", null, export);
      assertThat(denied.status()).isEqualTo(429);
      // the day's 2, not the 0 the minute would hold had it taken the cost
      assertThat(denied.header("RateLimit")).isEqualTo("\"operation-day\";r=2;t=43080");
    }
  }
}
