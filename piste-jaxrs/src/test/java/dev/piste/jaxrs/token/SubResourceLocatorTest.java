package dev.piste.jaxrs.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.TokenFactory;
import dev.piste.jaxrs.PisteFeature;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources reached through sub-resource locators, on real Jersey and Jetty: the scopes of every
 * locator on the way hold, on top of the sub-resource method's own.
 */
final class SubResourceLocatorTest {

  static final TokenFactory F = TokenFactory.using(Clock.systemUTC());
  static final MemoryAuditSink EVENTS = new MemoryAuditSink();
  @TempDir static java.nio.file.Path spool;
  static JwksServer jwks;
  static Piste piste;
  static JettyServer server;

  @Path("/v1/admin")
  @RequiresScopes("admin")
  public static final class AdminResource {
    @GET
    @Produces("text/plain")
    public String root() {
      return "admin";
    }

    @Path("users")
    public UsersResource users() {
      return new UsersResource();
    }

    @Path("keys")
    @RequiresScopes("super")
    public UsersResource keys() {
      return new UsersResource();
    }
  }

  /** Reached from both resources, through locators with different requirements. */
  public static final class UsersResource {
    @GET
    @Produces("text/plain")
    public String list() {
      return "all users";
    }

    @GET
    @Path("{id}")
    @Produces("text/plain")
    public String one(@PathParam("id") String id) {
      return "user " + id;
    }

    @GET
    @Path("count")
    @Public
    @Produces("text/plain")
    public String count() {
      return "3";
    }

    @GET
    @Path("export")
    @RateLimit("2/h")
    @Produces("text/plain")
    public String export() {
      return "exported";
    }
  }

  @Path("/v1/directory")
  public static final class DirectoryResource {
    @Path("users")
    public UsersResource users() {
      return new UsersResource();
    }

    @Path("ädmins")
    @RequiresScopes("admin")
    public UsersResource admins() {
      return new UsersResource();
    }

    /** A locator may return the class, which the runtime instantiates. */
    @Path("staff")
    @RequiresScopes("admin")
    public Class<UsersResource> staff() {
      return UsersResource.class;
    }

    @Path("{team}")
    public UsersResource team() {
      return new UsersResource();
    }
  }

  /** A locator whose template has a regular expression with braces of its own. */
  @Path("/v1/codes")
  public static final class CodesResource {
    @Path("{code: [A-Z]{3}}")
    public UsersResource code() {
      return new UsersResource();
    }
  }

  /** Two locators that can both match a path: JAX-RS prefers the literal one. */
  @Path("/v1/archive")
  public static final class ArchiveResource {
    @Path("archived")
    @RequiresScopes("archive")
    public UsersResource archived() {
      return new UsersResource();
    }

    @Path("{year}")
    @RequiresScopes("read")
    public UsersResource year() {
      return new UsersResource();
    }
  }

  /** A tree of any depth, each level through the same locator. */
  @Path("/v1/tree")
  @RequiresScopes("tree")
  public static final class TreeResource {
    @GET
    @Produces("text/plain")
    public String here() {
      return "node";
    }

    @Path("{child}")
    public TreeResource child() {
      return new TreeResource();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    jwks = JwksServer.start().keys(F.rsa());
    piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
            .property("piste.audit.spool-dir", spool.toString())
            .property("piste.audit.flush-interval", "10ms").build())
        .auditSink(EVENTS).build().start();
    ResourceConfig app = new ResourceConfig(AdminResource.class, DirectoryResource.class,
        ArchiveResource.class, TreeResource.class, CodesResource.class)
        .register(new PisteFeature(piste));
    server = JettyServer.serving(new ServletContainer(app));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    piste.close();
    jwks.close();
  }

  static String bearer(String scopes) {
    var c = F.claims();
    c.setClaim("scope", scopes);
    return "Bearer " + F.sign(c, F.rsa(), "RS256");
  }

  static int status(String path, String authorization) throws Exception {
    return authorization == null ? server.get(path).statusCode()
        : server.get(path, "Authorization", authorization).statusCode();
  }

