package dev.piste.core.internal.catalog;

import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.CatalogClient;
import dev.piste.catalog.CatalogRegistration;
import dev.piste.core.PisteConfig;
import dev.piste.core.catalog.HttpCatalogClient;
import dev.piste.core.catalog.OpenApiGenerator;
import dev.piste.core.internal.config.CatalogKeys;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance registered in the catalog. Once the engine is started and the API is
 * described, a background thread registers, then heartbeats every third of
 * {@code piste.catalog.ttl}. While the catalog fails, it retries with exponential backoff and
 * jitter (from a sixth of the TTL, doubling, capped at the TTL, each delay drawn between half and
 * all of it) and catches up as soon as a call succeeds. With {@code piste.catalog.required=true}
 * the first registration runs in the caller's thread instead, retrying for at most one TTL, and
 * fails start-up when it does not succeed. {@link #close()} deregisters.
 */
public final class Registrar implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);
  /** Lets the descriptions of one deployment settle before the first upload (each describe() restarts it). */
  private static final Duration SETTLE = Duration.ofMillis(200);

  private final PisteConfig config;
  private final CatalogClient client;
  private final String instanceId;
  private final URI instanceUrl;
  private final Duration ttl;
  private final boolean required;
  private final RandomGenerator random;
  private final OpenApiGenerator generator;
  private final CatalogDocuments documents;
  private ScheduledExecutorService executor;
  private CatalogRegistration registration;
  private ApiDescriptor descriptor;
  private String openApi;
  private boolean started;
  private boolean closed;
  private boolean registered;
  private boolean everRegistered;
  private int failures;
  private long generation;

  /**
   * @param client the catalog client; {@code null} for the default one ({@link HttpCatalogClient}
   *     when {@code piste.catalog.url} is set, else no registration)
   */
  public Registrar(PisteConfig config, CatalogClient client, String instanceId,
      RandomGenerator random) {
    this.config = config;
    this.client = client != null ? client
        : config.get(CatalogKeys.URL) != null ? HttpCatalogClient.create(config) : null;
    this.instanceId = instanceId;
    this.instanceUrl = config.get(CatalogKeys.INSTANCE_URL);
    this.ttl = config.get(CatalogKeys.TTL);
    this.required = Boolean.TRUE.equals(config.get(CatalogKeys.REQUIRED));
    this.random = random;
    this.generator = OpenApiGenerator.create(config);
    this.documents = new CatalogDocuments(config.get(CatalogKeys.OPENAPI_PATH), instanceUrl);
  }

  public CatalogDocuments documents() {
    return documents;
  }

  /** The descriptor given to {@link #describe}, or {@code null}. */
  public synchronized ApiDescriptor descriptor() {
    return descriptor;
  }

  /** Whether the catalog has accepted a registration since the last failure. */
  public synchronized boolean registered() {
    return registered;
  }

  /** Sets (or replaces) the API's descriptor, regenerates the documents and registers them. */
  public void describe(ApiDescriptor api) {
    String doc = generator.generate(api);
    synchronized (this) {
      if (closed) {
        return;
      }
      this.descriptor = api;
      this.openApi = doc;
      documents.openApi(doc);
    }
    LOG.info("API {} {} described: {} operations, OpenAPI at {}", api.id(), api.version(),
        api.operations().size(), documents.openApiPath());
    begin();
  }

  /**
   * Starts registering as soon as the API is described. When the required first registration
   * fails, this throws and the registrar is not started: a later call tries again.
   */
  public void start() {
    synchronized (this) {
      if (started || closed) {
        return;
      }
      started = true;
    }
    try {
      begin();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        started = false;
      }
      throw e;
    }
  }

  private void begin() {
    CatalogRegistration r;
    long gen;
    synchronized (this) {
      if (!started || closed || descriptor == null || client == null) {
        return;
      }
      if (instanceUrl == null) {
        LOG.warn("no catalog registration: piste.catalog.instance-url is not set");
        return;
      }
      boolean first = registration == null;
      registration = new CatalogRegistration(descriptor, openApi,
          DescriptorJson.contentHash(descriptor, openApi), instanceId, instanceUrl,
          first ? config.clock().instant() : registration.startedAt(), libraryVersion(), ttl);
      r = registration;
      gen = ++generation;
      if (executor == null) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, run -> {
          Thread t = new Thread(run, "piste-catalog");
          t.setDaemon(true);
          return t;
        });
        // close() lets a call in flight finish but drops the heartbeats still waiting
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setRemoveOnCancelPolicy(true);
        executor = e;
      }
    }
    if (required && !registered()) {
      registerBlocking(r);
      schedule(heartbeat(), gen);
    } else {
      schedule(SETTLE.compareTo(heartbeat()) < 0 ? SETTLE : heartbeat(), gen);
    }
  }

  private void registerBlocking(CatalogRegistration r) {
    long deadline = System.nanoTime() + ttl.toNanos();
    Exception last;
    int attempt = 0;
    while (true) {
      try {
        client.register(r);
        succeeded();
        return;
      } catch (Exception e) {
        last = e;
      }
      attempt++;
      long wait = backoff(attempt).toNanos();
      if (wait > deadline - System.nanoTime()) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("catalog registration failed and piste.catalog.required=true: "
        + describe(last));
  }

  private synchronized void schedule(Duration delay, long gen) {
    if (closed || executor == null || gen != generation) {
      return;
    }
    executor.schedule(() -> tick(gen), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * One registration attempt of the chain {@code gen}; a newer describe() starts a new chain. The
   * next attempt is scheduled whatever happens here: an unexpected error of the registrar's own
   * is logged and the chain goes on after a heartbeat interval, instead of stopping for good.
   */
  private void tick(long gen) {
    CatalogRegistration r;
    synchronized (this) {
      if (closed || gen != generation) {
        return;
      }
      r = registration;
    }
    Duration next = heartbeat();
    try {
      next = attempt(r);
    } catch (RuntimeException e) {
      // only the class and where it was thrown: a message may quote what it was given
      StackTraceElement[] at = e.getStackTrace();
      LOG.error("catalog registration loop failed unexpectedly ({}{}), next attempt in {} ms",
          e.getClass().getName(), at.length > 0 ? " at " + at[0] : "", next.toMillis());
    } finally {
      schedule(next, gen);
    }
  }

  /** Registers once; returns the delay until the next attempt (a heartbeat, or a backoff). */
  private Duration attempt(CatalogRegistration r) {
    try {
      client.register(r);
      succeeded();
      return heartbeat();
    } catch (Exception e) {
      int n;
      synchronized (this) {
        registered = false;
        n = ++failures;
      }
      Duration wait = backoff(n);
      if (n == 1) {
        LOG.warn("catalog registration of {} {} failed, retrying with backoff: {}", r.api().id(),
            r.api().version(), describe(e));
      } else {
        LOG.debug("catalog registration attempt {} failed, next in {} ms: {}", n, wait.toMillis(),
            describe(e));
      }
      return wait;
    }
  }

  private synchronized void succeeded() {
    if (!registered) {
      LOG.info("instance {} registered in the catalog under {} {}", instanceId,
          registration.api().id(), registration.api().version());
    }
    registered = true;
    everRegistered = true;
    failures = 0;
  }

  private Duration heartbeat() {
    return ttl.dividedBy(3);
  }

  /**
   * Exponential backoff with "equal jitter": the n-th delay lies in [d/2, d], d = min(ttl, ttl/6 *
   * 2^(n-1)), for any n and any TTL (the doubling saturates at the TTL instead of overflowing).
   */
  Duration backoff(int attempt) {
    long capNanos = ttl.toNanos();
    long baseNanos = Math.max(1, capNanos / 6);
    int shift = Math.min(Math.max(0, attempt - 1), 62);
    // base << shift stays within the cap exactly when base <= cap >> shift; otherwise it is past
    // the cap (and might not fit a long)
    long d = baseNanos > capNanos >> shift ? capNanos : baseNanos << shift;
    long half = d / 2;
    return Duration.ofNanos(half + random.nextLong(half + 1));
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
  }

  /**
   * Stops the heartbeat and deregisters the instance. A registration call in flight is let finish
   * first (for at most {@code piste.catalog.http-timeout}, then it is interrupted): the request is
   * already on its way, and a catalog that applied it after the deregistration would list the
   * closed instance until its TTL ran out.
   */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = executor;
    }
    try {
      if (running != null) {
        running.shutdown();
        long timeout = config.get(CatalogKeys.HTTP_TIMEOUT).toNanos();
        if (!running.awaitTermination(timeout, TimeUnit.NANOSECONDS)) {
          running.shutdownNow();
          running.awaitTermination(timeout, TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      running.shutdownNow();
      Thread.currentThread().interrupt();
    }
    CatalogRegistration r;
    synchronized (this) {
      r = everRegistered ? registration : null;
    }
    if (r == null || client == null) {
      return;
    }
    try {
      client.deregister(r);
      LOG.info("instance {} deregistered from the catalog", instanceId);
    } catch (Exception e) {
      LOG.warn("catalog deregistration failed (the instance expires with its TTL): {}", describe(e));
    }
  }

  private static volatile String libraryVersion;

  /** The piste-core version from the jar's Maven metadata, or {@code unknown}. */
  public static String libraryVersion() {
    String v = libraryVersion;
    if (v == null) {
      v = "unknown";
      try (InputStream in = Registrar.class.getResourceAsStream(
          "/META-INF/maven/dev.piste/piste-core/pom.properties")) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          v = p.getProperty("version", v);
        }
      } catch (Exception e) {
        // keep unknown
      }
      libraryVersion = v;
    }
    return v;
  }
}
