package dev.piste.core.internal.ratelimit;

/** Where buckets live: in memory, or shared by every instance through Redis or PostgreSQL. */
public interface BucketStore extends AutoCloseable {

  /**
   * Takes {@code cost} tokens from the bucket {@code key} under these limits, all or nothing.
   *
   * @param now the engine clock, in epoch nanoseconds
   * @throws StoreException when the store failed or did not answer within its timeout
   */
  Verdict consume(String key, LimitSet limits, long cost, long now) throws StoreException;

  /** The API's id, once its description names it (see {@code Bucket4jSupport#apiDescribed}). */
  default void apiDescribed(String apiId) {}

  @Override
  default void close() {}
}
