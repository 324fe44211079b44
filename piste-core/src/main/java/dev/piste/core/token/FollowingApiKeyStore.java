package dev.piste.core.token;

import dev.piste.Caller;
import dev.piste.token.ApiKeyStore;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of {@link FileApiKeyStore#follow}: a {@link FileApiKeyStore} snapshot of the file,
 * replaced when the file changes.
 *
 * <p>Why the check is on the lookup path rather than on a thread of its own. A lookup when no check
 * is due adds one {@link Clock#millis} and one volatile read to the fixed store's lookup, and
 * allocates nothing. At most once per {@link #CHECK_INTERVAL_MILLIS}, the lookup that claims the
 * check (a compare-and-set: the others go on at once with the current snapshot, never waiting)
 * stats the file, one system call for its last-modified time, size and file key, and reads the file
 * only when they differ from those of the last read. A background thread would take even the clock
 * read off the lookup, but a thread has to be stopped, and {@link ApiKeyStore} has no {@code
 * close}: an application that drops the store (a redeployed web application) would keep the thread
 * and its class loader. A check handed to another thread by the lookup would leave that lookup
 * answering from the old keys: after hours without traffic, the first request with a revoked key
 * would still be let in. Checked before the answer, a key removed from the file is refused by every
 * lookup that begins once the check that follows the change has run. The cost is that the one
 * lookup that finds the file changed waits for its read (the same read as at start-up, of one short
 * line per key), and that on a stalled network file system the one lookup that checks waits with
 * it, while the others answer.
 *
 * <p>A read that fails (a malformed line, a file missing, unreadable or not UTF-8) keeps the last
 * good keys and logs one warning naming the file and the line numbers, never a line's content or
 * a hash; the file is used again once it is valid. The check after a read reads once more even
 * when the stat is unchanged, so that a rewrite within the file system's timestamp granularity
 * that keeps the size is not missed.
 */
final class FollowingApiKeyStore implements ApiKeyStore {

  private static final Logger LOG = LoggerFactory.getLogger(FollowingApiKeyStore.class);

  /** How often, at most, the file is looked at. */
  static final long CHECK_INTERVAL_MILLIS = 1000;

  /** What a stat tells about the file: when it changes, the file is read again. */
  private record Stamp(FileTime modified, long size, Object fileKey) {
    static Stamp of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    }
  }

  private final Path file;
  private final Clock clock;
  private volatile FileApiKeyStore current;
  private volatile long lastCheck;
  /** Held by the lookup that checks; it guards (and orders) the fields below. */
  private final AtomicBoolean checking = new AtomicBoolean();
  /** The stamp of the last read, good or malformed; null to read at the next check. */
  private Stamp readStamp;
  /** Why the content of the last read is not in use, or null when it is. */
  private String readFailure;
  /** Whether the next check reads even when the stamp is unchanged. */
  private boolean readAgain;
  /** The failure last logged, and the stamp it was logged for; null when the file is in use. */
  private String failure;
  private Stamp failedStamp;

  /** Reads the file as {@link FileApiKeyStore#read} does: a missing or malformed file throws. */
  FollowingApiKeyStore(Path file, Clock clock) throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lastCheck = clock.millis();
    // stat before reading: a change in between makes the next check read again
    this.readStamp = Stamp.of(file);
    this.current = FileApiKeyStore.read(file);
    this.readAgain = true;
  }

  @Override
  public Optional<Caller> find(String apiKey) {
    long now = clock.millis();
    long last = lastCheck;
    // a clock set back checks at once rather than after the time it went back
    if (now - last >= CHECK_INTERVAL_MILLIS || now < last) {
      check();
    }
    return current.find(apiKey);
  }

  /** Checks the file unless another lookup is checking it; reads it when it changed. */
  private void check() {
    if (!checking.compareAndSet(false, true)) {
      return;
    }
    try {
      long now = clock.millis();
      long last = lastCheck;
      if (now - last < CHECK_INTERVAL_MILLIS && now >= last) {
        return; // another lookup checked since this one read the clock
      }
      lastCheck = now;
      Stamp stamp;
      try {
        stamp = Stamp.of(file);
      } catch (IOException e) {
        failed(null, cannotBeRead(e));
        return;
      }
      boolean changed = !stamp.equals(readStamp);
      if (!changed && !readAgain) {
        if (failure != null && !failure.equals(readFailure)) {
          // back, as it was last read, after being missing or unreadable
          if (readFailure == null) {
            LOG.info("API key file {} is back unchanged: {} keys", file, current.size());
          }
          failure = readFailure;
          failedStamp = readFailure == null ? null : stamp;
        }
        return;
      }
      readStamp = stamp;
      readAgain = changed;
      FileApiKeyStore fresh;
      try {
        fresh = FileApiKeyStore.read(file);
      } catch (CharacterCodingException e) {
        readFailure = "API key file " + file + " is not UTF-8 text";
        failed(stamp, readFailure);
        return;
      } catch (IOException e) {
        readStamp = null;
        failed(stamp, cannotBeRead(e));
        return;
      } catch (IllegalArgumentException e) {
        // the message names the file and the lines, never their content
        readFailure = e.getMessage();
        failed(stamp, readFailure);
        return;
      }
      current = fresh;
      readFailure = null;
      if (failure != null) {
        LOG.info("API key file {} is valid again: {} keys", file, fresh.size());
      } else if (changed) {
        LOG.info("API key file {} changed: {} keys", file, fresh.size());
      }
      failure = null;
      failedStamp = null;
    } finally {
      checking.set(false);
    }
  }

  private String cannotBeRead(IOException e) {
    return "API key file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")";
  }

  /** Logs a failure once: again only for another failure, or the same one of another file. */
  private void failed(Stamp stamp, String message) {
    if (!message.equals(failure) || !Objects.equals(stamp, failedStamp)) {
      LOG.warn("{} (the {} keys read before stay in use)", message, current.size());
    }
    failure = message;
    failedStamp = stamp;
  }

  /** Names the store by size only. */
  @Override
  public String toString() {
    return "FileApiKeyStore[" + current.size() + " keys, following its file]";
  }
}
