package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class BodyCaptureTest {

  private static BodyCapture.Policy policy(String... kv) {
    Map<String, String> m = new java.util.HashMap<>();
    m.put("piste.audit.body.enabled", "true");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return BodyCapture.Policy.of(PisteConfig.of(m));
  }

  private static BodyCapture feed(BodyCapture c, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    c.write(b, 0, b.length);
    return c;
  }

  @Test
  void captureIsOffByDefault() {
    assertThat(BodyCapture.Policy.of(PisteConfig.defaults()).start("application/json")).isNull();
  }

  @Test
  void onlyConfiguredContentTypesAreCaptured() {
    BodyCapture.Policy p = policy();
    assertThat(p.start("application/json; charset=UTF-8")).isNotNull();
    assertThat(p.start("text/plain")).isNull();
    assertThat(p.start(null)).isNull();
    assertThat(policy("piste.audit.body.content-types", "text/*").start("text/csv")).isNotNull();
  }

  @Test
  void redactsConfiguredJsonFieldsAtAnyDepthWhateverTheirCase() {
    String out = feed(policy().start("application/json"),
        "{\"user\":\"bob\",\"Password\":\"hunter2\",\"card\":{\"card_number\":\"4111\"},"
            + "\"secret\":{\"a\":[1,2]},\"items\":[{\"token\":\"t\"}],\"n\":1.5}").redacted();
    assertThat(out).isEqualTo("{\"user\":\"bob\",\"Password\":\"***\",\"card\":{\"card_number\":"
        + "\"***\"},\"secret\":\"***\",\"items\":[{\"token\":\"***\"}],\"n\":1.5}");
  }

  @Test
  void credentialFieldsAreRedactedWhateverTheirCaseAndSeparators() {
    String out = feed(policy().start("application/json"),
        "{\"accessToken\":\"at1\",\"clientSecret\":\"cs1\",\"refresh-token\":\"rt1\","
            + "\"newPassword\":\"pw1\",\"ID_TOKEN\":\"it1\",\"codeVerifier\":\"cv1\","
            + "\"subject_token\":\"st1\",\"actorToken\":\"ak1\",\"client_assertion\":\"ca1\","
            + "\"assertion\":\"as1\",\"code\":\"c1\",\"device_code\":\"dc1\","
            + "\"user\":{\"oldPassword\":\"pw2\",\"cardNumber\":\"4111\"},\"x-api-key\":\"k1\","
            + "\"token_type\":\"Bearer\",\"postCode\":\"75001\",\"grant_type\":\"password\"}")
        .redacted();
    assertThat(out).doesNotContain("at1", "cs1", "rt1", "pw1", "it1", "cv1", "st1", "ak1", "ca1",
        "as1", "\"c1\"", "dc1", "pw2", "4111", "k1");
    assertThat(out).contains("\"accessToken\":\"***\"", "\"newPassword\":\"***\"",
        "\"token_type\":\"Bearer\"", "\"postCode\":\"75001\"", "\"grant_type\":\"password\"");
  }

  @Test
  void oauthCredentialsInAFormBodyAreRedacted() {
    BodyCapture c = feed(policy("piste.audit.body.content-types",
        "application/x-www-form-urlencoded").start("application/x-www-form-urlencoded"),
        "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP"
            + "&client_assertion=eyJhbGci&clientSecret=s3cr3t&redirect_uri=https%3A%2F%2Fapp");
    assertThat(c.redacted()).isEqualTo("grant_type=authorization_code&code=***&code_verifier=***"
        + "&client_assertion=***&clientSecret=***&redirect_uri=https%3A%2F%2Fapp");
  }

  @Test
  void aBodyCutAtTheMaximumSizeKeepsOnlyCompleteTokensSoNoValueLeaksHalfWritten() {
    BodyCapture c = feed(policy("piste.audit.body.max-size", "40").start("application/json"),
        "{\"user\":\"bob\",\"note\":\"abcdefghijklmnopqrstuvwxyz\",\"password\":\"hunter2\"}");
    assertThat(c.truncated()).isTrue();
    String out = c.redacted();
    assertThat(out).startsWith("{\"user\":\"bob\"").doesNotContain("hunter2")
        .doesNotContain("abcdefghijklmnopqrstuvwxyz");
  }

  @Test
  void aCutJustAfterARedactedFieldNameStillWritesNoValue() {
    String body = "{\"a\":1,\"password\":\"hunter2\"}";
    BodyCapture c = feed(policy("piste.audit.body.max-size", Integer.toString(body.indexOf("hun") + 3))
        .start("application/json"), body);
    assertThat(c.redacted()).doesNotContain("hun");
  }

  @Test
  void bodiesThatAreNotJsonDespiteTheirContentTypeAreNotWritten() {
    // no body field at all, rather than an empty one
    assertThat(feed(policy().start("application/json"), "password=hunter2").redacted()).isNull();
  }

  @Test
  void formBodiesAreRedactedByParameterName() {
    BodyCapture c = feed(policy("piste.audit.body.content-types",
        "application/x-www-form-urlencoded").start("application/x-www-form-urlencoded"),
        "user=bob&pass%77ord=hunter2&iban=FR76&x");
    assertThat(c.redacted()).as("the bare x, no field, left out")
        .isEqualTo("user=bob&pass%77ord=***&iban=***");
  }

  /** The body cut after {@code cut} bytes by a maximum size of that many. */
  private static BodyCapture cutAt(String body, int cut) {
    return feed(policy("piste.audit.body.max-size", Integer.toString(cut))
        .start("application/json"), body);
  }

  @Test
  void aNumberThatRunsToTheCutIsNotWrittenForItsDigitsMayGoOn() {
    String body = "{\"user\":\"bob\",\"amount\":1234567890,\"n\":[1,2]}";
    BodyCapture c = cutAt(body, body.indexOf("1234") + 4);
    assertThat(c.truncated()).isTrue();
    assertThat(c.redacted()).isEqualTo("{\"user\":\"bob\",\"amount\":null}");
    String floats = "[1.5,-0.5e10]";
    assertThat(cutAt(floats, floats.indexOf("-0.5") + 4).redacted()).isEqualTo("[1.5]");
  }

  @Test
  void aNumberFollowedByItsDelimiterBeforeTheCutIsComplete() {
    String body = "{\"amount\":1234,\"note\":\"abcdef\"}";
    assertThat(cutAt(body, body.indexOf(",") + 1).redacted()).isEqualTo("{\"amount\":1234}");
  }

  @Test
  void aBodyThatBreaksPartwayIsNotWrittenAtAll() {
    BodyCapture c = feed(policy().start("application/json"),
        "{\"user\":\"bob\", password: \"hunter2\"}");
    assertThat(c.truncated()).isFalse();
    assertThat(c.redacted()).isNull();
    assertThat(feed(policy().start("application/json"), "{\"user\":\"bob\"").redacted())
        .as("ended before its object, without a cut").isNull();
  }

  @Test
  void jsonSentAsAnotherCapturedContentTypeIsRedactedAsJson() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/json, text/plain");
    assertThat(feed(p.start("text/plain"), " {\"user\":\"bob\",\"password\":\"hunter2\"}")
        .redacted()).isEqualTo("{\"user\":\"bob\",\"password\":\"***\"}");
    assertThat(feed(p.start("text/plain"), "[{\"password\":\"hunter2\"").redacted())
        .as("not JSON after all: not written").isNull();
    assertThat(feed(p.start("text/plain"), "plain words").redacted()).isEqualTo("plain words");
  }

  @Test
  void formFieldsNamedWithBracketsAreRedactedByEachPartOfTheirName() {
    BodyCapture c = feed(policy("piste.audit.body.content-types",
        "application/x-www-form-urlencoded").start("application/x-www-form-urlencoded"),
        "user[name]=bob&user[password]=hunter2&password[0]=x&password%5B%5D=y&client_secret=abc");
    assertThat(c.redacted()).isEqualTo("user[name]=bob&user[password]=***&password[0]=***"
        + "&password%5B%5D=***&client_secret=***");
  }

  @Test
  void formFieldsNamedWithDotsAreRedactedByEachPartOfTheirName() {
    BodyCapture c = feed(policy("piste.audit.body.content-types",
        "application/x-www-form-urlencoded").start("application/x-www-form-urlencoded"),
        "user.name=bob&user.password=hunter2&account.iban=FR76&v1.0=ok");
    assertThat(c.redacted()).isEqualTo("user.name=bob&user.password=***&account.iban=***&v1.0=ok");
  }

  @Test
  void jsonThatOpensWithAByteOrderMarkIsRedactedAsJsonInEveryCapturedContentType() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/json, text/plain");
    String body = "\uFEFF{\"user\":\"bob\",\"password\":\"hunter2\"}";
    assertThat(feed(p.start("text/plain"), body).redacted())
        .isEqualTo("{\"user\":\"bob\",\"password\":\"***\"}");
    assertThat(feed(p.start("application/json"), body).redacted())
        .isEqualTo("{\"user\":\"bob\",\"password\":\"***\"}");
    String cut = "\uFEFF{\"user\":\"bob\",\"amount\":1234567890}";
    int max = cut.getBytes(StandardCharsets.UTF_8).length - 8;
    assertThat(feed(policy("piste.audit.body.max-size", Integer.toString(max))
        .start("application/json"), cut).redacted())
        .as("a number that runs to the cut, counted after the mark").isEqualTo(
            "{\"user\":\"bob\",\"amount\":null}");
  }

  @Test
  void aCutBodyThatBreaksBeforeTheCutIsNotWrittenAtAll() {
    String unquoted = "{\"user\":\"bob\", password: \"hunter2\", \"note\": \"abcdefgh\"}";
    BodyCapture c = cutAt(unquoted, 40);
    assertThat(c.truncated()).isTrue();
    assertThat(c.redacted()).isNull();
    String noColon = "{\"a\":1} {\"password\" hunter2, \"note\": \"abcdefgh\"}";
    assertThat(cutAt(noColon, 40).redacted()).isNull();
  }

  @Test
  void aCutBodyKeepsItsCompleteTokensWhereverTheCutFalls() {
    String body = "{\"a\":1,\"ok\":true,\"n\":1.5e3,\"s\":\"x\\u0041y\",\"l\":[null,false]}";
    // after a comma, and within a literal, a number's fraction or exponent and an escape
    assertThat(cutAt(body, body.indexOf(",") + 1).redacted()).isEqualTo("{\"a\":1}");
    assertThat(cutAt(body, body.indexOf("tru") + 3).redacted())
        .isEqualTo("{\"a\":1,\"ok\":null}");
    assertThat(cutAt(body, body.indexOf("1.") + 2).redacted())
        .isEqualTo("{\"a\":1,\"ok\":true,\"n\":null}");
    assertThat(cutAt(body, body.indexOf("e3") + 1).redacted())
        .isEqualTo("{\"a\":1,\"ok\":true,\"n\":null}");
    assertThat(cutAt(body, body.indexOf("\\u00") + 4).redacted())
        .isEqualTo("{\"a\":1,\"ok\":true,\"n\":1500.0,\"s\":null}");
    assertThat(cutAt(body, body.indexOf("fal") + 3).redacted())
        .isEqualTo("{\"a\":1,\"ok\":true,\"n\":1500.0,\"s\":\"xAy\",\"l\":[null]}");
  }

  @Test
  void aCutInsideARedactedValueWritesOnlyTheMask() {
    String body = "{\"a\":1,\"secret\":{\"k\":[\"hunter2\",{\"x\":\"y\"}]},\"b\":2}";
    assertThat(cutAt(body, body.indexOf("hunter2") + 3).redacted())
        .isEqualTo("{\"a\":1,\"secret\":\"***\"}");
    assertThat(cutAt(body, body.indexOf(",\"b\"") + 1).redacted())
        .isEqualTo("{\"a\":1,\"secret\":\"***\"}");
  }

  private static BodyCapture feed(BodyCapture c, String body, java.nio.charset.Charset charset) {
    return bytes(c, body.getBytes(charset));
  }

  @Test
  void textAndFormBodiesAreReadInTheirDeclaredCharsetSoTheirCredentialsAreFound() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types",
        "application/json, text/plain, application/x-www-form-urlencoded");
    String json = "{\"user\":\"bob\",\"password\":\"hunter2\"}";
    String redactedJson = "{\"user\":\"bob\",\"password\":\"***\"}";
    assertThat(feed(p.start("text/plain; charset=UTF-16"), json, StandardCharsets.UTF_16)
        .redacted()).as("UTF-16 with its byte-order mark").isEqualTo(redactedJson);
    assertThat(feed(p.start("text/plain;charset=\"utf-16le\""), json, StandardCharsets.UTF_16LE)
        .redacted()).as("UTF-16LE without a mark").isEqualTo(redactedJson);
    assertThat(feed(p.start("text/plain"), "\uFEFF" + json, StandardCharsets.UTF_16LE)
        .redacted()).as("no charset, a UTF-16LE mark").isEqualTo(redactedJson);
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=UTF-16BE"),
        "user=bob&password=hunter2", StandardCharsets.UTF_16BE).redacted())
        .as("a form sent as UTF-16 text: no container reads it as a form; not written").isNull();
    assertThat(feed(p.start("text/plain; charset=ISO-8859-1"), "caf\u00e9",
        StandardCharsets.ISO_8859_1).redacted()).isEqualTo("caf\u00e9");
    assertThat(feed(p.start("application/json"), json, StandardCharsets.UTF_16LE).redacted())
        .as("JSON in UTF-16, found by its first bytes").isEqualTo(redactedJson);
    assertThat(feed(p.start("text/plain"), json, StandardCharsets.UTF_16LE).redacted())
        .as("the same as text/plain").isEqualTo(redactedJson);
    assertThat(feed(p.start("text/plain; charset=UTF-16BE"), json, StandardCharsets.UTF_16BE)
        .redacted()).as("UTF-16BE: its first byte is not the brace").isEqualTo(redactedJson);
  }

  /** As a servlet container reads it: split on the ASCII delimiters, names decoded in the charset. */
  @Test
  void aFormWhoseNamesArePercentEncodedInItsCharsetIsRedactedByThoseNames() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/x-www-form-urlencoded");
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=UTF-16BE"),
        "user=bob&%00p%00a%00s%00s%00w%00o%00r%00d=%00h%00u%00n%00t%00e%00r%002").redacted())
        .isEqualTo("user=bob&%00p%00a%00s%00s%00w%00o%00r%00d=***");
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=ISO-8859-1"),
        "mot_de_passe=x&pass%E9=y&password=z").redacted())
        .isEqualTo("mot_de_passe=x&pass%E9=y&password=***");
    assertThat(feed(p.start("application/x-www-form-urlencoded"), "a=1&%zz=2&password=3")
        .redacted()).as("a malformed escape: that pair left out").isEqualTo("a=1&password=***");
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=UTF-16BE"),
        "\u4e00\u4e01", StandardCharsets.UTF_16BE).redacted())
        .as("no '=' once read: no form whose fields could be found").isNull();
  }

  @Test
  void aFormWithRawNonAsciiNamesIsReadInItsEncodingWithItsEscapes() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/x-www-form-urlencoded",
        "piste.audit.redact-body-fields", "\u043f\u0430\u0440\u043e\u043b\u044c, contrase\u00f1a");
    // curl -d sends the names as they are, in UTF-8
    assertThat(feed(p.start("application/x-www-form-urlencoded"),
        "user=bob&\u043f\u0430\u0440\u043e\u043b\u044c=hunter2&contrase\u00f1a=hunter3").redacted())
        .isEqualTo("user=bob&\u043f\u0430\u0440\u043e\u043b\u044c=***&contrase\u00f1a=***");
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=ISO-8859-1"),
        "contrase%F1a=hunter2&note=caf\u00e9", StandardCharsets.ISO_8859_1).redacted())
        .as("an escape read in the declared charset beside a raw byte")
        .isEqualTo("contrase%F1a=***&note=caf\u00e9");
  }

  @Test
  void aFormLabelledWithACharsetThatReadsItsAsciiNamesOtherwiseIsStillRedacted() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/x-www-form-urlencoded");
    for (String cs : List.of("UTF-16", "UTF-16BE", "UTF-16LE")) {
      assertThat(feed(p.start("application/x-www-form-urlencoded; charset=" + cs),
          "user=bob&password=hunter2").redacted()).as(cs).isEqualTo("user=bob&password=***");
    }
  }

  @Test
  void jsonSentAsAFormIsRedactedAsJsonAndABareFormPairIsLeftOut() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types", "application/x-www-form-urlencoded");
    assertThat(feed(p.start("application/x-www-form-urlencoded"),
        "{\"user\":\"bob\",\"password\":\"hunter2\"}").redacted())
        .isEqualTo("{\"user\":\"bob\",\"password\":\"***\"}");
    assertThat(feed(p.start("application/x-www-form-urlencoded"), "a=1&eyJhbGciOiJIUzI1NiJ9.e30.x&b=2")
        .redacted()).as("no field, maybe a credential").isEqualTo("a=1&b=2");
  }

  /** Inputs a container reads as a form with a password field, each once written with it. */
  @Test
  void aFormIsReadFromItsBytesAsAContainerReadsItWhateverItsMarkOrItsJson() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types",
        "application/x-www-form-urlencoded", "piste.audit.redact-body-fields", "contrase\u00f1a");
    byte[] marked = concat(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '='},
        "&password=hunter2&".getBytes(StandardCharsets.US_ASCII));
    assertThat(bytes(p.start("application/x-www-form-urlencoded; charset=ISO-8859-1"), marked)
        .redacted()).as("a UTF-16 mark in a Latin-1 form").isNull();
    assertThat(bytes(p.start("application/x-www-form-urlencoded"), concat(
        "contrase".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3},
        "%B1a=hunter2".getBytes(StandardCharsets.US_ASCII))).redacted())
        .as("a raw lead byte and an escaped continuation byte").doesNotContain("hunter2");
    assertThat(bytes(p.start("application/x-www-form-urlencoded; charset=ISO-8859-1"), concat(
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
        "x=1&contrase".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xF1},
        "a=hunter2".getBytes(StandardCharsets.US_ASCII))).redacted())
        .as("a UTF-8 mark before a Latin-1 name").doesNotContain("hunter2");
    assertThat(feed(p.start("application/x-www-form-urlencoded"),
        "{\"a\":\"x\",\"b\":\"&password=hunter2&c=\"}").redacted())
        .as("JSON whose form reading has a password field: not written").isNull();
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=UTF-16"),
        "{\"note\":\"a=b\",\"password\":\"hunter2\"}", StandardCharsets.UTF_16).redacted())
        .as("UTF-16 JSON sent as a form").isNull();
    assertThat(feed(p.start("application/x-www-form-urlencoded"),
        "user=bob&!password=hunter2&_password=x").redacted())
        .as("Spring's default-value and marker prefixes").isEqualTo("user=bob&!password=***&_password=***");
  }

  @Test
  void jsonFieldsAreRedactedByEachPartOfTheirNameToo() {
    assertThat(feed(policy().start("application/json"),
        "{\"user.password\":\"hunter2\",\"user[password]\":\"h2\",\"note\":\"ok\"}").redacted())
        .isEqualTo("{\"user.password\":\"***\",\"user[password]\":\"***\",\"note\":\"ok\"}");
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static BodyCapture bytes(BodyCapture c, byte[] body) {
    c.write(body, 0, body.length);
    return c;
  }

  @Test
  void textThatCannotBeReadIsNotWrittenForItsCredentialsCouldNotBeFound() {
    BodyCapture.Policy p = policy("piste.audit.body.content-types",
        "text/plain, application/x-www-form-urlencoded");
    String json = "{\"user\":\"bob\",\"password\":\"hunter2\"}";
    assertThat(feed(p.start("text/plain"), "note: " + json, StandardCharsets.UTF_16LE).redacted())
        .as("UTF-16 without a mark or a charset").isNull();
    assertThat(feed(p.start("text/plain"), "note: " + json, StandardCharsets.UTF_16BE).redacted())
        .isNull();
    assertThat(feed(p.start("application/x-www-form-urlencoded; charset=UTF-8"),
        "user=bob&password=hunter2", StandardCharsets.UTF_16BE).redacted())
        .as("a charset that is not the body's").isNull();
    assertThat(p.start("text/plain; charset=x-no-such-charset")).isNull();
    assertThat(p.start("text/plain; charset=\"bad name\"")).isNull();
    assertThat(p.start("text/plain; charset=Shift_JIS"))
        .as("a charset the JVM has, outside the known ones").isNull();
    assertThat(p.start("text/plain; charset=latin1")).as("an alias").isNotNull();
    assertThat(p.start("text/plain; charset=\"UTF8\"")).isNotNull();
  }
}
