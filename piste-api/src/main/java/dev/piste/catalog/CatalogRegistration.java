package dev.piste.catalog;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What one registration sends to the catalog: the API version (descriptor and OpenAPI document,
 * identified by a content hash) and the running instance.
 *
 * @param api the API's descriptor
 * @param openApi the OpenAPI 3.1 document, as JSON text
 * @param contentHash a hash of the descriptor and the document ({@code sha-256:} and hex digits);
 *     equal content gives an equal hash, so a catalog holding it needs no new upload
 * @param instanceId this instance's id
 * @param instanceUrl this instance's public base URL
 * @param startedAt when this instance started
 * @param libraryVersion the PISTE library version
 * @param ttl how long the catalog keeps the instance without a heartbeat
 */
public record CatalogRegistration(ApiDescriptor api, String openApi, String contentHash,
    String instanceId, URI instanceUrl, Instant startedAt, String libraryVersion, Duration ttl) {

  public CatalogRegistration {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(openApi, "openApi");
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(instanceUrl, "instanceUrl");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(libraryVersion, "libraryVersion");
    Objects.requireNonNull(ttl, "ttl");
  }
}
