package dev.piste.core.internal.config;

import static dev.piste.core.internal.config.ValueType.BOOLEAN;
import static dev.piste.core.internal.config.ValueType.DURATION_TYPE;
import static dev.piste.core.internal.config.ValueType.HTTP_URI;
import static dev.piste.core.internal.config.ValueType.PATH;
import static dev.piste.core.internal.config.ValueType.STRING;
import static dev.piste.core.internal.config.ValueType.URL_PATH;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Keys of the catalog descriptor, the OpenAPI document and self-registration. */
public final class CatalogKeys {
  private CatalogKeys() {}

  public static final Key<URI> URL = Key.of("piste.catalog.url", HTTP_URI, null,
      "Catalog base URL (with piste.catalog.token-uri: https; http only for loopback); unset = no registration");
  public static final Key<URI> INSTANCE_URL = Key.of("piste.catalog.instance-url", HTTP_URI, null,
      "This instance's public base URL, as registered in the catalog");
  public static final Key<Duration> TTL = Key.of("piste.catalog.ttl", DURATION_TYPE, "30s",
      "Instance registration lifetime (at least 1s); the heartbeat runs every third of it");
  public static final Key<URI> TOKEN_URI = Key.of("piste.catalog.token-uri", HTTP_URI, null,
      "OAuth2 token endpoint for the catalog's client-credentials grant (https; http only for "
          + "loopback); unset = no credential");
  public static final Key<String> CLIENT_ID = Key.of("piste.catalog.client-id", STRING, null,
      "Client id for the catalog token");
  public static final Key<String> CLIENT_SECRET = Key.secret("piste.catalog.client-secret",
      "Client secret for the catalog token");
  public static final Key<Boolean> REQUIRED = Key.of("piste.catalog.required", BOOLEAN, "false",
      "true = start-up waits for the registration and fails without it");
  public static final Key<String> OPENAPI_PATH = Key.of("piste.catalog.openapi-path", URL_PATH,
      "/openapi.json", "Where the application serves its OpenAPI document");
  public static final Key<Path> OPENAPI_FILE = Key.of("piste.catalog.openapi-file", PATH, null,
      "A JSON OpenAPI 3.x file that completes the generated document (descriptions, schemas); "
          + "for web.xml apps also the list of operations");
  public static final Key<String> SCOPE_DESCRIPTIONS = Key.prefix(
      "piste.catalog.scope-descriptions.", STRING,
      "Description of a scope in the OpenAPI document: piste.catalog.scope-descriptions.invoices:read=...");

  public static final Key<URI> OPENAPI_TOKEN_URL = Key.of("piste.catalog.openapi-token-url",
      HTTP_URI, null, "Token URL of the client-credentials flow in the OpenAPI document; default: "
          + "piste.catalog.token-uri, else the first piste.token.issuer followed by /token");
  public static final Key<Duration> HTTP_TIMEOUT = Key.of("piste.catalog.http-timeout",
      DURATION_TYPE, "5s", "Connect and request timeout of every catalog and token call");

  static final List<Key<?>> ALL = List.of(URL, INSTANCE_URL, TTL, TOKEN_URI, CLIENT_ID,
      CLIENT_SECRET, REQUIRED, OPENAPI_PATH, OPENAPI_FILE, SCOPE_DESCRIPTIONS, OPENAPI_TOKEN_URL,
      HTTP_TIMEOUT);
}
