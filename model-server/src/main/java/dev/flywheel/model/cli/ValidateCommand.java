package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.InvalidBundleException;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.BundleSource;
import dev.flywheel.model.data.CsvTable;
import dev.flywheel.model.data.Dataset;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.TabularData;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.train.EvaluationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * flywheel-model validate: checks a bundle before it may be promoted — the digest, that every engine's weights
 * load, a smoke inference that gives finite, well-formed scores, and optionally metrics on holdout data.
 */
final class ValidateCommand {
  static final String USAGE = """
      flywheel-model validate --bundle <dir or s3://bucket/prefix> [--expected-digest sha256:…] [--data <holdout uri> [--data <uri>…] --label <column>]
          [--termination-log <path>]""";
  private static final Set<String> KNOWN = Set.of("bundle", "expected-digest", "data", "label", "termination-log");

  private ValidateCommand() {}

  static ObjectNode run(String[] args) throws Exception {
    Options options = Options.parse("validate", args, KNOWN, Set.of("bundle"), Set.of("data"));
    if (options.has("data") != options.has("label")) {
      throw new UsageException("validate: --data and --label go together");
    }
    Path bundleDir = BundleSource.fetch(options.required("bundle"), Files.createTempDirectory("flywheel-validate-"));
    ObjectNode json = Json.MAPPER.createObjectNode();
    String expected = options.get("expected-digest", null);
    if (expected != null && !expected.matches("^sha256:[a-f0-9]{64}$")) {
      throw new UsageException("validate: --expected-digest must be sha256: followed by 64 lower-case hex digits");
    }
    String observed = BundleDigest.of(bundleDir);
    json.put("observedDigest", observed);
    try {
      BundleDigest.verify(bundleDir, expected);
      json.put("digestMatch", true);
    } catch (InvalidBundleException e) {
      json.put("digestMatch", false);
      throw new CommandFailure(e.getMessage(), json);
    }
    ModelMetadata metadata = ModelBundle.readMetadata(bundleDir);
    ObjectNode engines = json.putObject("engines");
    for (String engine : metadata.weights().keySet()) {
      try (ModelBundle bundle = ModelBundle.open(bundleDir, observed, engine)) {
        smokeTest(bundle, json);
        engines.put(engine, "loaded");
        if (options.has("data") && !json.has("metrics")) {
          json.setAll(holdout(bundle, options));
        }
      } catch (InvalidBundleException e) {
        throw new CommandFailure(e.getMessage(), json);
      }
    }
    json.put("smokeTestPassed", true);
    json.put("status", "Succeeded");
    json.put("task", metadata.task());
    return json;
  }

  private static void smokeTest(ModelBundle bundle, ObjectNode json) throws CommandFailure {
    float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(bundle.pipeline().typicalRow())});
    boolean classification = bundle.metadata().isClassification();
    for (float s : scores[0]) {
      if (!Float.isFinite(s) || (classification && (s < 0 || s > 1))) {
        json.put("smokeTestPassed", false);
        throw new CommandFailure("smoke inference gave an invalid score " + s + " with " + bundle.engine(), json);
      }
    }
  }

  private static ObjectNode holdout(ModelBundle bundle, Options options) throws Exception {
    ModelMetadata metadata = bundle.metadata();
    List<String> columns = new ArrayList<>(metadata.features().stream().map(FeatureSpec::name).toList());
    columns.add(options.required("label"));
    CsvTable table = Dataset.read(options.all("data"), columns, Files.createTempDirectory("flywheel-validate-")).table();
    Task task = Task.parse(metadata.task());
    TabularData data = TabularData.forModel(table, options.required("label"), metadata.features(), task, bundle.classes());
    int[] all = java.util.stream.IntStream.range(0, data.size()).toArray();
    float[][] scores = bundle.score(bundle.pipeline().encode(data, all));
    Map<String, Double> metrics = EvaluationMetrics.of(task, scores, data.labels(), bundle.classes().size());
    ObjectNode result = Json.MAPPER.createObjectNode();
    result.set("metrics", Json.MAPPER.valueToTree(metrics));
    result.put("holdoutRows", data.size());
    result.set("features", Json.MAPPER.valueToTree(metadata.features().stream().map(FeatureSpec::name).toList()));
    return result;
  }
}
