package dev.flywheel.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Dataset;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.EvaluationMetrics;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate --holdout [--baseline-bundle]: both bundles scored on the same fresh rows with real DJL models trained
 * before and after a shift of the data; exact row counts and metrics; refusals with one line.
 */
class HoldoutComparisonTest {
  private static final String CHURN_HEADER = "tenure_months,monthly_charges,support_calls,contract,churned";
  @TempDir static Path tmp;
  /** Trained on the old distribution, on the shifted one, on the old one with two features only. */
  private static Trained old;
  private static Trained shifted;
  private static Trained narrow;
  private static Trained species;
  private static Trained prices;

  private record Trained(Path bundle, String digest) {}

  private record Validated(int exitCode, JsonNode result, String stdout, String stderr) {}

  @BeforeAll
  static void train() throws Exception {
    old = train("old", SyntheticData.churn(tmp.resolve("data-old"), 1500, 11), "churned", null, Task.binaryClassification);
    shifted = train("shifted", SyntheticData.churnAfterShift(tmp.resolve("data-shifted"), 1500, 12), "churned", null,
        Task.binaryClassification);
    narrow = train("narrow", SyntheticData.churn(tmp.resolve("data-narrow"), 1500, 13), "churned",
        List.of("tenure_months", "support_calls"), Task.binaryClassification);
    species = train("species", SyntheticData.species(tmp.resolve("data-species"), 600, 14), "species", null,
        Task.multiclassClassification);
    prices = train("prices", SyntheticData.prices(tmp.resolve("data-prices"), 800, 15), "price", null, Task.regression);
  }

  private static Trained train(String name, Path csv, String label, List<String> features, Task task) throws Exception {
    Path out = tmp.resolve("bundle-" + name);
    TrainingRun.Result result = TrainingRun.run(csv, label, features, task, new TrainingOptions(List.of(16, 8), 15, 32, 0.01, 7, 0.2), out);
    return new Trained(out, result.bundleDigest());
  }

