package dev.piste.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.piste.PisteConfigurationException;
import dev.piste.PisteConfigurationException.Problem;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.CatalogKeys;
import dev.piste.core.internal.config.TokenKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns an {@link ApiDescriptor} into an OpenAPI 3.1 document: an OAuth2 client-credentials
 * security scheme ({@code oauth2}) listing every scope, one security requirement per operation
 * (none for public operations), or one per way to be authorised when it has {@linkplain
 * OperationDescriptor#alternatives() alternatives} (an empty one for a public way), the
 * problem+json denials each operation can answer, and the operation's limits in the {@code
 * x-piste-rate-limits} extension. A request body is described for a {@code POST}, {@code PUT} or
 * {@code PATCH} that consumes media types, with an object schema of its {@linkplain
 * OperationDescriptor#formParameters() form parameters} for a form media type. Operations whose
 * paths differ only in their parameter names ({@code /items/{id}}, {@code /items/{itemId}}), which
 * OpenAPI forbids as two paths, share the path item of the first of them, their path parameters
 * renamed to its names.
 *
 * <p>Scope descriptions come from {@code piste.catalog.scope-descriptions.<scope>}, else from the
 * descriptor. When {@code piste.catalog.openapi-file} names a JSON OpenAPI document, it completes
 * the generated one: its descriptions, schemas, responses and extra operations are kept, while the
 * code stays the source of truth for the security requirements, the limits and the identity.
 *
 * <p>The document's one server is a URL relative to where the application serves it ({@code ./}
 * for {@code piste.catalog.openapi-path=/openapi.json}, {@code ../} for {@code /docs/openapi.json}):
 * the base its paths are relative to, under any context path, servlet mapping or proxy prefix, and
 * the same bytes on every instance of a version. A {@code servers} list in the {@code
 * piste.catalog.openapi-file} replaces it.
 */
public final class OpenApiGenerator {

  /** The name of the security scheme in {@code components.securitySchemes}. */
  public static final String SECURITY_SCHEME = "oauth2";
  private static final String FALLBACK_TOKEN_URL = "https://authorization-server.invalid/token";
  private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");
  private static final Set<String> FORM_MEDIA_TYPES =
      Set.of("application/x-www-form-urlencoded", "multipart/form-data");
  private static final Pattern TEMPLATE_EXPRESSION = Pattern.compile("\\{([^}]*)}");
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, String> scopeDescriptions;
  private final Path openApiFile;
  private final String tokenUrl;
  private final String serverUrl;

  private OpenApiGenerator(Map<String, String> scopeDescriptions, Path openApiFile, String tokenUrl,
      String openApiPath) {
    // sorted: the described scopes no operation uses are listed in this order, the same in every JVM
    this.scopeDescriptions = Collections.unmodifiableMap(new TreeMap<>(scopeDescriptions));
    this.openApiFile = openApiFile;
    this.tokenUrl = tokenUrl;
    this.serverUrl = serverUrl(openApiPath);
  }

  /**
   * The API's base relative to the document at {@code openApiPath} below it: {@code ./} for
   * {@code /openapi.json}, one {@code ../} for each directory above the document otherwise.
   */
  static String serverUrl(String openApiPath) {
    int dirs = 0;
    for (int i = 1; i < openApiPath.length(); i++) {
      if (openApiPath.charAt(i) == '/') {
        dirs++;
      }
    }
    return dirs == 0 ? "./" : "../".repeat(dirs);
  }

  /** A generator reading the catalog keys of this configuration. */
  public static OpenApiGenerator create(PisteConfig config) {
    return new OpenApiGenerator(config.values(CatalogKeys.SCOPE_DESCRIPTIONS),
        config.get(CatalogKeys.OPENAPI_FILE), tokenUrl(config),
        config.get(CatalogKeys.OPENAPI_PATH));
  }

