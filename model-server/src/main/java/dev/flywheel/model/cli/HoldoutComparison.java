package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.InvalidBundleException;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.BundleSource;
import dev.flywheel.model.data.DataError;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Holdout;
import dev.flywheel.model.data.TabularData;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.train.EvaluationMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * validate --holdout [--baseline-bundle]: scores the candidate bundle — and the baseline, the version it would
 * replace, when given — on the same labelled rows of fresh holdout data, each with its own feature schema and
 * preprocessing, with the metrics the trainer reports; the promotion gate "must beat the current version" compares them.
 */
final class HoldoutComparison {
  /** Rows scored per inference call: bounds memory on large holdouts. */
  static final int BATCH_ROWS = 4096;
  /** The engine serve uses by default (ONNX Runtime when the bundle has ONNX weights), for both bundles alike. */
  private static final String ENGINE = "auto";
  private static final String CANDIDATE = "candidate bundle";
  private static final String BASELINE = "baseline bundle";

  private HoldoutComparison() {}

  /** The baseline bundle, digest verified and metadata checked against the candidate's, not yet loaded. */
  private record Baseline(Path directory, String digest, ModelMetadata metadata) {}

  /**
   * Adds "holdout" to json: rows, datasetDigest, the candidate's metrics and, with --baseline-bundle, the baseline's
   * digest and metrics — only once both are scored, so a failed run never looks like one without a baseline. The
   * candidate has passed its own checks (digest, load, smoke inference) already.
   */
  static void run(Options options, Path candidateDir, String candidateDigest, ModelMetadata candidate, ObjectNode json)
      throws Exception {
    String label = options.get("label", candidate.label());
    if (label == null) {
      throw new UsageException("validate: --holdout needs --label: the bundle records no label column");
    }
    Baseline baseline = options.has("baseline-bundle") ? baseline(options, candidate, json) : null;
    List<String> columns = new ArrayList<>(names(candidate));
    if (baseline != null) {
      columns.addAll(names(baseline.metadata()));
    }
    Holdout holdout;
    try {
      holdout = Holdout.read(options.all("holdout"), label, columns, Files.createTempDirectory("flywheel-holdout-"));
      holdout.requireColumns(CANDIDATE, candidate.features());
      if (baseline != null) {
        holdout.requireColumns(BASELINE, baseline.metadata().features());
      }
    } catch (DataError e) {
      throw new CommandFailure(e.getMessage(), json);
    }
    ObjectNode result = Json.MAPPER.createObjectNode();
    result.put("rows", holdout.rows());
    result.put("datasetDigest", holdout.digest());
    result.set("metrics", Json.MAPPER.valueToTree(score(candidateDir, candidateDigest, CANDIDATE, holdout, json)));
    if (baseline != null) {
      ObjectNode scored = result.putObject("baseline");
      scored.put("digest", baseline.digest());
      scored.set("metrics", Json.MAPPER.valueToTree(score(baseline.directory(), baseline.digest(), BASELINE, holdout, json)));
    }
    json.set("holdout", result);
  }

  /** Fetches the baseline, verifies its digest and refuses one that is not the same task as the candidate. */
  private static Baseline baseline(Options options, ModelMetadata candidate, ObjectNode json) throws IOException, CommandFailure {
    Path directory = BundleSource.fetch(options.required("baseline-bundle"), Files.createTempDirectory("flywheel-baseline-"));
    String digest;
    ModelMetadata metadata;
    try {
      digest = BundleDigest.verify(directory, options.required("baseline-expected-digest"));
      metadata = ModelBundle.readMetadata(directory);
    } catch (InvalidBundleException e) {
      throw new CommandFailure("baseline " + e.getMessage(), json);
    }
    if (!metadata.task().equals(candidate.task())) {
      throw new CommandFailure("baseline bundle is a " + metadata.task() + " model but the candidate is " + candidate.task()
          + ": they cannot be compared", json);
    }
    if (metadata.isClassification() && !Objects.equals(metadata.classes(), candidate.classes())) {
      throw new CommandFailure("baseline bundle has the classes " + metadata.classes() + " but the candidate has "
          + candidate.classes() + ": they cannot be compared", json);
    }
    if (metadata.label() != null && candidate.label() != null && !metadata.label().equals(candidate.label())) {
      throw new CommandFailure("baseline bundle predicts '" + metadata.label() + "' but the candidate predicts '"
          + candidate.label() + "': they cannot be compared", json);
    }
    return new Baseline(directory, digest, metadata);
  }

  /** Loads one bundle (closed again before the next is loaded), smoke-tests it and scores it on the holdout. */
  private static Map<String, Double> score(Path directory, String digest, String who, Holdout holdout, ObjectNode json)
      throws CommandFailure {
    try (ModelBundle bundle = ModelBundle.open(directory, digest, ENGINE)) {
      String failure = ValidateCommand.smokeFailure(bundle);
      if (failure != null) {
        throw new CommandFailure(who + ": " + failure, json);
      }
      Task task = Task.parse(bundle.metadata().task());
      TabularData data = holdout.rowsFor(who, bundle.metadata().features(), task, bundle.classes());
      return EvaluationMetrics.of(task, scores(bundle, data), data.labels(), bundle.classes().size());
    } catch (IOException | DataError e) {
      throw new CommandFailure(e.getMessage(), json);
    }
  }

  /** The bundle's scores for every row of the data, in batches of {@value #BATCH_ROWS} rows. */
  static float[][] scores(ModelBundle bundle, TabularData data) {
    float[][] scores = new float[data.size()][];
    for (int start = 0; start < data.size(); start += BATCH_ROWS) {
      int[] rows = java.util.stream.IntStream.range(start, Math.min(data.size(), start + BATCH_ROWS)).toArray();
      float[][] batch = bundle.score(bundle.pipeline().encode(data, rows));
      System.arraycopy(batch, 0, scores, start, batch.length);
    }
    return scores;
  }

  private static List<String> names(ModelMetadata metadata) {
    return metadata.features().stream().map(FeatureSpec::name).toList();
  }
}
