package dev.piste.example.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog's state: APIs, their versions (descriptor, OpenAPI document, content hash) and the
 * live instances of each version. Instances expire when their heartbeats stop. When a data
 * directory is given, the state is persisted in {@code catalog.json} there (written to a temporary
 * file, then moved in place) on every change except a heartbeat that only renews an instance, and
 * read back at start-up. Thread-safe: every method is synchronized.
 */
final class CatalogStore {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One version of one API. */
  static final class Version {
    final String apiId;
    final String version;
    ObjectNode descriptor;
    ObjectNode openApi;
    String contentHash;
    Instant updatedAt;
    int uploads;
    final Map<String, Instance> instances = new TreeMap<>();

    Version(String apiId, String version) {
      this.apiId = apiId;
      this.version = version;
    }
  }

  /** One running instance of a version. */
  record Instance(String id, String url, String startedAt, String libraryVersion, long ttlSeconds,
      Instant lastHeartbeat, Instant expiresAt) {}

  private final Clock clock;
  private final Path file;
  private final Map<String, Map<String, Version>> apis = new TreeMap<>();

  CatalogStore(Clock clock, Path dataDir) {
    this.clock = clock;
    this.file = dataDir == null ? null : dataDir.resolve("catalog.json");
    if (file != null) {
      try {
        Files.createDirectories(dataDir);
        if (Files.exists(file)) {
          load(JSON.readTree(file.toFile()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the catalog data in " + dataDir, e);
      }
    }
  }

  synchronized Version version(String apiId, String version) {
    Map<String, Version> versions = apis.get(apiId);
    return versions == null ? null : versions.get(version);
  }

  /** Stores a version; returns true when it was new. */
  synchronized boolean putVersion(String apiId, String version, ObjectNode descriptor,
      ObjectNode openApi, String contentHash) {
    Version v = version(apiId, version);
    boolean created = v == null;
    if (created) {
      v = new Version(apiId, version);
      apis.computeIfAbsent(apiId, k -> new TreeMap<>()).put(version, v);
    }
    v.descriptor = descriptor;
    v.openApi = openApi;
    v.contentHash = contentHash;
    v.updatedAt = clock.instant();
    v.uploads++;
    persist();
    return created;
  }

  /** Registers or renews an instance; returns true when it was new (or had expired). */
  synchronized boolean putInstance(Version v, String instanceId, String url, String startedAt,
      String libraryVersion, long ttlSeconds) {
    Instant now = clock.instant();
    Instance previous = v.instances.get(instanceId);
    boolean created = previous == null || !previous.expiresAt().isAfter(now);
    v.instances.put(instanceId, new Instance(instanceId, url, startedAt, libraryVersion, ttlSeconds,
        now, now.plus(Duration.ofSeconds(ttlSeconds))));
    if (created) {
      persist();
    }
    return created;
  }

  synchronized boolean removeInstance(Version v, String instanceId) {
    Instance removed = v.instances.remove(instanceId);
    if (removed != null) {
      persist();
    }
    return removed != null && removed.expiresAt().isAfter(clock.instant());
  }

  /** The live instances of a version (expired ones are dropped). */
  synchronized List<Instance> liveInstances(Version v) {
    Instant now = clock.instant();
    v.instances.values().removeIf(i -> !i.expiresAt().isAfter(now));
    return List.copyOf(v.instances.values());
  }

  /** Every version of every API, by API id then version. */
  synchronized List<Version> versions() {
    List<Version> out = new ArrayList<>();
    apis.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /** How many times this version's content was uploaded. */
  synchronized int uploads(String apiId, String version) {
    Version v = version(apiId, version);
    return v == null ? 0 : v.uploads;
  }

  synchronized ObjectNode summary() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("apis");
    for (Version v : versions()) {
      ObjectNode n = list.addObject();
      n.put("id", v.apiId);
      n.put("version", v.version);
      n.put("name", v.descriptor.path("name").asText(v.apiId));
      n.put("lifecycle", v.descriptor.path("lifecycle").asText(""));
      n.put("contentHash", v.contentHash);
      n.put("operations", v.descriptor.path("operations").size());
      ArrayNode instances = n.putArray("instances");
      for (Instance i : liveInstances(v)) {
        instances.addObject().put("id", i.id()).put("url", i.url())
            .put("expiresAt", i.expiresAt().toString());
      }
    }
    return root;
  }

  private void persist() {
    if (file == null) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("versions");
    for (Version v : versions()) {
      ObjectNode n = list.addObject();
      n.put("apiId", v.apiId);
      n.put("version", v.version);
      n.set("descriptor", v.descriptor);
      n.set("openapi", v.openApi);
      n.put("contentHash", v.contentHash);
      n.put("updatedAt", v.updatedAt.toString());
      n.put("uploads", v.uploads);
      ArrayNode instances = n.putArray("instances");
      for (Instance i : v.instances.values()) {
        instances.addObject().put("id", i.id()).put("url", i.url()).put("startedAt", i.startedAt())
            .put("libraryVersion", i.libraryVersion()).put("ttlSeconds", i.ttlSeconds())
            .put("lastHeartbeat", i.lastHeartbeat().toString())
            .put("expiresAt", i.expiresAt().toString());
      }
    }
    try {
      Path tmp = file.resolveSibling("catalog.json.tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private void load(JsonNode root) {
    for (JsonNode n : root.path("versions")) {
      Version v = new Version(n.path("apiId").asText(), n.path("version").asText());
      v.descriptor = (ObjectNode) n.path("descriptor");
      v.openApi = (ObjectNode) n.path("openapi");
      v.contentHash = n.path("contentHash").asText();
      v.updatedAt = Instant.parse(n.path("updatedAt").asText());
      v.uploads = n.path("uploads").asInt();
      for (JsonNode i : n.path("instances")) {
        v.instances.put(i.path("id").asText(), new Instance(i.path("id").asText(),
            i.path("url").asText(), i.path("startedAt").asText(), i.path("libraryVersion").asText(),
            i.path("ttlSeconds").asLong(), Instant.parse(i.path("lastHeartbeat").asText()),
            Instant.parse(i.path("expiresAt").asText())));
      }
      apis.computeIfAbsent(v.apiId, k -> new TreeMap<>()).put(v.version, v);
    }
  }
}