  private static String tokenUrl(PisteConfig config) {
    if (config.get(CatalogKeys.OPENAPI_TOKEN_URL) != null) {
      return config.get(CatalogKeys.OPENAPI_TOKEN_URL).toString();
    }
    if (config.get(CatalogKeys.TOKEN_URI) != null) {
      return config.get(CatalogKeys.TOKEN_URI).toString();
    }
    List<String> issuers = config.get(TokenKeys.ISSUER);
    if (issuers != null && !issuers.isEmpty()) {
      String issuer = issuers.get(0);
      try {
        URI u = URI.create(issuer);
        if (u.getHost() != null && ("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
          return issuer.endsWith("/") ? issuer + "token" : issuer + "/token";
        }
      } catch (IllegalArgumentException e) {
        // not a URL: fall back below
      }
    }
    return FALLBACK_TOKEN_URL;
  }

  /** The OpenAPI document of this API, as indented JSON text. */
  public String generate(ApiDescriptor api) {
    try {
      return MAPPER.writeValueAsString(tree(api));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the OpenAPI document", e);
    }
  }

  ObjectNode tree(ApiDescriptor api) {
    ObjectNode doc = generated(api);
    if (openApiFile != null) {
      doc = merge(doc, readFile());
    }
    if (doc.has("servers")) {
      return doc;
    }
    // after info, where readers look for it
    ObjectNode out = MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : doc.properties()) {
      out.set(e.getKey(), e.getValue());
      if (e.getKey().equals("info")) {
        out.putArray("servers").addObject().put("url", serverUrl);
      }
    }
    return out;
  }

