package dev.piste.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PathRulesTest {

  private static PathRules rules(List<String> publicPaths, String scopes, String limits,
      List<String> noAudit) {
    return PathRules.compile(publicPaths, scopes, limits, noAudit, "public", "scopes", "limits", "audit");
  }

  @Test
  void publicPathsNeedNoCredentialAndEverythingElseDoes() {
    PathRules r = rules(List.of("/v1/status"), null, null, List.of());
    assertThat(r.policyFor("GET", "/v1/status").publicOperation()).isTrue();
    assertThat(r.policyFor("GET", "/v1/status/x").publicOperation()).isFalse();
    assertThat(r.policyFor("GET", "/v1/invoices").publicOperation()).isFalse();
  }

  @Test
  void scopeRulesMatchMethodAndPathFirstRuleWins() {
    PathRules r = rules(List.of(), "GET /v1/invoices/* invoices:read; POST /v1/invoices invoices:write\n"
        + "* /v1/admin/* admin", null, List.of());
    assertThat(r.policyFor("GET", "/v1/invoices").scopes()).containsExactly("invoices:read");
    assertThat(r.policyFor("GET", "/v1/invoices/42").scopes()).containsExactly("invoices:read");
    assertThat(r.policyFor("GET", "/v1/invoicesX").scopes()).isEmpty();
    assertThat(r.policyFor("POST", "/v1/invoices").scopes()).containsExactly("invoices:write");
    assertThat(r.policyFor("DELETE", "/v1/admin/x").scopes()).containsExactly("admin");
    assertThat(r.policyFor("GET", "/v1/invoices/42").pathTemplate()).isEqualTo("/v1/invoices/*");
    assertThat(r.policyFor("GET", "/v1/invoices/42").operationId()).isEqualTo("GET /v1/invoices/*");
  }

  @Test
  void aTrailingSlashNamesTheSameOperation() {
    PathRules r = rules(List.of("/v1/status"), "POST /v1/invoices invoices:write",
        "POST /v1/invoices 5/s", List.of());
    for (String path : List.of("/v1/invoices/", "/v1/invoices//")) {
      assertThat(r.policyFor("POST", path).scopes()).as(path).containsExactly("invoices:write");
      assertThat(r.policyFor("POST", path).limits()).as(path).hasSize(1);
      assertThat(r.policyFor("POST", path).operationId()).isEqualTo("POST /v1/invoices");
    }
    // a public path waives the credential: it matches only the path as dispatched, since a
    // servlet mapped at / may serve /v1/status/ where another one serves /v1/status
    assertThat(r.policyFor("GET", "/v1/status").publicOperation()).isTrue();
    assertThat(r.policyFor("GET", "/v1/status/").publicOperation()).isFalse();
    assertThat(r.policyFor("GET", "/").operationId()).isEqualTo("GET /");
  }

  @Test
  void aPatternEndingInASlashMatchesThePathAsTheRequestPathIsSeen() {
    PathRules r = rules(List.of("/v1/status"),
        "POST /v1/orders/ admin; GET /v1/reports//* reports",
        "POST /v1/orders/ 5/s", List.of("/health"));
    for (String path : List.of("/v1/orders", "/v1/orders/")) {
      OperationPolicy p = r.policyFor("POST", path);
      assertThat(p.scopes()).as(path).containsExactly("admin");
      assertThat(p.limits()).as(path).hasSize(1);
      assertThat(p.operationId()).as(path).isEqualTo("POST /v1/orders");
    }
    assertThat(r.policyFor("GET", "/v1/reports/7").scopes()).containsExactly("reports");
    assertThat(r.policyFor("GET", "/v1/status").publicOperation()).isTrue();
    assertThat(r.policyFor("GET", "/health").audited()).isFalse();
    assertThat(r.rules()).extracting(PathRules.Rule::pattern)
        .containsExactly("/v1/status", "/v1/orders", "/v1/reports/*", "/v1/orders");
    // an exact public path or exclusion ending in a slash would match only with the slash: refused
    assertThatThrownBy(() -> rules(List.of("/v1/status/"), null, null, List.of()))
        .hasMessageContaining("public = '/v1/status/'");
    assertThatThrownBy(() -> rules(List.of(), null, null, List.of("/health/")))
        .hasMessageContaining("audit = '/health/'");
  }

  @Test
  void aPrefixPublicPathCoversItsTrailingSlash() {
    PathRules r = rules(List.of("/docs/*"), null, null, List.of("/health/*"));
    for (String path : List.of("/docs", "/docs/", "/docs/index.html")) {
      assertThat(r.policyFor("GET", path).publicOperation()).as(path).isTrue();
    }
    assertThat(r.policyFor("GET", "/health/").audited()).isFalse();
    assertThat(r.policyFor("GET", "/docsx").publicOperation()).isFalse();
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"/v1/status\n    /health",
      "/v1/status;/health", "/v1/status /health", "/search?q=*", "/v1/%73tatus", "/a#b"})
  void aPatternThatCouldNeverMatchFailsNamingItsKey(String pattern) {
    assertThatThrownBy(() -> rules(List.of(pattern), null, null, List.of()))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("public = ")
        .hasMessageContaining("path patterns such as /v1/status or /docs/*, separated by commas");
    assertThatThrownBy(() -> rules(List.of(), null, null, List.of(pattern)))
        .hasMessageContaining("audit = ");
  }

  @Test
  void twoLimitRulesUnderOneBroaderScopeRuleAreTwoOperations() {
    PathRules r = rules(List.of(), "POST /v1/* invoices:write",
        "POST /v1/invoices 5/s;;POST /v1/customers 5/s", List.of());
    assertThat(r.policyFor("POST", "/v1/invoices").operationId()).isEqualTo("POST /v1/invoices");
    assertThat(r.policyFor("POST", "/v1/customers").operationId()).isEqualTo("POST /v1/customers");
    assertThat(r.policyFor("POST", "/v1/customers").scopes()).containsExactly("invoices:write");
    assertThat(r.policyFor("POST", "/v1/other").operationId()).isEqualTo("POST /v1/*");
  }

  @Test
  void aLimitRuleIsOneBucketWhateverTheMethodOrTheScopeRuleOfTheRequest() {
    PathRules r = rules(List.of(), "GET /v1/invoices/* invoices:read; POST /v1/orders orders:write",
        "GET /v1/reports 5/s;; * /v1/* 1/day", List.of());
    OperationPolicy invoice = r.policyFor("GET", "/v1/invoices/42");
    assertThat(invoice.operationId()).isEqualTo("GET /v1/invoices/*");
    assertThat(invoice.bucket()).isEqualTo("* /v1/*");
    for (OperationPolicy p : List.of(r.policyFor("HEAD", "/v1/invoices/42"),
        r.policyFor("POST", "/v1/orders"), r.policyFor("DELETE", "/v1/other"))) {
      assertThat(p.bucket()).as(p.operationId()).isEqualTo("* /v1/*");
    }
    assertThat(r.policyFor("HEAD", "/v1/reports").bucket())
        .isEqualTo(r.policyFor("GET", "/v1/reports").bucket()).isEqualTo("GET /v1/reports");
  }

  @Test
  void headFollowsTheRulesOfGet() {
    PathRules r = rules(List.of(), "GET /v1/invoices/* invoices:read; HEAD /v1/reports reports:head",
        "GET /v1/invoices/* 50/s", List.of());
    assertThat(r.policyFor("HEAD", "/v1/invoices/42").scopes()).containsExactly("invoices:read");
    assertThat(r.policyFor("HEAD", "/v1/invoices/42").limits()).hasSize(1);
    assertThat(r.policyFor("HEAD", "/v1/reports").scopes()).containsExactly("reports:head");
    assertThat(r.policyFor("GET", "/v1/reports").scopes()).isEmpty();
  }

  @Test
  void limitRulesAndAuditExclusionsCompile() {
    PathRules r = rules(List.of(), null, "POST /v1/invoices 5/s burst 10; 100/day\nGET,HEAD /v1/* 50/s",
        List.of("/health/*"));
    assertThat(r.policyFor("POST", "/v1/invoices").limits()).singleElement()
        .satisfies(l -> assertThat(l.limits()).hasSize(2));
    assertThat(r.policyFor("HEAD", "/v1/x").limits()).hasSize(1);
    assertThat(r.policyFor("GET", "/health/live").audited()).isFalse();
    assertThat(r.policyFor("GET", "/v1/x").audited()).isTrue();
  }

  @Test
  void aLimitRuleTakesTheOptionsOfRateLimitInAnyOrder() {
    PathRules r = rules(List.of(), null, String.join("\n",
        "POST /v1/exports 100/day per client-ip cost 5",
        "POST /v1/invoices 5/s burst 10; 100/day shared cost 2 per subject",
        "GET /v1/search 20/s shared;",
        "GET /v1/invoices/* 50/s"), List.of());

    assertThat(r.policyFor("POST", "/v1/exports").limits()).singleElement().satisfies(l -> {
      assertThat(l.limits()).hasSize(1);
      assertThat(l.per()).isEqualTo("client-ip");
      assertThat(l.cost()).isEqualTo(5);
      assertThat(l.shared()).isFalse();
    });
    assertThat(r.policyFor("POST", "/v1/invoices").limits()).singleElement().satisfies(l -> {
      assertThat(l.limits()).extracting(Object::toString).containsExactly("5/s burst 10", "100/day");
      assertThat(l.per()).isEqualTo("subject");
      assertThat(l.cost()).isEqualTo(2);
      assertThat(l.shared()).isTrue();
    });
    assertThat(r.policyFor("GET", "/v1/search").limits()).singleElement().satisfies(l -> {
      assertThat(l.per()).isEqualTo("application");
      assertThat(l.cost()).isEqualTo(1);
      assertThat(l.shared()).isTrue();
    });
    assertThat(r.policyFor("GET", "/v1/invoices/42").limits()).singleElement().satisfies(l -> {
      assertThat(l.per()).isEqualTo("application");
      assertThat(l.cost()).isEqualTo(1);
      assertThat(l.shared()).isFalse();
    });
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"POST /v1/x per client-ip", "POST /v1/x 5/s per", "POST /v1/x 5/s per ip",
      "POST /v1/x 5/s cost 0", "POST /v1/x 5/s cost -1", "POST /v1/x 5/s cost two",
      "POST /v1/x 5/s cost 2 cost 3", "POST /v1/x 5/s shared shared",
      "POST /v1/x 5/s per subject per application",
      "POST /v1/x 5/s shared 10/m", "POST /v1/x 5/s burst"})
  void aMalformedLimitRuleOptionFailsNamingTheKeyAndTheForm(String rule) {
    assertThatThrownBy(() -> rules(List.of(), null, rule, List.of()))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems()).singleElement()
            .satisfies(p -> {
              assertThat(p.key()).isEqualTo("limits");
              assertThat(p.expected()).contains("[per application|subject|client-ip] [cost N] [shared]");
            }));
  }

  @Test
  void aLimitRuleWhoseCostIsAboveItsCapacityFailsNamingTheKeyAndTheHighestCostAllowed() {
    assertThatThrownBy(() -> rules(List.of(), null, "POST /v1/exports 4/m burst 6; 100/day cost 8",
        List.of()))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems()).singleElement()
            .satisfies(p -> {
              assertThat(p.key()).isEqualTo("limits");
              assertThat(p.value()).isEqualTo("POST /v1/exports 4/m burst 6; 100/day cost 8");
              assertThat(p.expected()).startsWith("a cost of at most 6, the smallest capacity");
            }));
  }

  @Test
  void aLimitRuleBeyondWhatTheStoresEnforceFailsNamingTheBounds() {
    assertThatThrownBy(() -> rules(List.of(), null, "POST /v1/invoices 2000000000/s", List.of()))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems()).singleElement()
            .satisfies(p -> {
              assertThat(p.key()).isEqualTo("limits");
              assertThat(p.value()).isEqualTo("POST /v1/invoices 2000000000/s");
              assertThat(p.expected()).contains("at most one token a nanosecond (1000000000/s,");
            }));
    assertThat(rules(List.of(), null, "POST /v1/invoices 1000000000/s", List.of())
        .policyFor("POST", "/v1/invoices").limits()).hasSize(1);
  }

  @Test
  void everyMalformedRuleIsReportedAtOnce() {
    assertThatThrownBy(() -> rules(List.of("status"), "GET /v1/x", "POST /v1/y fast", List.of("/a*b")))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems())
            .extracting(PisteConfigurationException.Problem::key)
            .containsExactly("public", "scopes", "limits", "audit"));
  }
}
