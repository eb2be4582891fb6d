package dev.flywheel.model.bundle;

import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.infer.ModelRunner;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a {@value ModelMetadata#FILE} must keep on its own, before any weights are read: a known format and the
 * engines it runs on, a task, classes that fit the task, an output kind that fits the task, well-formed features and
 * target, an architecture that matches them, and drift histograms that fit ({@link BaselineRules}). Each broken rule
 * is refused with one line that names the field.
 */
final class MetadataRules {
  static final Map<String, Set<String>> ENGINES_BY_FORMAT = Map.of(
      "flywheel-mlp", Set.of(ModelRunner.PYTORCH, ModelRunner.ONNX_RUNTIME),
      "onnx", Set.of(ModelRunner.ONNX_RUNTIME),
      "torchscript", Set.of(ModelRunner.PYTORCH));
  private static final List<String> FORMATS = ENGINES_BY_FORMAT.keySet().stream().sorted().toList();
  private static final List<String> TASKS = Arrays.stream(Task.values()).map(Task::name).toList();
  private static final String FILE = ModelMetadata.FILE;

  private MetadataRules() {}

  static void check(ModelMetadata m) throws InvalidBundleException {
    if (m.formatVersion() != ModelMetadata.FORMAT_VERSION) {
      throw refuse("has formatVersion " + m.formatVersion() + "; this server reads " + ModelMetadata.FORMAT_VERSION);
    }
    checkFormatAndWeights(m);
    if (m.task() == null || !TASKS.contains(m.task())) {
      throw refuse(m.task() == null ? "has no task; expected one of " + TASKS : "has task '" + m.task() + "'; expected one of " + TASKS);
    }
    checkFeatures(m.features());
    checkClasses(m);
    checkOutputs(m);
    checkTarget(m);
    checkArchitecture(m);
    BaselineRules.check(m);
  }

  private static void checkFormatAndWeights(ModelMetadata m) throws InvalidBundleException {
    if (m.format() == null) {
      throw refuse("has no format; expected one of " + FORMATS);
    }
    Set<String> engines = ENGINES_BY_FORMAT.get(m.format());
    if (engines == null) {
      throw refuse("has format '" + m.format() + "'; expected one of " + FORMATS);
    }
    if (m.weights() == null || m.weights().isEmpty()) {
      throw refuse("names no weights; format " + m.format() + " needs weights for " + engines.stream().sorted().toList());
    }
    for (String engine : m.weights().keySet()) {
      if (!engines.contains(engine)) {
        throw refuse("has weights for engine '" + engine + "', but format " + m.format() + " runs on " + engines.stream().sorted().toList());
      }
    }
    if ("flywheel-mlp".equals(m.format()) && m.architecture() == null) {
      throw refuse("format flywheel-mlp needs an architecture (the PyTorch engine builds the network from it)");
    }
  }

  private static void checkFeatures(List<FeatureSpec> features) throws InvalidBundleException {
    if (features == null || features.isEmpty()) {
      throw refuse("lists no features");
    }
    Set<String> names = new HashSet<>();
    for (FeatureSpec f : features) {
      if (f.name() == null || f.name().isBlank()) {
        throw refuse("has a feature without a name");
      }
      if (!names.add(f.name())) {
        throw refuse("lists feature '" + f.name() + "' twice");
      }
      if (f.isNumeric()) {
        if ((f.mean() != null && !Double.isFinite(f.mean())) || (f.std() != null && !(Double.isFinite(f.std()) && f.std() > 0))) {
          throw refuse("feature '" + f.name() + "' needs a finite mean and a finite std above 0 (or neither)");
        }
      } else if (!FeatureSpec.CATEGORICAL.equals(f.type()) || f.vocabulary() == null || f.vocabulary().isEmpty()) {
        throw refuse("feature '" + f.name() + "' needs type numeric, or categorical with a vocabulary");
      } else if (f.vocabulary().contains(null) || new HashSet<>(f.vocabulary()).size() != f.vocabulary().size()) {
        throw refuse("feature '" + f.name() + "' has an empty or repeated value in its vocabulary");
      }
    }
  }

  private static void checkClasses(ModelMetadata m) throws InvalidBundleException {
    List<String> classes = m.classes();
    if (!m.isClassification()) {
      if (classes != null && !classes.isEmpty()) {
        throw refuse("lists classes " + classes + ", but task regression has none");
      }
      return;
    }
    if (classes == null || classes.contains(null) || new HashSet<>(classes).size() != classes.size()) {
      throw refuse("task " + m.task() + " needs classes: distinct names, in the order of the model's output columns");
    }
    if (Task.binaryClassification.name().equals(m.task()) && classes.size() != 2) {
      throw refuse("task binaryClassification needs exactly 2 classes (negative, positive), got " + classes.size() + ": " + classes);
    }
    if (m.isMulticlass() && classes.size() < 2) {
      throw refuse("task multiclassClassification needs at least 2 classes, got " + classes);
    }
  }

  private static void checkOutputs(ModelMetadata m) throws InvalidBundleException {
    if (m.outputs() == null) {
      throw refuse("has no outputs; expected logits or probabilities");
    }
    if (!ModelMetadata.LOGITS.equals(m.outputs()) && !ModelMetadata.PROBABILITIES.equals(m.outputs())) {
      throw refuse("has outputs '" + m.outputs() + "'; expected logits or probabilities");
    }
    if (m.output() != null && (m.output().isBlank() || !"onnx".equals(m.format()))) {
      throw refuse("output names the network output that holds the scores; it needs format onnx and a name, got '" + m.output()
          + "' with format " + m.format());
    }
    if (!m.isClassification() && ModelMetadata.PROBABILITIES.equals(m.outputs())) {
      throw refuse("outputs probabilities does not fit task regression: a regression model outputs its value, declared as logits");
    }
  }

  private static void checkTarget(ModelMetadata m) throws InvalidBundleException {
    ModelMetadata.Target target = m.target();
    if (target == null) {
      return;
    }
    if (m.isClassification()) {
      throw refuse("has a target, but target (the standardisation of a regression label) does not fit task " + m.task());
    }
    if (!Double.isFinite(target.mean()) || !Double.isFinite(target.std()) || target.std() <= 0) {
      throw refuse("target needs a finite mean and a finite std above 0, got mean " + target.mean() + ", std " + target.std());
    }
  }

  private static void checkArchitecture(ModelMetadata m) throws InvalidBundleException {
    ModelMetadata.Architecture architecture = m.architecture();
    if (architecture == null) {
      return;
    }
    int width = m.features().stream().mapToInt(FeatureSpec::width).sum();
    if (architecture.inputSize() != width) {
      throw refuse("architecture.inputSize is " + architecture.inputSize() + ", but the features encode to " + width + " inputs");
    }
    List<Integer> widths = ModelContract.outputWidths(m);
    if (!widths.contains(architecture.outputSize())) {
      throw refuse("architecture.outputSize is " + architecture.outputSize() + ", but task " + m.task() + ModelContract.describe(m, widths));
    }
  }

  private static InvalidBundleException refuse(String reason) {
    return new InvalidBundleException(FILE + " " + reason);
  }
}
