package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.validation.RepoPaths;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's second command, ./sandbox, runs on this machine and shows what it promises: a trained, served, watched model. */
class SandboxIT {
  @TempDir Path tmp;

  @Test
  void sandboxTrainsServesAndShowsDriftRisingWhenTrafficShifts() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = tmp.resolve("sandbox.log");
    ProcessBuilder builder = new ProcessBuilder(RepoPaths.root().resolve("sandbox").toString())
        .directory(RepoPaths.root().toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("SANDBOX_PORT", String.valueOf(port));
    builder.environment().put("SANDBOX_DIR", tmp.resolve("sandbox").toString());
    Process sandbox = builder.start();
    assertThat(sandbox.waitFor(5, TimeUnit.MINUTES)).as("sandbox finishes").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(sandbox.exitValue()).as(output).isZero();

    assertThat(output).contains("\"status\":\"Succeeded\"").contains("\"digestMatch\":true");
    assertThat(tmp.resolve("sandbox/churn-v1/flywheel-model.sha256")).exists();
    Matcher psi = Pattern.compile("flywheel_feature_drift_psi\\{feature=\"tenure_months\",model=\"churn\",version=\"1\"} (\\S+)").matcher(output);
    assertThat(psi.find()).as(output).isTrue();
    double before = Double.parseDouble(psi.group(1));
    assertThat(psi.find()).as(output).isTrue();
    double after = Double.parseDouble(psi.group(1));
    assertThat(before).as("drift of training-like traffic").isLessThan(0.1);
    assertThat(after).as("drift after the shift").isGreaterThan(0.25);
    assertThat(output).containsPattern("flywheel_online_accuracy\\{model=\"churn\",version=\"1\"} 0\\.[5-9]");
  }
}
