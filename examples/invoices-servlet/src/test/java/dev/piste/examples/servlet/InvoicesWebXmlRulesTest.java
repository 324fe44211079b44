package dev.piste.examples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's web.xml rules hold for the request forms a client can choose: a trailing slash,
 * HEAD for GET, and a method the public path was not meant for.
 */
final class InvoicesWebXmlRulesTest {

  private static final TokenFactory TOKENS = TokenFactory.using(Clock.systemUTC());
  private static JwksServer jwks;
  private static JettyServer server;
  private static String reader;
  private static String nothing;

  @TempDir
  static Path dir;

  @BeforeAll
  static void deploy() throws Exception {
    jwks = JwksServer.start().keys(TOKENS.rsa());
    WebAppContext webapp = ExampleWebapp.context();
    webapp.setInitParameter("piste.token.jwks-uri", jwks.uri().toString());
    webapp.setInitParameter("piste.token.issuer", TokenFactory.ISSUER);
    webapp.setInitParameter("piste.token.audience", TokenFactory.AUDIENCE);
    webapp.setInitParameter("piste.audit.spool-dir", dir.resolve("spool").toString());
    server = JettyServer.start(webapp);
    JwtClaims read = TOKENS.claims();
    read.setClaim("scope", "invoices:read");
    reader = "Bearer " + TOKENS.sign(read, TOKENS.rsa(), "RS256");
    JwtClaims none = TOKENS.claims();
    none.setClaim("scope", "profile");
    nothing = "Bearer " + TOKENS.sign(none, TOKENS.rsa(), "RS256");
  }

  @AfterAll
  static void undeploy() {
    server.close();
    jwks.close();
  }

  @Test
  void aTrailingSlashDoesNotEscapeTheWriteScope() throws Exception {
    String body = "{\"customer\":\"Initech\",\"amountCents\":100}";
    assertThat(server.send("POST", "/v1/invoices/", body, "Authorization", reader,
        "Content-Type", "application/json").statusCode()).isEqualTo(403);
    assertThat(server.send("POST", "/v1/invoices", body, "Authorization", reader,
        "Content-Type", "application/json").statusCode()).isEqualTo(403);
  }

  @Test
  void headNeedsTheScopesOfGet() throws Exception {
    assertThat(server.send("HEAD", "/v1/invoices/INV-00001", null, "Authorization", nothing)
        .statusCode()).isEqualTo(403);
    assertThat(server.send("HEAD", "/v1/invoices/INV-00001", null, "Authorization", reader)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void thePublicStatusPathCreatesNothing() throws Exception {
    assertThat(server.send("POST", "/v1/status", "{\"customer\":\"x\",\"amountCents\":1}",
        "Content-Type", "application/json").statusCode()).isEqualTo(405);
  }
}
