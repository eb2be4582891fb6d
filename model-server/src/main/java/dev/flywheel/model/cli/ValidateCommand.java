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
 * load, a smoke inference that gives finite, well-formed scores, and optionally metrics on holdout data: --data
 * (top-level metrics) or --holdout, which can score the version it would replace (--baseline-bundle) on the same
 * rows ({@link HoldoutComparison}).
 */
final class ValidateCommand {
  static final String USAGE = """
      flywheel-model validate --bundle <dir or s3://bucket/prefix> [--expected-digest sha256:…] [--data <holdout uri> [--data <uri>…] --label <column>]
          [--holdout <uri> [--holdout <uri>…] [--label <column>] [--baseline-bundle <dir or s3://bucket/prefix> --baseline-expected-digest sha256:…]]
          [--termination-log <path>]""";
  private static final Set<String> KNOWN = Set.of("bundle", "expected-digest", "data", "label", "holdout", "baseline-bundle",
      "baseline-expected-digest", "termination-log");
  private static final String DIGEST = "^sha256:[a-f0-9]{64}$";

  private ValidateCommand() {}

  static ObjectNode run(String[] args) throws Exception {
    Options options = Options.parse("validate", args, KNOWN, Set.of("bundle"), Set.of("data", "holdout"));
    checkCombinations(options);
    String expected = options.get("expected-digest", null);
    Path bundleDir = BundleSource.fetch(options.required("bundle"), Files.createTempDirectory("flywheel-validate-"));
    ObjectNode json = Json.MAPPER.createObjectNode();
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
    if (options.has("holdout")) {
      HoldoutComparison.run(options, bundleDir, observed, metadata, json);
    }
    json.put("status", "Succeeded");
    json.put("task", metadata.task());
    return json;
  }

  /** Refuses option combinations that cannot be run, before anything is downloaded. */
  private static void checkCombinations(Options options) {
    if (options.has("data") && !options.has("label")) {
      throw new UsageException("validate: --data needs --label");
    }
    if (options.has("label") && !options.has("data") && !options.has("holdout")) {
      throw new UsageException("validate: --label goes with --data or --holdout");
    }
    if (options.has("baseline-bundle") && !options.has("holdout")) {
      throw new UsageException("validate: --baseline-bundle needs --holdout: the baseline is compared on holdout data");
    }
    if (options.has("baseline-bundle") != options.has("baseline-expected-digest")) {
      throw new UsageException("validate: --baseline-bundle and --baseline-expected-digest go together");
    }
    for (String name : new String[] {"expected-digest", "baseline-expected-digest"}) {
      if (options.has(name) && !options.required(name).matches(DIGEST)) {
        throw new UsageException("validate: --" + name + " must be sha256: followed by 64 lower-case hex digits");
      }
    }
  }

  private static void smokeTest(ModelBundle bundle, ObjectNode json) throws CommandFailure {
    String failure = smokeFailure(bundle);
    if (failure != null) {
      json.put("smokeTestPassed", false);
      throw new CommandFailure(failure, json);
    }
  }

  /** Why a smoke inference on a typical row failed (a non-finite score, or a probability outside [0, 1]), or null. */
  static String smokeFailure(ModelBundle bundle) {
    float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(bundle.pipeline().typicalRow())});
    boolean classification = bundle.metadata().isClassification();
    for (float s : scores[0]) {
      if (!Float.isFinite(s) || (classification && (s < 0 || s > 1))) {
        return "smoke inference gave an invalid score " + s + " with " + bundle.engine();
      }
    }
    return null;
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
