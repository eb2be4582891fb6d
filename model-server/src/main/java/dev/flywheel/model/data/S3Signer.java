package dev.flywheel.model.data;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** AWS Signature Version 4 for S3 requests without a body or query (GET of an object). */
final class S3Signer {
  /** sha256 of an empty payload. */
  static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private S3Signer() {}

  /**
   * Returns the Authorization header for a request.
   *
   * @param path the URI path, already URI-encoded (each segment, '/' kept)
   * @param headers every header to sign, host and x-amz-date among them (names in any case)
   * @param amzDate the x-amz-date value, for example 20130524T000000Z
   */
  static String authorization(String method, String path, Map<String, String> headers, String amzDate, String region,
      String accessKey, String secretKey) {
    return authorization(method, path, "", headers, amzDate, region, accessKey, secretKey);
  }

  /** The same, for a request with a query string, given in canonical form (see {@link #canonicalQuery}). */
  static String authorization(String method, String path, String canonicalQuery, Map<String, String> headers, String amzDate,
      String region, String accessKey, String secretKey) {
    Map<String, String> canonical = new TreeMap<>();
    headers.forEach((name, value) -> canonical.put(name.toLowerCase(Locale.ROOT), value.trim().replaceAll("\\s+", " ")));
    String signedHeaders = String.join(";", canonical.keySet());
    String canonicalRequest = method + "\n" + path + "\n" + canonicalQuery + "\n"
        + canonical.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n").collect(Collectors.joining())
        + "\n" + signedHeaders + "\n" + canonical.getOrDefault("x-amz-content-sha256", EMPTY_PAYLOAD);
    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/s3/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, "s3");
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, stringToSign));
    return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature;
  }

  /** The canonical query string: parameters sorted by name, names and values URI-encoded ('/' too). */
  static String canonicalQuery(Map<String, String> parameters) {
    return new TreeMap<>(parameters).entrySet().stream()
        .map(e -> encode(e.getKey(), false) + "=" + encode(e.getValue(), false))
        .collect(Collectors.joining("&"));
  }

  /** URI-encodes an object key for the canonical path: every byte but unreserved characters and '/'. */
  static String encodePath(String path) {
    return encode(path, true);
  }

  private static String encode(String path, boolean keepSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks HmacSHA256", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
