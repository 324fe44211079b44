package dev.piste.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.PisteConfigurationException;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.catalog.OperationDescriptor.In;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.OpenApi31Schema;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class OpenApiGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static ApiDescriptor invoices() {
    return ApiDescriptor.builder("invoices", "1.2.0")
        .name("Invoices").description("Issue and read invoices.").contact("api-team@example.com")
        .operation(OperationDescriptor.builder("GET", "/v1/invoices").operationId("InvoiceResource.list")
            .parameter("status", In.QUERY, false).produces("application/json")
            .scopes("invoices:read").rateLimits("50/s burst 100").build())
        .operation(OperationDescriptor.builder("GET", "/v1/invoices/{id}")
            .operationId("InvoiceResource.get").parameter("id", In.PATH, true)
            .parameter("X-Tenant", In.HEADER, true).produces("application/json")
            .scopes("invoices:read").build())
        .operation(OperationDescriptor.builder("POST", "/v1/invoices")
            .operationId("InvoiceResource.create").consumes("application/json")
            .produces("application/json").scopes("invoices:write")
            .rateLimits("5/s burst 10", "1000/day").build())
        .operation(OperationDescriptor.builder("DELETE", "/v1/invoices/{id}")
            .operationId("InvoiceResource.delete").parameter("id", In.PATH, true)
            .scopes("invoices:write", "invoices:admin").deprecated(true).build())
        .operation(OperationDescriptor.builder("GET", "/v1/status").operationId("StatusResource.status")
            .produces("text/plain").publicOperation(true).build())
        .scope("invoices:read", "Read invoices")
        .build();
  }

  private static PisteConfig config(Map<String, String> keys) {
    return PisteConfig.of(keys);
  }

  @Test
  void generatesAnOpenApi31DocumentValidAgainstTheOfficialSchema() {
    String doc = OpenApiGenerator.create(config(Map.of())).generate(invoices());
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
  }

  @Test
  void theServerIsTheApiBaseRelativeToWhereTheDocumentIsServed(@TempDir Path dir) throws Exception {
    JsonNode doc = JSON.readTree(OpenApiGenerator.create(config(Map.of())).generate(invoices()));
    assertThat(doc.path("servers").toString()).isEqualTo("[{\"url\":\"./\"}]");
    List<String> keys = new ArrayList<>();
    doc.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).startsWith("openapi", "info", "servers");
    URI served = URI.create("https://api.example.com/billing/api/docs/v1/openapi.json");
    JsonNode nested = JSON.readTree(OpenApiGenerator.create(config(Map.of(
        "piste.catalog.openapi-path", "/docs/v1/openapi.json"))).generate(invoices()));
    assertThat(served.resolve(nested.at("/servers/0/url").asText()))
        .hasToString("https://api.example.com/billing/api/");
    assertThat(OpenApiGenerator.serverUrl("/openapi.json")).isEqualTo("./");
    assertThat(OpenApiGenerator.serverUrl("/docs/openapi.json")).isEqualTo("../");

    Path file = dir.resolve("openapi.json");
    Files.writeString(file, "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"t\",\"version\":\"0\"},"
        + "\"servers\":[{\"url\":\"https://api.example.com/billing\"}]}");
    JsonNode merged = JSON.readTree(OpenApiGenerator.create(config(Map.of(
        "piste.catalog.openapi-file", file.toString()))).generate(invoices()));
    assertThat(merged.path("servers").toString())
        .as("the provider's servers, in place of the relative one")
        .isEqualTo("[{\"url\":\"https://api.example.com/billing\"}]");
  }

  @Test
  void theValidatorIsTheOfficialSchemaAndRejectsAnInvalidDocument() {
    assertThat(OpenApi31Schema.schemaText())
        .contains("\"$id\": \"https://spec.openapis.org/oas/3.1/schema/2022-10-07\"");
    String invalid = "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"x\"},\"paths\":{\"/a\":{\"get\":"
        + "{\"responses\":{}}}}}";
    assertThat(OpenApi31Schema.violations(invalid, OpenApi31Schema.SCHEMA)).isNotEmpty();
    String badEmail = "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"x\",\"version\":\"1\","
        + "\"contact\":{\"email\":\"not an address\"}},\"paths\":{}}";
    assertThat(OpenApi31Schema.violations(badEmail, OpenApi31Schema.SCHEMA)).isNotEmpty();
    String badSchema = "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"x\",\"version\":\"1\"},"
        + "\"paths\":{},\"components\":{\"schemas\":{\"A\":{\"type\":\"no-such-type\"}}}}";
    assertThat(OpenApi31Schema.violations(badSchema, OpenApi31Schema.SCHEMA_BASE)).isNotEmpty();
  }

  @Test
  void declaresAClientCredentialsSchemeWithEveryScopeAndConfiguredDescriptions() throws Exception {
    JsonNode doc = JSON.readTree(OpenApiGenerator.create(config(Map.of(
        "piste.catalog.scope-descriptions.invoices:write", "Create and delete invoices",
        "piste.catalog.openapi-token-url", "https://auth.example.com/oauth2/token")))
        .generate(invoices()));
    JsonNode flow = doc.at("/components/securitySchemes/oauth2/flows/clientCredentials");
    assertThat(doc.at("/components/securitySchemes/oauth2/type").asText()).isEqualTo("oauth2");
    assertThat(flow.path("tokenUrl").asText()).isEqualTo("https://auth.example.com/oauth2/token");
    assertThat(flow.path("scopes").path("invoices:read").asText()).isEqualTo("Read invoices");
    assertThat(flow.path("scopes").path("invoices:write").asText()).isEqualTo("Create and delete invoices");
    assertThat(flow.path("scopes").path("invoices:admin").asText()).isEqualTo("invoices:admin");
  }

  /**
   * Described scopes that no operation uses come after the used ones, sorted: an order that
   * changed between JVMs changed the document's bytes, so the content hash, at every restart.
   * Eight scopes, so that a per-JVM order is very unlikely to come out sorted by chance.
   */
  @Test
  void listsDescribedScopesThatNoOperationUsesSortedAfterTheUsedOnes() throws Exception {
    List<String> unused = List.of("reports:read", "audit:read", "users:write", "billing:admin",
        "zeta:read", "alpha:write", "metrics:read", "exports:run");
    Map<String, String> keys = new HashMap<>();
    unused.forEach(scope -> keys.put("piste.catalog.scope-descriptions." + scope, "About " + scope));
    JsonNode scopes = JSON.readTree(OpenApiGenerator.create(config(keys)).generate(invoices()))
        .at("/components/securitySchemes/oauth2/flows/clientCredentials/scopes");
    List<String> names = new ArrayList<>();
    scopes.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("invoices:read", "invoices:write", "invoices:admin",
        "alpha:write", "audit:read", "billing:admin", "exports:run", "metrics:read", "reports:read",
        "users:write", "zeta:read");
    assertThat(scopes.path("exports:run").asText()).isEqualTo("About exports:run");
  }

  @Test
  void givesEachOperationItsSecurityRequirementAndPublicOperationsAnEmptyOne() throws Exception {
    JsonNode paths = JSON.readTree(OpenApiGenerator.create(config(Map.of())).generate(invoices()))
        .path("paths");
    assertThat(paths.at("/~1v1~1invoices~1{id}/delete/security/0/oauth2").toString())
        .isEqualTo("[\"invoices:write\",\"invoices:admin\"]");
    assertThat(paths.at("/~1v1~1invoices~1{id}/delete/deprecated").asBoolean()).isTrue();
    assertThat(paths.at("/~1v1~1status/get/security").toString()).isEqualTo("[]");
    assertThat(paths.at("/~1v1~1status/get/responses").has("401")).isFalse();
    assertThat(paths.at("/~1v1~1invoices/get/responses/403/$ref").asText())
        .isEqualTo("#/components/responses/Forbidden");
    assertThat(paths.at("/~1v1~1invoices~1{id}/get/parameters").toString())
        .contains("\"name\":\"id\",\"in\":\"path\",\"required\":true")
        .contains("\"name\":\"X-Tenant\",\"in\":\"header\"");
  }

  @Test
  void listsEachWayToBeAuthorisedOfAnOperationWithAlternativesAsOneSecurityRequirement()
      throws Exception {
    ApiDescriptor api = ApiDescriptor.builder("feeds", "1").operation(
        OperationDescriptor.builder("GET", "/v1/feed").operationId("Feed.page")
            .produces("text/html", "application/json").publicOperation(true)
            .alternative(false).build()).build();
    String text = OpenApiGenerator.create(config(Map.of())).generate(api);
    assertThat(OpenApi31Schema.violations(text)).isEmpty();
    JsonNode doc = JSON.readTree(text);
    JsonNode get = doc.at("/paths/~1v1~1feed/get");
    // public, or any valid credential: the scheme is declared, a 401 can happen, a 403 cannot
    assertThat(get.path("security").toString()).isEqualTo("[{},{\"oauth2\":[]}]");
    assertThat(get.path("responses").has("401")).isTrue();
    assertThat(get.path("responses").has("403")).isFalse();
    assertThat(doc.at("/components/securitySchemes/oauth2/type").asText()).isEqualTo("oauth2");
  }

  @Test
  void listsTheOperationLimitsInTheXPisteRateLimitsExtension() throws Exception {
    JsonNode paths = JSON.readTree(OpenApiGenerator.create(config(Map.of())).generate(invoices()))
        .path("paths");
    assertThat(paths.at("/~1v1~1invoices/post/x-piste-rate-limits").toString())
        .isEqualTo("[\"5/s burst 10\",\"1000/day\"]");
    assertThat(paths.at("/~1v1~1invoices/get/x-piste-rate-limits").toString())
        .isEqualTo("[\"50/s burst 100\"]");
    assertThat(paths.at("/~1v1~1status/get").has("x-piste-rate-limits")).isFalse();
  }

  @Test
  void derivesTheTokenUrlFromTheIssuerWhenNoneIsConfigured() throws Exception {
    JsonNode doc = JSON.readTree(OpenApiGenerator.create(config(Map.of(
        "piste.token.issuer", "https://auth.example.com/realms/piste"))).generate(invoices()));
    assertThat(doc.at("/components/securitySchemes/oauth2/flows/clientCredentials/tokenUrl").asText())
        .isEqualTo("https://auth.example.com/realms/piste/token");
  }

  @Test
  void theSameDescriptorAlwaysGivesTheSameBytes() {
    OpenApiGenerator g = OpenApiGenerator.create(config(Map.of()));
    assertThat(g.generate(invoices())).isEqualTo(g.generate(invoices()));
  }

  @Test
  void completesTheDocumentWithTheProvidersFileWhileTheCodeKeepsSecurityAndLimits(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("openapi.json");
    Files.writeString(file, """
        {"openapi":"3.1.0","info":{"title":"ignored","version":"0","termsOfService":"https://example.com/tos"},
         "tags":[{"name":"invoices"}],
         "paths":{
          "/v1/invoices/{id}":{"get":{"summary":"Read one invoice","tags":["invoices"],
            "security":[],
            "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string","format":"uuid"}}],
            "responses":{"200":{"description":"The invoice","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Invoice"}}}},
                         "404":{"description":"No such invoice"}}}},
          "/v1/extra":{"get":{"responses":{"200":{"description":"Documented only"}}}}},
         "components":{"schemas":{"Invoice":{"type":"object","properties":{"id":{"type":"string"}}}}}}
        """);
    String text = OpenApiGenerator.create(config(Map.of("piste.catalog.openapi-file", file.toString())))
        .generate(invoices());
    assertThat(OpenApi31Schema.violations(text)).isEmpty();
    JsonNode doc = JSON.readTree(text);
    JsonNode get = doc.at("/paths/~1v1~1invoices~1{id}/get");
    assertThat(doc.at("/info/title").asText()).isEqualTo("Invoices");
    assertThat(doc.at("/info/termsOfService").asText()).isEqualTo("https://example.com/tos");
    assertThat(get.path("summary").asText()).isEqualTo("Read one invoice");
    assertThat(get.at("/security/0/oauth2/0").asText()).isEqualTo("invoices:read");
    assertThat(get.at("/parameters/0/schema/format").asText()).isEqualTo("uuid");
    assertThat(get.at("/parameters").toString()).contains("X-Tenant");
    assertThat(get.at("/responses/404/description").asText()).isEqualTo("No such invoice");
    assertThat(get.at("/responses/401/$ref").asText()).isEqualTo("#/components/responses/Unauthorized");
    assertThat(doc.at("/paths/~1v1~1extra/get/responses/200/description").asText())
        .isEqualTo("Documented only");
    assertThat(doc.at("/components/schemas/Invoice/type").asText()).isEqualTo("object");
  }

  @Test
  void aPathParameterGivenAsARefIsRenamedAndNotDeclaredTwice(@TempDir Path dir) throws Exception {
    for (String filePath : List.of("/v1/invoices/{invoiceId}", "/v1/invoices/{id}")) {
      String name = filePath.substring(filePath.indexOf('{') + 1, filePath.indexOf('}'));
      Path file = dir.resolve(name + ".json");
      Files.writeString(file, """
          {"openapi":"3.1.0","info":{"title":"t","version":"0"},
           "paths":{"%s":{"get":{"summary":"Read one invoice",
             "parameters":[{"$ref":"#/components/parameters/Invoice"}],
             "responses":{"200":{"description":"The invoice"}}}}},
           "components":{"parameters":{"Invoice":{"name":"%s","in":"path","required":true,
             "schema":{"type":"string","format":"uuid"}}}}}
          """.formatted(filePath, name));
      String text = OpenApiGenerator.create(config(Map.of("piste.catalog.openapi-file",
          file.toString()))).generate(invoices());
      assertThat(OpenApi31Schema.violations(text)).as(filePath).isEmpty();
      JsonNode doc = JSON.readTree(text);
      List<JsonNode> params = new ArrayList<>();
      for (JsonNode q : doc.at("/paths/~1v1~1invoices~1{id}/get/parameters")) {
        JsonNode r = q.has("$ref") ? doc.at("/components/parameters/Invoice") : q;
        if (r.path("in").asText().equals("path")) {
          params.add(r);
        }
      }
      assertThat(params).as(filePath + ": one path parameter, the code's name").hasSize(1);
      JsonNode p = params.get(0);
      assertThat(p.path("name").asText()).isEqualTo("id");
      assertThat(p.at("/schema/format").asText()).isEqualTo("uuid");
    }
  }

  /**
   * A file path whose template names differ from the code's ({@code {invoiceId}} for {@code {id}})
   * is the code's path: it was added beside it, two paths OpenAPI forbids, and its operation,
   * without the code's security, read as public.
   */
  @Test
  void mergesAFilePathOntoTheCodesPathOfTheSameTemplateShapeWithTheCodesSecurity(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("openapi.json");
    Files.writeString(file, """
        {"openapi":"3.1.0","info":{"title":"t","version":"0"},
         "paths":{
          "/v1/invoices/{invoiceId}":{
            "description":"One invoice",
            "parameters":[{"name":"invoiceId","in":"path","required":true,"description":"Its number",
                           "schema":{"type":"string"}}],
            "get":{"summary":"Read one invoice",
              "parameters":[{"name":"invoiceId","in":"path","required":true,
                             "schema":{"type":"string","format":"uuid"}},
                            {"name":"invoiceId","in":"query","schema":{"type":"string"}}],
              "responses":{"200":{"description":"The invoice"},"404":{"description":"No such invoice"}}},
            "put":{"summary":"Documented only","responses":{"200":{"description":"Replaced"}}}},
          "/v1/invoices/{invoiceId}/lines/{line}":{"get":{
            "parameters":[{"name":"invoiceId","in":"path","required":true,"schema":{"type":"string"}},
                          {"name":"line","in":"path","required":true,"schema":{"type":"string"}}],
            "responses":{"200":{"description":"A line"}}}}}}
        """);
    String text = OpenApiGenerator.create(config(Map.of("piste.catalog.openapi-file", file.toString())))
        .generate(invoices());
    assertThat(OpenApi31Schema.violations(text)).isEmpty();
    JsonNode paths = JSON.readTree(text).path("paths");
    List<String> names = new ArrayList<>();
    paths.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("/v1/invoices", "/v1/invoices/{id}", "/v1/status",
        "/v1/invoices/{invoiceId}/lines/{line}");
    assertThat(names.stream().map(path -> path.replaceAll("\\{[^}]*}", "{}")))
        .as("templated paths of one shape").doesNotHaveDuplicates();

    JsonNode item = paths.path("/v1/invoices/{id}");
    assertThat(item.path("description").asText()).isEqualTo("One invoice");
    assertThat(item.at("/parameters/0/name").asText()).isEqualTo("id");
    assertThat(item.at("/parameters/0/description").asText()).isEqualTo("Its number");
    JsonNode get = item.path("get");
    assertThat(get.path("summary").asText()).isEqualTo("Read one invoice");
    assertThat(get.path("operationId").asText()).isEqualTo("InvoiceResource.get");
    assertThat(get.path("security").toString()).isEqualTo("[{\"oauth2\":[\"invoices:read\"]}]");
    assertThat(get.at("/responses/404/description").asText()).isEqualTo("No such invoice");
    assertThat(get.at("/responses/401/$ref").asText()).isEqualTo("#/components/responses/Unauthorized");
    List<String> parameters = new ArrayList<>();
    get.path("parameters")
        .forEach(p -> parameters.add(p.path("in").asText() + " " + p.path("name").asText()));
    assertThat(parameters).containsExactly("path id", "query invoiceId", "header X-Tenant");
    assertThat(get.at("/parameters/0/schema/format").asText()).isEqualTo("uuid");
    assertThat(item.at("/delete/security/0/oauth2").toString())
        .isEqualTo("[\"invoices:write\",\"invoices:admin\"]");
    assertThat(item.at("/put/summary").asText()).isEqualTo("Documented only");
  }

  /**
   * A path parameter the file declares for the whole path item was shadowed by the generated bare
   * {@code {"type":"string"}} one in each operation, so its description and schema were lost.
   */
  @Test
  void aPathItemParameterOfTheFileIsNotShadowedByAGeneratedOne(@TempDir Path dir) throws Exception {
    for (String filePath : List.of("/v1/invoices/{invoiceId}", "/v1/invoices/{id}")) {
      String name = filePath.substring(filePath.indexOf('{') + 1, filePath.indexOf('}'));
      for (boolean ref : List.of(false, true)) {
        String parameter = """
            {"name":"%s","in":"path","required":true,"description":"Its number",
             "schema":{"type":"string","format":"uuid"}}""".formatted(name);
        Path file = dir.resolve(name + ref + ".json");
        Files.writeString(file, """
            {"openapi":"3.1.0","info":{"title":"t","version":"0"},
             "paths":{"%s":{"parameters":[%s],
               "get":{"summary":"Read one invoice","responses":{"200":{"description":"The invoice"}}}}},
             "components":{"parameters":{"Invoice":%s}}}
            """.formatted(filePath, ref ? "{\"$ref\":\"#/components/parameters/Invoice\"}" : parameter,
            parameter));
        String text = OpenApiGenerator.create(config(Map.of("piste.catalog.openapi-file",
            file.toString()))).generate(invoices());
        String as = filePath + (ref ? " as a $ref" : "");
        assertThat(OpenApi31Schema.violations(text)).as(as).isEmpty();
        JsonNode item = JSON.readTree(text).at("/paths/~1v1~1invoices~1{id}");
        JsonNode declared = item.at("/parameters/0");
        declared = declared.has("$ref") ? JSON.readTree(text).at("/components/parameters/Invoice")
            : declared;
        assertThat(declared.path("name").asText()).as(as).isEqualTo("id");
        assertThat(declared.at("/schema/format").asText()).as(as).isEqualTo("uuid");
        // the operation the file completes and the one it does not mention
        assertThat(parameters(item.path("get"))).as(as).containsExactly("header X-Tenant");
        assertThat(item.path("delete").has("parameters")).as(as).isFalse();
        assertThat(item.at("/get/security/0/oauth2/0").asText()).isEqualTo("invoices:read");
      }
    }
  }

  /**
   * {@code GET /v1/items/{id}} beside {@code DELETE /v1/items/{itemId}} gave two path items of one
   * templated shape, which OpenAPI 3.1 forbids.
   */
  @Test
  void operationsOnPathsOfOneShapeShareOnePathItemNamedAsTheFirst() throws Exception {
    ApiDescriptor api = ApiDescriptor.builder("items", "1")
        .operation(OperationDescriptor.builder("GET", "/v1/items/{id}").operationId("Items.get")
            .parameter("id", In.PATH, true).build())
        .operation(OperationDescriptor.builder("DELETE", "/v1/items/{itemId}")
            .operationId("Items.delete").parameter("itemId", In.PATH, true)
            .parameter("id", In.QUERY, false).build())
        .operation(OperationDescriptor.builder("GET", "/v1/items/{itemId}/parts/{part}")
            .operationId("Items.part").parameter("itemId", In.PATH, true)
            .parameter("part", In.PATH, true).build())
        .operation(OperationDescriptor.builder("PUT", "/v1/items/{key}/parts/{n}")
            .operationId("Items.replacePart").parameter("n", In.PATH, true)
            .parameter("key", In.PATH, true).build())
        .build();
    String text = OpenApiGenerator.create(config(Map.of())).generate(api);
    assertThat(OpenApi31Schema.violations(text)).isEmpty();
    JsonNode paths = JSON.readTree(text).path("paths");
    List<String> names = new ArrayList<>();
    paths.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("/v1/items/{id}", "/v1/items/{itemId}/parts/{part}");
    assertThat(parameters(paths.at("/~1v1~1items~1{id}/get"))).containsExactly("path id");
    assertThat(parameters(paths.at("/~1v1~1items~1{id}/delete")))
        .containsExactly("path id", "query id");
    assertThat(parameters(paths.at("/~1v1~1items~1{itemId}~1parts~1{part}/put")))
        .containsExactly("path part", "path itemId");
  }

  private static List<String> parameters(JsonNode operation) {
    List<String> out = new ArrayList<>();
    operation.path("parameters")
        .forEach(p -> out.add(p.path("in").asText() + " " + p.path("name").asText()));
    return out;
  }

  @Test
  void anUnreadableOpenApiFileIsAConfigurationProblemNamingTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{not json");
    OpenApiGenerator g = OpenApiGenerator.create(config(Map.of("piste.catalog.openapi-file",
        file.toString())));
    assertThatThrownBy(() -> g.generate(invoices()))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.catalog.openapi-file");
  }
}
