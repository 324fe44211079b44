package dev.piste.core.internal.audit;

import dev.piste.Caller;
import dev.piste.PisteRequest;
import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.pipeline.AuditRecorder;
import dev.piste.core.internal.pipeline.Correlation;
import dev.piste.core.internal.pipeline.Exchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit recorder: turns each completed exchange of an audited operation ({@code
 * OperationPolicy.audited()}: {@code @NoAudit}/{@code @Audited}, or the servlet path rules of
 * {@code piste.audit.exclude-paths}) into one redacted {@link AuditEvent} on the
 * request thread and enqueues it (lock-free, bounded, never blocking); a dispatcher thread batches
 * the queue ({@code piste.audit.batch-size}, {@code piste.audit.flush-interval}, at most
 * {@link BatchBytes#MAX} of JSON unless one event is larger) to one {@link
 * SinkChannel} per sink, each with its own thread and durable spool.
 *
 * <p>When the queue is full the request thread appends the event to each sink's spool itself
 * (never dropped silently). {@link #close()} drains the queue and the sinks for up to
 * {@link #DRAIN_TIMEOUT_NANOS}; what a sink could not take stays in its spool for the next start.
 *
 * <p>At start and then every {@link #ORPHAN_SCAN_NANOS}, the spool slots that no live process holds
 * besides this one's (left by a process that stopped while another held the slot before it) are
 * locked and each sink's spool in them is delivered to the same sink, ahead of its own spool (see
 * {@link SinkChannel#adopt}); one that would take the spools past {@code
 * piste.audit.spool-max-size} waits for a later look.
 */
public final class AuditPipeline implements AuditRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(AuditPipeline.class);
  static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_QUERY_NAME = 64;
  private static final int CREDENTIAL_MIXED_LENGTH = 16;
  private static final int CREDENTIAL_ANY_LENGTH = 32;
  /** The most query parameter names an event holds: a URL of thousands adds nothing more. */
  static final int MAX_QUERY_PARAMS = 64;
  private static final int MAX_QUERY_VALUE = 256;
  private static final int MAX_USER_AGENT = 256;
  /**
   * Parameters and body fields whose values are credentials in OAuth 2 (RFC 6749, 7636, 7521,
   * 8628, 8693, OpenID Connect) and in this library's own transports, as {@linkplain
   * BodyCapture#normalisedName normalised} names: never written, whatever {@code
   * piste.audit.redact-query-params} and {@code piste.audit.redact-body-fields} list besides. Any
   * name ending with one of {@link BodyCapture#CREDENTIAL_SUFFIXES} is never written either.
   */
  public static final Set<String> ALWAYS_REDACTED = Set.of("accesstoken", "refreshtoken",
      "idtoken", "clientsecret", "code", "codeverifier", "devicecode", "assertion",
      "clientassertion", "subjecttoken", "actortoken", "apikey", "password");

  /** A sink and the name of its spool sub-directory. */
  public record NamedSink(String name, AuditSink sink) {}

  private final List<NamedSink> sinks;
  private final String instanceId;
  private final String apiId;
  private final String apiVersion;
  private final int capacity;
  private final int batchSize;
  private final long flushNanos;
  private final long spoolMaxSize;
  private final Path spoolBase;
  private final boolean writeUserAgent;
  private final boolean queryValues;
  private final Set<String> redactedQuery;
  private final EventIds ids = new EventIds();
  private final AuditStats stats = new AuditStats();
  private final LossReporter losses = new LossReporter();
  private final ConcurrentLinkedQueue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
  /** Events put in the queue, striped across the request threads. */
  private final LongAdder offered = new LongAdder();
  /** Events the dispatcher took from the queue, published once per pass. */
  private volatile long taken;
  /**
   * While the dispatcher sleeps: the backlog at which a request thread wakes it (1 when its batch is
   * empty, the room left in its batch otherwise); {@link #AWAKE} while it works. It sleeps until
   * then, or until its batch's flush deadline or the next watchdog pass: under load about one
   * wake-up per batch, not one every few milliseconds.
   */
  private volatile long wakeAt = AWAKE;
  private static final long AWAKE = Long.MAX_VALUE;
  private static final long WATCHDOG_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** How often the dispatcher looks for spool slots left by stopped processes. */
  static final long ORPHAN_SCAN_NANOS = TimeUnit.SECONDS.toNanos(30);
  private volatile List<SinkChannel> channels;
  private volatile boolean stopping;
  private Thread dispatcher;
  private SpoolDirectory spoolDirectory;
  private SpoolBudget budget;
  private final Object orphanScan = new Object();
  /** Orphan spools too large for the budget so far, warned about once. */
  private final Set<Path> orphansTooLarge = new HashSet<>();

  public AuditPipeline(PisteConfig config, String instanceId, List<NamedSink> sinks) {
    this.sinks = List.copyOf(sinks);
    this.instanceId = instanceId;
    this.apiId = config.get(CoreKeys.API_ID);
    this.apiVersion = config.get(CoreKeys.API_VERSION);
    this.capacity = config.get(AuditKeys.QUEUE_SIZE);
    this.batchSize = config.get(AuditKeys.BATCH_SIZE);
    this.flushNanos = config.get(AuditKeys.FLUSH_INTERVAL).toNanos();
    this.spoolMaxSize = config.get(AuditKeys.SPOOL_MAX_SIZE);
    Path dir = config.get(AuditKeys.SPOOL_DIR);
    this.spoolBase = dir != null ? dir
        : Path.of(System.getProperty("java.io.tmpdir"), "piste-spool");
    this.writeUserAgent = config.get(AuditKeys.REDACT_HEADERS).stream()
        .noneMatch(h -> h.equalsIgnoreCase("User-Agent"));
    this.queryValues = config.get(AuditKeys.QUERY_VALUES);
    Set<String> rq = new HashSet<>(ALWAYS_REDACTED);
    for (String q : config.get(AuditKeys.REDACT_QUERY)) {
      rq.add(BodyCapture.normalisedName(q));
    }
    this.redactedQuery = Set.copyOf(rq);
  }

  /** The pipeline's counters. */
  public AuditStats stats() {
    return stats;
  }

  /**
   * The fewest events any sink has settled: delivered, spooled or counted lost, that is no longer
   * only in memory. When it equals the events recorded, a crash loses nothing recorded so far.
   */
  public long settled() {
    List<SinkChannel> ch = channels;
    if (ch == null) {
      return 0;
    }
    long min = Long.MAX_VALUE;
    for (SinkChannel c : ch) {
      min = Math.min(min, c.settled());
    }
    return min;
  }

  /** The spool directory in use, or {@code null} before {@link #start()}. */
  public Path spoolDirectory() {
    return spoolDirectory != null ? spoolDirectory.dir() : null;
  }

  @Override
  public synchronized void start() {
    if (channels != null || stopping) {
      return;
    }
    SpoolBudget budget = new SpoolBudget(spoolMaxSize);
    this.budget = budget;
    try {
      spoolDirectory = SpoolDirectory.acquire(spoolBase);
    } catch (IOException e) {
      LOG.error("AUDIT SPOOL UNAVAILABLE under {} ({}): events a sink cannot take will be lost"
          + " (counted and logged)", spoolBase, e.getClass().getName());
    }
    List<SinkChannel> list = new ArrayList<>();
    for (NamedSink s : sinks) {
      Spool spool;
      try {
        spool = spoolDirectory != null
            ? new Spool(spoolDirectory.dir().resolve(s.name()), s.name(), budget, stats,
                losses)
            : Spool.unavailable(s.name(), stats);
      } catch (IOException e) {
        LOG.error("AUDIT SPOOL UNAVAILABLE for sink {} ({}): events it cannot take will be lost"
            + " (counted and logged)", s.name(), e.getClass().getName());
        spool = Spool.unavailable(s.name(), stats);
      }
      list.add(new SinkChannel(s.name(), s.sink(), spool, batchSize,
          capacity, stats, losses));
    }
    for (SinkChannel c : list) {
      c.start();
    }
    channels = List.copyOf(list);
    adoptOrphanSpools();
    dispatcher = new Thread(this::dispatch, "piste-audit-dispatcher");
    dispatcher.setDaemon(true);
    dispatcher.start();
    LOG.info("audit pipeline started: sinks {}, spool {}", names(),
        spoolDirectory != null ? spoolDirectory.dir() : "unavailable");
  }

  /**
   * Locks the spool slots no live process holds besides this one's and hands each sink's
   * undelivered spool in them to that sink's channel; returns how many spools were handed over.
   * Runs at start and every {@link #ORPHAN_SCAN_NANOS} on the dispatcher thread.
   */
  public int adoptOrphanSpools() {
    SpoolDirectory own = spoolDirectory;
    List<SinkChannel> ch = channels;
    if (own == null || ch == null || stopping) {
      return 0;
    }
    int count = 0;
    synchronized (orphanScan) {
      for (SpoolDirectory slot : own.orphans()) {
        try {
          for (SinkChannel c : ch) {
            Path d = slot.dir().resolve(c.name());
            long bytes = Spool.segmentBytes(d);
            if (bytes == 0) {
              continue;
            }
            if (!budget.hasRoom(bytes)) {
              if (orphansTooLarge.add(d)) {
                LOG.warn("audit spool {} left by a stopped process ({} bytes) waits: the spools"
                    + " would exceed piste.audit.spool-max-size", d, bytes);
              }
              continue;
            }
            try {
              Spool s = new Spool(d, c.name() + " (" + slot.dir().getFileName() + ")", budget,
                  stats, losses);
              if (s.isEmpty()) {
                s.closeAndRemove();
                continue;
              }
              slot.share();
              c.adopt(s, slot::unshare);
              count++;
            } catch (IOException e) {
              LOG.warn("audit spool {} left by a stopped process cannot be opened: {}", d,
                  e.getClass().getName());
            }
          }
        } finally {
          slot.unshare();
        }
      }
    }
    return count;
  }

  private List<String> names() {
    List<String> n = new ArrayList<>();
    sinks.forEach(s -> n.add(s.name()));
    return n;
  }

  @Override
  public void record(Exchange exchange, Throwable error) {
    AuditEvent event = event(exchange);
    stats.recorded.increment();
    // the bound is approximate by the number of request threads racing past it at once
    long backlog = offered.sum() - taken;
    if (stopping || backlog >= capacity) {
      overflow(event);
    } else {
      offered.increment();
      queue.offer(event);
      if (backlog + 1 >= wakeAt) {
        wakeAt = AWAKE;
        LockSupport.unpark(dispatcher);
      }
    }
  }

  private void overflow(AuditEvent event) {
    stats.overflowed.incrementAndGet();
    List<SinkChannel> ch = channels;
    if (ch == null) {
      stats.lost.addAndGet(sinks.size());
      losses.report("all", 1, new IllegalStateException("audit pipeline not running"));
      return;
    }
    for (SinkChannel c : ch) {
      c.overflow(event);
    }
  }

  /** Builds the redacted event of an exchange. */
  AuditEvent event(Exchange ex) {
    PisteRequest r = ex.request();
    Correlation c = ex.correlation();
    Caller caller = ex.caller();
    long micros = Math.max(0, (System.nanoTime() - ex.startNanos()) / 1000);
    AuditEvent.Builder b = AuditEvent.builder()
        .eventId(ids.next())
        .timestamp(Instant.ofEpochMilli(ex.startMillis()))
        .durationMicros(micros)
        .requestId(c.requestId())
        .traceId(c.traceId())
        .spanId(c.spanId())
        .parentSpanId(c.parentSpanId())
        .apiId(apiId)
        .apiVersion(apiVersion)
        .operationId(ex.policy().operationId())
        .method(r.method())
        .pathTemplate(ex.policy().pathTemplate())
        .path(r.path())
        .status(ex.status())
        .outcome(ex.outcome().code())
        .reason(ex.reason())
        .instanceId(instanceId);
    if (caller != null) {
      b.applicationId(caller.applicationId())
          .subject(caller.subject())
          .authMethod(caller.authenticationMethod().code());
    }
    if (ex.rateLimitRemaining() >= 0) {
      b.rateLimitRemaining(ex.rateLimitRemaining());
    }
    if (ex.requestBytes() >= 0) {
      b.requestBytes(ex.requestBytes());
    }
    if (ex.responseBytes() >= 0) {
      b.responseBytes(ex.responseBytes());
    }
    String ip = ex.clientIp();
    b.clientIp(ip != null ? ip : r.remoteAddress());
    if (writeUserAgent) {
      String ua = r.header("User-Agent");
      if (ua != null) {
        b.userAgent(ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua);
      }
    }
    String q = r.query();
    if (q != null && !q.isEmpty()) {
      query(q, b);
    }
    if (ex.requestBody() != null) {
      b.requestBody(ex.requestBody()).requestBodyTruncated(ex.requestBodyTruncated());
    }
    return b.build();
  }

  private void query(String query, AuditEvent.Builder b) {
    Set<String> names = new LinkedHashSet<>();
    Map<String, String> values = queryValues ? new LinkedHashMap<>() : null;
    int start = 0;
    while (start <= query.length() && names.size() < MAX_QUERY_PARAMS) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? query.length() : amp;
      int eq = query.indexOf('=', start);
      // a pair without '=' is no parameter, and may be a bare credential: left out, as in a form
      String name = eq < 0 || eq > end ? null : decode(query.substring(start, eq));
      if (validName(name) && names.add(name)) {
        if (values != null && !redacted(name)) {
          String raw = query.substring(eq + 1, end);
          String v = decode(raw);
          if (v == null) {
            // a malformed percent-escape: the value as it came, rather than no event at all
            v = raw;
          }
          values.put(name, v.length() > MAX_QUERY_VALUE ? v.substring(0, MAX_QUERY_VALUE) : v);
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    b.queryParams(List.copyOf(names));
    if (values != null) {
      b.queryValues(values);
    }
  }

  /**
   * Whether a parameter's value is never written: by each part of a bracketed or dotted name, as
   * form fields, so {@code password[0]}, {@code user[password]} and {@code user.password} are
   * {@code password}.
   */
  private boolean redacted(String name) {
    return BodyCapture.redactedName(name, redactedQuery);
  }

  /**
   * Names look like identifiers: at most 64 characters of {@code [A-Za-z0-9_.\-\[\]]}, none of
   * whose parts between dots and brackets looks like a credential (see {@link #credentialLike}).
   * Anything else is left out.
   */
  static boolean validName(String n) {
    if (n == null || n.isEmpty() || n.length() > MAX_QUERY_NAME) {
      return false;
    }
    int partStart = 0;
    for (int i = 0; i < n.length(); i++) {
      char ch = n.charAt(i);
      boolean separator = ch == '.' || ch == '[' || ch == ']';
      boolean ok = separator || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
          || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
      if (!ok) {
        return false;
      }
      if (separator) {
        if (credentialLike(n, partStart, i)) {
          return false;
        }
        partStart = i + 1;
      }
    }
    return !credentialLike(n, partStart, n.length());
  }

  /**
   * Whether a part of a name looks like a key or token rather than a word: 16 or more characters
   * holding both a letter and a digit (a base64url API key, a hex or UUID token, a JWT segment), or
   * 32 or more characters whatever they hold. Parameter names are words joined by {@code _} or
   * {@code -} ({@code utm_source}, {@code page[size]}, {@code filter.status}); a name dropped by
   * this rule loses a name, a name kept by mistake would write a secret in every event.
   */
  private static boolean credentialLike(String n, int from, int to) {
    int len = to - from;
    if (len >= CREDENTIAL_ANY_LENGTH) {
      return true;
    }
    if (len < CREDENTIAL_MIXED_LENGTH) {
      return false;
    }
    boolean letter = false;
    boolean digit = false;
    for (int i = from; i < to; i++) {
      char ch = n.charAt(i);
      letter |= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
      digit |= ch >= '0' && ch <= '9';
    }
    return letter && digit;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void dispatch() {
    BatchFill batch = new BatchFill(batchSize);
    long batchStart = 0;
    long lastWatchdog = System.nanoTime();
    long lastOrphanScan = lastWatchdog;
    List<SinkChannel> ch = channels;
    long took = 0;
    while (true) {
      boolean wasEmpty = batch.isEmpty();
      took += batch.fill(queue);
      taken = took;
      if (wasEmpty && !batch.isEmpty()) {
        batchStart = System.nanoTime();
      }
      long now = System.nanoTime();
      if (now - lastWatchdog >= WATCHDOG_NANOS) {
        lastWatchdog = now;
        for (SinkChannel c : ch) {
          c.watchdog(now);
        }
        losses.tick(now);
        if (now - lastOrphanScan >= ORPHAN_SCAN_NANOS) {
          lastOrphanScan = now;
          adoptOrphanSpools();
        }
      }
      boolean stop = stopping;
      if (!batch.isEmpty() && (batch.full() || now - batchStart >= flushNanos || stop)) {
        List<AuditEvent> b = batch.take();
        for (SinkChannel c : ch) {
          c.offer(b);
        }
        continue;
      }
      if (stop && batch.isEmpty() && queue.isEmpty()) {
        return;
      }
      // sleep until the batch can be filled (a request thread wakes this one), its flush deadline
      // or the next watchdog pass; a wake-up given before the park makes it return at once
      long park = WATCHDOG_NANOS - (now - lastWatchdog);
      if (!batch.isEmpty()) {
        park = Math.min(park, flushNanos - (now - batchStart));
      }
      wakeAt = batch.isEmpty() ? 1 : batchSize - batch.size();
      if (offered.sum() - took >= wakeAt) {
        wakeAt = AWAKE;
        continue;
      }
      LockSupport.parkNanos(this, Math.max(10_000, park));
      wakeAt = AWAKE;
      stats.dispatcherWakeUps.lazySet(stats.dispatcherWakeUps.get() + 1);
    }
  }

  /** Drains the queue to the sinks, then each sink's backlog, for up to ten seconds. */
  @Override
  public synchronized void close() {
    if (stopping) {
      return;
    }
    stopping = true;
    List<SinkChannel> ch = channels;
    if (ch == null) {
      if (!queue.isEmpty()) {
        stats.lost.addAndGet((long) queue.size() * sinks.size());
        losses.report("all", queue.size(), new IllegalStateException("audit pipeline never started"));
      }
      losses.flush();
      return;
    }
    long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
    LockSupport.unpark(dispatcher);
    try {
      dispatcher.join(TimeUnit.NANOSECONDS.toMillis(DRAIN_TIMEOUT_NANOS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // what the dispatcher left, or is still taking its share of when it outlived the wait: each
    // event goes to one of the two, in batches cut as the dispatcher cuts them
    BatchFill late = new BatchFill(batchSize);
    while (true) {
      late.fill(queue);
      if (late.isEmpty()) {
        break;
      }
      List<AuditEvent> b = late.take();
      for (SinkChannel c : ch) {
        c.offer(b);
      }
    }
    for (SinkChannel c : ch) {
      c.close(deadline);
    }
    int left = 0;
    while (queue.poll() != null) {
      left++;
    }
    if (left > 0) {
      stats.lost.addAndGet((long) left * ch.size());
      losses.report("all", left, new IllegalStateException("recorded while closing"));
    }
    if (spoolDirectory != null) {
      try {
        spoolDirectory.close();
      } catch (IOException e) {
        LOG.warn("audit spool lock release failed: {}", e.getClass().getName());
      }
    }
    losses.flush();
    LOG.info("audit pipeline closed: {}", stats);
  }
}
