package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class EventIdsTest {

  @Test
  void idsAreVersion4VariantOneUuidsUniqueAcrossThreadsAndBlocks() throws Exception {
    EventIds ids = new EventIds();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    int perThread = 3 * EventIds.BLOCK + 17;
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          seen.add(ids.next());
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(seen).hasSize(8 * perThread);
    for (String id : seen) {
      UUID u = UUID.fromString(id);
      assertThat(u.toString()).isEqualTo(id);
      assertThat(u.version()).isEqualTo(4);
      assertThat(u.variant()).isEqualTo(2);
    }
  }
}
