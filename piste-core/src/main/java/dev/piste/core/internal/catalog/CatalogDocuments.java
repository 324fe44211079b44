package dev.piste.core.internal.catalog;

import dev.piste.core.internal.json.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The two documents an application serves about itself, framework-neutral: its OpenAPI document
 * at {@code piste.catalog.openapi-path} and its RFC 9727 API catalog at
 * {@code /.well-known/api-catalog}. Both are public. The adapters call {@link #find} for every
 * request that the pipeline has not claimed; until the API is described, both answer nothing
 * (the application's own 404).
 */
public final class CatalogDocuments {

  /** The RFC 9727 well-known path. */
  public static final String API_CATALOG_PATH = "/.well-known/api-catalog";
  /** RFC 9727 section 4.2: a linkset with the api-catalog profile. */
  public static final String LINKSET_CONTENT_TYPE =
      "application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"";
  public static final String OPENAPI_CONTENT_TYPE = "application/json";

  /**
   * One document to send.
   *
   * @param contentType the Content-Type header value
   * @param body the bytes, also for a HEAD request (the container sends the headers alone, with
   *     the GET's Content-Length)
   * @param link the Link header value, or {@code null}: the api-catalog answers
   *     {@code </.well-known/api-catalog>; rel="api-catalog"} (RFC 9727 section 2)
   */
  public record Document(String contentType, byte[] body, String link) {}

  /** The Link header of the api-catalog responses. */
  public static final String API_CATALOG_LINK = "</.well-known/api-catalog>; rel=\"api-catalog\"";

  private final String openApiPath;
  private final URI instanceUrl;
  private volatile byte[] openApi;

  public CatalogDocuments(String openApiPath, URI instanceUrl) {
    this.openApiPath = openApiPath;
    this.instanceUrl = instanceUrl;
  }

  /** Where the OpenAPI document is served, relative to the application's context path. */
  public String openApiPath() {
    return openApiPath;
  }

  /**
   * Whether {@code path} (relative to the context path, with or without its leading {@code /}, as
   * JAX-RS gives it) is one of the two documents. Asked on every request: no copy of the path.
   */
  public boolean isDocumentPath(String path) {
    return isPath(openApiPath, path) || isPath(API_CATALOG_PATH, path);
  }

  private static boolean isPath(String document, String path) {
    if (path.startsWith("/")) {
      return document.equals(path);
    }
    // the document paths start with "/"
    return document.length() == path.length() + 1 && document.startsWith(path, 1);
  }

  void openApi(String json) {
    this.openApi = json.getBytes(StandardCharsets.UTF_8);
  }

  /** The OpenAPI document, or {@code null} before the API is described. */
  public byte[] openApi() {
    return openApi;
  }

  /**
   * The document for a request, or {@code null} when the request is not for one (another path,
   * a method other than GET or HEAD, or no API described yet).
   *
   * @param method the request method
   * @param path the path relative to the context path
   * @param baseUrl the application's base URL as the client sees it ({@code https://host/ctx});
   *     {@code piste.catalog.instance-url} is used instead when configured
   */
  public Document find(String method, String path, String baseUrl) {
    boolean head = "HEAD".equals(method);
    if (!head && !"GET".equals(method)) {
      return null;
    }
    byte[] doc = openApi;
    if (doc == null) {
      return null;
    }
    if (openApiPath.equals(path)) {
      return new Document(OPENAPI_CONTENT_TYPE, doc, null);
    }
    if (API_CATALOG_PATH.equals(path)) {
      return new Document(LINKSET_CONTENT_TYPE, apiCatalog(baseUrl), API_CATALOG_LINK);
    }
    return null;
  }

  /** The RFC 9727 linkset: the catalog lists the API, whose service-desc is the OpenAPI document. */
  public byte[] apiCatalog(String baseUrl) {
    String base = instanceUrl != null ? instanceUrl.toString() : baseUrl;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"linkset\":[{\"anchor\":");
    Json.quote(sb, base + API_CATALOG_PATH);
    sb.append(",\"item\":[{\"href\":");
    Json.quote(sb, base + "/");
    sb.append("}]},{\"anchor\":");
    Json.quote(sb, base + "/");
    sb.append(",\"service-desc\":[{\"href\":");
    Json.quote(sb, base + openApiPath);
    sb.append(",\"type\":\"application/openapi+json\"}]}]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
