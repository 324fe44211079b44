package dev.piste.examples.invoices;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A development OAuth2 issuer for the example: the client-credentials grant (RFC 6749 4.4) at
 * {@code POST /oauth2/token} and its key set at {@code GET /jwks}, on loopback only. It signs RS256
 * access tokens in the RFC 9068 format ({@code typ: at+jwt}; {@code iss}, {@code aud}, {@code exp}
 * 15 minutes ahead, {@code iat}, {@code sub}, {@code client_id}, {@code scope}, {@code plan},
 * {@code jti}) with a key pair generated at start and never written anywhere.
 *
 * <p>Demo clients: {@code demo-reader} ({@code invoices:read}, plan {@code free}) and {@code
 * demo-writer} ({@code invoices:read invoices:write}, plan {@code gold}). Clients authenticate with
 * HTTP Basic or with {@code client_id} and {@code client_secret} form parameters.
 *
 * <pre>curl -s -u demo-reader:demo-reader-secret -d grant_type=client_credentials http://127.0.0.1:9000/oauth2/token</pre>
 *
 * <p>For development only: the secrets are public and the key lives as long as the process.
 */
public final class DevIssuer implements AutoCloseable {

  /** One demo client: id, secret, the space-separated scopes it may get, and its plan. */
  public record Client(String id, String secret, String scope, String plan) {}

  private static final Duration LIFETIME = Duration.ofMinutes(15);
  private static final List<Client> CLIENTS = List.of(
      new Client("demo-reader", "demo-reader-secret", "invoices:read", "free"),
      new Client("demo-writer", "demo-writer-secret", "invoices:read invoices:write", "gold"));

  private final HttpServer server;
  private final ExecutorService executor;
  private final KeyPair keys;
  private final String kid;
  private final String issuer;
  private final String audience;
  private final String jwks;

  private DevIssuer(int port, String issuer, String audience) throws IOException {
    this.issuer = issuer;
    this.audience = audience;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      this.keys = g.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    String n = b64(unsigned(pub.getModulus()));
    String e = b64(unsigned(pub.getPublicExponent()));
    this.kid = thumbprint(e, n);
    this.jwks = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid
        + "\",\"n\":\"" + n + "\",\"e\":\"" + e + "\"}]}";
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "dev-issuer");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/jwks", this::jwks);
    server.createContext("/oauth2/token", this::token);
    server.start();
  }

  /**
   * Starts the issuer on 127.0.0.1:{@code port} (0 = any free port), naming itself {@code issuer}
   * in {@code iss} and {@code audience} in {@code aud}.
   */
  public static DevIssuer start(int port, String issuer, String audience) throws IOException {
    return new DevIssuer(port, issuer, audience);
  }

  /** {@code http://127.0.0.1:<port>/jwks}. */
  public URI jwksUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  /** {@code http://127.0.0.1:<port>/oauth2/token}. */
  public URI tokenUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token");
  }

  /** The demo clients, to print how to get a token. */
  public List<Client> clients() {
    return CLIENTS;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void jwks(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "{\"error\":\"method_not_allowed\"}");
        return;
      }
      ex.getResponseHeaders().set("Cache-Control", "public, max-age=300");
      send(ex, 200, jwks, "application/jwk-set+json");
    }
  }

  private void token(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "{\"error\":\"invalid_request\"}");
        return;
      }
      byte[] raw = ex.getRequestBody().readNBytes(8192);
      Map<String, String> form = form(new String(raw, StandardCharsets.UTF_8));
      if (form == null) {
        send(ex, 400, error("invalid_request", "Malformed or repeated form parameters."));
        return;
      }
      String basic = ex.getRequestHeaders().getFirst("Authorization");
      String id = form.get("client_id");
      String secret = form.get("client_secret");
      if (basic != null) {
        if (secret != null) {
          send(ex, 400, error("invalid_request", "Use one client authentication method."));
          return;
        }
        String[] pair = basicCredentials(basic);
        if (pair == null) {
          unauthorized(ex);
          return;
        }
        id = pair[0];
        secret = pair[1];
      }
      Client client = authenticate(id, secret);
      if (client == null) {
        unauthorized(ex);
        return;
      }
      if (!"client_credentials".equals(form.get("grant_type"))) {
        send(ex, 400, error("unsupported_grant_type", "Only client_credentials is supported."));
        return;
      }
      Set<String> allowed = new LinkedHashSet<>(Arrays.asList(client.scope().split(" ")));
      String scope = client.scope();
      if (form.get("scope") != null) {
        Set<String> asked = new LinkedHashSet<>(Arrays.asList(form.get("scope").trim().split(" +")));
        if (!allowed.containsAll(asked)) {
          send(ex, 400, error("invalid_scope", "The client may not have this scope."));
          return;
        }
        scope = String.join(" ", asked);
      }
      String token = sign(client, scope);
      send(ex, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
          + LIFETIME.getSeconds() + ",\"scope\":\"" + scope + "\"}");
    }
  }

  private String sign(Client client, String scope) {
    long now = System.currentTimeMillis() / 1000;
    String header = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"" + kid + "\"}";
    String payload = "{\"iss\":" + quote(issuer) + ",\"aud\":" + quote(audience)
        + ",\"exp\":" + (now + LIFETIME.getSeconds()) + ",\"iat\":" + now
        + ",\"sub\":" + quote(client.id()) + ",\"client_id\":" + quote(client.id())
        + ",\"scope\":" + quote(scope) + ",\"plan\":" + quote(client.plan())
        + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
    String input = b64(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(keys.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException("RS256 signing failed", e);
    }
  }

  private static Client authenticate(String id, String secret) {
    if (id == null || secret == null) {
      return null;
    }
    for (Client c : CLIENTS) {
      if (c.id().equals(id) && MessageDigest.isEqual(c.secret().getBytes(StandardCharsets.UTF_8),
          secret.getBytes(StandardCharsets.UTF_8))) {
        return c;
      }
    }
    return null;
  }

  /** RFC 6749 2.3.1: Basic with form-urlencoded id and secret. */
  private static String[] basicCredentials(String header) {
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return null;
      }
      return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
          URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void unauthorized(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"dev-issuer\"");
    send(ex, 401, error("invalid_client", "Unknown client or wrong secret."));
  }

  /** The parameters of a form body, or null when one is repeated or undecodable. */
  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return out;
    }
    for (String part : body.split("&")) {
      int eq = part.indexOf('=');
      try {
        String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        if (out.put(name, value) != null) {
          return null;
        }
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return out;
  }

  private static String error(String code, String description) {
    return "{\"error\":\"" + code + "\",\"error_description\":\"" + description + "\"}";
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    send(ex, status, body, "application/json");
  }

  private static void send(HttpExchange ex, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** RFC 7638 thumbprint of the RSA key, used as its kid. */
  private static String thumbprint(String e, String n) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(
          ("{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}").getBytes(StandardCharsets.UTF_8));
      return b64(d);
    } catch (NoSuchAlgorithmException x) {
      throw new IllegalStateException(x);
    }
  }

  private static byte[] unsigned(BigInteger i) {
    byte[] b = i.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public String toString() {
    return "DevIssuer[" + tokenUri() + ", " + CLIENTS.stream().map(Client::id).toList() + "]";
  }
}
