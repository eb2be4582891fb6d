package dev.flywheel.model.data;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * A real S3-compatible server (s3rver, from npm; .ci/run installs it) on 127.0.0.1 with one bucket; objects are
 * uploaded with curl's own AWS Signature V4. s3rver checks the S3 protocol and access keys, not v4 signatures:
 * those are checked against AWS's published example.
 */
final class S3Fixture implements AutoCloseable {
  static final String ACCESS_KEY = "S3RVER";
  static final String SECRET_KEY = "S3RVER";

  private final Process server;
  private final int port;
  final String bucket;

  S3Fixture(Path directory, String bucket) throws Exception {
    Path binary = Path.of("/usr/bin/s3rver");
    if (!Files.isExecutable(binary) && !Files.isExecutable(Path.of("/usr/local/bin/s3rver"))) {
      if (System.getenv("CI") != null) {
        throw new IllegalStateException("s3rver is missing: .ci/run installs it with npm");
      }
      throw new TestAbortedException("s3rver is not installed (npm install -g s3rver@3.7.1)");
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    this.bucket = bucket;
    Files.createDirectories(directory);
    ProcessBuilder builder = new ProcessBuilder("s3rver", "-d", directory.toString(), "-a", "127.0.0.1", "-p", String.valueOf(port), "-s",
        "--no-vhost-buckets", "--configure-bucket", bucket)
        .redirectErrorStream(true).redirectOutput(directory.resolve("s3rver.log").toFile());
    // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and later) only has in its
    // legacy provider: without it every truncated listing is an HTTP 500.
    builder.environment().put("NODE_OPTIONS", "--openssl-legacy-provider");
    server = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IllegalStateException("s3rver did not start on port " + port);
  }

  /** The environment a pod gets from its referenced Secret, pointing at this server. */
  Map<String, String> env() {
    return Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:" + port, "AWS_REGION", "us-east-1",
        "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  /** Uploads a file with curl (an independent S3 client). */
  void put(String key, Path file) throws Exception {
    Process curl = new ProcessBuilder(List.of("curl", "-sS", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", ACCESS_KEY + ":" + SECRET_KEY,
        "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-T", file.toString(), "http://127.0.0.1:" + port + "/" + bucket + "/" + key))
        .redirectErrorStream(true).start();
    String output = new String(curl.getInputStream().readAllBytes());
    if (!curl.waitFor(30, TimeUnit.SECONDS) || curl.exitValue() != 0) {
      throw new IllegalStateException("upload of " + key + " failed: " + output);
    }
  }

  @Override
  public void close() {
    server.destroy();
  }
}
