package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

final class BatchFillTest {

  private static AuditEvent event(int i, String body) {
    return SpoolTest.event(i).toBuilder().requestBody(body).build();
  }

  private static List<String> ids(List<AuditEvent> events) {
    return events.stream().map(AuditEvent::requestId).toList();
  }

  @Test
  void anEventOverTheByteBudgetStartsTheNextBatchAndNothingIsLostOrReordered() {
    String large = "a".repeat(3_000_000);
    String huge = "b".repeat(9_000_000);
    List<AuditEvent> events = List.of(event(0, large), event(1, large), event(2, large),
        event(3, null), event(4, null), event(5, huge), event(6, null));
    Queue<AuditEvent> queue = new ConcurrentLinkedQueue<>(events);
    BatchFill fill = new BatchFill(3);
    List<List<String>> batches = new ArrayList<>();
    int polled = 0;
    while (true) {
      polled += fill.fill(queue);
      if (fill.isEmpty()) {
        break;
      }
      assertThat(fill.full() || queue.isEmpty()).isTrue();
      List<AuditEvent> b = fill.take();
      long bytes = b.stream().mapToLong(e -> e.jsonLength() + 1).sum() + 1;
      assertThat(b.size() == 1 || bytes <= BatchBytes.MAX).isTrue();
      batches.add(ids(b));
    }
    // two of 3 MB pass 8 MiB with a third; three events make a batch; 9 MB goes alone
    assertThat(batches).containsExactly(List.of("r-0", "r-1"), List.of("r-2", "r-3", "r-4"),
        List.of("r-5"), List.of("r-6"));
    assertThat(polled).isEqualTo(events.size());
  }

  /**
   * A queue that, at every other poll, lets another consumer (close draining what the dispatcher
   * left) take the head first: what a poll returns is not what was at the head a moment before.
   */
  private static final class SharedQueue extends AbstractQueue<AuditEvent> {
    final ArrayDeque<AuditEvent> events = new ArrayDeque<>();
    final List<AuditEvent> takenByOther = new ArrayList<>();
    private int polls;

    @Override
    public AuditEvent poll() {
      if (polls++ % 2 == 1 && !events.isEmpty()) {
        takenByOther.add(events.poll());
      }
      return events.poll();
    }

    @Override
    public AuditEvent peek() {
      return events.peek();
    }

    @Override
    public boolean offer(AuditEvent e) {
      return events.offer(e);
    }

    @Override
    public Iterator<AuditEvent> iterator() {
      return events.iterator();
    }

    @Override
    public int size() {
      return events.size();
    }
  }

  @Test
  void eventsAnotherConsumerTakesFromTheSameQueueAreNeitherBatchedTwiceNorSkipped() {
    SharedQueue queue = new SharedQueue();
    List<AuditEvent> events = SpoolTest.events(0, 10);
    queue.addAll(events);
    BatchFill fill = new BatchFill(4);
    List<AuditEvent> batched = new ArrayList<>();
    while (true) {
      fill.fill(queue);
      if (fill.isEmpty()) {
        break;
      }
      batched.addAll(fill.take());
    }
    List<String> all = new ArrayList<>(ids(batched));
    all.addAll(ids(queue.takenByOther));
    assertThat(all).containsExactlyInAnyOrderElementsOf(ids(events));
    assertThat(ids(batched)).isSorted();
  }
}
