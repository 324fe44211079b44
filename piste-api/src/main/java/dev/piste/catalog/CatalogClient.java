package dev.piste.catalog;

import java.io.IOException;
import java.util.List;

/**
 * Registers an API and one running instance of it in a catalog. The engine calls
 * {@link #register} from a background thread at start-up and then as a heartbeat every third of
 * the registration's TTL, retrying with backoff when it throws; {@link #deregister} once on clean
 * shutdown. Implementations must be idempotent and thread-safe, and never put a credential in an
 * exception message.
 *
 * <p>The default implementation, {@code dev.piste.core.catalog.HttpCatalogClient}, speaks the
 * HTTP protocol of the reference catalog.
 */
@FunctionalInterface
public interface CatalogClient {

  /**
   * Makes sure the catalog holds this API version (uploading it only when the catalog does not
   * already hold the same content hash) and this instance, renewing the instance's lifetime.
   */
  void register(CatalogRegistration registration) throws IOException;

  /** Removes the instance from the catalog; by default does nothing (it expires with its TTL). */
  default void deregister(CatalogRegistration registration) throws IOException {}

  /** A client that registers nowhere. */
  static CatalogClient none() {
    return registration -> {};
  }

  /** A client that registers in every one of these catalogs, in order; the first failure stops it. */
  static CatalogClient all(CatalogClient... clients) {
    List<CatalogClient> list = List.of(clients);
    return new CatalogClient() {
      @Override
      public void register(CatalogRegistration registration) throws IOException {
        for (CatalogClient c : list) {
          c.register(registration);
        }
      }

      @Override
      public void deregister(CatalogRegistration registration) throws IOException {
        for (CatalogClient c : list) {
          c.deregister(registration);
        }
      }
    };
  }
}
