package dev.piste.core;

import dev.piste.audit.AuditSink;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.CatalogClient;
import dev.piste.core.internal.audit.AuditSinks;
import dev.piste.core.internal.catalog.CatalogDocuments;
import dev.piste.core.internal.catalog.Registrar;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.pipeline.AuditRecorder;
import dev.piste.core.internal.pipeline.Authenticator;
import dev.piste.core.internal.pipeline.ClientIps;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RateLimiter;
import dev.piste.core.internal.ratelimit.RateLimitStage;
import dev.piste.core.internal.token.TokenAuthenticator;
import dev.piste.ratelimit.PlanResolver;
import dev.piste.ratelimit.RateLimitKeyResolver;
import dev.piste.token.ApiKeyStore;
import dev.piste.token.TokenVerifier;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: one per application, built once from one {@link PisteConfig} and shared by every
 * filter and feature. It holds the key cache, the bucket store, the audit pipeline and the catalog
 * registrar. Thread-safe.
 *
 * <pre>{@code
 * try (Piste piste = Piste.create(PisteConfig.builder().build())) {
 *   piste.start();
 *   // register new PisteFilter(piste) or new PisteFeature(piste)
 * }
 * }</pre>
 *
 * <p>{@link #close()} drains the audit queue and deregisters the instance from the catalog.
 */
public final class Piste implements AutoCloseable {

  /** The ServletContext attribute (and JAX-RS request property) holding the application's engine. */
  public static final String CONTEXT_ATTRIBUTE = "dev.piste.core.Piste";

  /**
   * The request attribute (and JAX-RS request property) in which the servlet listener leaves the
   * request's {@link dev.piste.PisteRequest} view, so that a JAX-RS filter on the same request reads
   * headers and the client address from the servlet request rather than through the JAX-RS
   * runtime's lookups.
   */
  public static final String REQUEST_VIEW_ATTRIBUTE = "dev.piste.core.PisteRequest";

  private static final Logger LOG = LoggerFactory.getLogger(Piste.class);
  private static final int NEW = 0;
  private static final int STARTED = 1;
  private static final int CLOSED = 2;

  private final PisteConfig config;
  private final String instanceId;
  private final Pipeline pipeline;
  private final List<AutoCloseable> closeables;
  private final AuditRecorder audit;
  private final Registrar registrar;
  private final AtomicInteger state = new AtomicInteger(NEW);

  private final RateLimiter rateLimiter;

  private Piste(Builder b) {
    this.config = b.config;
    this.instanceId = config.get(CoreKeys.INSTANCE_ID) != null
        ? config.get(CoreKeys.INSTANCE_ID) : defaultInstanceId();
    List<AutoCloseable> toClose = new ArrayList<>();
    TokenAuthenticator tokens = TokenAuthenticator.create(config, realm(config), b.tokenVerifier,
        b.apiKeyStore);
    toClose.add(tokens);
    Authenticator authenticator = tokens;
    RateLimiter rateLimiter;
    try {
      rateLimiter = RateLimitStage.create(config, b.planResolver, b.rateLimitKeyResolver);
      toClose.add(rateLimiter);
      this.audit = AuditSinks.recorder(config, instanceId, b.auditSinks);
      toClose.add(audit);
      this.registrar = new Registrar(config, b.catalogClient, instanceId,
          new java.util.SplittableRandom());
      toClose.add(0, registrar);
    } catch (RuntimeException | Error e) {
      // a part that failed to build: close those already built (HTTP clients, store pools)
      for (int i = toClose.size() - 1; i >= 0; i--) {
        try {
          toClose.get(i).close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
    this.closeables = toClose;
    this.rateLimiter = rateLimiter;
    this.pipeline = new Pipeline(config.enabled(), config.clock(), realm(config), authenticator,
        rateLimiter, audit, ClientIps.of(config));
    if (!config.enabled()) {
      LOG.warn("PISTE ENFORCEMENT IS DISABLED (piste.enabled=false): every request passes through"
          + " without token validation, rate limiting or auditing");
    }
  }

  /** An engine for this configuration. */
  public static Piste create(PisteConfig config) {
    return builder().config(config).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public PisteConfig config() {
    return config;
  }

  /** This instance's id in audit events and the catalog. */
  public String instanceId() {
    return instanceId;
  }

  /** Whether enforcement is on ({@code piste.enabled}). */
  public boolean enabled() {
    return pipeline.enabled();
  }

  /**
   * The request pipeline the adapters drive. Its type lives in {@code dev.piste.core.internal},
   * which has no compatibility promise.
   */
  public Pipeline pipeline() {
    return pipeline;
  }

  /**
   * Gives the engine the API's descriptor, once known (the JAX-RS feature builds it from the
   * resource model at deployment, the servlet adapter from the {@code piste.api.*} keys and path
   * rules). The engine then serves the OpenAPI document and the API catalog, and, once started,
   * registers in the catalog; a second call replaces the descriptor. With
   * {@code piste.catalog.required=true} on a started engine, waits for the registration and throws
   * {@link IllegalStateException} when it fails.
   */
  public Piste describe(ApiDescriptor api) {
    registrar.describe(Objects.requireNonNull(api, "api"));
    if (config.get(CoreKeys.API_ID) == null) {
      // the keys of a shared rate-limit store are the API's own once its id is known
      rateLimiter.apiDescribed(api.id());
    }
    return this;
  }

  /**
   * The OpenAPI document and RFC 9727 API catalog for the adapters to serve. Its type lives in
   * {@code dev.piste.core.internal}, which has no compatibility promise.
   */
  public CatalogDocuments catalogDocuments() {
    return registrar.documents();
  }

  /**
   * Starts background work (audit delivery, catalog registration). Idempotent once it has
   * returned. A start that throws (with {@code piste.catalog.required=true}, a catalog that did not
   * accept the registration) leaves the engine not started, so that {@code start()} may be called
   * again and tries the registration anew; audit delivery, once started, runs on until {@link
   * #close()}.
   */
  public Piste start() {
    if (state.compareAndSet(NEW, STARTED)) {
      try {
        audit.start();
        registrar.start();
      } catch (RuntimeException | Error e) {
        state.compareAndSet(STARTED, NEW);
        throw e;
      }
      LOG.info("PISTE engine started (instance {}, enforcement {})", instanceId,
          config.enabled() ? "on" : "OFF");
    }
    return this;
  }

  /** Drains the audit queue, deregisters from the catalog and releases every resource. Idempotent. */
  @Override
  public void close() {
    if (state.getAndSet(CLOSED) == CLOSED) {
      return;
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.getClass().getName());
      }
    }
    LOG.info("PISTE engine closed (instance {})", instanceId);
  }

  private static String realm(PisteConfig config) {
    if (config.get(TokenKeys.REALM) != null) {
      return config.get(TokenKeys.REALM);
    }
    String api = config.get(CoreKeys.API_ID);
    // an id that cannot be quoted as it is (a quote, non-ASCII) is no realm
    return api != null && TokenKeys.quotableRealm(api) ? api : "piste";
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    long pid = ProcessHandle.current().pid();
    return host + "-" + pid + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** Builds a {@link Piste}; extension points replace one default without forking the others. */
  public static final class Builder {
    private PisteConfig config;
    private TokenVerifier tokenVerifier;
    private ApiKeyStore apiKeyStore;
    private PlanResolver planResolver;
    private RateLimitKeyResolver rateLimitKeyResolver;
    private final List<AuditSink> auditSinks = new ArrayList<>();
    private CatalogClient catalogClient;

    private Builder() {}

    /** Replaces the verifier built from {@code piste.token.*} (JWT and introspection). */
    public Builder tokenVerifier(TokenVerifier tokenVerifier) {
      this.tokenVerifier = Objects.requireNonNull(tokenVerifier, "tokenVerifier");
      return this;
    }

    /** Replaces the store built from {@code piste.token.api-key-file}. */
    public Builder apiKeyStore(ApiKeyStore apiKeyStore) {
      this.apiKeyStore = Objects.requireNonNull(apiKeyStore, "apiKeyStore");
      return this;
    }

    /**
     * Chooses the plan of each caller; the per-application overrides of the configuration win
     * over it, and the caller's own plan, the plan claim and the default plan apply when it
     * answers {@code null}.
     */
    public Builder planResolver(PlanResolver planResolver) {
      this.planResolver = Objects.requireNonNull(planResolver, "planResolver");
      return this;
    }

    /** The key of operation limits counted per application; default {@link RateLimitKeyResolver#byApplication()}. */
    public Builder rateLimitKeyResolver(RateLimitKeyResolver rateLimitKeyResolver) {
      this.rateLimitKeyResolver = Objects.requireNonNull(rateLimitKeyResolver, "rateLimitKeyResolver");
      return this;
    }

    /**
     * Adds an audit sink. Added sinks join the sinks named by {@code piste.audit.sinks} when that
     * key is set explicitly, and replace its default ({@code slf4j}) when it is not. Each gets its
     * own spool and delivery thread.
     */
    public Builder auditSink(AuditSink sink) {
      auditSinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Registers in this catalog instead of the default HTTP client of {@code piste.catalog.url}. */
    public Builder catalogClient(CatalogClient client) {
      this.catalogClient = Objects.requireNonNull(client, "client");
      return this;
    }

    public Builder config(PisteConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public Piste build() {
      if (config == null) {
        config = PisteConfig.builder().build();
      }
      return new Piste(this);
    }
  }

}
