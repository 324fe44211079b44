package dev.piste.example.catalog;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The reference catalog: keeps the registered APIs and their instances, persists them, and serves
 * the developer portal. Run {@code java -jar catalog-server.jar --port 8090 --data catalog-data}.
 *
 * <pre>
 * --port N                 port to listen on; 0 binds any free port (default 8090)
 * --host ADDRESS           address to bind (default 0.0.0.0)
 * --data DIR               directory of catalog.json, kept across restarts (default: none, in memory)
 * --introspection-uri URL  RFC 7662 endpoint; PUT and DELETE then need an active bearer token
 * </pre>
 */
public final class CatalogServer implements AutoCloseable {

  private final Server server;
  private final CatalogStore store;
  private final CatalogHandler handler;

  private CatalogServer(Server server, CatalogStore store, CatalogHandler handler) {
    this.server = server;
    this.store = store;
    this.handler = handler;
  }

  /** Starts a catalog on this address. */
  public static CatalogServer start(String host, int port, Path dataDir, URI introspectionUri,
      Clock clock) throws Exception {
    CatalogStore store = new CatalogStore(clock, dataDir);
    CatalogHandler handler = new CatalogHandler(store, introspectionUri);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(handler);
    server.setStopTimeout(2000);
    server.start();
    return new CatalogServer(server, store, handler);
  }

  /** The bound port. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The catalog's base URL on loopback. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port());
  }

  CatalogStore store() {
    return store;
  }

  /** Write requests refused for want of an active token. */
  int rejected() {
    return handler.rejected();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the catalog failed", e);
    }
  }

  public static void main(String[] args) throws Exception {
    int port = 8090;
    String host = "0.0.0.0";
    Path data = null;
    URI introspection = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--port" -> port = Integer.parseInt(require(a, value));
        case "--host" -> host = require(a, value);
        case "--data" -> data = Path.of(require(a, value));
        case "--introspection-uri" -> introspection = URI.create(require(a, value));
        case "--help", "-h" -> {
          System.out.println("usage: java -jar catalog-server.jar [--port N] [--host ADDRESS]"
              + " [--data DIR] [--introspection-uri URL]");
          return;
        }
        default -> {
          System.err.println("unknown argument " + a + " (try --help)");
          System.exit(2);
        }
      }
      i++;
    }
    CatalogServer catalog = start(host, port, data, introspection, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        catalog.close();
      } catch (Exception e) {
        System.err.println("stopping the catalog failed: " + e);
      }
    }, "catalog-shutdown"));
    InetSocketAddress bound = new InetSocketAddress(host, catalog.port());
    System.out.println("PISTE catalog listening on http://" + bound.getHostString() + ":"
        + catalog.port() + "/ (port " + catalog.port() + ")"
        + (data != null ? ", data in " + data.toAbsolutePath() : ", in memory"));
    catalog.server.join();
  }

  private static String require(String flag, String value) {
    if (value == null) {
      System.err.println(flag + " needs a value");
      System.exit(2);
    }
    return value;
  }
}
