package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.data.Dataset;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** flywheel-model train: trains a model on CSV datasets (files or directories of shards, one or more) and writes a bundle. */
final class TrainCommand {
  static final String USAGE = """
      flywheel-model train --data <uri> [--data <uri>…] --label <column> --out <dir or file:// URI> [--features a,b,c]
          [--task binaryClassification|multiclassClassification|regression] [--hidden-layers 64,32] [--epochs N]
          [--batch-size N] [--learning-rate F] [--seed N] [--validation-split F] [--termination-log <path>]""";
  private static final Set<String> KNOWN = Set.of("data", "label", "features", "task", "hidden-layers", "epochs",
      "batch-size", "learning-rate", "seed", "validation-split", "out", "termination-log");

  private TrainCommand() {}

  static ObjectNode run(String[] args) throws Exception {
    Options options = Options.parse("train", args, KNOWN, Set.of("data", "label", "out"), Set.of("data"));
    TrainingOptions defaults = TrainingOptions.DEFAULTS;
    TrainingOptions training = new TrainingOptions(
        options.intList("hidden-layers", defaults.hiddenLayers()),
        options.intValue("epochs", defaults.epochs(), 1, 10_000),
        options.intValue("batch-size", defaults.batchSize(), 1, 65_536),
        options.doubleValue("learning-rate", defaults.learningRate(), 0, 1),
        options.longValue("seed", defaults.seed()),
        options.doubleValue("validation-split", defaults.validationSplit(), 0, 0.9));
    Task task = Task.parse(options.get("task", Task.binaryClassification.name()));
    String outOption = options.required("out");
    Path out = Path.of(outOption.startsWith("file://") ? java.net.URI.create(outOption).getPath() : outOption);
    long started = System.nanoTime();
    Path scratch = Files.createTempDirectory("flywheel-train-");
    List<String> features = options.list("features");
    List<String> columns = features == null || features.isEmpty() ? null : concat(features, options.required("label"));
    Dataset.Read dataset = Dataset.read(options.all("data"), columns, scratch);
    TrainingRun.Result result = TrainingRun.run(dataset, options.required("label"), features, task, training, out);

    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("status", "Succeeded");
    json.put("bundle", out.toAbsolutePath().toString());
    json.put("bundleDigest", result.bundleDigest());
    json.put("datasetDigest", result.datasetDigest());
    json.put("datasetShards", dataset.shards());
    json.set("metrics", Json.MAPPER.valueToTree(result.metrics()));
    json.putObject("rows").put("training", result.trainingRows()).put("validation", result.validationRows());
    json.put("task", result.task());
    if (!result.classes().isEmpty()) {
      json.set("classes", Json.MAPPER.valueToTree(result.classes()));
    }
    json.set("features", Json.MAPPER.valueToTree(result.features()));
    json.set("hyperparameters", Json.MAPPER.valueToTree(training.asMap()));
    json.put("seed", training.seed());
    json.put("durationSeconds", Math.round((System.nanoTime() - started) / 1e6) / 1e3);
    return json;
  }

  private static List<String> concat(List<String> features, String label) {
    List<String> columns = new ArrayList<>(features);
    columns.add(label);
    return columns;
  }
}
