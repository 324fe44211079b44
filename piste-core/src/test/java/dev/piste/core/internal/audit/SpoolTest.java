package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.audit.AuditEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SpoolTest {

  @TempDir
  Path dir;

  private final AuditStats stats = new AuditStats();
  private final LossReporter losses = new LossReporter();

  static AuditEvent event(int i) {
    return AuditEvent.builder()
        .eventId(String.format("00000000-0000-4000-8000-%012d", i))
        .timestamp(Instant.parse("2026-11-28T10:00:00Z").plusMillis(i))
        .requestId("r-" + i).traceId("4bf92f3577b34da6a3ce929d0e0e4736").spanId("00f067aa0ba902b7")
        .operationId("op").method("GET").path("/v1/x").queryParams(List.of("a"))
        .status(200).outcome("allowed").instanceId("i").rateLimitRemaining(3L).build();
  }

  static List<AuditEvent> events(int from, int to) {
    List<AuditEvent> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(event(i));
    }
    return out;
  }

  private Spool open() throws IOException {
    return new Spool(dir, "test", new SpoolBudget(1L << 30), stats, losses);
  }

  private static List<String> ids(List<AuditEvent> events) {
    return events.stream().map(AuditEvent::requestId).toList();
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  @Test
  void recordsComeBackInOrderAndEqualToWhatWasWritten() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 3));
      s.append(events(3, 5));
      Spool.Batch b = s.read(10);
      assertThat(b.events()).isEqualTo(events(0, 5));
      assertThat(s.isEmpty()).isFalse();
      s.commit(b.end());
      assertThat(s.isEmpty()).isTrue();
      assertThat(segments()).isEmpty();
    }
  }

  @Test
  void aReadThatIsNotCommittedIsReadAgain() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 5));
      Spool.Batch first = s.read(2);
      assertThat(ids(first.events())).containsExactly("r-0", "r-1");
      assertThat(ids(s.read(2).events())).containsExactly("r-0", "r-1");
      s.commit(first.end());
      assertThat(ids(s.read(10).events())).containsExactly("r-2", "r-3", "r-4");
    }
  }

  @Test
  void aRestartResumesAtTheCommittedCursorAndAppendsToANewSegment() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 4));
      s.commit(s.read(1).end());
    }
    try (Spool s = open()) {
      assertThat(s.isEmpty()).isFalse();
      s.append(events(4, 6));
      assertThat(segments()).hasSize(2);
      Spool.Batch b = s.read(100);
      assertThat(ids(b.events())).containsExactly("r-1", "r-2", "r-3", "r-4", "r-5");
      s.commit(b.end());
      assertThat(s.isEmpty()).isTrue();
    }
  }

  @Test
  void aTornLastRecordIsSkippedAndTheRecordsBeforeItAreKept() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 3));
    }
    Path seg = segments().get(0);
    // a crash in the middle of appending the fourth record: its header promises more bytes than
    // were written
    byte[] payload = event(3).toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.APPEND)) {
      ByteBuffer torn = ByteBuffer.allocate(8 + payload.length / 2);
      torn.putInt(payload.length).putInt(0x12345678).put(payload, 0, payload.length / 2).flip();
      ch.write(torn);
    }
    try (Spool s = open()) {
      s.append(events(10, 12));
      String log = LossReporterTest.lossLog(() -> {
        try {
          Spool.Batch first = s.read(100);
          assertThat(ids(first.events())).containsExactly("r-0", "r-1", "r-2", "r-10", "r-11");
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      Spool.Batch b = s.read(100);
      assertThat(ids(b.events())).as("read again before the commit")
          .containsExactly("r-0", "r-1", "r-2", "r-10", "r-11");
      assertThat(stats.tornRecords.get()).as("counted once").isEqualTo(1);
      assertThat(losses.skippedBytes()).as("the torn record, counted once")
          .isEqualTo(8 + payload.length / 2);
      assertThat(log).contains("AUDIT EVENTS LOST: spool test: " + (8 + payload.length / 2)
          + " bytes skipped");
      s.commit(b.end());
      assertThat(s.isEmpty()).isTrue();
    }
  }

  @Test
  void aRecordWithABadChecksumIsSkippedWithTheRestOfItsSegment() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 3));
    }
    Path seg = segments().get(0);
    byte[] bytes = Files.readAllBytes(seg);
    int second = 8 + ByteBuffer.wrap(bytes).getInt(0);
    bytes[second + 8 + 5] ^= 0x55;
    Files.write(seg, bytes);
    try (Spool s = open()) {
      assertThat(ids(s.read(100).events())).containsExactly("r-0");
      assertThat(stats.tornRecords.get()).isEqualTo(1);
      assertThat(losses.skippedBytes()).as("the second record and the rest of the segment")
          .isEqualTo(bytes.length - second);
    }
  }

  @Test
  void aRecordThatCannotBeParsedIsSkippedAndCountedOnceAsOneRecordOnTheLossLog()
      throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 3));
    }
    Path seg = segments().get(0);
    byte[] bytes = Files.readAllBytes(seg);
    int second = 8 + ByteBuffer.wrap(bytes).getInt(0);
    int length = ByteBuffer.wrap(bytes).getInt(second);
    // intact as written (length and checksum match) but not an event
    java.util.Arrays.fill(bytes, second + 8, second + 8 + length, (byte) 'x');
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, second + 8, length);
    ByteBuffer.wrap(bytes).putInt(second + 4, (int) crc.getValue());
    Files.write(seg, bytes);
    try (Spool s = open()) {
      String log = LossReporterTest.lossLog(() -> {
        try {
          assertThat(ids(s.read(100).events())).containsExactly("r-0", "r-2");
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      assertThat(ids(s.read(100).events())).as("read again before the commit")
          .containsExactly("r-0", "r-2");
      assertThat(stats.tornRecords.get()).isEqualTo(1);
      assertThat(losses.skippedRecords()).as("counted once").isEqualTo(1);
      assertThat(losses.skippedBytes()).isZero();
      assertThat(log).contains("AUDIT EVENTS LOST: spool test: 1 unreadable record(s) skipped");
    }
  }

  @Test
  void aMissingSegmentIsSkippedOnceAndTheSegmentsAfterItAreRead() throws IOException {
    SpoolBudget budget = new SpoolBudget(1L << 30);
    // each process appends to a new segment: three segments
    for (int from = 0; from < 9; from += 3) {
      try (Spool s = new Spool(dir, "test", new SpoolBudget(1L << 30), stats, losses)) {
        s.append(events(from, from + 3));
      }
    }
    try (Spool s = new Spool(dir, "test", budget, stats, losses)) {
      // a temporary-file cleaner removes the middle one
      long segmentBytes = Files.size(segments().get(1));
      Files.delete(segments().get(1));
      Spool.Batch b = s.read(100);
      assertThat(ids(b.events())).containsExactly("r-0", "r-1", "r-2", "r-6", "r-7", "r-8");
      assertThat(stats.unreadableSegments.get()).isEqualTo(1);
      assertThat(ids(s.read(100).events())).as("read again before the commit")
          .containsExactly("r-0", "r-1", "r-2", "r-6", "r-7", "r-8");
      assertThat(stats.unreadableSegments.get()).as("counted once").isEqualTo(1);
      assertThat(losses.skippedBytes()).as("the missing segment's bytes, once")
          .isEqualTo(segmentBytes);
      s.commit(b.end());
      assertThat(s.isEmpty()).isTrue();
      assertThat(budget.used()).isZero();
      assertThat(segments()).isEmpty();
    }
  }

  @Test
  void aSegmentRemovedWhileBeingAppendedToIsSkippedAndTheNextAppendStartsANewOne()
      throws IOException {
    SpoolBudget budget = new SpoolBudget(1L << 30);
    try (Spool s = new Spool(dir, "test", budget, stats, losses)) {
      s.append(events(0, 3));
      Files.delete(segments().get(0));
      Spool.Batch gone = s.read(100);
      assertThat(gone.events()).isEmpty();
      assertThat(stats.unreadableSegments.get()).isEqualTo(1);
      s.commit(gone.end());
      assertThat(s.isEmpty()).isTrue();
      assertThat(budget.used()).isZero();
      s.append(events(3, 5));
      assertThat(segments()).hasSize(1);
      Spool.Batch b = s.read(100);
      assertThat(ids(b.events())).containsExactly("r-3", "r-4");
      s.commit(b.end());
      assertThat(s.isEmpty()).isTrue();
    }
  }

  @Test
  void aDamagedCursorReDeliversTheWholeSpoolRatherThanLosingIt() throws IOException {
    try (Spool s = open()) {
      s.append(events(0, 3));
      s.commit(s.read(2).end());
    }
    Files.write(dir.resolve("cursor"), new byte[] {1, 2, 3});
    try (Spool s = open()) {
      assertThat(ids(s.read(100).events())).containsExactly("r-0", "r-1", "r-2");
    }
  }

  @Test
  void anAppendPastTheMaximumSizeKeepsTheRecordsThatFitAndLeavesTheSpoolReadable()
      throws IOException {
    int record = 8 + event(0).toJson().length();
    SpoolBudget budget = new SpoolBudget(3L * record + 10);
    try (Spool s = new Spool(dir, "test", budget, stats, losses)) {
      assertThat(s.append(events(0, 2))).isEqualTo(2);
      assertThat(s.append(events(2, 10))).isEqualTo(1);
      assertThat(s.append(events(10, 11))).isZero();
      Spool.Batch b = s.read(100);
      assertThat(ids(b.events())).containsExactly("r-0", "r-1", "r-2");
      s.commit(b.end());
      assertThat(budget.used()).isZero();
      s.append(events(3, 5));
      assertThat(ids(s.read(100).events())).containsExactly("r-3", "r-4");
    }
  }

  @Test
  void aSecondProcessCannotTakeALockedSpoolDirectoryAndUsesTheNextSlot() throws IOException {
    try (SpoolDirectory a = SpoolDirectory.acquire(dir.resolve("spool"))) {
      // a FileLock is per process: within one JVM the overlap is detected the same way
      try (SpoolDirectory b = SpoolDirectory.acquire(dir.resolve("spool"))) {
        assertThat(a.dir()).isEqualTo(dir.resolve("spool"));
        assertThat(b.dir()).isEqualTo(dir.resolve("spool.1"));
      }
    }
  }

  @Test
  void eventsSurviveTheJsonRoundTripUnchanged() throws IOException {
    AuditEvent e = event(1).toBuilder().queryValues(java.util.Map.of("a", "\u00e9\u2028\"x"))
        .requestBody("{\"a\":\"***\"}").requestBodyTruncated(true).subject("s\\u").build();
    byte[] json = e.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(AuditEventJson.parse(json, 0, json.length)).isEqualTo(e);
  }

  @Test
  void aReadTakesNoMoreThanEightMebibytesOfEventsAndAtLeastOne() throws IOException {
    List<AuditEvent> large = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      large.add(event(i).toBuilder().requestBody("a".repeat(3_000_000)).build());
    }
    AuditEvent larger = event(5).toBuilder().requestBody("b".repeat(9_000_000)).build();
    try (Spool s = open()) {
      s.append(large);
      s.append(List.of(larger, event(6)));
      List<List<String>> reads = new ArrayList<>();
      while (!s.isEmpty()) {
        Spool.Batch b = s.read(500);
        reads.add(ids(b.events()));
        s.commit(b.end());
      }
      assertThat(reads).containsExactly(List.of("r-0", "r-1"), List.of("r-2", "r-3"),
          List.of("r-4"), List.of("r-5"), List.of("r-6"));
    }
  }

  @Test
  void appendingAllOfABacklogWritesEveryBatchInOrderOrNoneWhenThereIsNoRoomForAll()
      throws IOException {
    int record = 8 + event(0).jsonLength();
    SpoolBudget budget = new SpoolBudget(6L * record + 10);
    try (Spool s = new Spool(dir, "test", budget, stats, losses)) {
      assertThat(s.appendAll(List.of(events(0, 2), events(2, 3), events(3, 5)))).isTrue();
      assertThat(s.appendAll(List.of(events(5, 6), events(6, 8)))).isFalse();
      assertThat(budget.used()).isEqualTo(5L * record);
      Spool.Batch b = s.read(100);
      assertThat(b.events()).isEqualTo(events(0, 5));
      s.commit(b.end());
      assertThat(budget.used()).isZero();
    }
  }

  @Test
  void aWriteTheDiskRefusesIsCountedAndReleasesItsRoom() throws IOException {
    SpoolBudget budget = new SpoolBudget(1L << 30);
    try (Spool s = new Spool(dir.resolve("gone"), "test", budget, stats, losses)) {
      Files.delete(dir.resolve("gone"));
      assertThatThrownBy(() -> s.appendAll(List.of(events(0, 3)))).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> s.append(events(0, 3))).isInstanceOf(IOException.class);
      assertThat(stats.spoolWriteErrors.get()).isEqualTo(2);
      assertThat(budget.used()).isZero();
    }
  }
}
