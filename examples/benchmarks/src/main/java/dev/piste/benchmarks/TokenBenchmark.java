package dev.piste.benchmarks;

import dev.piste.core.PisteConfig;
import dev.piste.core.token.JwtTokenVerifier;
import dev.piste.token.TokenVerification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * RS256 validation cost: a fresh token through {@link JwtTokenVerifier} (every hardening step, a
 * cache miss each time) against a plain jose4j {@link JwtConsumer} on the same tokens, and a
 * repeated token through the verified-token cache.
 *
 * <pre>java -jar examples/benchmarks/target/benchmarks.jar TokenBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TokenBenchmark {

  private static final String ISSUER = "https://idp.example";
  private static final String AUDIENCE = "invoices";
  private static final int TOKENS = 256;

  private String[] tokens;
  private int next;
  private JwtTokenVerifier fresh;
  private JwtTokenVerifier cached;
  private JwtConsumer plain;
  private Path keyFile;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId("bench-1");
    keyFile = Files.createTempFile("bench-jwks", ".json");
    Files.writeString(keyFile, "{\"keys\":[" + key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
        + "]}");
    tokens = new String[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      tokens[i] = sign(key);
    }
    // a cache of one entry cycling through 256 tokens: every verification is a miss
    fresh = JwtTokenVerifier.create(config().property("piste.token.cache-size", "1").build());
    cached = JwtTokenVerifier.create(config().build());
    plain = new JwtConsumerBuilder()
        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "RS256")
        .setVerificationKey(key.getPublicKey())
        .setRequireExpirationTime()
        .setRequireIssuedAt()
        .setRequireSubject()
        .setAllowedClockSkewInSeconds(30)
        .setExpectedIssuer(ISSUER)
        .setExpectedAudience(AUDIENCE)
        .build();
    if (!fresh.verify(tokens[0]).isVerified() || !cached.verify(tokens[0]).isVerified()) {
      throw new IllegalStateException("the benchmark tokens do not verify");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    fresh.close();
    cached.close();
    Files.deleteIfExists(keyFile);
  }

  private PisteConfig.Builder config() {
    return PisteConfig.defaults().toBuilder()
        .property("piste.token.jwk-file", keyFile.toString())
        .property("piste.token.issuer", ISSUER)
        .property("piste.token.audience", AUDIENCE);
  }

  private static String sign(RsaJsonWebKey key) throws Exception {
    JwtClaims c = new JwtClaims();
    c.setIssuer(ISSUER);
    c.setAudience(AUDIENCE);
    c.setSubject("billing-app");
    c.setClaim("client_id", "billing-app");
    c.setClaim("scope", "invoices:read invoices:write");
    c.setIssuedAtToNow();
    c.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() + 3600));
    c.setJwtId(UUID.randomUUID().toString());
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(c.toJson());
    jws.setKey(key.getPrivateKey());
    jws.setKeyIdHeaderValue(key.getKeyId());
    jws.setHeader("typ", "at+jwt");
    jws.setAlgorithmHeaderValue("RS256");
    return jws.getCompactSerialization();
  }

  private String nextToken() {
    String t = tokens[next];
    next = (next + 1) % TOKENS;
    return t;
  }

  /** Every hardening step and a cache miss: format checks, strict JSON, jose4j, caller, cache put. */
  @Benchmark
  public TokenVerification freshTokenThroughVerifier() {
    return fresh.verify(nextToken());
  }

  /** jose4j alone, as most applications use it. */
  @Benchmark
  public JwtClaims freshTokenThroughPlainJose4j() throws InvalidJwtException {
    return plain.processToClaims(nextToken());
  }

  /** The same token again: SHA-256 of the token and a map lookup. */
  @Benchmark
  public TokenVerification repeatedTokenThroughCache() {
    return cached.verify(tokens[0]);
  }
}
