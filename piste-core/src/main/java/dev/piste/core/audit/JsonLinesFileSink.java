package dev.piste.core.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each event as one JSON line to a file, for a log shipper. The file rotates when the next
 * batch would take it past {@code maxSize} and when the UTC day changes: {@code audit.jsonl}
 * becomes {@code audit.2026-11-28.1.jsonl} (the day of its content, then the first free number)
 * and a new {@code audit.jsonl} starts. Rotated files are never deleted: retention belongs to the
 * shipper. Each batch is handed to the operating system before {@link #write} returns (it survives
 * a crash of the process, not of the machine). When the file was moved or deleted by another hand
 * (an external logrotate, an operator), the next batch goes to a new file at the path, not to the
 * moved or deleted one.
 */
public final class JsonLinesFileSink implements AuditSink {

  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesFileSink.class);

  /** The write buffer: reused for every batch, direct so that the channel writes it as it is. */
  static final int BUFFER_SIZE = 64 * 1024;
  private static final byte[] NEWLINE = {'\n'};

  private final Path file;
  private final long maxSize;
  private final Clock clock;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
  private FileChannel out;
  /** The {@link #fileKey()} of the file {@link #out} was opened on. */
  private Object openedKey;
  private long size;
  private LocalDate day;

  public JsonLinesFileSink(Path file, long maxSize, Clock clock) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be positive");
    }
    this.maxSize = maxSize;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized void write(List<AuditEvent> batch) throws IOException {
    long total = 0;
    for (AuditEvent e : batch) {
      total += e.jsonLength() + 1;
    }
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (out != null && !stillTheFile()) {
      // moved or deleted by another hand (logrotate, an operator): what went on would be written
      // to a file nobody reads, or to no file at all
      LOG.warn("audit file {} was moved or deleted; writing to a new one", file);
      closeQuietly();
    }
    if (out == null) {
      open(today);
    }
    if (size > 0 && (size + total > maxSize || !today.equals(day))) {
      rotate();
      open(today);
    }
    long before = size;
    try {
      buffer.clear();
      for (AuditEvent e : batch) {
        int n = e.jsonLength() + 1;
        if (n > buffer.remaining()) {
          drain();
        }
        if (n > buffer.capacity()) {
          // the event and its newline in one write, so that no crash leaves it without one
          writeFully(ByteBuffer.wrap(e.toJsonBytes()), ByteBuffer.wrap(NEWLINE));
        } else {
          e.writeJson(buffer);
          buffer.put((byte) '\n');
        }
      }
      drain();
      size += total;
    } catch (IOException e) {
      // the batch is delivered again (from the spool): cut what part of it reached the file, so
      // that no torn line fuses with the next one
      try {
        out.truncate(before);
      } catch (IOException | RuntimeException ignored) {
        // the file stays as it is; the next write reopens it
      }
      closeQuietly();
      throw e;
    }
  }

  private void drain() throws IOException {
    buffer.flip();
    writeFully(buffer);
    buffer.clear();
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  private void writeFully(ByteBuffer... b) throws IOException {
    while (b[b.length - 1].hasRemaining()) {
      out.write(b);
    }
  }

  private void open(LocalDate today) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean tornTail = false;
    if (Files.exists(file) && Files.size(file) > 0) {
      size = Files.size(file);
      day = LocalDate.ofInstant(Files.getLastModifiedTime(file).toInstant(), ZoneOffset.UTC);
      tornTail = lastByte(file) != '\n';
    } else {
      // no file, or an empty one (however old): its content will be today's
      size = 0;
      day = today;
    }
    out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    openedKey = fileKey();
    if (tornTail) {
      // a line cut short by a crash: ended here, kept as its own (unparseable) line, so that the
      // next event does not fuse with it
      LOG.warn("audit file {} ended in an incomplete line; it is ended before the next event",
          file);
      try {
        writeFully(ByteBuffer.wrap(NEWLINE));
      } catch (IOException e) {
        closeQuietly();
        throw e;
      }
      size++;
    }
  }

  /** The file's last byte, or -1 when it has none. */
  private static int lastByte(Path f) throws IOException {
    try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
      long n = in.size();
      if (n == 0) {
        return -1;
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      while (one.hasRemaining()) {
        if (in.read(one, n - 1) < 0) {
          return -1;
        }
      }
      return one.get(0);
    }
  }

  /** Whether the path still names the file this sink has open (one stat call a batch). */
  private boolean stillTheFile() {
    Object key = fileKey();
    return key != null && (openedKey == null || key.equals(openedKey));
  }

  /** The file system's identity of the file at the path (its inode), or null when there is none. */
  private Object fileKey() {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      Object key = a.fileKey();
      // a file system without file keys: the path's existence is all that can be checked
      return key != null ? key : Boolean.TRUE;
    } catch (IOException e) {
      return null;
    }
  }

  private void rotate() throws IOException {
    closeQuietly();
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    for (int n = 1; ; n++) {
      Path target = file.resolveSibling(stem + "." + day + "." + n + ext);
      if (!Files.exists(target)) {
        Files.move(file, target);
        return;
      }
    }
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // the next write reopens the file
      }
      out = null;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
