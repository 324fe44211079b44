package dev.piste.servlet.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.Caller;
import dev.piste.core.Piste;
import dev.piste.core.testing.HostileTokens;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import dev.piste.token.TokenFailure;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile token of the core suite ({@link HostileTokens}) sent over real HTTP to a real
 * Jetty with the servlet filter, keys from a real JWKS endpoint: 401 {@code invalid_token} with the
 * fixed description of the expected failure; and every valid token accepted.
 */
final class ServletHostileTokenTest {

  static JwksServer jwks;
  static Piste piste;
  static JettyServer server;

  /** Answers 200 with the caller's name. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.getWriter().print(((Caller) req.getAttribute(Caller.REQUEST_ATTRIBUTE)).getName());
    }
  }

  @BeforeAll
  static void start() throws Exception {
    jwks = JwksServer.start().body(HostileTokens.jwks());
    piste = Piste.create(TokenFactory.config(HostileTokens.CLOCK, jwks.uri())
        .property("piste.token.realm", "invoices").build());
    server = JettyServer.filtered(new PisteFilter(piste), new EchoServlet());
  }

  @AfterAll
  static void stop() {
    server.close();
    piste.close();
    jwks.close();
  }

  /** The hostile cases an HTTP client can carry in a header (no CR or LF). */
  static Stream<Arguments> hostile() {
    return HostileTokens.hostile().filter(a -> {
      @SuppressWarnings("unchecked")
      String t = ((Function<TokenFactory, String>) a.get()[1]).apply(HostileTokens.F);
      return t.indexOf('\n') < 0 && t.indexOf('\r') < 0;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void rejectsHostileTokenOverHttp(String source, Function<TokenFactory, String> token,
      TokenFailure expected) throws Exception {
    String t = token.apply(HostileTokens.F);

    HttpResponse<String> r = server.get("/v1/invoices", "Authorization", "Bearer " + t);

    if (expected == TokenFailure.TOO_LONG && r.statusCode() == 431) {
      return; // over Jetty's own 8 KiB request-header limit: refused before the filter runs
    }
    assertThat(r.statusCode()).as(source).isEqualTo(401);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertThat(challenge).isEqualTo("Bearer realm=\"invoices\", error=\"invalid_token\", "
        + "error_description=\"" + (t.contains(" ") ? TokenFailure.MALFORMED : expected)
            .description() + "\"");
    assertThat(r.body()).doesNotContain(t.substring(0, Math.min(24, t.length())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.piste.core.testing.HostileTokens#valid")
  void acceptsValidTokenOverHttp(String source, Function<TokenFactory, String> token)
      throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices", "Authorization",
        "Bearer " + token.apply(HostileTokens.F));

    assertThat(r.statusCode()).as(source).isEqualTo(200);
    assertThat(r.body()).isEqualTo(TokenFactory.CLIENT);
  }
}
