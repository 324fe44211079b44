package dev.piste.core.internal.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The spool directory this process owns, locked with a {@code .lock} file so that two processes
 * never share one. When {@code piste.audit.spool-dir} is held by another live process (two
 * instances on one host), the next free slot {@code <dir>.1}, {@code <dir>.2}, ... is used; a
 * restarted instance takes the first free slot and re-delivers what is in it.
 */
final class SpoolDirectory implements Closeable {

  private static final int SLOTS = 32;
  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private SpoolDirectory(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  static SpoolDirectory acquire(Path base) throws IOException {
    IOException last = null;
    for (int i = 0; i < SLOTS; i++) {
      Path dir = i == 0 ? base : base.resolveSibling(base.getFileName() + "." + i);
      try {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock l;
        try {
          l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          l = null;
        }
        if (l != null) {
          return new SpoolDirectory(dir, ch, l);
        }
        ch.close();
      } catch (IOException e) {
        last = e;
      }
    }
    throw last != null ? last : new IOException("every audit spool slot is locked");
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
