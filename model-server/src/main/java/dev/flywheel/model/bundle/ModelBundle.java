package dev.flywheel.model.bundle;

import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.data.FeatureSpec;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.infer.ModelRunner;
import dev.flywheel.model.infer.OutputDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A bundle opened for use: digest verified first, metadata checked, weights loaded. */
public final class ModelBundle implements AutoCloseable {
  private static final List<String> TASKS = Arrays.stream(Task.values()).map(Task::name).toList();

  private final Path directory;
  private final String digest;
  private final ModelMetadata metadata;
  private final FeaturePipeline pipeline;
  private final OutputDecoder decoder;
  private final ModelRunner runner;

  private ModelBundle(Path directory, String digest, ModelMetadata metadata, ModelRunner runner) {
    this.directory = directory;
    this.digest = digest;
    this.metadata = metadata;
    this.pipeline = new FeaturePipeline(metadata.features());
    this.decoder = OutputDecoder.of(metadata);
    this.runner = runner;
  }

  /**
   * Verifies the bundle's digest (against expectedDigest, or its own digest file when that is null) before
   * anything else is read, then loads it with the engine ("auto", "PyTorch" or "OnnxRuntime").
   */
  public static ModelBundle open(Path directory, String expectedDigest, String engine) throws IOException {
    String digest = BundleDigest.verify(directory, expectedDigest);
    ModelMetadata metadata = readMetadata(directory);
    return new ModelBundle(directory, digest, metadata, ModelRunner.open(directory, metadata, engine));
  }

  /** Reads and checks flywheel-model.json. */
  public static ModelMetadata readMetadata(Path directory) throws IOException {
    Path file = directory.resolve(ModelMetadata.FILE);
    if (!Files.isRegularFile(file)) {
      throw new InvalidBundleException("bundle " + directory + " has no " + ModelMetadata.FILE);
    }
    ModelMetadata metadata;
    try {
      metadata = Json.MAPPER.readValue(file.toFile(), ModelMetadata.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new InvalidBundleException(ModelMetadata.FILE + " is not valid: " + e.getOriginalMessage());
    }
    check(metadata);
    return metadata;
  }

  private static void check(ModelMetadata m) throws InvalidBundleException {
    if (m.formatVersion() != ModelMetadata.FORMAT_VERSION) {
      throw new InvalidBundleException(ModelMetadata.FILE + " has formatVersion " + m.formatVersion() + "; this server reads " + ModelMetadata.FORMAT_VERSION);
    }
    if (m.task() == null || !TASKS.contains(m.task())) {
      throw new InvalidBundleException(ModelMetadata.FILE + " has task " + m.task() + "; expected one of " + TASKS);
    }
    if (m.features() == null || m.features().isEmpty()) {
      throw new InvalidBundleException(ModelMetadata.FILE + " lists no features");
    }
    for (FeatureSpec f : m.features()) {
      if (f.name() == null || !(f.isNumeric() || (FeatureSpec.CATEGORICAL.equals(f.type()) && f.vocabulary() != null && !f.vocabulary().isEmpty()))) {
        throw new InvalidBundleException(ModelMetadata.FILE + ": feature " + f.name() + " needs type numeric, or categorical with a vocabulary");
      }
    }
    boolean classification = m.isClassification();
    if (classification && (m.classes() == null || m.classes().size() < 2)) {
      throw new InvalidBundleException(ModelMetadata.FILE + ": a classification model needs at least two classes");
    }
    if (!ModelMetadata.LOGITS.equals(m.outputs()) && !ModelMetadata.PROBABILITIES.equals(m.outputs())) {
      throw new InvalidBundleException(ModelMetadata.FILE + ": outputs must be logits or probabilities");
    }
  }

  public Path directory() {
    return directory;
  }

  public String digest() {
    return digest;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public FeaturePipeline pipeline() {
    return pipeline;
  }

  public String engine() {
    return runner.engine();
  }

  /** Scores encoded rows: binary [p(positive)], multiclass class probabilities, regression [value]. */
  public float[][] score(float[][] encoded) {
    return decoder.decode(runner.run(encoded));
  }

  public List<String> classes() {
    return metadata.classes() == null ? List.of() : metadata.classes();
  }

  @Override
  public void close() {
    runner.close();
  }
}
