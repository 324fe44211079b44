package dev.piste.example.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The catalog's HTTP protocol and portal.
 *
 * <pre>
 * GET    /                                                 the developer portal (HTML)
 * GET    /apis                                             every API version and its live instances (JSON)
 * GET    /apis/{apiId}/versions/{version}                  descriptor, OpenAPI, contentHash; ETag "hash",
 *                                                          304 when If-None-Match holds the same hash
 * PUT    /apis/{apiId}/versions/{version}                  {"descriptor":…,"openapi":…,"contentHash":…}
 * GET    /apis/{apiId}/versions/{version}/openapi.json     the OpenAPI document
 * PUT    /apis/{apiId}/versions/{version}/instances/{id}   {"url":…,"startedAt":…,"libraryVersion":…,"ttlSeconds":…}
 * DELETE /apis/{apiId}/versions/{version}/instances/{id}
 * </pre>
 *
 * <p>With an introspection URI, every PUT and DELETE needs a bearer token that the RFC 7662
 * endpoint reports active; reads stay public.
 */
final class CatalogHandler extends Handler.Abstract {

  /** The server the library writes into its documents: the base, relative to the document. */
  private static final Pattern LIBRARY_SERVER = Pattern.compile("\\./|(\\.\\./)+");
  /** The longest lifetime an instance may ask for (a year: far past any heartbeat period). */
  static final long MAX_TTL_SECONDS = 366L * 86_400;

  private final CatalogStore store;
  private final URI introspectionUri;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicInteger rejected = new AtomicInteger();

  CatalogHandler(CatalogStore store, URI introspectionUri) {
    this.store = store;
    this.introspectionUri = introspectionUri;
  }

