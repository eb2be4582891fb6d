package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.CsvTable;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.capture.CaptureSettings;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic capture through the real server over HTTP: rows joined with their /v1/feedback labels, answers unchanged. */
class CaptureServerTest {
  @TempDir Path tmp;

  /** One request sent: its id, the row's values (repeated rows times). */
  private record Sent(String id, double tenure, double charges, int calls, String contract, int rows) {}

  @Test
  void scoredRowsAreJoinedWithTheirFeedbackAndWrittenWithTheTrainingHeader() throws Exception {
    TrainingRun.run(SyntheticData.churn(tmp, 600, 3), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 5, 0.2), tmp.resolve("churn"));
    Path dir = tmp.resolve("capture");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (ModelBundle churn = ModelBundle.open(tmp.resolve("churn"), null, "auto")) {
      TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir).withLimits(1_000, 1_000, Duration.ofHours(1)),
          churn.metadata(), new PrintStream(log, true));
      ModelServer server = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "churn", "cap"), churn.metadata(), churn.digest(),
          churn.engine(), churn::score, capture);
      List<String> expected = new ArrayList<>();
      try {
        ServerHarness http = new ServerHarness(server.start());
        server.warmUpAndMarkReady();
        Random random = new Random(9);
        String[] contracts = {"month-to-month", "one-year", "two-year"};
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          Sent s = new Sent("req-" + i, 1 + random.nextInt(72), Math.round(2000 + random.nextDouble() * 10000) / 100.0, random.nextInt(8),
              contracts[random.nextInt(3)], 1 + random.nextInt(3));
          sent.add(s);
          HttpResponse<String> answer = http.post("/v2/models/churn/infer", ModelServerTest.named(s.rows(), s.tenure(), s.charges(), s.calls(), s.contract(), s.id()));
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          float p = churn.score(new float[][] {churn.pipeline().encode(new Object[] {s.tenure(), s.charges(), (double) s.calls(), s.contract()})})[0][0];
          assertThat(ModelServerTest.json(answer).path("outputs").get(0).path("data").get(1).asDouble()).as("capture does not change the answer")
              .isCloseTo(p, Offset.offset(1e-6));
        }
        assertThat(http.metric("flywheel_capture_pending_rows{model=\"churn\",version=\"cap\"}"))
            .isEqualTo(sent.stream().mapToInt(Sent::rows).sum());

        for (int i = sent.size() - 1; i >= 2; i--) {
          Sent s = sent.get(i);
          List<String> labels = new ArrayList<>();
          for (int r = 0; r < s.rows(); r++) {
            labels.add((i + r) % 3 == 0 ? "yes" : "no");
            expected.add(String.format(Locale.ROOT, "%d,%s,%d,%s,%s", (long) s.tenure(), number(s.charges()), s.calls(), s.contract(), labels.get(r)));
          }
          String body = "{\"id\": \"" + s.id() + "\", \"labels\": [\"" + String.join("\", \"", labels) + "\"]}";
          HttpResponse<String> fed = http.post("/v1/feedback", body);
          assertThat(fed.statusCode()).as(fed.body()).isEqualTo(200);
          assertThat(ModelServerTest.json(fed).path("accepted").asInt()).isEqualTo(s.rows());
        }
        assertThat(http.metric("flywheel_feedback_window_rows{model=\"churn\",version=\"cap\"}")).as("online accuracy as before")
            .isEqualTo(expected.size());

        // An array whose second item is refused: the first item's label is taken once, the second's later when it is right.
        Sent first = sent.get(0);
        Sent second = sent.get(1);
        String good = "{\"id\": \"" + first.id() + "\", \"labels\": " + repeat("\"yes\"", first.rows()) + "}";
        String bad = "{\"id\": \"" + second.id() + "\", \"labels\": " + repeat("\"maybe\"", second.rows()) + "}";
        assertThat(http.post("/v1/feedback", "[" + good + ", " + bad + "]").statusCode()).isEqualTo(400);
        for (int r = 0; r < first.rows(); r++) {
          expected.add(String.format(Locale.ROOT, "%d,%s,%d,%s,yes", (long) first.tenure(), number(first.charges()), first.calls(), first.contract()));
        }
        assertThat(http.post("/v1/feedback", "[" + good + ", " + bad.replace("maybe", "no") + "]").statusCode()).isEqualTo(200);
        for (int r = 0; r < second.rows(); r++) {
          expected.add(String.format(Locale.ROOT, "%d,%s,%d,%s,no", (long) second.tenure(), number(second.charges()), second.calls(), second.contract()));
        }
        assertThat(http.metric("flywheel_capture_pending_rows{model=\"churn\",version=\"cap\"}")).isZero();
        assertThat(http.metric("flywheel_capture_rows_total{model=\"churn\",result=\"expired\",version=\"cap\"}")).isZero();
      } finally {
        server.close();
      }
      List<Path> shards;
      try (Stream<Path> files = Files.list(dir)) {
        shards = files.toList();
      }
      assertThat(shards).hasSize(1);
      String text = Files.readString(shards.get(0));
      List<String> lines = text.lines().toList();
      assertThat(lines.get(0)).as("the training data's header").isEqualTo("tenure_months,monthly_charges,support_calls,contract,churned");
      assertThat(lines.subList(1, lines.size())).containsExactlyElementsOf(expected);
      assertThat(CsvTable.read(new StringReader(text)).rows()).hasSize(expected.size());
      assertThat(capture.counts().rows("captured")).isEqualTo(expected.size());
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String repeat(String item, int n) {
    return "[" + String.join(", ", java.util.Collections.nCopies(n, item)) + "]";
  }
}
