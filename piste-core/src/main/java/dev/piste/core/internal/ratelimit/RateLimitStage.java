package dev.piste.core.internal.ratelimit;

import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.PisteConfigurationException;
import dev.piste.PisteRequest;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.Cidr;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.RateLimiter;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.internal.problem.Problems;
import dev.piste.ratelimit.Limit;
import dev.piste.ratelimit.PlanResolver;
import dev.piste.ratelimit.RateLimitKeyResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate-limit stage of the pipeline. Before authentication: the anonymous limit per client IP
 * (every request takes a token, a failed authentication one more). After authorization: the
 * operation's limits (per application, subject or client IP; in the bucket the policy names, or
 * shared by the API),
 * then the plan of the caller's application, which takes the operation's cost. The most restrictive
 * limit is described by the {@code RateLimit-Policy} and {@code RateLimit} headers (and optionally
 * {@code X-RateLimit-*}); a rejection is a 429 naming the limit, with the exact {@code Retry-After}.
 *
 * <p>The buckets of one request are separate: a request allowed by its operation limit and rejected
 * by its plan keeps the operation token spent.
 */
public final class RateLimitStage implements RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitStage.class);
  private static final long PROBE_INTERVAL_NANOS = 250_000_000L;
  private static final int MAX_WARNED_PLANS = 1000;

  private final Clock clock;
  private final QuotaCalendar calendar;
  private final Map<String, LimitSet> plans;
  private final LimitSet defaultPlan;
  private final Map<String, String> applicationPlans;
  private final PlanResolver planResolver;
  private final String planClaim;
  private final RateLimitKeyResolver keyResolver;
  private final LimitSet anonymous;
  private final boolean legacyHeaders;
  private final BucketStore store;
  private final ResilientStore resilient;
  /** The limit set of each operation limit (whose hash is computed once), looked up per request. */
  private final Map<OperationLimit, LimitSet> operationLimits = new ConcurrentHashMap<>();
  /**
   * One limit set per distinct list of limits, whatever the operations' costs and keys: the memory
   * store keeps one map of buckets per limit set, so a limit shared across the API must be one set
   * for every operation that carries it. Consulted once per operation limit.
   */
  private final Map<List<Limit>, LimitSet> limitSets = new ConcurrentHashMap<>();
  private final Set<String> warnedPlans = ConcurrentHashMap.newKeySet();

  private RateLimitStage(PisteConfig config, PlanResolver planResolver,
      RateLimitKeyResolver keyResolver, BucketStore primary) {
    this.clock = config.clock();
    this.calendar = new QuotaCalendar(config.get(RateLimitKeys.TIME_ZONE));
    Map<String, LimitSet> p = new HashMap<>();
    config.values(RateLimitKeys.PLANS).forEach((name, limits) ->
        p.put(name, new LimitSet(name, limits)));
    this.plans = Map.copyOf(p);
    String def = config.get(RateLimitKeys.DEFAULT_PLAN);
    this.defaultPlan = def != null ? plans.get(def) : null;
    this.applicationPlans = Map.copyOf(config.values(RateLimitKeys.APPLICATION_PLANS));
    this.planResolver = planResolver;
    this.planClaim = config.get(RateLimitKeys.PLAN_CLAIM);
    this.keyResolver = keyResolver != null ? keyResolver : RateLimitKeyResolver.byApplication();
    List<Limit> anon = config.get(RateLimitKeys.ANONYMOUS);
    this.anonymous = anon != null ? new LimitSet("anonymous", anon) : null;
    this.legacyHeaders = config.get(RateLimitKeys.LEGACY_HEADERS);
    long maxBuckets = config.get(RateLimitKeys.MAX_BUCKETS);
    MemoryStore memory = new MemoryStore(calendar, maxBuckets);
    if (primary == null) {
      this.store = memory;
      this.resilient = null;
    } else {
      this.resilient = new ResilientStore(primary, config.get(RateLimitKeys.STORE), memory,
          "fail-open".equals(config.get(RateLimitKeys.ON_STORE_FAILURE)),
          config.get(RateLimitKeys.INSTANCES), PROBE_INTERVAL_NANOS);
      this.store = resilient;
    }
  }

  /**
   * The stage of this configuration, or {@link RateLimiter#none()} when rate limiting is off.
   *
   * @param planResolver the application's plan resolver, or {@code null}
   * @param keyResolver the key of operation limits counted per application, or {@code null} for
   *     {@link RateLimitKeyResolver#byApplication()}
   */
  public static RateLimiter create(PisteConfig config, PlanResolver planResolver,
      RateLimitKeyResolver keyResolver) {
    if (!config.get(RateLimitKeys.ENABLED)) {
      return RateLimiter.none();
    }
    return new RateLimitStage(config, planResolver, keyResolver, primaryStore(config));
  }

  private static BucketStore primaryStore(PisteConfig config) {
    String store = config.get(RateLimitKeys.STORE);
    Duration timeout = config.get(RateLimitKeys.STORE_TIMEOUT);
    QuotaCalendar calendar = new QuotaCalendar(config.get(RateLimitKeys.TIME_ZONE));
    try {
      switch (store) {
        case "redis":
          return new RedisStore(config.get(RateLimitKeys.REDIS_URI), timeout, config.clock(),
              calendar, config.get(CoreKeys.API_ID));
        case "postgresql":
          return new PostgresStore(config.get(RateLimitKeys.JDBC_URL),
              config.get(RateLimitKeys.JDBC_USER), config.get(RateLimitKeys.JDBC_PASSWORD),
              config.get(RateLimitKeys.JDBC_TABLE), timeout, config.clock(), calendar,
              config.get(CoreKeys.API_ID));
        default:
          return null;
      }
    } catch (NoClassDefFoundError e) {
      String needs = store.equals("redis")
          ? "io.lettuce:lettuce-core and com.bucket4j:bucket4j_jdk17-lettuce on the class path"
          : "org.postgresql:postgresql and com.bucket4j:bucket4j_jdk17-postgresql on the class path";
      throw new PisteConfigurationException(List.of(new PisteConfigurationException.Problem(
          RateLimitKeys.STORE.name(), store, needs, null)));
    }
  }

  @Override
  public void apiDescribed(String apiId) {
    store.apiDescribed(apiId);
  }

  @Override
  public Problem beforeAuthentication(Exchange ex) {
    if (anonymous == null) {
      return null;
    }
    long now = now();
    Verdict v = consume("a|" + clientIp(ex), anonymous, 1, now);
    if (v == null) {
      return unavailable(ex);
    }
    if (!v.allowed()) {
      return reject(ex, anonymous, v, now, "anonymous_limit",
          "requests per client before authentication, " + anonymous.limit(v.limitIndex()));
    }
    return null;
  }

  @Override
  public void authenticationFailed(Exchange ex) {
    if (anonymous != null) {
      consume("a|" + clientIp(ex), anonymous, 1, now());
    }
  }

  @Override
  public Problem check(Exchange ex) {
    Caller caller = ex.caller() != null ? ex.caller() : Caller.anonymous();
    long now = now();
    LimitSet bestSet = null;
    Verdict best = null;
    long planCost = 1;
    for (OperationLimit ol : ex.policy().limits()) {
      if (ol.limits().isEmpty()) {
        continue;
      }
      planCost = Math.max(planCost, ol.cost());
      LimitSet ls = operationLimits.get(ol);
      if (ls == null) {
        ls = compile(ol, ex.policy().operationId());
      }
      String key = key(ol.per(), caller, ex);
      // the shared stores add the limits' spec to the key; the memory store keeps a map per set
      String bucket = (ol.shared() ? "s|" : "o|" + ex.policy().bucket() + "|") + key;
      Verdict v = consume(bucket, ls, ol.cost(), now);
      if (v == null) {
        return unavailable(ex);
      }
      if (!v.allowed()) {
        return reject(ex, ls, v, now, "operation_limit",
            "operation limit " + ls.limit(v.limitIndex()));
      }
      if (best == null || v.remaining() < best.remaining()) {
        best = v;
        bestSet = ls;
      }
    }
    if (caller.applicationId() != null) {
      LimitSet plan = planOf(caller, ex.request());
      if (plan != null) {
        Verdict v = consume(plan.planKeyPrefix().concat(caller.applicationId()), plan, planCost,
            now);
        if (v == null) {
          return unavailable(ex);
        }
        if (!v.allowed()) {
          Limit hit = plan.limit(v.limitIndex());
          return reject(ex, plan, v, now, hit.unit().calendar() ? "quota_exhausted" : "plan_limit",
              "plan " + plan.name() + ", " + hit);
        }
        if (best == null || v.remaining() < best.remaining()) {
          best = v;
          bestSet = plan;
        }
      }
    }
    if (best != null) {
      ex.rateLimitRemaining(best.remaining());
      headers(ex, bestSet, best, now);
    }
    return null;
  }

  /**
   * The limit set of an operation limit seen for the first time. A plan that holds fewer tokens
   * than the limit's cost refuses every call of its callers on that operation: logged once, naming
   * the first operation that carries the limit (the limit itself is refused at start-up when its
   * own capacity is below its cost).
   */
  private LimitSet compile(OperationLimit ol, String operationId) {
    LimitSet[] created = new LimitSet[1];
    LimitSet ls = operationLimits.computeIfAbsent(ol, o -> created[0] = limitSets.computeIfAbsent(
        o.limits(), l -> new LimitSet("operation", l)));
    if (created[0] != null) {
      List<String> small = new ArrayList<>();
      for (String name : new TreeSet<>(plans.keySet())) {
        long capacity = OperationLimit.capacity(plans.get(name).limits());
        if (capacity < ol.cost()) {
          small.add("plan " + name + " holds (" + capacity + ")");
        }
      }
      if (!small.isEmpty()) {
        LOG.warn("operation {} costs {} tokens a call, more than {}: callers on {} are always"
            + " refused there (raise the plan's burst or quota, or lower the cost)",
            Problems.safe(operationId), ol.cost(), String.join(", ", small),
            small.size() == 1 ? "that plan" : "those plans");
      }
    }
    return ls;
  }

  private LimitSet planOf(Caller caller, PisteRequest request) {
    String name = applicationPlans.get(caller.applicationId());
    if (name == null && planResolver != null) {
      name = planResolver.plan(caller, request);
    }
    if (name == null) {
      name = caller.plan();
    }
    if (name == null && caller.claims().get(planClaim) instanceof String s && !s.isEmpty()) {
      name = s;
    }
    if (name == null) {
      return defaultPlan;
    }
    LimitSet plan = plans.get(name);
    if (plan == null) {
      if (warnedPlans.size() < MAX_WARNED_PLANS && warnedPlans.add(name)) {
        LOG.warn("unknown rate-limit plan '{}' (application {}): the default plan {} applies",
            printable(name), printable(caller.applicationId()),
            defaultPlan != null ? defaultPlan.name() : "(none)");
      }
      return defaultPlan;
    }
    return plan;
  }

  private String key(String per, Caller caller, Exchange ex) {
    String ip = clientIp(ex);
    String k;
    switch (per) {
      case "subject":
        k = RateLimitKeyResolver.bySubject().key(caller, ex.request(), ip);
        break;
      case "client-ip":
        k = RateLimitKeyResolver.byClientIp().key(caller, ex.request(), ip);
        break;
      default:
        k = keyResolver.key(caller, ex.request(), ip);
        break;
    }
    return k != null ? k : "ip:" + ip;
  }

  private Verdict consume(String key, LimitSet limits, long cost, long now) {
    try {
      return store.consume(key, limits, cost, now);
    } catch (StoreException e) {
      return null;
    }
  }

  private static Problem unavailable(Exchange ex) {
    ex.outcome(Outcome.UNAVAILABLE, "ratelimit_store");
    return Problems.unavailable("The rate-limit store is unavailable.", 1);
  }

  private Problem reject(Exchange ex, LimitSet limits, Verdict v, long now, String reason,
      String description) {
    ex.rateLimitRemaining(v.remaining());
    headers(ex, limits, v, now);
    ex.outcome(Outcome.RATE_LIMITED, reason);
    return Problems.rateLimited(description, Math.max(1, LimitSet.ceilSeconds(v.nanosToWait())));
  }

  /** {@code RateLimit-Policy} and {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers). */
  private void headers(Exchange ex, LimitSet decided, Verdict v, long now) {
    // the limits of the bucket that answered: divided by the instance count in the fallback
    LimitSet limits = v.dividedBy() > 1 ? decided.divided(v.dividedBy()) : decided;
    int i = v.limitIndex();
    long reset = v.allowed() ? limits.resetSeconds(i, v.remaining(), now, calendar)
        : Math.max(1, LimitSet.ceilSeconds(v.nanosToWait()));
    ex.addResponseHeader("RateLimit-Policy", limits.policy(i, now, calendar));
    String prefix = limits.remainingPrefix(i);
    ex.addResponseHeader("RateLimit", new StringBuilder(prefix.length() + 40).append(prefix)
        .append(v.remaining()).append(";t=").append(reset).toString());
    if (legacyHeaders) {
      ex.addResponseHeader("X-RateLimit-Limit", Long.toString(limits.quota(i)));
      ex.addResponseHeader("X-RateLimit-Remaining", Long.toString(v.remaining()));
      ex.addResponseHeader("X-RateLimit-Reset", Long.toString(reset));
    }
  }

  /** The client as rate limits count it: its address, or an IPv6 client's /64 network. */
  private static String clientIp(Exchange ex) {
    String client = ex.rateLimitClient();
    if (client == null) {
      // worked out once per request: the anonymous limit and each operation limit ask
      String ip = ex.clientIp();
      client = network(ip != null ? ip : ex.request().remoteAddress());
      ex.rateLimitClient(client);
    }
    return client;
  }

  /**
   * An IPv6 address as its /64 network ({@code 2001:db8:0:7::/64}), the smallest block a site or a
   * cloud host is given: counted per address, a client holding one would take a fresh bucket per
   * request, and no per-IP limit would ever stop it. An IPv4 address (and an IPv4-mapped one) is
   * kept whole.
   */
  static String network(String ip) {
    if (ip == null || ip.indexOf(':') < 0) {
      return ip;
    }
    byte[] a = Cidr.literal(ip);
    if (a == null) {
      return ip;
    }
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    StringBuilder sb = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      sb.append(Integer.toHexString((a[i] & 0xff) << 8 | (a[i + 1] & 0xff))).append(':');
    }
    return sb.append(":/64").toString();
  }

  /**
   * Now, in nanoseconds since the epoch, to the millisecond: {@code Clock.millis} is a cheap read of
   * the system clock where {@code Clock.instant} is a call into the VM, and buckets need no finer
   * time (a refill of less than a millisecond's worth is taken at the next one).
   */
  private long now() {
    return clock.millis() * 1_000_000L;
  }

  /** A name reduced to the characters of an HTTP token, at most 64 of them. */
  static String token(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  private static String printable(String s) {
    return s == null ? null : token(s);
  }

  /** Whether the shared store is considered down (always false for the memory store). */
  public boolean storeDown() {
    return resilient != null && resilient.down();
  }

  /** Times the shared store went down since start. */
  public long storeFailures() {
    return resilient != null ? resilient.failures() : 0;
  }

  /** Times the shared store came back since start. */
  public long storeRecoveries() {
    return resilient != null ? resilient.recoveries() : 0;
  }

  /** Requests decided without the shared store (local fallback buckets, or 503). */
  public long fallbackDecisions() {
    return resilient != null ? resilient.fallbackDecisions() : 0;
  }

  @Override
  public void close() {
    store.close();
  }
}
