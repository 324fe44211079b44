package dev.piste.core.testing;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Set;

/**
 * Validates a document against the official OpenAPI 3.1 JSON Schema,
 * {@code https://spec.openapis.org/oas/3.1/schema/2022-10-07}, and its companion
 * {@code schema-base/2022-10-07} (which also checks the Schema Objects against the OAS dialect).
 * The schema files are read from the class path, where the {@code io.vertx:vertx-openapi} jar
 * (test scope, no transitive dependency) ships them byte for byte as published; nothing is
 * fetched. Format assertions are on, so URIs and e-mail addresses must be well-formed.
 */
public final class OpenApi31Schema {
  private OpenApi31Schema() {}

  public static final String SCHEMA = "https://spec.openapis.org/oas/3.1/schema/2022-10-07";
  public static final String SCHEMA_BASE = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07";

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
      SpecVersion.VersionFlag.V202012,
      b -> b.schemaMappers(m -> m.mapPrefix("https://spec.openapis.org/", "classpath:spec.openapis.org/")));

  /** The violations of the document against the schema at {@code schemaUri}; empty when valid. */
  public static List<String> violations(String json, String schemaUri) {
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .formatAssertionsEnabled(true).build();
    JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(schemaUri), config);
    Set<ValidationMessage> messages = schema.validate(json, com.networknt.schema.InputFormat.JSON);
    return messages.stream().map(ValidationMessage::toString).sorted().toList();
  }

  /** The violations against both the 3.1 schema and the 3.1 schema-base. */
  public static List<String> violations(String json) {
    List<String> out = new java.util.ArrayList<>(violations(json, SCHEMA));
    out.addAll(violations(json, SCHEMA_BASE));
    return out;
  }

  /** Whether the class path holds the official schema (it always should in these tests). */
  public static String schemaText() {
    try (var in = OpenApi31Schema.class.getClassLoader()
        .getResourceAsStream("spec.openapis.org/oas/3.1/schema/2022-10-07")) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI 3.1 schema is not on the class path");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