  private static Validated validate(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("validate", "--termination-log", tmp.resolve("termination-log").toString()));
    command.addAll(Arrays.asList(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FlywheelModel.run(command.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String stdout = out.toString(StandardCharsets.UTF_8);
    return new Validated(code, Json.MAPPER.readTree(stdout), stdout, err.toString(StandardCharsets.UTF_8));
  }

  private static String[] compare(Trained candidate, Trained baseline, String... holdouts) {
    List<String> args = new ArrayList<>(List.of("--bundle", candidate.bundle().toString(), "--expected-digest", candidate.digest()));
    for (String holdout : holdouts) {
      args.addAll(List.of("--holdout", holdout));
    }
    if (baseline != null) {
      args.addAll(List.of("--baseline-bundle", baseline.bundle().toString(), "--baseline-expected-digest", baseline.digest()));
    }
    return args.toArray(String[]::new);
  }

  private static Map<String, Double> metrics(JsonNode node) {
    return Json.MAPPER.convertValue(node, new TypeReference<Map<String, Double>>() {});
  }

  @Test
  void theModelTrainedAfterTheShiftBeatsTheOldOneOnShiftedDataAndLosesOnOldData() throws Exception {
    Path fresh = SyntheticData.churnAfterShift(tmp.resolve("holdout-fresh"), 600, 21);
    Validated onFresh = validate(compare(shifted, old, fresh.toString()));
    assertThat(onFresh.exitCode()).as(onFresh.stdout() + onFresh.stderr()).isZero();
    JsonNode holdout = onFresh.result().path("holdout");
    Map<String, Double> candidate = metrics(holdout.path("metrics"));
    Map<String, Double> baseline = metrics(holdout.path("baseline").path("metrics"));
    assertThat(candidate.keySet()).as("the trainer's binary metrics").containsExactly("accuracy", "auc", "f1");
    assertThat(baseline.keySet()).isEqualTo(candidate.keySet());
    assertThat(candidate.get("auc")).isGreaterThan(0.75).isGreaterThan(baseline.get("auc") + 0.3);
    assertThat(candidate.get("accuracy")).isGreaterThan(baseline.get("accuracy"));
    assertThat(holdout.path("rows").asInt()).isEqualTo(600);
    assertThat(holdout.path("baseline").path("digest").asText()).isEqualTo(old.digest());
    JsonNode result = onFresh.result();
    assertThat(result.path("status").asText()).isEqualTo("Succeeded");
    assertThat(result.path("digestMatch").asBoolean()).isTrue();
    assertThat(result.path("observedDigest").asText()).isEqualTo(shifted.digest());
    assertThat(result.path("smokeTestPassed").asBoolean()).isTrue();
    assertThat(result.path("engines").size()).isEqualTo(2);
    assertThat(result.path("task").asText()).isEqualTo("binaryClassification");

    Path before = SyntheticData.churn(tmp.resolve("holdout-before"), 600, 22);
    Validated onOld = validate(compare(shifted, old, before.toString()));
    assertThat(onOld.exitCode()).as(onOld.stdout()).isZero();
    JsonNode reverse = onOld.result().path("holdout");
    assertThat(reverse.path("baseline").path("metrics").path("auc").asDouble())
        .isGreaterThan(reverse.path("metrics").path("auc").asDouble() + 0.3);
  }

  @Test
  void everyLabelledRowOfEveryShardIsScoredByBothBundlesEachWithItsOwnSchema() throws Exception {
    List<String> lines = Files.readAllLines(SyntheticData.churnAfterShift(tmp.resolve("holdout-rows"), 400, 23));
    Path shards = Files.createDirectories(tmp.resolve("holdout-shards"));
    Files.write(shards.resolve("part-0.csv"), concat(lines.subList(0, 1), lines.subList(1, 251)));
    Files.write(shards.resolve("part-1.csv"), concat(lines.subList(0, 1), lines.subList(251, 401),
        List.of("12,50.00,3,one-year,", "40,70.50,1,two-year,")));
    Validated run = validate(compare(shifted, narrow, shards + "/"));
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    JsonNode holdout = run.result().path("holdout");
    assertThat(holdout.path("rows").asInt()).as("400 labelled rows; the 2 still waiting for a label are left out").isEqualTo(400);
    assertThat(holdout.path("datasetDigest").asText())
        .isEqualTo(Dataset.read(List.of(shards + "/"), null, tmp.resolve("scratch")).digest());

    List<String[]> rows = new ArrayList<>();
    for (String line : concat(lines.subList(1, 401))) {
      rows.add(line.split(","));
    }
    assertThat(metrics(holdout.path("metrics"))).isEqualTo(expectedMetrics(shifted, rows));
    assertThat(metrics(holdout.path("baseline").path("metrics"))).as("the two-feature baseline, scored on the same rows")
        .isEqualTo(expectedMetrics(narrow, rows));
  }

  /** What EvaluationMetrics gives for the bundle's predictions on the rows (parsed here, independently of validate). */
  private static Map<String, Double> expectedMetrics(Trained trained, List<String[]> rows) throws Exception {
    List<String> header = List.of(CHURN_HEADER.split(","));
    try (ModelBundle bundle = ModelBundle.open(trained.bundle(), trained.digest(), "auto")) {
      List<FeatureSpec> features = bundle.metadata().features();
      float[][] encoded = new float[rows.size()][];
      double[] labels = new double[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Object[] raw = new Object[features.size()];
        for (int f = 0; f < features.size(); f++) {
          String text = rows.get(r)[header.indexOf(features.get(f).name())];
          raw[f] = features.get(f).isNumeric() ? (Object) Double.parseDouble(text) : text;
        }
        encoded[r] = bundle.pipeline().encode(raw);
        labels[r] = bundle.classes().indexOf(rows.get(r)[4]);
      }
      return EvaluationMetrics.of(Task.binaryClassification, bundle.score(encoded), labels, 2);
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> part : parts) {
      all.addAll(part);
    }
    return all;
  }

  @Test
  void aBaselineWhoseDigestDoesNotMatchIsRefusedWithOneLine() throws Exception {
    Path fresh = SyntheticData.churnAfterShift(tmp.resolve("holdout-digest"), 100, 24);
    String wrong = "sha256:" + "0".repeat(64);
    Validated run = validate("--bundle", shifted.bundle().toString(), "--holdout", fresh.toString(),
        "--baseline-bundle", old.bundle().toString(), "--baseline-expected-digest", wrong);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.result().path("status").asText()).isEqualTo("Failed");
    assertThat(run.result().path("reason").asText())
        .isEqualTo("baseline bundle digest mismatch: expected " + wrong + ", found " + old.digest());
    assertThat(run.result().path("digestMatch").asBoolean()).as("the candidate's own digest matched").isTrue();
    assertThat(run.result().has("holdout")).isFalse();
    assertOneLine(run);
  }

  @Test
  void aHoldoutWithoutTheLabelOrAFeatureOfEitherBundleIsRefusedWithOneLine() throws Exception {
    Path noLabel = SyntheticData.write(tmp.resolve("holdout-no-label"), "h.csv", "tenure_months,monthly_charges,support_calls,contract\n"
        + "3,80.00,5,month-to-month\n");
    Validated run = validate(compare(shifted, old, noLabel.toString()));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.result().path("reason").asText())
        .isEqualTo("holdout has no label column 'churned' (columns: tenure_months, monthly_charges, support_calls, contract)");
    assertOneLine(run);

    Path noCharges = SyntheticData.write(tmp.resolve("holdout-no-charges"), "h.csv", "tenure_months,support_calls,contract,churned\n"
        + "3,5,month-to-month,yes\n");
    Validated baselineFeature = validate(compare(narrow, old, noCharges.toString()));
    assertThat(baselineFeature.exitCode()).isEqualTo(1);
    assertThat(baselineFeature.result().path("reason").asText()).isEqualTo(
        "holdout has no column 'monthly_charges', a feature of the baseline bundle (columns: tenure_months, support_calls, contract, churned)");
    assertOneLine(baselineFeature);

    Path textCharges = SyntheticData.write(tmp.resolve("holdout-text-charges"), "h.csv", CHURN_HEADER + "\n3,n/a,5,month-to-month,yes\n");
    Validated baselineValue = validate(compare(narrow, old, textCharges.toString()));
    assertThat(baselineValue.result().path("reason").asText()).as("the candidate does not read that column; the baseline does")
        .isEqualTo("baseline bundle: column 'monthly_charges' has a value that is not a number at line 2: 'n/a'");
    assertThat(baselineValue.result().has("holdout")).as("no half result that looks like a run without a baseline").isFalse();

    Path unknownClass = SyntheticData.write(tmp.resolve("holdout-unknown-class"), "h.csv", CHURN_HEADER + "\n"
        + "3,80.00,5,month-to-month,\n" + "3,80.00,5,month-to-month,maybe\n");
    Validated badLabel = validate(compare(shifted, null, unknownClass.toString()));
    assertThat(badLabel.result().path("reason").asText())
        .as("the line of the file, counting the unlabelled row before it")
        .isEqualTo("candidate bundle: label 'maybe' at line 3 is not one of the classes [no, yes]");

    Path unlabelled = SyntheticData.write(tmp.resolve("holdout-unlabelled"), "h.csv", CHURN_HEADER + "\n3,80.00,5,month-to-month,\n");
    assertThat(validate(compare(shifted, null, unlabelled.toString())).result().path("reason").asText())
        .isEqualTo("holdout has no labelled rows: every value of label column 'churned' is empty");
  }

