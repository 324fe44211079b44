package dev.piste.core.internal.audit;

import dev.piste.audit.AuditEvent;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable spool of one sink: append-only segment files {@code 00000000000000000001.seg} in one
 * directory, and a {@code cursor} file naming the first record not yet delivered.
 *
 * <p>A record is a 4-byte big-endian payload length, the 4-byte CRC32C of the payload, then the
 * payload (the event's UTF-8 JSON). A record whose length runs past the end of its segment or
 * whose checksum does not match is a torn write (a crash mid-append): it and whatever follows it
 * in that segment are skipped, the records before it are kept. Each process appends to a new
 * segment, so an old segment's torn tail is never appended to. A failed append is truncated away.
 * A segment that cannot be opened or read (deleted by a temporary-file cleaner, a disk error) is
 * skipped like a torn tail, from the first record not yet delivered: its events are lost; the
 * records after it are delivered. Every skip is counted once, in records when they could be
 * counted and in bytes otherwise, on the {@link LossReporter} (the {@code piste.audit.loss} log),
 * however often an undelivered stretch is read again.
 *
 * <p>Delivered segments are deleted. The cursor is replaced atomically after each delivered batch;
 * a crash between a delivery and its cursor update re-delivers that batch (at least once).
 * Not thread-safe: the owning {@link SinkChannel} serializes access.
 */
final class Spool implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  static final int HEADER = 8;
  static final int MAX_RECORD = 16 << 20;
  private static final long SEGMENT_SIZE = 16L << 20;
  private static final int CHUNK = 256 << 10;
  private static final int WRITE_CHUNK = 1 << 20;
  private static final String SUFFIX = ".seg";

  /** Where the next undelivered record is. */
  record Position(long segment, long offset) {}

  /** Events read from the spool, and the position just after them. */
  record Batch(List<AuditEvent> events, Position end) {}

  private final Path dir;
  private final String name;
  private final SpoolBudget budget;
  private final AuditStats stats;
  private final LossReporter losses;
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private final CRC32C crc = new CRC32C();
  private FileChannel writer;
  private long writeSegment;
  private long writeSize;
  private Position committed;
  private FileChannel reader;
  private long readerSegment = -1;
  private ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
  private long chunkStart = -1;
  private int chunkLength;
  private final boolean broken;
  /** Skips before this position were counted: a read that is not committed is read again. */
  private Position counted = new Position(0, 0);

  /** A spool that cannot be written: every append fails, so every would-be spooled event is counted lost. */
  static Spool unavailable(String name, AuditStats stats) {
    return new Spool(name, stats);
  }

  private Spool(String name, AuditStats stats) {
    this.dir = null;
    this.name = name;
    this.budget = new SpoolBudget(0);
    this.stats = stats;
    this.losses = new LossReporter();
    this.committed = new Position(0, 0);
    this.broken = true;
  }

  Spool(Path dir, String name, SpoolBudget budget, AuditStats stats, LossReporter losses)
      throws IOException {
    this.dir = dir;
    this.name = name;
    this.budget = budget;
    this.stats = stats;
    this.losses = losses;
    this.broken = false;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        try {
          long n = Long.parseLong(f.substring(0, f.length() - SUFFIX.length()));
          long size = Files.size(p);
          segments.put(n, size);
          budget.add(size);
        } catch (NumberFormatException e) {
          LOG.warn("audit spool {}: ignoring unexpected file {}", name, f);
        }
      }
    }
    this.committed = readCursor();
    this.writeSegment = segments.isEmpty() ? Math.max(1, committed.segment()) : segments.lastKey();
    for (Long n : new ArrayList<>(segments.headMap(committed.segment()).keySet())) {
      deleteSegment(n);
    }
    if (!isEmpty()) {
      LOG.info("audit spool {}: undelivered events found in {}, re-delivering them", name, dir);
    }
  }

  /**
   * The bytes of the segment files in a spool directory, without opening it: 0 when it does not
   * exist or holds none.
   */
  static long segmentBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long total = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : ds) {
        try {
          total += Files.size(p);
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  /** Whether appends can succeed at all (a directory could be opened). */
  boolean usable() {
    return !broken;
  }

  /** Whether every appended record was delivered. */
  boolean isEmpty() {
    Map.Entry<Long, Long> last = segments.lastEntry();
    if (last == null) {
      return true;
    }
    if (last.getKey() < committed.segment()) {
      return true;
    }
    return last.getKey() == committed.segment() && committed.offset() >= last.getValue();
  }

  /**
   * Appends the events in order, as many as the spool's maximum size leaves room for: returns how
   * many were appended (the rest is the caller's loss to count). Throws, having appended none,
   * when the disk refuses the write.
   */
  int append(List<AuditEvent> events) throws IOException {
    if (broken) {
      throw new IOException("audit spool unavailable");
    }
    int count = 0;
    long total = 0;
    for (AuditEvent e : events) {
      if (!budget.tryReserve(HEADER + e.jsonLength())) {
        break;
      }
      count++;
      total += HEADER + e.jsonLength();
    }
    write(List.of(events.subList(0, count)), total);
    return count;
  }

  /**
   * Appends all the events of the batches in order or, when the spool's maximum size leaves no
   * room for all of them, none: returns whether it did. Throws, having appended none, when the
   * disk refuses the write.
   */
  boolean appendAll(List<List<AuditEvent>> batches) throws IOException {
    if (broken) {
      throw new IOException("audit spool unavailable");
    }
    long total = 0;
    for (List<AuditEvent> batch : batches) {
      for (AuditEvent e : batch) {
        total += HEADER + e.jsonLength();
      }
    }
    if (!budget.tryReserve(total)) {
      return false;
    }
    write(batches, total);
    return true;
  }

  /**
   * Writes the events of the batches, whose {@code total} bytes are reserved, as records; on
   * failure releases them, truncates what was written and throws. Each event's JSON goes straight
   * into the write buffer, in pieces of at most {@link #WRITE_CHUNK} (or one record): a backlog of
   * large events never needs a copy of itself, nor one buffer of its whole size.
   */
  private void write(List<List<AuditEvent>> batches, long total) throws IOException {
    if (total == 0) {
      return;
    }
    try {
      if (writer == null || (writeSize > 0 && writeSize + total > SEGMENT_SIZE)) {
        roll();
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(total, WRITE_CHUNK));
      for (List<AuditEvent> batch : batches) {
        for (AuditEvent e : batch) {
          int length = e.jsonLength();
          if (buf.remaining() < HEADER + length) {
            flush(buf);
            if (buf.capacity() < HEADER + length) {
              buf = ByteBuffer.allocate(HEADER + length);
            }
          }
          int at = buf.position();
          buf.position(at + HEADER);
          e.writeJson(buf);
          crc.reset();
          crc.update(buf.array(), at + HEADER, length);
          buf.putInt(at, length).putInt(at + 4, (int) crc.getValue());
        }
      }
      flush(buf);
      writeSize += total;
      segments.put(writeSegment, writeSize);
    } catch (IOException | RuntimeException e) {
      stats.spoolWriteErrors.incrementAndGet();
      budget.release(total);
      abandonPartialWrite();
      throw e;
    }
  }

  private void flush(ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      writer.write(buf);
    }
    buf.clear();
  }

  private void roll() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
    long next = Math.max(writeSegment, committed.segment()) + 1;
    if (!segments.isEmpty()) {
      next = Math.max(next, segments.lastKey() + 1);
    }
    writer = FileChannel.open(segmentPath(next), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    writeSegment = next;
    writeSize = 0;
    segments.put(next, 0L);
  }

  private void abandonPartialWrite() {
    if (writer == null) {
      return;
    }
    try {
      writer.truncate(writeSize);
    } catch (IOException e) {
      // the next append starts a new segment; the reader skips this one's torn tail
      try {
        writer.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
      writer = null;
    }
  }

  /**
   * Reads up to {@code max} undelivered events from the committed position, no more than {@link
   * BatchBytes} allow (at least one); does not move it.
   */
  Batch read(int max) throws IOException {
    List<AuditEvent> out = new ArrayList<>(Math.min(max, 1024));
    BatchBytes bytes = new BatchBytes();
    long seg = committed.segment();
    long off = committed.offset();
    while (out.size() < max) {
      Long s = segments.ceilingKey(seg);
      if (s == null) {
        break;
      }
      if (s != seg) {
        seg = s;
        off = 0;
      }
      long size = segments.get(seg);
      if (off >= size) {
        Long next = segments.higherKey(seg);
        if (next == null) {
          break;
        }
        seg = next;
        off = 0;
        continue;
      }
      ByteBuffer header;
      int len;
      int sum;
      ByteBuffer payload;
      try {
        header = readAt(seg, off, HEADER, size);
        len = header == null ? -1 : header.getInt();
        sum = header == null ? 0 : header.getInt();
        if (len > 0 && !bytes.fits(len)) {
          break;
        }
        payload = len > 0 && len <= MAX_RECORD ? readAt(seg, off + HEADER, len, size) : null;
      } catch (IOException e) {
        unreadable(seg, off, size, e);
        continue;
      }
      if (payload == null || checksum(payload) != sum) {
        if (firstSkip(seg, off, size)) {
          LOG.warn("audit spool {}: torn record at offset {} of segment {} skipped with the rest of"
              + " that segment (crash mid-write); the records before it are kept", name, off, seg);
          stats.tornRecords.incrementAndGet();
          losses.skippedBytes(name, size - off, "a torn record and the rest of segment " + seg);
        }
        off = size;
        continue;
      }
      try {
        out.add(AuditEventJson.parse(payload.array(), payload.arrayOffset() + payload.position(),
            len));
        bytes.add(len);
      } catch (IOException | RuntimeException e) {
        if (firstSkip(seg, off, off + HEADER + len)) {
          LOG.warn("audit spool {}: unreadable record at offset {} of segment {} skipped", name,
              off, seg);
          stats.tornRecords.incrementAndGet();
          losses.skippedRecords(name, 1);
        }
      }
      off += HEADER + len;
    }
    return new Batch(out, new Position(seg, off));
  }

  /**
   * A segment that cannot be opened or read: what is left of it from {@code off} is lost, said so
   * once, and it is dropped from the spool (its bytes no longer count against the spool's maximum
   * size), so that reading goes on with the next segment. A file still there is deleted once the
   * cursor has passed it, at the next start. When it is the segment being appended to, the next
   * append starts a new one rather than write into a file that may be gone.
   */
  private void unreadable(long seg, long off, long size, IOException e) {
    if (reader != null && readerSegment == seg) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // it is dropped all the same
      }
      reader = null;
    }
    readerSegment = -1;
    chunkStart = -1;
    if (writer != null && writeSegment == seg) {
      try {
        writer.close();
      } catch (IOException ignored) {
        // the next append rolls to a new segment all the same
      }
      writer = null;
    }
    segments.remove(seg);
    budget.release(size);
    stats.unreadableSegments.incrementAndGet();
    LOG.warn("audit spool {}: segment {} cannot be read ({}); its undelivered events ({} bytes from"
        + " offset {}) are skipped and delivery goes on with the next segment", name, seg,
        e.getClass().getName(), size - off, off);
    losses.skippedBytes(name, size - off, "segment " + seg + " cannot be read ("
        + e.getClass().getName() + ")");
  }

  /**
   * Whether a skip from {@code off} of a segment is seen for the first time (then what is skipped
   * up to {@code end} is marked counted): a read that is not committed is read again.
   */
  private boolean firstSkip(long seg, long off, long end) {
    if (seg < counted.segment() || seg == counted.segment() && off < counted.offset()) {
      return false;
    }
    counted = new Position(seg, end);
    return true;
  }

  private int checksum(ByteBuffer payload) {
    crc.reset();
    crc.update(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
    return (int) crc.getValue();
  }

  /** {@code len} bytes at {@code pos} of a segment, or {@code null} when they run past its end. */
  private ByteBuffer readAt(long seg, long pos, int len, long size) throws IOException {
    if (pos + len > size) {
      return null;
    }
    if (readerSegment != seg) {
      if (reader != null) {
        reader.close();
        reader = null;
        readerSegment = -1;
      }
      reader = FileChannel.open(segmentPath(seg), StandardOpenOption.READ);
      readerSegment = seg;
      chunkStart = -1;
    }
    if (chunkStart < 0 || pos < chunkStart || pos + len > chunkStart + chunkLength) {
      if (chunk.capacity() < len) {
        chunk = ByteBuffer.allocate(len);
      }
      chunk.clear();
      int want = (int) Math.min(chunk.capacity(), size - pos);
      chunk.limit(want);
      while (chunk.hasRemaining()) {
        if (reader.read(chunk, pos + chunk.position()) < 0) {
          break;
        }
      }
      chunkStart = pos;
      chunkLength = chunk.position();
      if (chunkLength < len) {
        chunkStart = -1;
        return null;
      }
    }
    return ByteBuffer.wrap(chunk.array(), (int) (pos - chunkStart), len).slice();
  }

  /** Marks everything before {@code end} as delivered and deletes finished segments. */
  void commit(Position end) throws IOException {
    if (broken) {
      return;
    }
    committed = end;
    writeCursor(end);
    for (Long n : new ArrayList<>(segments.headMap(end.segment()).keySet())) {
      if (n != writeSegment || writer == null) {
        deleteSegment(n);
      }
    }
    if (isEmpty() && writer != null && end.segment() == writeSegment) {
      writer.close();
      writer = null;
      deleteSegment(writeSegment);
    } else if (isEmpty() && writer == null) {
      for (Long n : new ArrayList<>(segments.keySet())) {
        deleteSegment(n);
      }
    }
  }

  private void deleteSegment(long n) throws IOException {
    if (readerSegment == n && reader != null) {
      reader.close();
      reader = null;
      readerSegment = -1;
    }
    Long size = segments.remove(n);
    Files.deleteIfExists(segmentPath(n));
    if (size != null) {
      budget.release(size);
    }
  }

  private Path segmentPath(long n) {
    return dir.resolve(String.format("%020d", n) + SUFFIX);
  }

  private Position readCursor() {
    try {
      byte[] b = Files.readAllBytes(dir.resolve("cursor"));
      if (b.length == 20) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        long seg = buf.getLong();
        long off = buf.getLong();
        crc.reset();
        crc.update(b, 0, 16);
        if (buf.getInt() == (int) crc.getValue()) {
          return new Position(seg, off);
        }
      }
      LOG.warn("audit spool {}: damaged cursor, re-delivering the whole spool", name);
    } catch (NoSuchFileException e) {
      // a fresh spool
    } catch (IOException e) {
      LOG.warn("audit spool {}: unreadable cursor ({}), re-delivering the whole spool", name,
          e.getClass().getName());
    }
    return new Position(segments.isEmpty() ? 0 : segments.firstKey(), 0);
  }

  private void writeCursor(Position p) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(20).putLong(p.segment()).putLong(p.offset());
    crc.reset();
    crc.update(buf.array(), 0, 16);
    buf.putInt((int) crc.getValue());
    Path tmp = dir.resolve("cursor.tmp");
    Files.write(tmp, buf.array());
    try {
      Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Closes a spool whose every record was delivered and removes its files and its directory (a
   * directory holding anything else stays). A spool with undelivered records is only closed.
   */
  void closeAndRemove() throws IOException {
    boolean empty = !broken && isEmpty();
    close();
    if (!empty) {
      return;
    }
    for (Long n : new ArrayList<>(segments.keySet())) {
      deleteSegment(n);
    }
    Files.deleteIfExists(dir.resolve("cursor"));
    Files.deleteIfExists(dir.resolve("cursor.tmp"));
    try {
      Files.deleteIfExists(dir);
    } catch (DirectoryNotEmptyException e) {
      // something else is in it: left as it is
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
