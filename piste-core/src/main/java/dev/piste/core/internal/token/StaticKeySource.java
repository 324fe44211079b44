package dev.piste.core.internal.token;

import dev.piste.token.TokenFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jose4j.jwk.PublicJsonWebKey;

/** Keys read once from a JWK set, JWK or PEM public key file ({@code piste.token.jwk-file}). */
public final class StaticKeySource implements KeySource {

  private final List<PublicJsonWebKey> keys;

  public StaticKeySource(List<PublicJsonWebKey> keys) {
    this.keys = List.copyOf(keys);
  }

  public static StaticKeySource read(Path file) throws IOException {
    return new StaticKeySource(JwkSets.parseFile(Files.readAllBytes(file), file.toString()));
  }

  @Override
  public Lookup lookup(String kid, String alg) {
    PublicJsonWebKey k = JwkSets.select(keys, kid, alg);
    return k != null ? Lookup.of(k.getKey()) : Lookup.failed(TokenFailure.UNKNOWN_KEY);
  }

  @Override
  public long generation() {
    return 0;
  }
}
