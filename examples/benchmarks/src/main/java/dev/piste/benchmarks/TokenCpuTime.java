package dev.piste.benchmarks;

import dev.piste.core.PisteConfig;
import dev.piste.core.token.JwtTokenVerifier;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * The same comparison as {@link TokenBenchmark}, measured in thread CPU time rather than wall time,
 * so that other processes competing for the cores do not blur a 10% difference. Alternates the
 * cases in rounds of 2,000 operations and prints the median and minimum per operation.
 *
 * <pre>java -cp examples/benchmarks/target/benchmarks.jar dev.piste.benchmarks.TokenCpuTime</pre>
 */
public final class TokenCpuTime {

  private interface Op {
    Object run(String token) throws Exception;
  }

  private static Object sink;

  private TokenCpuTime() {}

  public static void main(String[] args) throws Exception {
    RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId("bench-1");
    Path file = Files.createTempFile("bench-jwks", ".json");
    Files.writeString(file, "{\"keys\":[" + key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
        + "]}");
    String[] tokens = new String[256];
    for (int i = 0; i < tokens.length; i++) {
      JwtClaims c = new JwtClaims();
      c.setIssuer("https://idp.example");
      c.setAudience("invoices");
      c.setSubject("billing-app");
      c.setClaim("client_id", "billing-app");
      c.setClaim("scope", "invoices:read invoices:write");
      c.setIssuedAtToNow();
      c.setExpirationTime(NumericDate.fromSeconds(NumericDate.now().getValue() + 3600));
      c.setJwtId(UUID.randomUUID().toString());
      JsonWebSignature jws = new JsonWebSignature();
      jws.setPayload(c.toJson());
      jws.setKey(key.getPrivateKey());
      jws.setKeyIdHeaderValue("bench-1");
      jws.setHeader("typ", "at+jwt");
      jws.setAlgorithmHeaderValue("RS256");
      tokens[i] = jws.getCompactSerialization();
    }
    try (JwtTokenVerifier fresh = JwtTokenVerifier.create(config(file)
            .property("piste.token.cache-size", "1").build());
        JwtTokenVerifier cached = JwtTokenVerifier.create(config(file).build())) {
      JwtConsumer plain = new JwtConsumerBuilder()
          .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "RS256")
          .setVerificationKey(key.getPublicKey())
          .setRequireExpirationTime()
          .setRequireIssuedAt()
          .setRequireSubject()
          .setAllowedClockSkewInSeconds(30)
          .setExpectedIssuer("https://idp.example")
          .setExpectedAudience("invoices")
          .build();
      Map<String, Op> ops = new LinkedHashMap<>();
      ops.put("fresh token, PISTE verifier", fresh::verify);
      ops.put("fresh token, plain jose4j", plain::processToClaims);
      ops.put("repeated token, PISTE cache", t -> cached.verify(tokens[0]));
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      for (int w = 0; w < 5; w++) {
        for (Op op : ops.values()) {
          measure(mx, op, tokens, 20_000);
        }
      }
      Map<String, List<Double>> results = new LinkedHashMap<>();
      for (int round = 0; round < 15; round++) {
        for (Map.Entry<String, Op> e : ops.entrySet()) {
          results.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(measure(mx, e.getValue(), tokens, 2_000));
        }
      }
      for (Map.Entry<String, List<Double>> e : results.entrySet()) {
        List<Double> l = new ArrayList<>(e.getValue());
        Collections.sort(l);
        System.out.printf("%-30s median %8.2f us/op   min %8.2f us/op%n", e.getKey(),
            l.get(l.size() / 2), l.get(0));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static PisteConfig.Builder config(Path file) {
    return PisteConfig.defaults().toBuilder()
        .property("piste.token.jwk-file", file.toString())
        .property("piste.token.issuer", "https://idp.example")
        .property("piste.token.audience", "invoices");
  }

  private static double measure(ThreadMXBean mx, Op op, String[] tokens, int n) throws Exception {
    long start = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      sink = op.run(tokens[i % tokens.length]);
    }
    return (mx.getCurrentThreadCpuTime() - start) / 1000.0 / n;
  }
}
