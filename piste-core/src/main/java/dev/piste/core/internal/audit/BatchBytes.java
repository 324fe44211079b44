package dev.piste.core.internal.audit;

/**
 * The byte budget of one batch: its events as one JSON array (brackets and commas included) take
 * at most {@link #MAX} bytes, unless the batch is a single event. The dispatcher cuts batches by
 * it, the spool reads by it and the HTTP sink posts by it, so that a run of large events (captured
 * bodies) never makes one buffer of gigabytes.
 */
public final class BatchBytes {

  /** Largest JSON array of a batch of more than one event. */
  public static final long MAX = 8L << 20;

  private long size = 2;
  private int count;

  /** Whether an event whose JSON has this length may join the batch. */
  public boolean fits(long jsonLength) {
    return count == 0 || size + 1 + jsonLength <= MAX;
  }

  public void add(long jsonLength) {
    size += count++ == 0 ? jsonLength : jsonLength + 1;
  }

  /** The bytes of the JSON array of the events added so far. */
  public long size() {
    return size;
  }

  public void clear() {
    size = 2;
    count = 0;
  }
}
