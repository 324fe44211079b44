package dev.piste.core.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.piste.catalog.CatalogClient;
import dev.piste.catalog.CatalogRegistration;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.catalog.ClientCredentialsToken;
import dev.piste.core.internal.catalog.DescriptorJson;
import dev.piste.core.internal.catalog.Exchanges;
import dev.piste.core.internal.config.CatalogKeys;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The catalog client of the reference catalog's HTTP protocol ({@code piste.catalog.url}):
 *
 * <ol>
 *   <li>{@code GET {url}/apis/{apiId}/versions/{version}} with {@code If-None-Match: "<hash>"}:
 *       {@code 304} means the catalog already holds this content, so nothing is uploaded;</li>
 *   <li>otherwise {@code PUT} of the same URL with {@code {"descriptor":…,"openapi":…,
 *       "contentHash":…}};</li>
 *   <li>{@code PUT {url}/apis/{apiId}/versions/{version}/instances/{instanceId}} with
 *       {@code {"url":…,"startedAt":…,"libraryVersion":…,"ttlSeconds":…}}, repeated as the
 *       heartbeat; a {@code 404} (the catalog lost the version) uploads it again;</li>
 *   <li>{@code DELETE} of the instance on clean shutdown.</li>
 * </ol>
 *
 * <p>With {@code piste.catalog.token-uri}, every call carries a bearer token from the
 * client-credentials grant, renewed before it expires and after a {@code 401}; without it, no
 * credential is sent. Thread-safe.
 */
public final class HttpCatalogClient implements CatalogClient {

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;
  private final ClientCredentialsToken token;
  private volatile String uploadedKey;

  private HttpCatalogClient(URI base, HttpClient http, Duration timeout, ClientCredentialsToken token) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.http = http;
    this.timeout = timeout;
    this.token = token;
  }

  /** The client for {@code piste.catalog.url}, with the token settings of this configuration. */
  public static HttpCatalogClient create(PisteConfig config) {
    URI url = Objects.requireNonNull(config.get(CatalogKeys.URL), "piste.catalog.url is not set");
    Duration timeout = config.get(CatalogKeys.HTTP_TIMEOUT);
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    ClientCredentialsToken token = config.get(CatalogKeys.TOKEN_URI) == null ? null
        : new ClientCredentialsToken(http, config.get(CatalogKeys.TOKEN_URI),
            config.get(CatalogKeys.CLIENT_ID), config.get(CatalogKeys.CLIENT_SECRET),
            config.clock(), timeout);
    return new HttpCatalogClient(url, http, timeout, token);
  }

  @Override
  public void register(CatalogRegistration r) throws IOException {
    String key = r.api().id() + " " + r.api().version() + " " + r.contentHash();
    if (!key.equals(uploadedKey)) {
      upload(r);
      uploadedKey = key;
    }
    int status = putInstance(r);
    if (status == 404) {
      uploadedKey = null;
      upload(r);
      uploadedKey = key;
      status = putInstance(r);
    }
    expect2xx(status, "PUT", instanceUri(r));
  }

  @Override
  public void deregister(CatalogRegistration r) throws IOException {
    int status = send("DELETE", instanceUri(r), null, null);
    if (status != 404) {
      expect2xx(status, "DELETE", instanceUri(r));
    }
  }

  private void upload(CatalogRegistration r) throws IOException {
    URI version = versionUri(r);
    String etag = "\"" + r.contentHash() + "\"";
    int status = send("GET", version, etag, null);
    if (status == 304) {
      return;
    }
    if (status != 200 && status != 404) {
      expect2xx(status, "GET", version);
    }
    ObjectNode body = DescriptorJson.MAPPER.createObjectNode();
    body.set("descriptor", DescriptorJson.toJson(r.api()));
    body.set("openapi", DescriptorJson.MAPPER.readTree(r.openApi()));
    body.put("contentHash", r.contentHash());
    expect2xx(send("PUT", version, null, DescriptorJson.MAPPER.writeValueAsBytes(body)), "PUT", version);
  }

  private int putInstance(CatalogRegistration r) throws IOException {
    ObjectNode body = DescriptorJson.MAPPER.createObjectNode();
    body.put("instanceId", r.instanceId());
    body.put("url", r.instanceUrl().toString());
    body.put("startedAt", r.startedAt().toString());
    body.put("libraryVersion", r.libraryVersion());
    body.put("ttlSeconds", Math.max(1, r.ttl().toSeconds()));
    return send("PUT", instanceUri(r), null, DescriptorJson.MAPPER.writeValueAsBytes(body));
  }

  private int send(String method, URI uri, String ifNoneMatch, byte[] body) throws IOException {
    int status = sendOnce(method, uri, ifNoneMatch, body);
    if (status == 401 && token != null) {
      token.invalidate();
      status = sendOnce(method, uri, ifNoneMatch, body);
    }
    return status;
  }

  private int sendOnce(String method, URI uri, String ifNoneMatch, byte[] body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token.get());
    }
    return Exchanges.send(http, b.build(), HttpResponse.BodyHandlers.discarding(), timeout)
        .statusCode();
  }

  private static void expect2xx(int status, String method, URI uri) throws IOException {
    if (status / 100 != 2) {
      throw new IOException("the catalog answered HTTP " + status + " to " + method + " " + uri);
    }
  }

  private URI versionUri(CatalogRegistration r) {
    return URI.create(base + "/apis/" + segment(r.api().id()) + "/versions/"
        + segment(r.api().version()));
  }

  private URI instanceUri(CatalogRegistration r) {
    return URI.create(versionUri(r) + "/instances/" + segment(r.instanceId()));
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "HttpCatalogClient{" + base + (token != null ? ", client credentials" : "") + "}";
  }
}
