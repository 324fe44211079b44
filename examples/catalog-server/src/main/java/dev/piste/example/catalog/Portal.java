package dev.piste.example.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The developer portal: one HTML page listing every API, its versions, operations, scopes, limits and live instances. */
final class Portal {
  private Portal() {}

  static String render(CatalogStore store) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>PISTE API catalog</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}")
        .append("table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;")
        .append("padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}")
        .append(".lifecycle{font-size:.8rem;padding:.1rem .4rem;border-radius:.3rem;background:#e8f0fe}")
        .append(".deprecated{text-decoration:line-through}code{font-size:.95em}")
        .append("</style></head><body>\n<h1>PISTE API catalog</h1>\n");
    List<CatalogStore.Version> versions = store.versions();
    h.append("<p id=\"summary\">").append(versions.size()).append(versions.size() == 1
        ? " API version" : " API versions").append(" registered.</p>\n");
    String currentApi = null;
    for (CatalogStore.Version v : versions) {
      JsonNode d = v.descriptor;
      if (!v.apiId.equals(currentApi)) {
        if (currentApi != null) {
          h.append("</section>\n");
        }
        currentApi = v.apiId;
        h.append("<section class=\"api\" id=\"api-").append(esc(v.apiId)).append("\">\n<h2>")
            .append(esc(d.path("name").asText(v.apiId))).append(" <code>").append(esc(v.apiId))
            .append("</code></h2>\n");
      }
      String base = "/apis/" + url(v.apiId) + "/versions/" + url(v.version);
      h.append("<article class=\"version\" data-api=\"").append(esc(v.apiId))
          .append("\" data-version=\"").append(esc(v.version)).append("\">\n<h3>Version ")
          .append(esc(v.version)).append(" <span class=\"lifecycle\">")
          .append(esc(d.path("lifecycle").asText(""))).append("</span></h3>\n");
      if (d.hasNonNull("description")) {
        h.append("<p class=\"description\">").append(esc(d.path("description").asText())).append("</p>\n");
      }
      if (d.hasNonNull("contact")) {
        h.append("<p>Contact: ").append(esc(d.path("contact").asText())).append("</p>\n");
      }
      h.append("<p><a class=\"openapi\" href=\"").append(esc(base)).append("/openapi.json\">")
          .append("OpenAPI document</a> &middot; content <code>")
          .append(esc(shortHash(v.contentHash))).append("</code></p>\n");

      h.append("<h4>Operations</h4>\n<table class=\"operations\"><thead><tr><th>Method</th><th>Path</th>")
          .append("<th>Operation</th><th>Access</th><th>Limits</th></tr></thead><tbody>\n");
      for (JsonNode op : d.path("operations")) {
        boolean deprecated = op.path("deprecated").asBoolean(false);
        h.append("<tr class=\"operation").append(deprecated ? " deprecated" : "").append("\"><td>")
            .append(esc(op.path("method").asText())).append("</td><td><code>")
            .append(esc(op.path("path").asText())).append("</code></td><td>")
            .append(esc(op.path("operationId").asText()));
        if (deprecated) {
          h.append(" (deprecated)");
        }
        h.append("</td><td>");
        if (op.path("public").asBoolean(false)) {
          h.append("public");
        } else if (op.path("scopes").isEmpty()) {
          h.append("any valid token");
        } else {
          h.append(join(op.path("scopes")));
        }
        h.append("</td><td>").append(op.path("rateLimits").isEmpty() ? "plan only"
            : join(op.path("rateLimits"))).append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");

      if (d.path("scopes").size() > 0) {
        h.append("<h4>Scopes</h4>\n<dl class=\"scopes\">\n");
        d.path("scopes").properties().forEach(e -> h.append("<dt><code>").append(esc(e.getKey()))
            .append("</code></dt><dd>").append(esc(e.getValue().asText())).append("</dd>\n"));
        h.append("</dl>\n");
      }

      List<CatalogStore.Instance> live = store.liveInstances(v);
      h.append("<h4>Live instances (").append(live.size()).append(")</h4>\n");
      if (live.isEmpty()) {
        h.append("<p class=\"no-instances\">No live instance.</p>\n");
      } else {
        h.append("<table class=\"instances\"><thead><tr><th>Instance</th><th>URL</th><th>Started</th>")
            .append("<th>Library</th><th>Last heartbeat</th></tr></thead><tbody>\n");
        for (CatalogStore.Instance i : live) {
          h.append("<tr class=\"instance\"><td>").append(esc(i.id())).append("</td><td><a href=\"")
              .append(esc(i.url())).append("\">").append(esc(i.url())).append("</a></td><td>")
              .append(esc(i.startedAt())).append("</td><td>").append(esc(i.libraryVersion()))
              .append("</td><td>").append(esc(i.lastHeartbeat().toString())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
      }
      h.append("</article>\n");
    }
    if (currentApi != null) {
      h.append("</section>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  private static String join(JsonNode array) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode n : array) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append("<code>").append(esc(n.asText())).append("</code>");
    }
    return sb.toString();
  }

  private static String shortHash(String hash) {
    return hash.length() > 20 ? hash.substring(0, 20) + "…" : hash;
  }

  private static String url(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