  private ObjectNode readFile() {
    try {
      JsonNode file = MAPPER.readTree(Files.readAllBytes(openApiFile));
      if (file instanceof ObjectNode o && o.path("openapi").asText("").startsWith("3.")) {
        return o;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new PisteConfigurationException(List.of(new Problem(CatalogKeys.OPENAPI_FILE.name(),
        openApiFile.toString(), "a readable OpenAPI 3.x document in JSON", null)));
  }

  private ObjectNode generated(ApiDescriptor api) {
    ObjectNode doc = MAPPER.createObjectNode();
    doc.put("openapi", "3.1.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", api.name());
    info.put("version", api.version());
    if (api.description() != null) {
      info.put("description", api.description());
    }
    if (api.contact() != null) {
      ObjectNode contact = info.putObject("contact");
      if (api.contact().contains("@") && !api.contact().contains("/")) {
        contact.put("email", api.contact().startsWith("mailto:")
            ? api.contact().substring(7) : api.contact());
      } else if (api.contact().contains("://")) {
        contact.put("url", api.contact());
      } else {
        contact.put("name", api.contact());
      }
    }
    info.put("x-piste-api-id", api.id());
    info.put("x-piste-lifecycle", api.lifecycle());

    ObjectNode paths = doc.putObject("paths");
    boolean anyProtected = false;
    boolean anyScoped = false;
    // OpenAPI forbids two templated paths of one shape (/items/{id} and /items/{itemId}): the
    // operations of a shape share the path of its first operation, their path parameters renamed
    Map<String, String> pathByShape = new HashMap<>();
    for (OperationDescriptor op : api.operations()) {
      String path = pathByShape.computeIfAbsent(shape(op.path()), k -> op.path());
      ObjectNode pathItem = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
      String method = op.method().toLowerCase(Locale.ROOT);
      if (pathItem.has(method)) {
        continue;
      }
      pathItem.set(method, operation(op, path.equals(op.path()) ? Map.of()
          : pathParameterNames(op.path(), path)));
      for (OperationDescriptor.Security way : op.securities()) {
        anyProtected |= !way.isPublic();
        anyScoped |= !way.isPublic() && !way.scopes().isEmpty();
      }
    }

    ObjectNode components = doc.putObject("components");
    ObjectNode schemas = components.putObject("schemas");
    ObjectNode problem = schemas.putObject("Problem");
    problem.put("type", "object");
    problem.put("description", "An RFC 9457 problem detail");
    ObjectNode props = problem.putObject("properties");
    props.putObject("type").put("type", "string");
    props.putObject("title").put("type", "string");
    props.putObject("status").put("type", "integer");
    props.putObject("detail").put("type", "string");
    props.putObject("instance").put("type", "string");
    ObjectNode responses = components.putObject("responses");
    problemResponse(responses, "Unauthorized", "The credential is missing or invalid");
    if (anyScoped) {
      problemResponse(responses, "Forbidden", "The credential lacks a required scope");
    }
    problemResponse(responses, "TooManyRequests", "A rate limit or quota is exhausted; see Retry-After");
    if (anyProtected || !api.scopes().isEmpty()) {
      ObjectNode scheme = components.putObject("securitySchemes").putObject(SECURITY_SCHEME);
      scheme.put("type", "oauth2");
      scheme.put("description", "OAuth2 client-credentials access token, sent as a Bearer token");
      ObjectNode flow = scheme.putObject("flows").putObject("clientCredentials");
      flow.put("tokenUrl", tokenUrl);
      ObjectNode scopes = flow.putObject("scopes");
      api.scopes().forEach((scope, description) ->
          scopes.put(scope, scopeDescriptions.getOrDefault(scope, description)));
      scopeDescriptions.forEach((scope, description) -> {
        if (!scopes.has(scope)) {
          scopes.put(scope, description);
        }
      });
    }
    return doc;
  }

  private static void problemResponse(ObjectNode responses, String name, String description) {
    ObjectNode r = responses.putObject(name);
    r.put("description", description);
    r.putObject("content").putObject("application/problem+json").putObject("schema")
        .put("$ref", "#/components/schemas/Problem");
  }

  /**
   * One operation.
   *
   * @param renamed the new names of the path parameters that its path item names otherwise
   */
  private static ObjectNode operation(OperationDescriptor op, Map<String, String> renamed) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("operationId", op.operationId());
    if (op.summary() != null) {
      o.put("summary", op.summary());
    }
    if (!op.parameters().isEmpty()) {
      ArrayNode params = o.putArray("parameters");
      Set<String> declared = new HashSet<>();
      for (OperationDescriptor.Parameter p : op.parameters()) {
        String name = p.in() == OperationDescriptor.In.PATH
            ? renamed.getOrDefault(p.name(), p.name()) : p.name();
        if (!declared.add(p.in().openApiName() + " " + name)) {
          continue;
        }
        ObjectNode n = params.addObject();
        n.put("name", name);
        n.put("in", p.in().openApiName());
        n.put("required", p.required());
        n.putObject("schema").put("type", "string");
      }
    }
    if (!op.consumes().isEmpty() && BODY_METHODS.contains(op.method())) {
      ObjectNode body = o.putObject("requestBody");
      body.put("required", true);
      ObjectNode content = body.putObject("content");
      for (String mediaType : op.consumes()) {
        ObjectNode media = content.putObject(mediaType);
        if (!op.formParameters().isEmpty() && FORM_MEDIA_TYPES.contains(mediaType)) {
          ObjectNode schema = media.putObject("schema").put("type", "object");
          ObjectNode properties = schema.putObject("properties");
          op.formParameters().forEach(n -> properties.putObject(n).put("type", "string"));
        }
      }
    }
    ObjectNode responses = o.putObject("responses");
    if (op.noContent()) {
      responses.putObject("204").put("description", "No Content");
    } else {
      ObjectNode ok = responses.putObject("200");
      ok.put("description", "Success");
      if (!op.produces().isEmpty()) {
        ObjectNode content = ok.putObject("content");
        op.produces().forEach(content::putObject);
      }
    }
    List<OperationDescriptor.Security> securities = op.securities();
    if (securities.stream().anyMatch(w -> !w.isPublic())) {
      responses.putObject("401").put("$ref", "#/components/responses/Unauthorized");
      if (securities.stream().anyMatch(w -> !w.isPublic() && !w.scopes().isEmpty())) {
        responses.putObject("403").put("$ref", "#/components/responses/Forbidden");
      }
    }
    responses.putObject("429").put("$ref", "#/components/responses/TooManyRequests");
    if (op.deprecated()) {
      o.put("deprecated", true);
    }
    // alternatives (OR); an empty requirement is a public way; only public: no requirement at all
    ArrayNode security = o.putArray("security");
    if (securities.size() > 1 || !op.isPublic()) {
      for (OperationDescriptor.Security way : securities) {
        ObjectNode requirement = security.addObject();
        if (!way.isPublic()) {
          ArrayNode scopes = requirement.putArray(SECURITY_SCHEME);
          way.scopes().forEach(scopes::add);
        }
      }
    }
    if (!op.rateLimits().isEmpty()) {
      op.rateLimits().forEach(o.putArray("x-piste-rate-limits")::add);
    }
    return o;
  }

  /**
   * The generated document completed by the provider's: the code wins on enforcement and identity.
   * A file path matches the code's path of the same template shape ({@code /v1/invoices/{invoiceId}}
   * is the code's {@code /v1/invoices/{id}}): OpenAPI forbids two such paths, and the file's copy
   * would lack the code's security. Its content is merged under the code's path name, with its path
   * parameters renamed to the code's. A parameter it declares for the whole path item replaces the
   * generated one of its name and location in each operation, which would otherwise shadow it.
   */
  static ObjectNode merge(ObjectNode generated, ObjectNode file) {
    ObjectNode out = generated.deepCopy();
    ObjectNode filePaths = file.path("paths") instanceof ObjectNode p ? p : MAPPER.createObjectNode();
    JsonNode components = file.path("components").path("parameters");
    ObjectNode outPaths = (ObjectNode) out.get("paths");
    Map<String, String> codePathByShape = new HashMap<>();
    outPaths.fieldNames().forEachRemaining(path -> codePathByShape.putIfAbsent(shape(path), path));
    for (Map.Entry<String, JsonNode> e : filePaths.properties()) {
      if (!(e.getValue() instanceof ObjectNode fileItem)) {
        continue;
      }
      String codePath = outPaths.has(e.getKey()) ? e.getKey() : codePathByShape.get(shape(e.getKey()));
      if (codePath == null) {
        outPaths.set(e.getKey(), fileItem.deepCopy());
        continue;
      }
      if (!codePath.equals(e.getKey())) {
        fileItem = withPathParametersRenamed(fileItem, e.getKey(), codePath, components);
      }
      ObjectNode outItem = (ObjectNode) outPaths.get(codePath);
      // the file's parameters of the whole path item, which an operation's own of the same name
      // and location would shadow
      JsonNode itemParameters = fileItem.path("parameters");
      List<String> generatedOps = new ArrayList<>();
      outItem.fieldNames().forEachRemaining(generatedOps::add);
      for (Map.Entry<String, JsonNode> op : fileItem.properties()) {
        JsonNode gen = outItem.get(op.getKey());
        if (gen instanceof ObjectNode genOp && op.getValue() instanceof ObjectNode fileOp) {
          outItem.set(op.getKey(), mergeOperation(genOp, fileOp, itemParameters, components));
        } else if (gen == null) {
          outItem.set(op.getKey(), op.getValue().deepCopy());
        }
      }
      for (String method : generatedOps) {
        if (!fileItem.has(method)) {
          withoutParameters((ObjectNode) outItem.get(method), itemParameters, components);
        }
      }
    }
    ObjectNode rest = file.deepCopy();
    rest.remove("paths");
    rest.remove("openapi");
    fill(out, rest);
    return out;
  }

  /** The path with each template expression a bare placeholder: {@code /a/{id}} is {@code /a/{}}. */
  private static String shape(String path) {
    return TEMPLATE_EXPRESSION.matcher(path).replaceAll("{}");
  }

  /**
   * A copy of the file's path item whose path parameters (of the item and of each operation)
   * carry the code's names: the n-th template expression of {@code filePath} is the n-th of {@code
   * codePath}, as they have the same shape. A parameter given as a {@code $ref} to the file's
   * {@code components.parameters} that needs another name is written out in place, renamed.
   */
  private static ObjectNode withPathParametersRenamed(ObjectNode fileItem, String filePath,
      String codePath, JsonNode components) {
    Map<String, String> names = pathParameterNames(filePath, codePath);
    ObjectNode item = fileItem.deepCopy();
    renamePathParameters(item.path("parameters"), names, components);
    for (JsonNode op : item) {
      if (op instanceof ObjectNode) {
        renamePathParameters(op.path("parameters"), names, components);
      }
    }
    return item;
  }

  /**
   * The names of {@code to}'s template expressions by those of {@code from}, a path of the same
   * shape: the n-th expression of one is the n-th of the other.
   */
  private static Map<String, String> pathParameterNames(String from, String to) {
    List<String> a = TEMPLATE_EXPRESSION.matcher(from).results().map(r -> r.group(1)).toList();
    List<String> b = TEMPLATE_EXPRESSION.matcher(to).results().map(r -> r.group(1)).toList();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < a.size(); i++) {
      names.putIfAbsent(a.get(i), b.get(i));
    }
    return names;
  }