  @Test
  void theLocatorsClassScopesHoldForTheSubResource() throws Exception {
    String other = bearer("invoices:read");
    String admin = bearer("admin");
    assertThat(status("/v1/admin", other)).isEqualTo(403);
    assertThat(status("/v1/admin/users", other)).isEqualTo(403);
    assertThat(status("/v1/admin/users/7", other)).isEqualTo(403);
    assertThat(status("/v1/admin/users", admin)).isEqualTo(200);
    assertThat(status("/v1/admin/users/7", admin)).isEqualTo(200);
    assertThat(server.get("/v1/admin/users", "Authorization", other).headers()
        .firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope")
        .contains("admin");
  }

  @Test
  void theLocatorMethodsOwnScopesOverrideItsClasssAsForAnOperation() throws Exception {
    assertThat(status("/v1/admin/keys", bearer("admin"))).isEqualTo(403);
    assertThat(status("/v1/admin/keys/7", bearer("admin"))).isEqualTo(403);
    assertThat(status("/v1/admin/keys", bearer("super"))).isEqualTo(200);
    assertThat(status("/v1/admin/keys/7", bearer("super"))).isEqualTo(200);
  }

  @Test
  void aPublicMethodIsPublicOnlyWhereNoLocatorOnTheWayRequiresScopes() throws Exception {
    assertThat(status("/v1/directory/users/count", null)).isEqualTo(200);
    assertThat(status("/v1/admin/users/count", null)).isEqualTo(401);
    assertThat(status("/v1/admin/users/count", bearer("invoices:read"))).isEqualTo(403);
    assertThat(status("/v1/admin/users/count", bearer("admin"))).isEqualTo(200);
    // the same class through a locator that requires nothing: its own policy
    assertThat(status("/v1/directory/users", bearer("invoices:read"))).isEqualTo(200);
    assertThat(status("/v1/directory/users", null)).isEqualTo(401);
  }

  @Test
  void theAuditEventCarriesTheWholePathTemplate() throws Exception {
    server.get("/v1/admin/keys/42", "Authorization", bearer("super"), "X-Request-Id",
        "locator-1");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<AuditEvent> events;
    while ((events = EVENTS.withRequestId("locator-1")).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(events).hasSize(1);
    assertThat(events.get(0).pathTemplate()).isEqualTo("/v1/admin/keys/{id}");
    assertThat(events.get(0).status()).isEqualTo(200);
  }

  @Test
  void theAuditPathTemplateEndsARegexExpressionAtItsClosingBrace() throws Exception {
    assertThat(server.get("/v1/codes/ABC/42", "Authorization", bearer("read"), "X-Request-Id",
        "locator-regex").body()).isEqualTo("user 42");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<AuditEvent> events;
    while ((events = EVENTS.withRequestId("locator-regex")).isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(events).singleElement().satisfies(e ->
        assertThat(e.pathTemplate()).isEqualTo("/v1/codes/{code}/{id}"));
  }

  @Test
  void theLocatorUsedIsTheOneWhoseScopesHoldWhateverElseCouldMatchThePath() throws Exception {
    assertThat(status("/v1/archive/archived", bearer("archive"))).isEqualTo(200);
    assertThat(status("/v1/archive/archived", bearer("read"))).isEqualTo(403);
    assertThat(status("/v1/archive/2024", bearer("read"))).isEqualTo(200);
    assertThat(status("/v1/archive/2024", bearer("archive"))).isEqualTo(403);
  }

  @Test
  void matrixParametersAndEncodedSegmentsDoNotLeadPastALocatorsScopes() throws Exception {
    String other = bearer("invoices:read");
    assertThat(status("/v1/admin/keys;v=1", bearer("admin"))).isEqualTo(403);
    assertThat(status("/v1/admin/keys;v=1", bearer("super"))).isEqualTo(200);
    assertThat(status("/v1/directory/%C3%A4dmins", other)).isEqualTo(403);
    assertThat(status("/v1/directory/%C3%A4dmins", bearer("admin"))).isEqualTo(200);
    assertThat(status("/v1/directory/team-a", other)).isEqualTo(200);
  }

  @Test
  void aLocatorReturningAClassKeepsItsScopes() throws Exception {
    assertThat(status("/v1/directory/staff", bearer("invoices:read"))).isEqualTo(403);
    assertThat(status("/v1/directory/staff", bearer("admin"))).isEqualTo(200);
  }

  @Test
  void aDeepTreeThroughOneLocatorKeepsItsRootsScopes() throws Exception {
    String path = "/v1/tree" + "/n".repeat(40);
    assertThat(status(path, bearer("invoices:read"))).isEqualTo(403);
    assertThat(status(path, bearer("tree"))).isEqualTo(200);
    assertThat(status(path, null)).isEqualTo(401);
  }

  @Test
  void aMethodsLimitIsOneBucketWhicheverLocatorLeadsToIt() throws Exception {
    String admin = bearer("admin");
    assertThat(status("/v1/admin/users/export", admin)).isEqualTo(200);
    assertThat(status("/v1/directory/users/export", admin)).isEqualTo(200);
    assertThat(status("/v1/admin/keys/export", bearer("super"))).isEqualTo(429);
    assertThat(status("/v1/directory/users/export", admin)).isEqualTo(429);
  }
}