  @Test
  void aBaselineOfAnotherTaskIsRefused() throws Exception {
    Path fresh = SyntheticData.churnAfterShift(tmp.resolve("holdout-task"), 100, 25);
    Validated run = validate(compare(shifted, species, fresh.toString()));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.result().path("reason").asText())
        .isEqualTo("baseline bundle is a multiclassClassification model but the candidate is binaryClassification: they cannot be compared");
    assertOneLine(run);
  }

  @Test
  void theMetricsAreTheTrainersForEachTask() throws Exception {
    Validated multiclass = validate(compare(species, null, SyntheticData.species(tmp.resolve("holdout-species"), 90, 26).toString()));
    assertThat(multiclass.exitCode()).as(multiclass.stdout()).isZero();
    assertThat(metrics(multiclass.result().path("holdout").path("metrics")).keySet()).containsExactly("accuracy", "macroF1");
    assertThat(multiclass.result().path("holdout").path("rows").asInt()).isEqualTo(90);
    assertThat(multiclass.result().path("holdout").has("baseline")).as("only with --baseline-bundle").isFalse();

    Validated regression = validate(compare(prices, prices, SyntheticData.prices(tmp.resolve("holdout-prices"), 120, 27).toString()));
    assertThat(regression.exitCode()).as(regression.stdout()).isZero();
    JsonNode holdout = regression.result().path("holdout");
    assertThat(metrics(holdout.path("metrics")).keySet()).containsExactly("mae", "r2", "rmse");
    assertThat(holdout.path("metrics").path("r2").asDouble()).isGreaterThan(0.9);
    assertThat(holdout.path("baseline").path("metrics")).as("the same bundle scores the same").isEqualTo(holdout.path("metrics"));
  }

  @Test
  void optionsThatCannotBeRunAreUsageErrors() throws Exception {
    String fresh = SyntheticData.churnAfterShift(tmp.resolve("holdout-usage"), 20, 28).toString();
    String bundle = shifted.bundle().toString();
    assertThat(validate("--bundle", bundle, "--baseline-bundle", bundle, "--baseline-expected-digest", shifted.digest()))
        .satisfies(v -> assertThat(v.exitCode()).isEqualTo(2))
        .satisfies(v -> assertThat(v.result().path("reason").asText())
            .isEqualTo("validate: --baseline-bundle needs --holdout: the baseline is compared on holdout data"));
    assertThat(validate("--bundle", bundle, "--holdout", fresh, "--baseline-bundle", bundle).result().path("reason").asText())
        .isEqualTo("validate: --baseline-bundle and --baseline-expected-digest go together");
    assertThat(validate("--bundle", bundle, "--holdout", fresh, "--baseline-bundle", bundle, "--baseline-expected-digest", "abc")
        .result().path("reason").asText())
        .isEqualTo("validate: --baseline-expected-digest must be sha256: followed by 64 lower-case hex digits");
    assertThat(validate("--bundle", bundle, "--label", "churned").result().path("reason").asText())
        .isEqualTo("validate: --label goes with --data or --holdout");
  }

  private static void assertOneLine(Validated run) {
    assertThat(run.stdout().strip()).doesNotContain("\n");
    assertThat(run.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
