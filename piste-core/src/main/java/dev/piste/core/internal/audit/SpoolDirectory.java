package dev.piste.core.internal.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The spool directory this process owns, locked with a {@code .lock} file so that two processes
 * never share one. When {@code piste.audit.spool-dir} is held by another live process (two
 * instances on one host), the next free slot {@code <dir>.1}, {@code <dir>.2}, ... is used; a
 * restarted instance takes the first free slot and re-delivers what is in it.
 *
 * <p>A slot that exists and that no live process holds is an orphan: a process stopped while
 * another held the slot before it, so no restart takes it. {@link #orphans()} locks such slots so
 * that this process delivers what they hold, once: while it holds a slot's lock no other process
 * reads it. An emptied orphan keeps its directory and {@code .lock} file: removing a lock file that
 * another process may be opening at that moment could let two processes hold the same slot.
 *
 * <p>The slots this JVM holds are remembered, and their lock files are never opened again here:
 * closing any channel of a locked file releases the JVM's lock on it on some systems.
 */
final class SpoolDirectory implements Closeable {

  private static final int SLOTS = 32;
  /** The slots held in this JVM, by absolute path. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  private final Path base;
  private final int slot;
  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  /** The holders of an orphan slot: the scan that found it, and each channel delivering from it. */
  private final AtomicInteger users = new AtomicInteger(1);

  private SpoolDirectory(Path base, int slot, Path dir, FileChannel channel, FileLock lock) {
    this.base = base;
    this.slot = slot;
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  static SpoolDirectory acquire(Path base) throws IOException {
    IOException last = null;
    for (int i = 0; i < SLOTS; i++) {
      try {
        SpoolDirectory d = tryLock(base, i, true);
        if (d != null) {
          return d;
        }
      } catch (IOException e) {
        last = e;
      }
    }
    throw last != null ? last : new IOException("every audit spool slot is locked");
  }

  /**
   * The other slots of this one's base that exist and that no live process holds, each locked by
   * this process until {@link #unshare()} has been called once more than {@link #share()}.
   */
  List<SpoolDirectory> orphans() {
    List<SpoolDirectory> found = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      if (i == slot || !Files.isDirectory(slotPath(base, i))) {
        continue;
      }
      try {
        SpoolDirectory d = tryLock(base, i, false);
        if (d != null) {
          found.add(d);
        }
      } catch (IOException e) {
        // unusable: left alone, as acquire leaves it
      }
    }
    return found;
  }

  private static Path slotPath(Path base, int i) {
    return i == 0 ? base : base.resolveSibling(base.getFileName() + "." + i);
  }

  private static SpoolDirectory tryLock(Path base, int i, boolean create) throws IOException {
    Path dir = slotPath(base, i);
    Path key = dir.toAbsolutePath().normalize();
    if (!HELD.add(key)) {
      return null;
    }
    FileChannel ch = null;
    try {
      if (create) {
        Files.createDirectories(dir);
      }
      ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l != null) {
        SpoolDirectory d = new SpoolDirectory(base, i, dir, ch, l);
        ch = null;
        return d;
      }
      HELD.remove(key);
      return null;
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    } finally {
      if (ch != null) {
        ch.close();
      }
    }
  }

  Path dir() {
    return dir;
  }

  /** One more holder of this orphan slot, which calls {@link #unshare()} when done with it. */
  void share() {
    users.incrementAndGet();
  }

  /** A holder is done with this orphan slot: the last one releases its lock. */
  void unshare() {
    if (users.decrementAndGet() == 0) {
      try {
        close();
      } catch (IOException e) {
        // the lock goes with the channel at the latest when the process ends
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      try {
        channel.close();
      } finally {
        HELD.remove(dir.toAbsolutePath().normalize());
      }
    }
  }
}
