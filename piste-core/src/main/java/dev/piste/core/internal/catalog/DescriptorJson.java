package dev.piste.core.internal.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The JSON form of a descriptor, as sent to the catalog, and the content hash. */
public final class DescriptorJson {
  private DescriptorJson() {}

  public static final ObjectMapper MAPPER = new ObjectMapper();

  /** The descriptor as a JSON object; the same descriptor always gives the same bytes. */
  public static ObjectNode toJson(ApiDescriptor api) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", api.id());
    n.put("version", api.version());
    n.put("name", api.name());
    putIfPresent(n, "description", api.description());
    putIfPresent(n, "contact", api.contact());
    n.put("lifecycle", api.lifecycle());
    ObjectNode scopes = n.putObject("scopes");
    api.scopes().forEach(scopes::put);
    ArrayNode ops = n.putArray("operations");
    for (OperationDescriptor op : api.operations()) {
      ObjectNode o = ops.addObject();
      o.put("method", op.method());
      o.put("path", op.path());
      o.put("operationId", op.operationId());
      putIfPresent(o, "summary", op.summary());
      ArrayNode params = o.putArray("parameters");
      for (OperationDescriptor.Parameter p : op.parameters()) {
        params.addObject().put("name", p.name()).put("in", p.in().openApiName())
            .put("required", p.required());
      }
      op.consumes().forEach(o.putArray("consumes")::add);
      if (!op.formParameters().isEmpty()) {
        op.formParameters().forEach(o.putArray("formParameters")::add);
      }
      op.produces().forEach(o.putArray("produces")::add);
      op.scopes().forEach(o.putArray("scopes")::add);
      o.put("public", op.isPublic());
      if (!op.alternatives().isEmpty()) {
        ArrayNode alternatives = o.putArray("alternatives");
        for (OperationDescriptor.Security a : op.alternatives()) {
          ObjectNode way = alternatives.addObject().put("public", a.isPublic());
          a.scopes().forEach(way.putArray("scopes")::add);
        }
      }
      op.rateLimits().forEach(o.putArray("rateLimits")::add);
      o.put("deprecated", op.deprecated());
      if (op.noContent()) {
        o.put("noContent", true);
      }
    }
    return n;
  }

  /** {@code sha-256:} and the hex digest of the descriptor's JSON, a new line and the OpenAPI text. */
  public static String contentHash(ApiDescriptor api, String openApi) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(MAPPER.writeValueAsBytes(toJson(api)));
      md.update((byte) '\n');
      md.update(openApi.getBytes(StandardCharsets.UTF_8));
      return "sha-256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash the descriptor", e);
    }
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
