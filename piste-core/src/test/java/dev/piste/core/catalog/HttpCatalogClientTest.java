package dev.piste.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.CatalogRegistration;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.PisteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The catalog client against a catalog and a token endpoint that misbehave. */
final class HttpCatalogClientTest {

  private static final CatalogRegistration REGISTRATION = new CatalogRegistration(
      ApiDescriptor.builder("invoices", "1.0.0").name("Invoices")
          .operation(OperationDescriptor.builder("GET", "/v1/invoices").operationId("list").build())
          .build(),
      "{\"openapi\":\"3.1.0\"}", "sha-256:abc", "i-1", URI.create("http://10.0.0.1:8080/"),
      Instant.parse("2026-12-01T10:00:00Z"), "0.1.0", Duration.ofSeconds(30));

  /** Answers every request with its headers and two bytes of a 100-byte body, then stalls. */
  private static final class StallingServer implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> open = new CopyOnWriteArrayList<>();

    StallingServer() throws IOException {
      server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            open.add(s);
            InputStream in = s.getInputStream();
            // the request head: up to the blank line
            int state = 0;
            while (state < 4) {
              int b = in.read();
              if (b < 0) {
                break;
              }
              state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\""
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (IOException e) {
            return;
          }
        }
      }, "stalling-server");
      t.setDaemon(true);
      t.start();
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private static HttpCatalogClient client(URI catalog, String... extra) {
    Map<String, String> keys = new java.util.HashMap<>(Map.of("piste.catalog.url",
        catalog.toString(), "piste.catalog.http-timeout", "500ms",
        "piste.catalog.instance-url", "http://10.0.0.1:8080/"));
    for (int i = 0; i < extra.length; i += 2) {
      keys.put(extra[i], extra[i + 1]);
    }
    return HttpCatalogClient.create(PisteConfig.of(keys));
  }

  @Test
  void aCatalogThatStallsItsAnswerBodyFailsTheCallWithinTwiceTheTimeout() throws Exception {
    try (StallingServer catalog = new StallingServer()) {
      HttpCatalogClient client = client(catalog.uri(""));
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.register(REGISTRATION)).isInstanceOf(IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held for good")
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aTokenEndpointThatStallsOrAnswersTooMuchFailsTheCallAndIsNotReadIntoMemory()
      throws Exception {
    AtomicInteger catalogCalls = new AtomicInteger();
    HttpServer catalog = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    catalog.createContext("/", ex -> {
      catalogCalls.incrementAndGet();
      ex.sendResponseHeaders(500, -1);
      ex.close();
    });
    HttpServer tokens = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    tokens.createContext("/huge", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] body = ("{\"access_token\":\"" + "a".repeat(1 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    tokens.createContext("/long-lived", ex -> {
      ex.getRequestBody().readAllBytes();
      byte[] body = "{\"access_token\":\"t1\",\"token_type\":\"Bearer\",\"expires_in\":9223372036854775807}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    catalog.start();
    tokens.start();
    String tokenBase = "http://127.0.0.1:" + tokens.getAddress().getPort();
    URI catalogUri = URI.create("http://127.0.0.1:" + catalog.getAddress().getPort());
    try (StallingServer stalling = new StallingServer()) {
      for (String tokenUri : List.of(stalling.uri("/token").toString(), tokenBase + "/huge")) {
        HttpCatalogClient client = client(catalogUri, "piste.catalog.token-uri", tokenUri,
            "piste.catalog.client-id", "api", "piste.catalog.client-secret", "s3cret-value");
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.register(REGISTRATION)).as(tokenUri)
            .isInstanceOf(IOException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-value"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      }
      assertThat(catalogCalls.get()).as("no call without a token").isZero();
      HttpCatalogClient client = client(catalogUri, "piste.catalog.token-uri",
          tokenBase + "/long-lived", "piste.catalog.client-id", "api",
          "piste.catalog.client-secret", "s3cret-value");
      assertThatThrownBy(() -> client.register(REGISTRATION))
          .as("an expires_in past the clock's range: the token is used, the catalog answers 500")
          .isInstanceOf(IOException.class).hasMessageContaining("HTTP 500");
      assertThat(catalogCalls.get()).isPositive();
    } finally {
      catalog.stop(0);
      tokens.stop(0);
    }
  }
}
