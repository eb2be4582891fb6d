package dev.flywheel.sandbox.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's JVM flags as the image and the chart give them, read from a checkout. */
class ImageJvmOptionsTest {
  @TempDir Path checkout;

  private void write(String entrypoint, String memoryLimit) throws IOException {
    Files.createDirectories(checkout.resolve("images/operator"));
    Files.writeString(checkout.resolve("images/operator/Containerfile"), "FROM base\nCOPY app/ /opt/app/\nENTRYPOINT " + entrypoint + "\n");
    Files.createDirectories(checkout.resolve("helm/flywheel"));
    Files.writeString(checkout.resolve("helm/flywheel/values.yaml"),
        "resources:\n  requests:\n    memory: 128Mi\n  limits:\n    memory: " + memoryLimit + "\n");
  }

  @Test
  void theChartsLimitBecomesMaxRamAndTheSerialCollectorIsWhatTheJvmPicksInASmallContainer() throws IOException {
    write("[\"java\", \"-XX:MaxRAMPercentage=60\", \"-Xss512k\", \"-jar\", \"/opt/app/quarkus-run.jar\", \"--flag\"]", "768Mi");

    assertThat(ImageJvmOptions.of(checkout))
        .containsExactly("-XX:MaxRAM=768m", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=60", "-Xss512k");
  }

  @Test
  void aCollectorTheImageNamesIsKeptAndGibibytesAreConverted() throws IOException {
    write("[\"java\", \"-XX:+UseG1GC\", \"-jar\", \"/opt/app/quarkus-run.jar\"]", "2Gi");

    assertThat(ImageJvmOptions.of(checkout)).containsExactly("-XX:MaxRAM=2048m", "-XX:+UseG1GC");
  }

  @Test
  void aLimitInAnotherUnitIsRefusedNamingIt() throws IOException {
    write("[\"java\", \"-jar\", \"/opt/app/quarkus-run.jar\"]", "512M");

    assertThatThrownBy(() -> ImageJvmOptions.of(checkout)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("512M is not in Mi or Gi");
  }
}
