package dev.piste.core.internal.token;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * RFC 8259 JSON without the leniencies of jose4j's parser: strict UTF-8 (no BOM, no invalid
 * sequences), no duplicate members, no leading zeros, no trailing commas or content, no comments.
 */
public final class StrictJson {
  private StrictJson() {}

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private static final com.fasterxml.jackson.databind.ObjectReader READER = MAPPER.reader();

  /** The JSON object in these UTF-8 bytes, or {@code null} when they are not exactly one. */
  public static JsonNode object(byte[] utf8) {
    if (!startsAnObject(utf8)) {
      return null;
    }
    try {
      JsonNode n = READER.readTree(utf8);
      return n != null && n.isObject() ? n : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static final com.fasterxml.jackson.core.JsonFactory FACTORY =
      com.fasterxml.jackson.core.JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** The outcome of {@link #scanClaims}. */
  public enum Scan { VALID, MALFORMED, BAD_TIME }

  /**
   * Checks, without building a tree, that these UTF-8 bytes are exactly one strict JSON object
   * whose top-level {@code exp}, {@code nbf} and {@code iat}, when present, are finite numbers of
   * at most 13 digits of seconds.
   */
  public static Scan scanClaims(byte[] utf8) {
    if (!startsAnObject(utf8)) {
      return Scan.MALFORMED;
    }
    try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(utf8)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return Scan.MALFORMED;
      }
      int depth = 1;
      while (depth > 0) {
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if (t == null) {
          return Scan.MALFORMED;
        }
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> {
            String name = p.currentName();
            if (depth == 1 && (name.equals("exp") || name.equals("nbf") || name.equals("iat"))) {
              com.fasterxml.jackson.core.JsonToken v = p.nextToken();
              if (v == null || !v.isNumeric()) {
                return Scan.BAD_TIME;
              }
              double d = p.getDoubleValue();
              if (!Double.isFinite(d) || Math.abs(d) > 1e13) {
                return Scan.BAD_TIME;
              }
            }
          }
          default -> { }
        }
      }
      return p.nextToken() == null ? Scan.VALID : Scan.MALFORMED;
    } catch (Exception e) {
      return Scan.MALFORMED;
    }
  }

  /** The object as a map of plain Java values (String, Number, Boolean, List, Map). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> toMap(JsonNode object) {
    return MAPPER.convertValue(object, Map.class);
  }

  /**
   * Strict UTF-8 whose first byte is {@code {}: no BOM, no leading whitespace, and so nothing that
   * Jackson's byte-source encoding detection could read as UTF-16 or UTF-32. The bytes are then
   * parsed as they are, without an intermediate String.
   */
  private static boolean startsAnObject(byte[] utf8) {
    return utf8.length > 0 && utf8[0] == '{' && validUtf8(utf8);
  }

  private static boolean validUtf8(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return utf8(bytes) != null;
      }
    }
    return true;
  }

  /** Strictly decoded UTF-8, or {@code null} on any malformed or unmappable sequence. */
  public static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
