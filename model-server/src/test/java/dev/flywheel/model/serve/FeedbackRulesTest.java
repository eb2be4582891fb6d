package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /v1/feedback over HTTP on a real port cannot be replayed or forged: a request id takes labels once (409 after),
 * only ids this server scored are labelled (404 otherwise), a body is taken whole or not at all, and a refused body
 * changes neither online accuracy nor its window.
 */
class FeedbackRulesTest {
  private static final String ACCURACY = "flywheel_online_accuracy{model=\"churn\",version=\"fb\"}";
  private static final String WINDOW = "flywheel_feedback_window_rows{model=\"churn\",version=\"fb\"}";
  private static final String CORRECT = "flywheel_feedback_total{model=\"churn\",result=\"correct\",version=\"fb\"}";
  private static final String INCORRECT = "flywheel_feedback_total{model=\"churn\",result=\"incorrect\",version=\"fb\"}";

  @TempDir static Path tmp;
  private static ModelBundle churn;
  private static ModelServer server;
  private static ServerHarness http;

  @BeforeAll
  static void trainAndServe() throws Exception {
    TrainingRun.run(SyntheticData.churn(tmp, 600, 8), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(8), 3, 32, 0.01, 1, 0.2), tmp.resolve("churn"));
    churn = ModelBundle.open(tmp.resolve("churn"), null, "auto");
    server = new ModelServer(ServerSettings.defaults("127.0.0.1", 0, "churn", "fb").withWindows(100, 1000), churn.metadata(), churn.digest(),
        churn.engine(), churn::score);
    http = new ServerHarness(server.start());
    server.warmUpAndMarkReady();
  }

  @AfterAll
  static void stop() {
    server.close();
    churn.close();
  }

  /** Scores one row under the id; returns the class the server predicted. */
  private static String score(String id) throws Exception {
    HttpResponse<String> answer = http.post("/v2/models/churn/infer", ModelServerTest.named(1, 5, 90, 4, "month-to-month", id));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return ModelServerTest.json(answer).path("outputs").get(1).path("data").get(0).asText();
  }

  private static String other(String label) {
    return label.equals("yes") ? "no" : "yes";
  }

  /** The feedback metrics that a refused body must leave alone. */
  private static List<Double> state() throws Exception {
    return List.of(http.metric(ACCURACY), http.metric(WINDOW), http.metric(CORRECT), http.metric(INCORRECT));
  }

  @Test
  void aThousandCopiesOfOneLabelInOneBodyAreRefusedAndChangeNothing() throws Exception {
    String predicted = score("flood-right");
    assertThat(http.post("/v1/feedback", "{\"id\": \"flood-right\", \"label\": \"" + predicted + "\"}").statusCode()).isEqualTo(200);
    List<Double> before = state();
    assertThat(before.get(0)).isEqualTo(http.metric(ACCURACY));

    String target = "flood-" + System.nanoTime();
    String right = score(target);
    String item = "{\"id\": \"" + target + "\", \"label\": \"" + other(right) + "\"}";
    HttpResponse<String> flood = http.post("/v1/feedback", "[" + String.join(",", Collections.nCopies(1000, item)) + "]");
    assertThat(flood.statusCode()).as(flood.body()).isEqualTo(409);
    JsonNode body = ModelServerTest.json(flood);
    assertThat(body.path("error").asText()).contains("once");
    assertThat(body.path("alreadyLabelledIds").toString()).contains(target);
    assertThat(state()).as("accuracy, its window and the label counts are unchanged").isEqualTo(before);

    // The id was not used up by the refused body: one label is taken, then no more.
    assertThat(http.post("/v1/feedback", item).statusCode()).isEqualTo(200);
    List<Double> after = state();
    assertThat(after.get(1)).isEqualTo(before.get(1) + 1);
    assertThat(after.get(3)).isEqualTo(before.get(3) + 1);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> replay = http.post("/v1/feedback", item);
      assertThat(replay.statusCode()).as(replay.body()).isEqualTo(409);
      assertThat(ModelServerTest.json(replay).path("error").asText()).isNotBlank();
    }
    assertThat(state()).as("replays change nothing").isEqualTo(after);
  }

  @Test
  void labelsForIdsThisServerNeverScoredAreRefusedWith404() throws Exception {
    List<Double> before = state();
    HttpResponse<String> forged = http.post("/v1/feedback", "{\"id\": \"never-scored\", \"label\": \"yes\"}");
    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(404);
    assertThat(ModelServerTest.json(forged).path("unknownIds").get(0).asText()).isEqualTo("never-scored");
    assertThat(state()).isEqualTo(before);

    // A body with one known and one forged id is refused whole; the known id can still be labelled after.
    String known = "known-" + System.nanoTime();
    String predicted = score(known);
    String good = "{\"id\": \"" + known + "\", \"label\": \"" + predicted + "\"}";
    HttpResponse<String> mixed = http.post("/v1/feedback", "[" + good + ", {\"id\": \"forged\", \"label\": \"no\"}]");
    assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(404);
    assertThat(ModelServerTest.json(mixed).path("unknownIds").toString()).isEqualTo("[\"forged\"]");
    assertThat(state()).isEqualTo(before);
    HttpResponse<String> accepted = http.post("/v1/feedback", "[" + good + "]");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    assertThat(ModelServerTest.json(accepted).path("accepted").asInt()).isEqualTo(1);
    assertThat(http.metric(WINDOW)).isEqualTo(before.get(1) + 1);
    assertThat(http.metric("flywheel_feedback_total{model=\"churn\",result=\"unknown_id\",version=\"fb\"}")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void anIdScoredAgainTakesLabelsForItsNewPrediction() throws Exception {
    String id = "rescored-" + System.nanoTime();
    String first = score(id);
    assertThat(http.post("/v1/feedback", "{\"id\": \"" + id + "\", \"label\": \"" + first + "\"}").statusCode()).isEqualTo(200);
    assertThat(http.post("/v1/feedback", "{\"id\": \"" + id + "\", \"label\": \"" + first + "\"}").statusCode()).isEqualTo(409);
    String second = score(id);
    assertThat(http.post("/v1/feedback", "{\"id\": \"" + id + "\", \"label\": \"" + second + "\"}").statusCode())
        .as("a new scoring opens the id for one more label").isEqualTo(200);
  }
}
