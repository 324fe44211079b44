package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JsonLinesFileSinkTest {

  @TempDir
  Path dir;

  private static List<AuditEvent> batch(int from, int n) {
    List<AuditEvent> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(AuditEvent.builder().eventId(String.format("00000000-0000-4000-8000-%012d", i))
          .timestamp(Instant.EPOCH).requestId("r-" + i).traceId("4bf92f3577b34da6a3ce929d0e0e4736")
          .spanId("00f067aa0ba902b7").operationId("op").method("GET").path("/x").status(200)
          .outcome("allowed").instanceId("i").build());
    }
    return out;
  }

  private List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private List<String> allLines() throws Exception {
    List<String> lines = new ArrayList<>();
    for (String f : files()) {
      lines.addAll(Files.readAllLines(dir.resolve(f)));
    }
    return lines;
  }

  @Test
  void rotatesBySizeAndByDayAndNeverDeletesARotatedFile() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-11-28T23:59:00Z"));
    JsonLinesFileSink sink = new JsonLinesFileSink(dir.resolve("audit.jsonl"), 4096, clock);
    for (int i = 0; i < 40; i += 5) {
      sink.write(batch(i, 5));
    }
    List<String> sameDay = files();
    assertThat(sameDay).contains("audit.jsonl", "audit.2026-11-28.1.jsonl",
        "audit.2026-11-28.2.jsonl");
    for (String f : sameDay) {
      assertThat(Files.size(dir.resolve(f))).isLessThanOrEqualTo(4096);
    }
    clock.set(Instant.parse("2026-11-29T00:00:01Z"));
    sink.write(batch(40, 1));
    sink.close();
    assertThat(files()).containsAll(sameDay);
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(1)
        .allSatisfy(l -> assertThat(l).contains("\"requestId\":\"r-40\""));
    List<String> lines = allLines();
    assertThat(lines).hasSize(41);
    assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("{\"eventId\":").endsWith("}"));
  }

  @Test
  void batchesLargerThanTheWriteBufferAndEventsLargerThanItArriveWholeAndInOrder() throws Exception {
    JsonLinesFileSink sink = new JsonLinesFileSink(dir.resolve("audit.jsonl"), 1L << 30,
        TestClock.at(Instant.now()));
    List<AuditEvent> events = new ArrayList<>(batch(0, 400));
    String big = "x".repeat(JsonLinesFileSink.BUFFER_SIZE + 1000);
    events.add(200, batch(400, 1).get(0).toBuilder().requestBody(big).build());
    events.add(batch(401, 1).get(0).toBuilder().requestBody(big + "y").build());
    sink.write(events);
    sink.write(batch(402, 3));
    sink.close();
    List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
    assertThat(lines).hasSize(405);
    List<String> expected = new ArrayList<>();
    events.forEach(e -> expected.add(e.toJson()));
    batch(402, 3).forEach(e -> expected.add(e.toJson()));
    assertThat(lines).containsExactlyElementsOf(expected);
    assertThat(Files.size(dir.resolve("audit.jsonl")))
        .isGreaterThan(2L * JsonLinesFileSink.BUFFER_SIZE);
  }

  @Test
  void anEmptyFileLeftFromAnEarlierDayHoldsTodaysEventsAndIsNotRotatedUnderThatDay()
      throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Files.createFile(file);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
        Instant.parse("2026-11-20T12:00:00Z")));
    TestClock clock = TestClock.at(Instant.parse("2026-11-28T10:00:00Z"));
    JsonLinesFileSink sink = new JsonLinesFileSink(file, 1 << 20, clock);
    sink.write(batch(0, 2));
    sink.write(batch(2, 2));
    sink.close();
    assertThat(files()).containsExactly("audit.jsonl");
    assertThat(Files.readAllLines(file)).hasSize(4);
  }

  @Test
  void aLineLeftIncompleteByACrashStaysItsOwnLineAndTheNextEventsParse() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    String earlier = batch(0, 1).get(0).toJson();
    Files.writeString(file, earlier + "\n{\"eventId\":\"torn\",\"sta");
    JsonLinesFileSink sink = new JsonLinesFileSink(file, 1 << 20, TestClock.at(Instant.now()));
    sink.write(batch(1, 2));
    sink.close();
    List<String> expected = new ArrayList<>(List.of(earlier, "{\"eventId\":\"torn\",\"sta"));
    batch(1, 2).forEach(e -> expected.add(e.toJson()));
    assertThat(Files.readAllLines(file)).containsExactlyElementsOf(expected);
    assertThat(Files.readString(file)).endsWith("}\n");
  }

  @Test
  void appendsToAnExistingFileOfTheSameDayAfterARestart() throws Exception {
    TestClock clock = TestClock.at(Instant.now());
    JsonLinesFileSink a = new JsonLinesFileSink(dir.resolve("audit.jsonl"), 1 << 20, clock);
    a.write(batch(0, 2));
    a.close();
    JsonLinesFileSink b = new JsonLinesFileSink(dir.resolve("audit.jsonl"), 1 << 20, clock);
    b.write(batch(2, 2));
    b.close();
    assertThat(files()).containsExactly("audit.jsonl");
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(4);
  }

  @Test
  void aFileDeletedOrMovedByAnotherHandIsFollowedByANewOneAtThePath() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    JsonLinesFileSink sink = new JsonLinesFileSink(file, 1 << 20, Clock.systemUTC());
    sink.write(batch(0, 2));
    Files.delete(file);
    sink.write(batch(2, 2));
    assertThat(Files.readAllLines(file)).as("after a delete").hasSize(2)
        .allSatisfy(l -> assertThat(l).containsAnyOf("\"r-2\"", "\"r-3\""));
    // logrotate's default: rename, then the application is expected to write a new file
    Files.move(file, dir.resolve("audit.jsonl.1"));
    sink.write(batch(4, 1));
    sink.close();
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.1"))).hasSize(2);
    assertThat(Files.readAllLines(file)).as("after a rename").singleElement().asString()
        .contains("\"r-4\"");
  }
}
