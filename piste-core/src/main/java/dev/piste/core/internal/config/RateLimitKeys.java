package dev.piste.core.internal.config;

import static dev.piste.core.internal.config.ValueType.ANY_URI;
import static dev.piste.core.internal.config.ValueType.BOOLEAN;
import static dev.piste.core.internal.config.ValueType.CIDRS;
import static dev.piste.core.internal.config.ValueType.DURATION_TYPE;
import static dev.piste.core.internal.config.ValueType.LIMITS;
import static dev.piste.core.internal.config.ValueType.POSITIVE_INT;
import static dev.piste.core.internal.config.ValueType.STRING;
import static dev.piste.core.internal.config.ValueType.ZONE;

import dev.piste.ratelimit.Limit;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** Keys of rate limits and quotas. */
public final class RateLimitKeys {
  private RateLimitKeys() {}

  public static final Key<Boolean> ENABLED = Key.of("piste.ratelimit.enabled", BOOLEAN, "true",
      "Whether plans and operation limits are enforced");
  public static final Key<List<Limit>> PLANS = Key.prefix("piste.ratelimit.plans.", LIMITS,
      "A named plan: piste.ratelimit.plans.gold=100/s burst 200; 1000000/day");
  public static final Key<String> DEFAULT_PLAN = Key.of("piste.ratelimit.default-plan", STRING,
      null, "Plan of callers whose credential names none (or an unknown one); none = no plan limit");
  public static final Key<String> PLAN_CLAIM = Key.of("piste.ratelimit.plan-claim", STRING,
      "plan", "Token claim naming the caller's plan");
  public static final Key<String> APPLICATION_PLANS = Key.prefix("piste.ratelimit.applications.",
      STRING, "Per-application plan override: piste.ratelimit.applications.<client id>=gold");
  public static final Key<ZoneId> TIME_ZONE = Key.of("piste.ratelimit.time-zone", ZONE, "UTC",
      "Time zone in which daily and monthly quotas reset");
  public static final Key<List<Cidr>> TRUSTED_PROXIES = Key.of("piste.ratelimit.trusted-proxies",
      CIDRS, "", "Peers whose X-Forwarded-For / Forwarded headers are believed");
  public static final Key<String> CLIENT_IP_HEADER = Key.of("piste.ratelimit.client-ip-header",
      ValueType.oneOf("x-forwarded-for", "forwarded"), "x-forwarded-for",
      "The one header the trusted proxies set: x-forwarded-for or forwarded (RFC 7239)");
  public static final Key<List<Limit>> ANONYMOUS = Key.of("piste.ratelimit.anonymous", LIMITS,
      null, "Pre-authentication limit per client IP, checked before any signature (50/s burst 100)");
  public static final Key<String> STORE = Key.of("piste.ratelimit.store",
      ValueType.oneOf("memory", "redis", "postgresql"), "memory",
      "Where buckets live: memory (per instance), redis or postgresql (shared)");
  public static final Key<Integer> MAX_BUCKETS = Key.of("piste.ratelimit.max-buckets",
      POSITIVE_INT, "2000000",
      "Memory store: most buckets kept; idle ones are evicted first, then those worth least");
  public static final Key<URI> REDIS_URI = Key.of("piste.ratelimit.redis.uri", ANY_URI, null,
      "Redis URI for the redis store (redis://host:6379)");
  public static final Key<String> JDBC_URL = Key.of("piste.ratelimit.jdbc.url", STRING, null,
      "JDBC URL for the postgresql store");
  public static final Key<String> JDBC_USER = Key.of("piste.ratelimit.jdbc.user", STRING, null,
      "Database user for the postgresql store");
  public static final Key<String> JDBC_PASSWORD = Key.secret("piste.ratelimit.jdbc.password",
      "Database password for the postgresql store");
  public static final Key<String> JDBC_TABLE = Key.of("piste.ratelimit.jdbc.table", STRING,
      "piste_buckets", "Table of the postgresql store (created when missing)");
  public static final Key<Duration> STORE_TIMEOUT = Key.of("piste.ratelimit.store-timeout",
      DURATION_TYPE, "50ms", "Timeout of every store call");
  public static final Key<String> ON_STORE_FAILURE = Key.of("piste.ratelimit.on-store-failure",
      ValueType.oneOf("fail-open", "fail-closed"), "fail-open",
      "When the store is down: fail-open (local buckets, plan / instances) or fail-closed (503)");
  public static final Key<Integer> INSTANCES = Key.of("piste.ratelimit.instances", POSITIVE_INT,
      "1", "Instance count the fail-open fallback divides a plan by");
  public static final Key<Boolean> LEGACY_HEADERS = Key.of("piste.ratelimit.legacy-headers",
      BOOLEAN, "false", "Also send X-RateLimit-Limit, -Remaining and -Reset");
  public static final Key<String> RULES = Key.of("piste.ratelimit.rules", STRING, null,
      "Servlet: operation limits per method and path, rules separated by ';;' or new lines "
          + "(POST /v1/invoices 5/s, or with options: POST /v1/exports 100/day per client-ip cost 5"
          + " shared)");

  static final List<Key<?>> ALL = List.of(ENABLED, PLANS, DEFAULT_PLAN, PLAN_CLAIM,
      APPLICATION_PLANS, TIME_ZONE, TRUSTED_PROXIES, CLIENT_IP_HEADER, ANONYMOUS, STORE, MAX_BUCKETS, REDIS_URI,
      JDBC_URL, JDBC_USER, JDBC_PASSWORD, JDBC_TABLE, STORE_TIMEOUT, ON_STORE_FAILURE, INSTANCES,
      LEGACY_HEADERS, RULES);
}
