package dev.piste.examples.invoices;

import dev.piste.PisteConfigurationException;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.servlet.PisteServletContextListener;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.config.CatalogKeys;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The example invoices API: Jersey on an embedded Jetty, protected by the PISTE SDK.
 *
 * <pre>java -jar examples/invoices-api/target/invoices-api.jar --port 8080</pre>
 *
 * Every {@code piste.*} key can be given as a system property or an environment variable.
 */
public final class InvoicesApi implements AutoCloseable {

  private final Server server;
  private final Piste piste;
  private final int port;

  private InvoicesApi(Server server, Piste piste, int port) {
    this.server = server;
    this.piste = piste;
    this.port = port;
  }

  /** Starts the API on {@code port} (0 = any free port) with this configuration. */
  public static InvoicesApi start(String host, int port, PisteConfig config) throws Exception {
    Piste piste = Piste.create(config).start();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addEventListener(new PisteServletContextListener(piste));
    InvoiceStore store = new InvoiceStore(config.clock());
    context.addServlet(new ServletHolder(new ServletContainer(new InvoicesApplication(piste, store))), "/*");
    server.setHandler(context);
    server.setStopTimeout(5000);
    try {
      server.start();
    } catch (Exception e) {
      piste.close();
      throw e;
    }
    return new InvoicesApi(server, piste, connector.getLocalPort());
  }

  public int port() {
    return port;
  }

  public Piste piste() {
    return piste;
  }

  /** Stops serving, then closes the engine (audit drain, catalog deregistration). */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping anyway
    } finally {
      piste.close();
    }
  }

  /** A configuration completed by the embedded defaults, and the development issuer it may run. */
  public record Setup(PisteConfig config, DevIssuer devIssuer, List<String> notes) {}

  /**
   * Completes the configuration read from the sources with embedded defaults for what is missing:
   * a development issuer when neither {@code piste.token.jwks-uri} nor
   * {@code piste.token.introspection-uri} is set (its token endpoint is then the OpenAPI
   * document's token URL, unless {@code piste.catalog.openapi-token-url} is set), and demo plans
   * when none is defined.
   */
  public static Setup embeddedDefaults(PisteConfig.Builder sources) throws IOException {
    PisteConfig given = sources.build();
    PisteConfig.Builder b = given.toBuilder();
    List<String> notes = new ArrayList<>();
    DevIssuer issuer = null;
    if (given.get(TokenKeys.JWKS_URI) == null && given.get(TokenKeys.INTROSPECTION_URI) == null
        && given.get(TokenKeys.JWK_FILE) == null) {
      String audience = given.get(TokenKeys.AUDIENCE) != null ? given.get(TokenKeys.AUDIENCE).get(0) : "invoices";
      issuer = DevIssuer.start(0, DEV_ISSUER, audience);
      b.property(TokenKeys.JWKS_URI.name(), issuer.jwksUri().toString());
      if (given.get(TokenKeys.ISSUER) == null) {
        b.property(TokenKeys.ISSUER.name(), DEV_ISSUER);
      }
      if (given.get(TokenKeys.AUDIENCE) == null) {
        b.property(TokenKeys.AUDIENCE.name(), audience);
      }
      // the issuer is a URN, so the OpenAPI document cannot derive the token URL from it
      if (given.get(CatalogKeys.OPENAPI_TOKEN_URL) == null) {
        b.property(CatalogKeys.OPENAPI_TOKEN_URL.name(), issuer.tokenUri().toString());
      }
      notes.add("development issuer at " + issuer.tokenUri()
          + " (set piste.token.jwks-uri or piste.token.introspection-uri to use a real one)");
    }
    if (given.values(RateLimitKeys.PLANS).isEmpty()) {
      b.property(RateLimitKeys.PLANS.name() + "free", "5/s burst 10; 1000/day");
      b.property(RateLimitKeys.PLANS.name() + "gold", "100/s burst 200; 1000000/day");
      if (given.get(RateLimitKeys.DEFAULT_PLAN) == null) {
        b.property(RateLimitKeys.DEFAULT_PLAN.name(), "free");
      }
      notes.add("demo plans free (5/s burst 10; 1000/day) and gold (100/s burst 200; 1000000/day),"
          + " in memory");
    }
    if (!given.isSet(AuditKeys.SINKS)) {
      notes.add("audit events to the SLF4J logger piste.audit");
    }
    try {
      return new Setup(b.build(), issuer, notes);
    } catch (RuntimeException e) {
      if (issuer != null) {
        issuer.close();
      }
      throw e;
    }
  }

  public static void main(String[] args) throws Exception {
    int port = 8080;
    String host = "0.0.0.0";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--host" -> host = args[++i];
        default -> {
          System.err.println("usage: java -jar invoices-api.jar [--port N] [--host ADDRESS]");
          System.exit(2);
        }
      }
    }
    PrintStream out = System.out;
    Setup setup;
    try {
      setup = embeddedDefaults(PisteConfig.builder());
    } catch (PisteConfigurationException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    InvoicesApi api;
    try {
      api = start(host, port, setup.config());
    } catch (PisteConfigurationException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      if (setup.devIssuer() != null) {
        setup.devIssuer().close();
      }
      throw e;
    }
    DevIssuer issuer = setup.devIssuer();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      api.close();
      if (issuer != null) {
        issuer.close();
      }
    }, "invoices-api-shutdown"));
    String base = "http://localhost:" + api.port();
    out.println("Invoices API listening on port " + api.port());
    if (!setup.notes().isEmpty()) {
      out.println("Running on embedded defaults:");
      setup.notes().forEach(n -> out.println("  - " + n));
    }
    out.println();
    out.println("Try it:");
    out.println("  curl " + base + "/v1/status");
    if (issuer != null) {
      DevIssuer.Client reader = issuer.clients().get(0);
      out.println("  TOKEN=$(curl -s -u " + reader.id() + ":" + reader.secret()
          + " -d grant_type=client_credentials " + issuer.tokenUri()
          + " | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
      out.println("  curl -H \"Authorization: Bearer $TOKEN\" " + base + "/v1/invoices");
      out.println("Demo clients (client id:secret, scopes, plan):");
      for (DevIssuer.Client c : issuer.clients()) {
        out.println("  " + c.id() + ":" + c.secret() + "  [" + c.scope() + "]  plan " + c.plan());
      }
    }
  }

  private static final String DEV_ISSUER = "urn:piste:dev-issuer";
}
