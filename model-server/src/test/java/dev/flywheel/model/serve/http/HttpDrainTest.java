package dev.flywheel.model.serve.http;

import static dev.flywheel.model.serve.http.RawHttp.connect;
import static dev.flywheel.model.serve.http.RawHttp.read;
import static dev.flywheel.model.serve.http.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.model.serve.http.RawHttp.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** close() drains on a real loopback port: it serves on through the grace, then answers what is in progress and closes. */
class HttpDrainTest {
  private static final Duration GRACE = Duration.ofMillis(800);

  @Test
  void closeServesThroughTheGraceThenAnswersWhatIsInProgressAndCloses() throws Exception {
    HttpTransport transport = new HttpTransport(HttpTransportTest.settings(2, 1000).withDrain(GRACE, Duration.ofSeconds(5)), call -> {
      byte[] answer = call.path().getBytes(StandardCharsets.UTF_8);
      if (call.path().equals("/slow")) {
        CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS).execute(() -> call.respond(200, "text/plain", answer));
      } else {
        call.respond(200, "text/plain", answer);
      }
    });
    int port = transport.start();
    try (Socket busy = connect(port); Socket idle = connect(port)) {
      InputStream busyIn = new BufferedInputStream(busy.getInputStream());
      InputStream idleIn = new BufferedInputStream(idle.getInputStream());
      send(busy, "GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
      send(idle, "GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(busyIn).status()).isEqualTo(200);
      assertThat(read(idleIn).status()).isEqualTo(200);

      long closeStarted = System.nanoTime();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(transport::close);
      Thread.sleep(GRACE.toMillis() / 4);
      try (Socket late = connect(port)) {
        send(late, "GET /during-grace HTTP/1.1\r\nHost: x\r\n\r\n");
        Response during = read(new BufferedInputStream(late.getInputStream()));
        assertThat(during.body()).as("new connections are served during the grace").isEqualTo("/during-grace");
        assertThat(during.headers()).doesNotContainKey("connection");
      }
      Thread.sleep(GRACE.toMillis() / 2);
      send(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); // still in the grace; answered after it ends
      Response slow = read(busyIn);
      assertThat(slow.body()).isEqualTo("/slow");
      assertThat(Duration.ofNanos(System.nanoTime() - closeStarted)).as("answered after the grace").isGreaterThan(GRACE);
      assertThat(slow.headers()).as("the last answer of a drained connection says so").containsEntry("connection", "close");
      assertThat(busyIn.read()).isEqualTo(-1);

      assertThat(idleIn.read()).as("a connection with nothing in progress is closed after the grace").isEqualTo(-1);
      assertThatThrownBy(() -> connect(port).close()).as("the listener is closed after the grace").isInstanceOf(IOException.class);
      closing.get(5, TimeUnit.SECONDS);
    } finally {
      transport.close();
    }
  }
}
