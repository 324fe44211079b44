package dev.piste.core.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.piste.PisteConfigurationException;
import dev.piste.PisteConfigurationException.Problem;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.config.CatalogKeys;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.PathRules;
import dev.piste.ratelimit.Limit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The descriptor of an application configured by keys alone (web.xml): identity from
 * {@code piste.api.*}, operations from the OpenAPI file ({@code piste.catalog.openapi-file}) when
 * there is one, each with the policy the path rules give it, else from the path rules themselves
 * (a pattern {@code /v1/invoices/*} becomes the path {@code /v1/invoices/{subpath}}; a rule for
 * any method becomes GET, POST, PUT, PATCH and DELETE).
 */
public final class ConfigDescriber {
  private ConfigDescriber() {}

  private static final List<String> ANY_METHOD = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final List<String> OPENAPI_METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");

  /** The path rules of the configuration, as the servlet filter compiles them. */
  public static PathRules rules(PisteConfig config) {
    return PathRules.compile(config.get(TokenKeys.PUBLIC_PATHS), config.get(TokenKeys.SCOPE_RULES),
        config.get(RateLimitKeys.RULES), config.get(AuditKeys.EXCLUDE_PATHS),
        TokenKeys.PUBLIC_PATHS.name(), TokenKeys.SCOPE_RULES.name(), RateLimitKeys.RULES.name(),
        AuditKeys.EXCLUDE_PATHS.name());
  }

  /**
   * The descriptor, or {@code null} when {@code piste.api.id} or {@code piste.api.version} is
   * not set.
   */
  public static ApiDescriptor describe(PisteConfig config, PathRules rules) {
    String id = config.get(CoreKeys.API_ID);
    String version = config.get(CoreKeys.API_VERSION);
    if (id == null || version == null) {
      return null;
    }
    ApiDescriptor.Builder api = identity(config, id, version);
    Path file = config.get(CatalogKeys.OPENAPI_FILE);
    List<OperationDescriptor> ops = file != null ? fromFile(file, rules) : fromRules(rules);
    api.operations(ops);
    describeScopes(api, ops, config);
    return api.build();
  }

  /** A builder with the identity keys {@code piste.api.*} (name, description, contact, lifecycle). */
  public static ApiDescriptor.Builder identity(PisteConfig config, String id, String version) {
    return ApiDescriptor.builder(id, version)
        .name(config.get(CoreKeys.API_NAME))
        .description(config.get(CoreKeys.API_DESCRIPTION))
        .contact(config.get(CoreKeys.API_CONTACT))
        .lifecycle(config.get(CoreKeys.API_LIFECYCLE));
  }

  /** Adds the configured description of every scope the operations use. */
  public static void describeScopes(ApiDescriptor.Builder api, List<OperationDescriptor> ops,
      PisteConfig config) {
    Map<String, String> descriptions = config.values(CatalogKeys.SCOPE_DESCRIPTIONS);
    for (OperationDescriptor op : ops) {
      Set<String> used = new LinkedHashSet<>(op.scopes());
      op.alternatives().forEach(a -> used.addAll(a.scopes()));
      for (String scope : used) {
        if (descriptions.containsKey(scope)) {
          api.scope(scope, descriptions.get(scope));
        }
      }
    }
  }

  private static List<OperationDescriptor> fromRules(PathRules rules) {
    Map<String, OperationDescriptor> ops = new LinkedHashMap<>();
    for (PathRules.Rule rule : rules.rules()) {
      boolean prefix = rule.pattern().endsWith("/*");
      String stem = prefix ? rule.pattern().substring(0, rule.pattern().length() - 2) : rule.pattern();
      String path = prefix ? stem + "/{subpath}" : rule.pattern();
      String concrete = prefix ? stem + "/x" : rule.pattern();
      List<String> methods = rule.methods().isEmpty()
          ? ("public".equals(rule.kind()) ? List.of("GET") : ANY_METHOD)
          : rule.methods().stream().sorted().toList();
      for (String method : methods) {
        // a prefix pattern covers its stem too (/v1/invoices/* matches /v1/invoices)
        if (prefix && !stem.isEmpty() && !ops.containsKey(method + " " + stem)) {
          ops.put(method + " " + stem, withPolicy(OperationDescriptor.builder(method, stem)
              .operationId(method + " " + stem), rules.policyFor(method, stem)).build());
        }
        String key = method + " " + path;
        if (!ops.containsKey(key)) {
          OperationDescriptor.Builder b = OperationDescriptor.builder(method, path)
              .operationId(method + " " + rule.pattern());
          if (prefix) {
            b.parameter("subpath", OperationDescriptor.In.PATH, true);
          }
          ops.put(key, withPolicy(b, rules.policyFor(method, concrete)).build());
        }
      }
    }
    return new ArrayList<>(ops.values());
  }

  private static List<OperationDescriptor> fromFile(Path file, PathRules rules) {
    JsonNode doc;
    try {
      doc = DescriptorJson.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new PisteConfigurationException(List.of(new Problem(CatalogKeys.OPENAPI_FILE.name(),
          file.toString(), "a readable OpenAPI 3.x document in JSON", null)));
    }
    List<OperationDescriptor> ops = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (String m : OPENAPI_METHODS) {
        JsonNode op = path.getValue().get(m);
        if (op == null) {
          continue;
        }
        String method = m.toUpperCase(Locale.ROOT);
        OperationDescriptor.Builder b = OperationDescriptor.builder(method, path.getKey())
            .operationId(op.path("operationId").asText(method + " " + path.getKey()))
            .summary(op.path("summary").asText(null))
            .deprecated(op.path("deprecated").asBoolean(false));
        Matcher v = TEMPLATE_VARIABLE.matcher(path.getKey());
        while (v.find()) {
          b.parameter(v.group(1), OperationDescriptor.In.PATH, true);
        }
        String concrete = TEMPLATE_VARIABLE.matcher(path.getKey()).replaceAll("x");
        ops.add(withPolicy(b, rules.policyFor(method, concrete)).build());
      }
    }
    return ops;
  }

  private static OperationDescriptor.Builder withPolicy(OperationDescriptor.Builder b,
      OperationPolicy policy) {
    b.publicOperation(policy.publicOperation());
    b.scopes(policy.scopes().stream().sorted().toArray(String[]::new));
    for (OperationLimit limit : policy.limits()) {
      for (Limit l : limit.limits()) {
        b.rateLimits(l.toString());
      }
    }
    return b;
  }

}
