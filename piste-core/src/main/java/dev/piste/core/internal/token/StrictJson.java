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
    String text = utf8(utf8);
    if (text == null || text.isEmpty() || text.charAt(0) == '\uFEFF') {
      return null;
    }
    try {
      JsonNode n = READER.readTree(text);
      return n != null && n.isObject() ? n : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** The object as a map of plain Java values (String, Number, Boolean, List, Map). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> toMap(JsonNode object) {
    return MAPPER.convertValue(object, Map.class);
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
