package dev.piste.jaxrs.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.annotation.Public;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import dev.piste.core.token.FileApiKeyStore;
import dev.piste.jaxrs.PisteFeature;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token validation through the JAX-RS feature on real Jersey and Jetty, keys from a real JWKS. */
final class JaxrsTokenTest {

  static final TokenFactory F = TokenFactory.using(Clock.systemUTC());
  static final String API_KEY = "pk_test_reporting_5d1f0e";
  static JwksServer jwks;
  static Piste piste;
  static JettyServer server;
  static java.nio.file.Path keys;

  @Path("/v1/invoices")
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @Produces("text/plain")
    public String list(@Context SecurityContext security) {
      return security.getUserPrincipal().getName() + " " + security.getAuthenticationScheme()
          + " writer=" + security.isUserInRole("invoices:write") + " secure=" + security.isSecure();
    }

    @POST
    @RequiresScopes("invoices:write")
    @Produces("text/plain")
    public String create() {
      return "created";
    }

    @GET
    @Path("admin")
    @RolesAllowed("invoices:admin")
    @Produces("text/plain")
    public String admin() {
      return "admin";
    }
  }

  /** JAX-RS and PISTE annotations on an interface, as in interface-first (contract) resources. */
  public interface LedgerApi {
    @GET
    @RequiresScopes("ledger:read")
    @Produces("text/plain")
    String list();

    @GET
    @Path("summary")
    @Public
    @Produces("text/plain")
    String summary();
  }

  @Path("/v1/ledger")
  public static final class Ledger implements LedgerApi {
    @Override
    public String list() {
      return "secret-ledger";
    }

    @Override
    public String summary() {
      return "summary";
    }
  }

  @Path("/v1/status")
  @Public
  public static final class StatusResource {
    @GET
    @Produces("text/plain")
    public String status() {
      return "up";
    }
  }

  @BeforeAll
  static void start() throws Exception {
    jwks = JwksServer.start().keys(F.rsa());
    keys = Files.createTempFile("api-keys", ".txt");
    Files.write(keys, List.of(FileApiKeyStore.line(API_KEY, "reporting", "free",
        Set.of("invoices:read"))));
    piste = Piste.create(TokenFactory.config(Clock.systemUTC(), jwks.uri())
        .property("piste.token.realm", "invoices")
        .property("piste.token.api-key-file", keys.toString()).build());
    ResourceConfig app = new ResourceConfig(InvoiceResource.class, StatusResource.class,
        Ledger.class)
        .register(new PisteFeature(piste)).register(RolesAllowedDynamicFeature.class);
    server = JettyServer.serving(new ServletContainer(app));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    piste.close();
    jwks.close();
    Files.deleteIfExists(keys);
  }

  static String reader() {
    var c = F.claims();
    c.setClaim("scope", "invoices:read");
    return F.sign(c, F.rsa(), "RS256");
  }

  @Test
  void scopesDeclaredOnAnInterfaceMethodHoldForItsImplementation() throws Exception {
    var c = F.claims();
    c.setClaim("scope", "ledger:read");
    String ledgerReader = F.sign(c, F.rsa(), "RS256");

    HttpResponse<String> without = server.get("/v1/ledger", "Authorization", "Bearer " + reader());
    HttpResponse<String> with = server.get("/v1/ledger", "Authorization", "Bearer " + ledgerReader);
    HttpResponse<String> anonymous = server.get("/v1/ledger/summary");

    assertThat(without.statusCode()).isEqualTo(403);
    assertThat(without.body()).doesNotContain("secret-ledger");
    assertThat(without.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("insufficient_scope").contains("scope=\"ledger:read\"");
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(with.body()).isEqualTo("secret-ledger");
    assertThat(anonymous.statusCode()).isEqualTo(200);
  }

  @Test
  void theSecurityContextCarriesTheCallerAndAnswersRolesFromScopes() throws Exception {
    HttpResponse<String> writer = server.get("/v1/invoices", "Authorization", "Bearer " + F.valid());
    HttpResponse<String> readOnly = server.get("/v1/invoices", "Authorization", "Bearer " + reader());

    assertThat(writer.statusCode()).isEqualTo(200);
    assertThat(writer.body()).isEqualTo(TokenFactory.CLIENT + " PISTE_JWT writer=true secure=false");
    assertThat(readOnly.body()).endsWith("writer=false secure=false");
  }

  @Test
  void anApiKeyAuthenticatesItsApplication() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices", "X-API-Key", API_KEY);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("reporting PISTE_API_KEY");
  }

  @Test
  void rfc6750Section3NoCredentialGivesOnlyTheRealmChallenge() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"invoices\"");
    assertThat(server.get("/v1/status").statusCode()).isEqualTo(200);
  }

  @Test
  void rfc6750Section3_1AnInvalidTokenIs401InvalidToken() throws Exception {
    String forged = F.sign(F.claims(), F.attacker(), "RS256");

    HttpResponse<String> r = server.get("/v1/invoices", "Authorization", "Bearer " + forged);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"invoices\", "
        + "error=\"invalid_token\", error_description=\"The token signature is invalid.\"");
    assertThat(r.body()).contains("\"status\":401").doesNotContain(forged.substring(0, 30));
  }

  @Test
  void rfc6750Section3_1AMissingScopeIs403NamingTheScope() throws Exception {
    HttpResponse<String> r = server.send("POST", "/v1/invoices", "", "Authorization",
        "Bearer " + reader());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"").contains("scope=\"invoices:write\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void rolesAllowedIsAnsweredFromTheScopes() throws Exception {
    var admin = F.claims();
    admin.setClaim("scope", "invoices:read invoices:admin");

    assertThat(server.get("/v1/invoices/admin", "Authorization", "Bearer " + F.valid())
        .statusCode()).isEqualTo(403);
    assertThat(server.get("/v1/invoices/admin", "Authorization", "Bearer "
        + F.sign(admin, F.rsa(), "RS256")).body()).isEqualTo("admin");
  }

  @Test
  void aDenialThatLeavesTheRequestBodyUnreadClosesTheConnection() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> posted = server.send("POST", "/v1/invoices", "{\"amountCents\":" + i + "}",
          "Authorization", "Bearer " + reader(), "Content-Type", "application/json");
      assertThat(posted.statusCode()).isEqualTo(403);
      assertThat(posted.headers().firstValue("Connection")).hasValue("close");
    }
    HttpResponse<String> got = server.get("/v1/ledger", "Authorization", "Bearer " + reader());
    assertThat(got.statusCode()).isEqualTo(403);
    assertThat(got.headers().firstValue("Connection")).isEmpty();
  }
}
