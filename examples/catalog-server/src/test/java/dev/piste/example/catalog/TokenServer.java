package dev.piste.example.catalog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback OAuth2 authorization server for the tests: {@code POST /token} answers the
 * client-credentials grant for one client (HTTP Basic), with short-lived opaque tokens;
 * {@code POST /introspect} (RFC 7662) reports whether a token is active.
 */
final class TokenServer implements AutoCloseable {

  private final HttpServer server;
  private final String clientId;
  private final String clientSecret;
  private final Duration lifetime;
  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
  final AtomicInteger issued = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();

  TokenServer(String clientId, String clientSecret, Duration lifetime) throws IOException {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.lifetime = lifetime;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/token", this::token);
    server.createContext("/introspect", this::introspect);
    server.start();
  }

  URI tokenUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  URI introspectionUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
  }

  private void token(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    if (!"POST".equals(ex.getRequestMethod()) || !expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
        || !body.contains("grant_type=client_credentials")) {
      refused.incrementAndGet();
      send(ex, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    String token = UUID.randomUUID().toString();
    expiries.put(token, Instant.now().plus(lifetime));
    issued.incrementAndGet();
    send(ex, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
        + lifetime.toSeconds() + "}");
  }

  private void introspect(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String token = body.startsWith("token=")
        ? URLDecoder.decode(body.substring(6), StandardCharsets.UTF_8) : "";
    Instant expiry = expiries.get(token);
    boolean active = expiry != null && Instant.now().isBefore(expiry);
    send(ex, 200, "{\"active\":" + active + "}");
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