  private static void renamePathParameters(JsonNode parameters, Map<String, String> names,
      JsonNode components) {
    if (!(parameters instanceof ArrayNode list)) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode p = resolved(list.get(i), components);
      if (p instanceof ObjectNode param && "path".equals(param.path("in").asText())
          && names.containsKey(param.path("name").asText())) {
        ObjectNode renamed = param.deepCopy();
        renamed.put("name", names.get(param.path("name").asText()));
        list.set(i, renamed);
      }
    }
  }

  /**
   * A parameter, or the file's {@code components.parameters} entry its {@code $ref} names; the
   * parameter itself when the reference points elsewhere.
   */
  private static JsonNode resolved(JsonNode parameter, JsonNode components) {
    String ref = parameter.path("$ref").asText("");
    String prefix = "#/components/parameters/";
    if (ref.startsWith(prefix)) {
      String name = ref.substring(prefix.length()).replace("~1", "/").replace("~0", "~");
      JsonNode target = components.get(name);
      if (target instanceof ObjectNode) {
        return target;
      }
    }
    return parameter;
  }

  /**
   * Whether {@code parameters} (the file's, each maybe a {@code $ref}) has one of the name and
   * location of {@code parameter}.
   */
  private static boolean declares(JsonNode parameters, JsonNode parameter, JsonNode components) {
    for (JsonNode q : parameters) {
      JsonNode r = resolved(q, components);
      if (parameter.path("name").equals(r.path("name"))
          && parameter.path("in").equals(r.path("in"))) {
        return true;
      }
    }
    return false;
  }

  /** Drops from a generated operation the parameters the file declares for its path item. */
  private static void withoutParameters(ObjectNode operation, JsonNode itemParameters,
      JsonNode components) {
    if (!(operation.get("parameters") instanceof ArrayNode params)) {
      return;
    }
    for (int i = params.size() - 1; i >= 0; i--) {
      if (declares(itemParameters, params.get(i), components)) {
        params.remove(i);
      }
    }
    if (params.isEmpty()) {
      operation.remove("parameters");
    }
  }

  /**
   * A generated operation completed by the file's.
   *
   * @param itemParameters the parameters the file declares for the operation's whole path item
   */
  private static ObjectNode mergeOperation(ObjectNode generated, ObjectNode file,
      JsonNode itemParameters, JsonNode components) {
    ObjectNode out = file.deepCopy();
    for (String enforced : List.of("security", "x-piste-rate-limits")) {
      out.remove(enforced);
      if (generated.has(enforced)) {
        out.set(enforced, generated.get(enforced).deepCopy());
      }
    }
    if (generated.path("deprecated").asBoolean(false)) {
      out.put("deprecated", true);
    }
    if (!out.has("operationId")) {
      out.set("operationId", generated.get("operationId"));
    }
    ArrayNode params = out.get("parameters") instanceof ArrayNode a ? a : out.putArray("parameters");
    for (JsonNode p : generated.path("parameters")) {
      if (!declares(params, p, components) && !declares(itemParameters, p, components)) {
        params.add(p.deepCopy());
      }
    }
    if (params.isEmpty()) {
      out.remove("parameters");
    }
    ObjectNode responses = out.get("responses") instanceof ObjectNode r ? r : out.putObject("responses");
    fill(responses, (ObjectNode) generated.get("responses"));
    if (!out.has("requestBody") && generated.has("requestBody")) {
      out.set("requestBody", generated.get("requestBody").deepCopy());
    }
    return out;
  }

  /** Adds to {@code target} what {@code source} has and it lacks, recursively; target wins. */
  private static void fill(ObjectNode target, ObjectNode source) {
    for (Map.Entry<String, JsonNode> e : source.properties()) {
      JsonNode mine = target.get(e.getKey());
      if (mine == null) {
        target.set(e.getKey(), e.getValue().deepCopy());
      } else if (mine instanceof ObjectNode m && e.getValue() instanceof ObjectNode s) {
        fill(m, s);
      }
    }
  }
}
