package dev.flywheel.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.flywheel.model.infer.OnnxModelWriter.Head;
import dev.flywheel.model.testdata.ImportedBundles;
import dev.flywheel.model.testdata.ImportedBundles.Example;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Imported ONNX bundles at load: each kind opens and scores what its weights compute, a fixed batch size is served by
 * splitting, and every description that contradicts its network is refused with one line naming the contradiction.
 */
class ImportedBundleTest {
  @TempDir Path tmp;

  private ModelBundle open(Example example) throws Exception {
    return ModelBundle.open(example.write(tmp.resolve(example.name())), null, "auto");
  }

  @Test
  void binaryWithTwoProbabilityColumnsScoresTheSecondClass() throws Exception {
    try (ModelBundle bundle = open(ImportedBundles.binary())) {
      float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(new Object[] {6.0, 100.0, 7.0})});
      double z0 = 0.4 * -1.5 - 0.3 * 1 - 0.5 * 2 + 0.1;
      double z1 = -z0 - 0.0;
      double expected = Math.exp(z1) / (Math.exp(z0) + Math.exp(z1));
      assertThat(scores[0]).hasSize(1);
      assertThat(scores[0][0]).isCloseTo((float) expected, offset(1e-5f));
      assertThat(bundle.classes()).containsExactly("stays", "churns");
    }
  }

  @Test
  void categoricalFeaturesAreOneHotInVocabularyOrderAfterTheNumericColumn() throws Exception {
    try (ModelBundle bundle = open(ImportedBundles.categorical())) {
      float[] encoded = bundle.pipeline().encode(new Object[] {5.0, "one-year"});
      assertThat(encoded).containsExactly(1f, 0f, 1f, 0f);
      float[][] scores = bundle.score(new float[][] {encoded, bundle.pipeline().encode(new Object[] {5.0, "lifetime"})});
      assertThat(scores[0][0]).isCloseTo(sigmoid(0.8 * 1 - 0.5 - 0.2), offset(1e-5f));
      assertThat(scores[1][0]).as("a value outside the vocabulary encodes as all zeros").isCloseTo(sigmoid(0.8 - 0.2), offset(1e-5f));
    }
  }

  @Test
  void regressionOnARankOneOutputIsDeStandardisedWithTheTarget() throws Exception {
    try (ModelBundle bundle = open(ImportedBundles.regression())) {
      float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(new Object[] {140.0, 6.0})});
      double raw = 0.9 * 1.0 + 0.2 * 2.0 + 0.05;
      assertThat(scores[0][0]).isCloseTo((float) (raw * 80000 + 250000), offset(0.5f));
    }
  }

  @Test
  void multiclassLogitsBecomeProbabilitiesInClassOrder() throws Exception {
    try (ModelBundle bundle = open(ImportedBundles.multiclass())) {
      float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(new Object[] {5.0, 1.0})});
      assertThat(scores[0]).hasSize(3);
      assertThat(scores[0][0] + scores[0][1] + scores[0][2]).isCloseTo(1f, offset(1e-5f));
      // standardised (2, -1): hidden relu → (2, 0, 0, 1); logits (-2+1+0.2, 2-1, -2-1-0.2) → versicolor
      assertThat(scores[0][1]).isGreaterThan(scores[0][0]).isGreaterThan(scores[0][2]);
    }
  }

  @Test
  void theScoresAreReadFromTheOutputTheDescriptionNames() throws Exception {
    Example sklearnLike = ImportedBundles.binary().withLabelOutputFirst();
    try (ModelBundle named = open(sklearnLike.describedAs(d -> d.put("output", "outputs")));
        ModelBundle reference = ModelBundle.open(ImportedBundles.binary().write(tmp.resolve("reference")), null, "auto")) {
      float[][] rows = {named.pipeline().encode(new Object[] {6.0, 100.0, 7.0}), named.pipeline().encode(new Object[] {60.0, 20.0, 0.0})};
      assertThat(named.score(rows)).isDeepEqualTo(reference.score(rows));
    }
    Path unnamed = sklearnLike.write(tmp.resolve("unnamed"));
    assertThatThrownBy(() -> ModelBundle.open(unnamed, null, "auto")).hasMessage("the model's first output 'label' INT64 [?] is not float32;"
        + " Flywheel reads the first output as the scores (name the float32 scores or probabilities in \"output\")");
    Path misnamed = sklearnLike.describedAs(d -> d.put("output", "probabilities")).write(tmp.resolve("misnamed"));
    assertThatThrownBy(() -> ModelBundle.open(misnamed, null, "auto")).hasMessage("flywheel-model.json names output 'probabilities',"
        + " but the model's outputs are ['label' INT64 [?], 'outputs' FLOAT [?, 2]]");
  }

  @ParameterizedTest(name = "fixed batch {0}")
  @MethodSource("fixedBatches")
  void aModelExportedWithAFixedBatchSizeScoresAnyBatchLikeTheOpenOne(long fixedBatch) throws Exception {
    Example open = ImportedBundles.categorical();
    try (ModelBundle reference = ModelBundle.open(open.write(tmp.resolve("open")), null, "auto");
        ModelBundle fixed = ModelBundle.open(open.withBatch(fixedBatch).write(tmp.resolve("fixed")), null, "auto")) {
      for (int rows : new int[] {1, 3, 4, 7}) {
        float[][] encoded = new float[rows][];
        for (int r = 0; r < rows; r++) {
          encoded[r] = reference.pipeline().encode(new Object[] {(double) r, List.of("month-to-month", "one-year", "two-year").get(r % 3)});
        }
        float[][] expected = reference.score(encoded);
        assertThat(fixed.score(encoded)).as("%d rows", rows).isDeepEqualTo(expected);
      }
    }
  }

  static Stream<Long> fixedBatches() {
    return Stream.of(1L, 4L);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contradictions")
  void aDescriptionThatContradictsItsModelIsRefusedWithOneLine(String what, Example example, String reason) throws Exception {
    Path bundle = example.write(tmp.resolve("refused"));
    assertThatThrownBy(() -> ModelBundle.open(bundle, null, "auto"))
        .as(what)
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(reason);
  }

  static Stream<Arguments> contradictions() {
    return Stream.of(
        Arguments.of("a feature missing from the description", ImportedBundles.binary().describedAs(d -> d.withArray("features").remove(2)),
            "the model's input 'features' FLOAT [?, 3] takes 3 columns, but the features of flywheel-model.json encode to 2"
                + " (tenure_months, monthly_charges: 1 each)"),
        Arguments.of("a vocabulary shorter than the one-hot columns", ImportedBundles.categorical()
                .describedAs(d -> ((com.fasterxml.jackson.databind.node.ArrayNode) d.get("features").get(1).get("vocabulary")).remove(2)),
            "the model's input 'features' FLOAT [?, 4] takes 4 columns, but the features of flywheel-model.json encode to 3"
                + " (support_calls: 1; contract: 2 one-hot)"),
        Arguments.of("more classes than output columns", ImportedBundles.multiclass().describedAs(d -> d.withArray("classes").add("other")),
            "task multiclassClassification needs 4 output columns, one per class in the order [setosa, versicolor, virginica, other],"
                + " but the model's first output 'outputs' FLOAT [?, 3] has 3 columns"),
        Arguments.of("binary on a three-column output", ImportedBundles.multiclass().describedAs(d -> {
              d.put("task", "binaryClassification");
              d.withArray("classes").remove(2);
            }),
            "task binaryClassification needs 1 output column (the score of the positive class 'versicolor') or 2 (one per class,"
                + " in the order [setosa, versicolor]), but the model's first output 'outputs' FLOAT [?, 3] has 3 columns"),
        Arguments.of("regression on two columns", ImportedBundles.regression().withLayers(List.of(ImportedBundles.dense(2, 2))).withHead(Head.NONE),
            "task regression needs 1 output column (the predicted value), but the model's first output 'outputs' FLOAT [?, 2] has 2 columns"),
        Arguments.of("no format", ImportedBundles.binary().describedAs(d -> d.remove("format")),
            "flywheel-model.json has no format; expected one of [flywheel-mlp, onnx, torchscript]"),
        Arguments.of("an unknown format", ImportedBundles.binary().describedAs(d -> d.put("format", "tensorflow")),
            "flywheel-model.json has format 'tensorflow'; expected one of [flywheel-mlp, onnx, torchscript]"),
        Arguments.of("onnx weights for PyTorch", ImportedBundles.binary().describedAs(d -> d.putObject("weights").put("PyTorch", "model.onnx")),
            "flywheel-model.json has weights for engine 'PyTorch', but format onnx runs on [OnnxRuntime]"),
        Arguments.of("probabilities for a regression", ImportedBundles.regression().describedAs(d -> d.put("outputs", "probabilities")),
            "flywheel-model.json outputs probabilities does not fit task regression: a regression model outputs its value, declared as logits"),
        Arguments.of("an unknown output kind", ImportedBundles.binary().describedAs(d -> d.put("outputs", "scores")),
            "flywheel-model.json has outputs 'scores'; expected logits or probabilities"),
        Arguments.of("logits declared as probabilities", ImportedBundles.binary().withHead(Head.NONE),
            "outputs is probabilities, but the model gave -0.1 for a typical row (declare logits if the outputs are scores before sigmoid or softmax)"),
        Arguments.of("binary with three classes", ImportedBundles.binary().describedAs(d -> d.withArray("classes").add("maybe")),
            "flywheel-model.json task binaryClassification needs exactly 2 classes (negative, positive), got 3: [stays, churns, maybe]"),
        Arguments.of("classes on a regression", ImportedBundles.regression().describedAs(d -> d.putArray("classes").add("cheap").add("dear")),
            "flywheel-model.json lists classes [cheap, dear], but task regression has none"),
        Arguments.of("a target on a classifier", ImportedBundles.binary().describedAs(d -> d.putObject("target").put("mean", 1).put("std", 2)),
            "flywheel-model.json has a target, but target (the standardisation of a regression label) does not fit task binaryClassification"),
        Arguments.of("a categorical histogram for a numeric feature", ImportedBundles.binary().describedAs(d -> d.set("baseline",
                json("{\"features\": {\"tenure_months\": {\"categories\": [\"long\"], \"proportions\": [0.5, 0.5]}}}"))),
            "flywheel-model.json baseline: feature 'tenure_months' needs a histogram with edges (numeric values) and not the other"),
        Arguments.of("a histogram with a bin too few", ImportedBundles.categorical().describedAs(d -> d.set("baseline",
                json("{\"prediction\": {\"edges\": [0.2, 0.5], \"proportions\": [0.5, 0.5]}}"))),
            "flywheel-model.json baseline: prediction needs 3 proportions (one per bin: edges + 1), got 2"),
        Arguments.of("an unknown field", ImportedBundles.categorical().describedAs(d -> ((com.fasterxml.jackson.databind.node.ObjectNode) d.get("features").get(1))
                .put("values", 3)),
            "flywheel-model.json has an unknown field 'values' at features[1]; known there: [mean, name, std, type, vocabulary]"),
        Arguments.of("a field of the wrong type", ImportedBundles.binary().describedAs(d -> d.put("classes", "stays,churns")),
            "flywheel-model.json is not valid at classes: expected a list"),
        Arguments.of("a number as text", ImportedBundles.regression().describedAs(d -> ((com.fasterxml.jackson.databind.node.ObjectNode) d.get("target"))
                .put("std", "wide")),
            "flywheel-model.json is not valid at target.std: expected a number"),
        Arguments.of("an unknown task", ImportedBundles.binary().describedAs(d -> d.put("task", "ranking")),
            "flywheel-model.json has task 'ranking'; expected one of [binaryClassification, multiclassClassification, regression]"));
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static float sigmoid(double z) {
    return (float) (1 / (1 + Math.exp(-z)));
  }
}
