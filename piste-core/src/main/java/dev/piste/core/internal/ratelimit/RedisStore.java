package dev.piste.core.internal.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bucket4j distributed buckets in Redis through Lettuce (compare-and-swap: a {@code GET} and an
 * {@code EVAL} per uncontended check, retried on conflict). Every call is asynchronous and the
 * request thread waits at most the store timeout. Concurrent checks of one hot key in this instance
 * are batched into one compare-and-swap by Bucket4j's batching optimization, so that three instances
 * hammering one key contend as three writers, not as hundreds.
 *
 * <p>Start-up waits up to two seconds for the first connection, then goes on without it: the
 * connection is opened in the background; Lettuce reconnects by itself every 100 ms while
 * Redis is away and rejects commands meanwhile (they fail at once instead of queueing).
 */
public final class RedisStore implements BucketStore {

  private static final int MAX_PROXIES = 65_536;

  private final Bucket4jSupport support;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final long timeoutNanos;
  private final Clock clock;
  private final ConcurrentHashMap<String, AsyncBucketProxy> proxies = new ConcurrentHashMap<>();
  private volatile LettuceBasedProxyManager<byte[]> manager;
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile CompletableFuture<?> connecting;

  public RedisStore(URI redisUri, Duration timeout, Clock clock, QuotaCalendar calendar) {
    this(redisUri, timeout, clock, calendar, null);
  }

  /** A store whose keys are those of this API ({@code piste:<api id>:…}). */
  public RedisStore(URI redisUri, Duration timeout, Clock clock, QuotaCalendar calendar,
      String apiId) {
    this.support = new Bucket4jSupport(calendar, apiId);
    this.timeoutNanos = timeout.toNanos();
    this.clock = clock;
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.constant(Duration.ofMillis(100)))
        .build();
    this.uri = RedisURI.create(redisUri);
    this.client = RedisClient.create(resources);
    Duration commandTimeout = timeout.multipliedBy(4).compareTo(Duration.ofMillis(500)) > 0
        ? timeout.multipliedBy(4) : Duration.ofMillis(500);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build());
    connect();
    try {
      connecting.get(2, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Redis is not there yet: the first checks fall back, and the connection is retried
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void apiDescribed(String apiId) {
    support.apiDescribed(apiId);
  }

  @Override
  public Verdict consume(String key, LimitSet limits, long cost, long now) throws StoreException {
    LettuceBasedProxyManager<byte[]> m = manager;
    if (m == null) {
      connect();
      throw new StoreException("not connected");
    }
    String stamped = support.stampedKey(key, limits, now);
    AsyncBucketProxy bucket = proxies.get(stamped);
    if (bucket == null) {
      if (proxies.size() >= MAX_PROXIES) {
        proxies.clear();
      }
      bucket = proxies.computeIfAbsent(stamped, k -> m.asAsync().builder()
          .withOptimization(Optimizations.batching())
          .build(k.getBytes(StandardCharsets.UTF_8), () ->
              CompletableFuture.completedFuture(support.configuration(limits))));
    }
    CompletableFuture<VerboseResult<ConsumptionProbe>> f;
    try {
      f = bucket.asVerbose().tryConsumeAndReturnRemaining(cost);
    } catch (RuntimeException e) {
      throw new StoreException(e.getClass().getSimpleName());
    }
    return support.verdict(await(f, timeoutNanos), limits, cost, now);
  }

  static <T> T await(CompletableFuture<T> f, long timeoutNanos) throws StoreException {
    try {
      return f.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new StoreException("timeout");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StoreException(cause.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted");
    }
  }

  /** Opens the connection in the background unless it is open or opening. */
  private synchronized void connect() {
    if (manager != null || (connecting != null && !connecting.isDone())) {
      return;
    }
    connecting = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture()
        .thenAccept(c -> {
          connection = c;
          manager = Bucket4jLettuce.casBasedBuilder(c)
              .clientClock(Bucket4jSupport.timeMeter(clock))
              .requestTimeout(Duration.ofNanos(timeoutNanos))
              .expirationAfterWrite(Bucket4jSupport.expiry())
              .build();
        });
  }

  @Override
  public void close() {
    StatefulRedisConnection<byte[], byte[]> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }
}
