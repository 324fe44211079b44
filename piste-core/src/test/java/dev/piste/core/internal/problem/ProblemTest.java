package dev.piste.core.internal.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 9457 problem details and RFC 6750 challenges. */
final class ProblemTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bodyIsAnRfc9457ProblemWithTypeTitleStatusDetailAndInstance() throws Exception {
    Problem p = Problems.insufficientScope("invoices", Set.of("invoices:write")).withInstance("req-1");
    JsonNode n = JSON.readTree(p.body());
    assertThat(n.get("type").asText()).isEqualTo("https://piste.dev/problems/insufficient-scope");
    assertThat(n.get("title").asText()).isEqualTo("Forbidden");
    assertThat(n.get("status").asInt()).isEqualTo(403);
    assertThat(n.get("detail").asText()).contains("invoices:write");
    assertThat(n.get("instance").asText()).isEqualTo("req-1");
  }

  @Test
  void missingCredentialChallengeCarriesTheRealmOnly() {
    assertThat(Problems.missingCredential("invoices").headers())
        .containsExactly(new Problem.Header("WWW-Authenticate", "Bearer realm=\"invoices\""));
  }

  @Test
  void insufficientScopeChallengeNamesTheScopes() {
    assertThat(Problems.insufficientScope("api", Set.of("b", "a")).headers().get(0).value())
        .isEqualTo("Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"The request "
            + "requires higher privileges than provided by the access token.\", scope=\"a b\"");
  }

  @Test
  void errorDescriptionKeepsOnlyRfc6750Characters() {
    assertThat(Problems.safe("bad \"token\" \\ é\n")).isEqualTo("bad ?token? ? ??");
  }

  @Test
  void jsonEscapingSurvivesControlAndQuoteCharacters() throws Exception {
    Problem p = Problems.invalidToken("r", "x").withInstance("a\"b\\c\u0001\u2028");
    assertThat(JSON.readTree(p.body()).get("instance").asText()).isEqualTo("a\"b\\c\u0001\u2028");
  }
}
