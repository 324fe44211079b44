package dev.piste.core.internal.config;

import static dev.piste.core.internal.config.ValueType.BOOLEAN;
import static dev.piste.core.internal.config.ValueType.DURATION_TYPE;
import static dev.piste.core.internal.config.ValueType.HTTP_URI;
import static dev.piste.core.internal.config.ValueType.LIST;
import static dev.piste.core.internal.config.ValueType.PATH;
import static dev.piste.core.internal.config.ValueType.POSITIVE_INT;
import static dev.piste.core.internal.config.ValueType.SIZE_TYPE;
import static dev.piste.core.internal.config.ValueType.STRING;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Keys of request auditing. */
public final class AuditKeys {
  private AuditKeys() {}

  public static final Key<Boolean> ENABLED = Key.of("piste.audit.enabled", BOOLEAN, "true",
      "Whether one audit event is recorded per request");
  public static final Key<List<String>> SINKS = Key.of("piste.audit.sinks",
      ValueType.listOf(Set.of("slf4j", "file", "http", "jdbc")), "slf4j",
      "Where events go: slf4j, file, http, jdbc (several allowed)");
  public static final Key<Integer> QUEUE_SIZE = Key.of("piste.audit.queue-size", POSITIVE_INT,
      "65536", "Events held in memory before they overflow to the spool");
  public static final Key<Integer> BATCH_SIZE = Key.of("piste.audit.batch-size", POSITIVE_INT,
      "500", "Most events per sink delivery");
  public static final Key<Duration> FLUSH_INTERVAL = Key.of("piste.audit.flush-interval",
      DURATION_TYPE, "200ms", "Longest time an event waits for its batch");
  public static final Key<Path> SPOOL_DIR = Key.of("piste.audit.spool-dir", PATH, null,
      "Durable spool for events a sink could not take; default: piste-spool under java.io.tmpdir");
  public static final Key<Long> SPOOL_MAX_SIZE = Key.of("piste.audit.spool-max-size", SIZE_TYPE,
      "1GiB", "Largest spool on disk; past it the loss is counted and logged");
  public static final Key<Path> FILE_PATH = Key.of("piste.audit.file.path", PATH, null,
      "JSON-lines file of the file sink");
  public static final Key<Long> FILE_MAX_SIZE = Key.of("piste.audit.file.max-size", SIZE_TYPE,
      "100MiB", "File sink: rotate past this size (and every day); rotated files are never deleted");
  public static final Key<URI> HTTP_URL = Key.of("piste.audit.http.url", HTTP_URI, null,
      "Collector URL of the http sink (POST of a JSON array)");
  public static final Key<Boolean> HTTP_GZIP = Key.of("piste.audit.http.gzip", BOOLEAN, "false",
      "Gzip the http sink's request bodies");
  public static final Key<Duration> HTTP_TIMEOUT = Key.of("piste.audit.http.timeout",
      DURATION_TYPE, "5s", "Connect and read timeout of the http sink, more than 0; an attempt, answer body included, ends after twice this");
  public static final Key<String> JDBC_URL = Key.of("piste.audit.jdbc.url", STRING, null,
      "JDBC URL of the jdbc sink (PostgreSQL)");
  public static final Key<String> JDBC_USER = Key.of("piste.audit.jdbc.user", STRING, null,
      "Database user of the jdbc sink");
  public static final Key<String> JDBC_PASSWORD = Key.secret("piste.audit.jdbc.password",
      "Database password of the jdbc sink");
  public static final Key<String> JDBC_TABLE = Key.of("piste.audit.jdbc.table", STRING,
      "piste_audit", "Table of the jdbc sink");
  public static final Key<List<String>> REDACT_HEADERS = Key.of("piste.audit.redact-headers", LIST,
      "", "Headers never written, in addition to Authorization, Cookie, Set-Cookie and the API key header");
  public static final Key<List<String>> REDACT_QUERY = Key.of("piste.audit.redact-query-params",
      LIST, "access_token, api_key, apikey, key, token, password, secret",
      "Query parameters whose values are never written");
  public static final Key<List<String>> REDACT_FIELDS = Key.of("piste.audit.redact-body-fields",
      LIST, "password, secret, token, iban, card_number",
      "JSON body fields replaced by *** in captured bodies");
  public static final Key<Boolean> QUERY_VALUES = Key.of("piste.audit.query-values", BOOLEAN,
      "false", "Write query parameter values (redacted ones excepted), not only names");
  public static final Key<Boolean> BODY_CAPTURE = Key.of("piste.audit.body.enabled", BOOLEAN,
      "false", "Capture request bodies (bounded, redacted)");
  public static final Key<Long> BODY_MAX_SIZE = Key.of("piste.audit.body.max-size", SIZE_TYPE,
      "4KiB", "Largest captured body; longer ones are truncated");
  public static final Key<List<String>> BODY_CONTENT_TYPES = Key.of("piste.audit.body.content-types",
      LIST, "application/json", "Content types whose bodies may be captured");
  public static final Key<List<String>> EXCLUDE_PATHS = Key.of("piste.audit.exclude-paths", LIST,
      "", "Path patterns never audited (health probes)");
  public static final Key<String> LOGGER = Key.of("piste.audit.logger", STRING, "piste.audit",
      "Logger name of the slf4j sink");

  static final List<Key<?>> ALL = List.of(ENABLED, SINKS, QUEUE_SIZE, BATCH_SIZE, FLUSH_INTERVAL,
      SPOOL_DIR, SPOOL_MAX_SIZE, FILE_PATH, FILE_MAX_SIZE, HTTP_URL, HTTP_GZIP, HTTP_TIMEOUT,
      JDBC_URL, JDBC_USER, JDBC_PASSWORD, JDBC_TABLE, REDACT_HEADERS, REDACT_QUERY, REDACT_FIELDS,
      QUERY_VALUES, BODY_CAPTURE, BODY_MAX_SIZE, BODY_CONTENT_TYPES, EXCLUDE_PATHS, LOGGER);
}
