package dev.piste.examples.invoices;

import dev.piste.PisteConfigurationException;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.servlet.PisteServletContextListener;
import java.io.PrintStream;
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
    PisteConfig config;
    try {
      config = PisteConfig.builder().build();
    } catch (PisteConfigurationException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    InvoicesApi api = start(host, port, config);
    Runtime.getRuntime().addShutdownHook(new Thread(api::close, "invoices-api-shutdown"));
    out.println("Invoices API listening on port " + api.port());
    out.println("  curl http://localhost:" + api.port() + "/v1/status");
  }
}
