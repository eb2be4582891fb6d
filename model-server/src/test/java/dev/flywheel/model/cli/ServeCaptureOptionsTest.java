package dev.flywheel.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** serve's --capture-* options (and --inference-threads): a bad one is a usage error with one line, checked before anything loads. */
class ServeCaptureOptionsTest {
  private static String[] serve(String... more) {
    String[] args = new String[3 + more.length];
    args[0] = "serve";
    args[1] = "--bundle";
    args[2] = "/nowhere/bundle";
    System.arraycopy(more, 0, args, 3, more.length);
    return args;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--capture-uri s3://captures/churn/|serve: --capture-uri s3://captures/churn/ is not supported: capture writes to a local directory for now",
      "--capture-uri pvc://claim/capture|serve: --capture-uri: pvc:// volumes are mounted by the operator",
      "--capture-uri https://example.invalid/c/|serve: --capture-uri 'https://example.invalid/c/': a local directory (a path or file://) is needed",
      "--capture-sample-rate 0.5|serve: --capture-sample-rate needs --capture-uri",
      "--capture-uri /tmp/c --capture-sample-rate 0|serve: --capture-sample-rate must be greater than 0.0 and at most 1.0, got 0",
      "--capture-uri /tmp/c --capture-max-pending 100001|serve: --capture-max-pending must be between 1 and 100000, got 100001",
      "--capture-uri /tmp/c --capture-max-rows-per-shard 0|serve: --capture-max-rows-per-shard must be between 1 and 100000000, got 0",
      "--capture-uri /tmp/c --capture-max-shard-age 0s|serve: --capture-max-shard-age must be longer than 0",
      "--capture-uri /tmp/c --capture-max-shard-age soon|serve: --capture-max-shard-age not a duration",
      "--inference-threads many|serve: --inference-threads must be auto or a whole number from 0 to 64, got 'many'",
      "--inference-threads -1|serve: --inference-threads must be auto or a whole number from 0 to 64, got '-1'",
      "--inference-threads 65|serve: --inference-threads must be between 0 and 64, got 65"})
  void badCaptureOptionsAreUsageErrors(String options, String message) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FlywheelModel.run(serve(options.split(" ")), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(FlywheelModel.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(message).doesNotContain("Exception");
  }

  @Test
  void aCaptureDirectoryThatCannotBeMadeIsAOneLineFailureAfterTheBundleLoads(@TempDir Path tmp) throws Exception {
    Path bundle = tmp.resolve("bundle");
    TrainingRun.run(SyntheticData.prices(tmp, 100, 1), "price", null, Task.regression,
        new TrainingOptions(List.of(4), 1, 32, 0.01, 1, 0.2), bundle);
    Path file = Files.writeString(tmp.resolve("in-the-way"), "x");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FlywheelModel.run(new String[] {"serve", "--bundle", bundle.toString(), "--port", "0", "--capture-uri", file.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(FlywheelModel.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("serve: cannot capture traffic to " + file + ": a file that is not a directory is in the way (" + file + ")");
  }

  @Test
  void theUsageNamesTheCaptureOptions() {
    assertThat(FlywheelModel.usage()).contains("--capture-uri <dir>").contains("--capture-max-shard-age 15m");
  }
}
