package dev.piste.core.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.PisteConfig;
import dev.piste.core.catalog.OpenApiGenerator;
import dev.piste.core.testing.OpenApi31Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor of a web.xml application: piste.api.* keys and path rules. */
final class ConfigDescriberTest {

  private static Map<String, String> webXmlKeys() {
    Map<String, String> keys = new HashMap<>();
    keys.put("piste.api.id", "invoices-servlet");
    keys.put("piste.api.version", "2.0.0");
    keys.put("piste.api.name", "Invoices (servlet)");
    keys.put("piste.api.contact", "https://example.com/support");
    keys.put("piste.token.public-paths", "/v1/status");
    keys.put("piste.token.scope-rules", "GET /v1/invoices/* invoices:read; POST /v1/invoices invoices:write");
    keys.put("piste.ratelimit.rules", "POST /v1/invoices 5/s burst 10");
    keys.put("piste.catalog.scope-descriptions.invoices:read", "Read invoices");
    return keys;
  }

  @Test
  void describesTheOperationsOfThePathRules() {
    PisteConfig config = PisteConfig.of(webXmlKeys());
    ApiDescriptor api = ConfigDescriber.describe(config, ConfigDescriber.rules(config));
    assertThat(api.id()).isEqualTo("invoices-servlet");
    assertThat(api.name()).isEqualTo("Invoices (servlet)");
    assertThat(api.operations()).extracting(o -> o.method() + " " + o.path())
        .containsExactly("GET /v1/status", "GET /v1/invoices", "GET /v1/invoices/{subpath}",
            "POST /v1/invoices");
    // the list, which GET /v1/invoices/* covers too, is described with the rule's scopes
    assertThat(api.operations().get(1).scopes()).containsExactly("invoices:read");
    OperationDescriptor post = api.operations().get(3);
    assertThat(post.scopes()).containsExactly("invoices:write");
    assertThat(post.rateLimits()).containsExactly("5/s burst 10");
    assertThat(api.operations().get(0).isPublic()).isTrue();
    assertThat(api.scopes()).containsEntry("invoices:read", "Read invoices");
    String doc = OpenApiGenerator.create(config).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
  }

  @Test
  void takesTheOperationsFromTheProvidersOpenApiFileWithThePolicyOfTheRules(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("openapi.json");
    Files.writeString(file, """
        {"openapi":"3.1.0","info":{"title":"Invoices","version":"2.0.0"},
         "paths":{"/v1/invoices":{"get":{"operationId":"listInvoices","responses":{"200":{"description":"ok"}}},
                                  "post":{"operationId":"createInvoice","responses":{"201":{"description":"created"}}}},
                  "/v1/invoices/{id}":{"get":{"operationId":"getInvoice","responses":{"200":{"description":"ok"}}}},
                  "/v1/status":{"get":{"operationId":"status","responses":{"200":{"description":"up"}}}}}}
        """);
    Map<String, String> keys = webXmlKeys();
    keys.put("piste.catalog.openapi-file", file.toString());
    PisteConfig config = PisteConfig.of(keys);
    ApiDescriptor api = ConfigDescriber.describe(config, ConfigDescriber.rules(config));
    assertThat(api.operations()).extracting(OperationDescriptor::operationId)
        .containsExactly("listInvoices", "createInvoice", "getInvoice", "status");
    assertThat(api.operations().get(0).scopes()).containsExactly("invoices:read");
    assertThat(api.operations().get(1).rateLimits()).containsExactly("5/s burst 10");
    assertThat(api.operations().get(2).parameters()).extracting(OperationDescriptor.Parameter::name)
        .containsExactly("id");
    assertThat(api.operations().get(3).isPublic()).isTrue();
    String doc = OpenApiGenerator.create(config).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    assertThat(doc).contains("\"201\"").contains("\"description\" : \"created\"");
  }

  @Test
  void noApiIdMeansNoDescriptor() {
    PisteConfig config = PisteConfig.of(Map.of());
    assertThat(ConfigDescriber.describe(config, ConfigDescriber.rules(config))).isNull();
  }
}