  /** Requests refused for want of an active token. */
  int rejected() {
    return rejected.get();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    String[] seg = segments(path);
    boolean write = method.equals("PUT") || method.equals("DELETE");
    boolean allowed;
    try {
      allowed = !write || authorized(request);
    } catch (IOException e) {
      return send(response, callback, 503, "application/json",
          "{\"error\":\"the introspection endpoint did not answer\"}");
    }
    if (!allowed) {
      rejected.incrementAndGet();
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"catalog\"");
      return send(response, callback, 401, "application/json", "{\"error\":\"invalid_token\"}");
    }
    if (seg.length == 0 && method.equals("GET")) {
      return send(response, callback, 200, "text/html; charset=utf-8", Portal.render(store));
    }
    if (seg.length == 1 && seg[0].equals("apis") && method.equals("GET")) {
      return send(response, callback, 200, "application/json", store.summary().toString());
    }
    if (seg.length >= 4 && seg[0].equals("apis") && seg[2].equals("versions")) {
      String apiId = seg[1];
      String version = seg[3];
      if (seg.length == 4) {
        return version(request, response, callback, method, apiId, version);
      }
      CatalogStore.Version v = store.version(apiId, version);
      if (seg.length == 5 && seg[4].equals("openapi.json") && method.equals("GET")) {
        return v == null ? notFound(response, callback)
            : send(response, callback, 200, "application/json", servedOpenApi(v).toPrettyString());
      }
      if (seg.length == 6 && seg[4].equals("instances")) {
        if (v == null) {
          return notFound(response, callback);
        }
        if (method.equals("PUT")) {
          JsonNode body = json(request);
          if (body == null) {
            return notJson(response, callback);
          }
          JsonNode ttlNode = body.path("ttlSeconds");
          long ttl = ttlNode.isIntegralNumber() && ttlNode.canConvertToLong() ? ttlNode.asLong() : 0;
          String url = body.path("url").asText("");
          if (ttl < 1 || ttl > MAX_TTL_SECONDS || !httpUrl(url)) {
            return send(response, callback, 400, "application/json",
                "{\"error\":\"url (an http or https URL) and ttlSeconds (an integer from 1 to "
                    + MAX_TTL_SECONDS + ") are required\"}");
          }
          boolean created = store.putInstance(v, seg[5], url, body.path("startedAt").asText(""),
              body.path("libraryVersion").asText(""), ttl);
          return send(response, callback, created ? 201 : 200, "application/json", "{}");
        }
        if (method.equals("DELETE")) {
          store.removeInstance(v, seg[5]);
          response.setStatus(204);
          callback.succeeded();
          return true;
        }
      }
    }
    return notFound(response, callback);
  }

  private boolean version(Request request, Response response, Callback callback, String method,
      String apiId, String version) throws IOException {
    CatalogStore.Version v = store.version(apiId, version);
    if (method.equals("GET")) {
      if (v == null) {
        return notFound(response, callback);
      }
      String etag = "\"" + v.contentHash + "\"";
      response.getHeaders().put(HttpHeader.ETAG, etag);
      String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
      if (inm != null && (inm.equals("*") || java.util.Arrays.stream(inm.split(","))
          .map(String::trim).anyMatch(etag::equals))) {
        response.setStatus(304);
        callback.succeeded();
        return true;
      }
      ObjectNode body = CatalogStore.JSON.createObjectNode();
      body.set("descriptor", v.descriptor);
      body.set("openapi", v.openApi);
      body.put("contentHash", v.contentHash);
      return send(response, callback, 200, "application/json", body.toString());
    }
    if (method.equals("PUT")) {
      JsonNode body = json(request);
      if (body == null) {
        return notJson(response, callback);
      }
      if (!(body.path("descriptor") instanceof ObjectNode d) || !(body.path("openapi") instanceof ObjectNode o)
          || body.path("contentHash").asText("").isEmpty()
          || !apiId.equals(d.path("id").asText()) || !version.equals(d.path("version").asText())) {
        return send(response, callback, 400, "application/json",
            "{\"error\":\"descriptor (matching the URL's id and version), openapi and contentHash are required\"}");
      }
      boolean created = store.putVersion(apiId, version, d, o, body.path("contentHash").asText());
      response.getHeaders().put(HttpHeader.ETAG, "\"" + body.path("contentHash").asText() + "\"");
      return send(response, callback, created ? 201 : 200, "application/json", "{}");
    }
    return notFound(response, callback);
  }

  private boolean authorized(Request request) throws IOException {
    if (introspectionUri == null) {
      return true;
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String token = auth.substring(7).trim();
    HttpRequest introspect = HttpRequest.newBuilder(introspectionUri).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
        .build();
    try {
      HttpResponse<String> r = http.send(introspect, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        // the endpoint's own trouble, not the token's: answered as unavailable, not 401
        throw new IOException("introspection answered HTTP " + r.statusCode());
      }
      return CatalogStore.JSON.readTree(r.body()).path("active").asBoolean(false);
    } catch (JsonProcessingException e) {
      // not an RFC 7662 answer: not active
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String[] segments(String path) {
    String p = path == null ? "" : path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return new String[0];
    }
    String[] raw = p.split("/");
    for (int i = 0; i < raw.length; i++) {
      raw[i] = URLDecoder.decode(raw[i].replace("+", "%2B"), StandardCharsets.UTF_8);
    }
    return raw;
  }

  /**
   * A version's OpenAPI document as the catalog serves it. A document whose one server is the
   * library's ({@code ./} or {@code ../}…, the base the instance serves it under), or that has none
   * (OpenAPI's default is {@code /}), would resolve against this catalog; its copy here names the
   * version's live instances instead (their registered URLs: each instance's API base), and keeps
   * the uploaded servers when no instance is live. Any other document is served as uploaded.
   */
  private ObjectNode servedOpenApi(CatalogStore.Version v) {
    JsonNode servers = v.openApi.path("servers");
    boolean relative = servers.isMissingNode() || servers.isArray();
    for (JsonNode server : servers) {
      // the library's own ("./", "../"…), which names the base the document is served under;
      // another relative server ("/v2") is the provider's, and is kept
      relative &= LIBRARY_SERVER.matcher(server.path("url").asText("")).matches();
    }
    List<CatalogStore.Instance> live = store.liveInstances(v);
    if (!relative || live.isEmpty()) {
      return v.openApi;
    }
    ObjectNode doc = v.openApi.deepCopy();
    ArrayNode urls = doc.putArray("servers");
    for (CatalogStore.Instance i : live) {
      // the paths follow the base URL: without its final slash, as OpenAPI appends them
      String url = i.url().endsWith("/") ? i.url().substring(0, i.url().length() - 1) : i.url();
      urls.addObject().put("url", url).put("description", "instance " + i.id());
    }
    return doc;
  }

  /** The request's body as JSON, or {@code null} when it is not JSON. */
  private static JsonNode json(Request request) throws IOException {
    String text = Content.Source.asString(request, StandardCharsets.UTF_8);
    try {
      return CatalogStore.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static boolean notJson(Response response, Callback callback) {
    return send(response, callback, 400, "application/json", "{\"error\":\"the body is not JSON\"}");
  }

  /** An absolute http or https URL with a host. */
  private static boolean httpUrl(String url) {
    try {
      URI u = new URI(url);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean notFound(Response response, Callback callback) {
    return send(response, callback, 404, "application/json", "{\"error\":\"not found\"}");
  }

  private static boolean send(Response response, Callback callback, int status, String type,
      String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    Content.Sink.write(response, true, body, callback);
    return true;
  }
}
