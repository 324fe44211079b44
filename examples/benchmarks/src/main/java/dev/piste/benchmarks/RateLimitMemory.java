package dev.piste.benchmarks;

import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.ratelimit.LimitSet;
import dev.piste.core.internal.ratelimit.MemoryStore;
import dev.piste.core.internal.ratelimit.QuotaCalendar;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.ZoneOffset;

/**
 * Heap per idle bucket of the memory store at one million distinct keys, with a two-limit plan
 * ({@code 100/s burst 200; 1000000/day}). Run it in a small heap to show it fits:
 *
 * <pre>{@code
 * java -Xmx512m -cp examples/benchmarks/target/benchmarks.jar dev.piste.benchmarks.RateLimitMemory
 * }</pre>
 *
 * <p>It measures the used heap after a full GC three times: empty, with the one million key strings
 * alone, and with the keys in the store; the difference of the last two is the cost of the buckets
 * without their keys.
 */
public final class RateLimitMemory {

  private RateLimitMemory() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    LimitSet plan = new LimitSet("gold", ValueType.parseLimits("100/s burst 200; 1000000/day"));
    long now = 1_780_000_000_000_000_000L;
    long empty = usedAfterGc();
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "p|gold|app-" + i;
    }
    long withKeys = usedAfterGc();
    MemoryStore store = new MemoryStore(new QuotaCalendar(ZoneOffset.UTC), 2_000_000);
    for (int i = 0; i < n; i++) {
      store.consume(keys[i], plan, 1, now);
    }
    long withBuckets = usedAfterGc();
    System.out.printf("buckets: %d (store holds %d), max heap %d MiB%n", n, store.size(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf("keys alone: %.1f bytes per key (%s)%n",
        (withKeys - empty) / (double) n, "p|gold|app-NNNNNN");
    System.out.printf("buckets without keys: %.1f bytes per bucket%n",
        (withBuckets - withKeys) / (double) n);
    System.out.printf("buckets with keys: %.1f bytes per bucket, %d MiB in all%n",
        (withBuckets - empty) / (double) n, (withBuckets - empty) >> 20);
    if (keys.length != store.size()) {
      System.out.println("(some buckets were evicted)");
    }
  }

  private static long usedAfterGc() {
    MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return bean.getHeapMemoryUsage().getUsed();
  }
}
