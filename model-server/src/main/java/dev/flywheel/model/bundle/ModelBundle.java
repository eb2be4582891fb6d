package dev.flywheel.model.bundle;

import dev.flywheel.model.data.FeaturePipeline;
import dev.flywheel.model.infer.ModelRunner;
import dev.flywheel.model.infer.OutputDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A bundle opened for use: digest verified first, metadata checked ({@link MetadataRules}), weights loaded and checked
 * against the metadata ({@link ModelContract}) — so a bundle that opens can score every request its features admit.
 */
public final class ModelBundle implements AutoCloseable {
  private final Path directory;
  private final String digest;
  private final ModelMetadata metadata;
  private final FeaturePipeline pipeline;
  private final OutputDecoder decoder;
  private final ModelRunner runner;

  private ModelBundle(Path directory, String digest, ModelMetadata metadata, FeaturePipeline pipeline, ModelRunner runner) {
    this.directory = directory;
    this.digest = digest;
    this.metadata = metadata;
    this.pipeline = pipeline;
    this.decoder = OutputDecoder.of(metadata);
    this.runner = runner;
  }

  /**
   * Verifies the bundle's digest (against expectedDigest, or its own digest file when that is null) before
   * anything else is read, then loads it with the engine ("auto", "PyTorch" or "OnnxRuntime") and refuses a network
   * that contradicts the metadata (input width, output width, task, output kind) or cannot score a batch.
   */
  public static ModelBundle open(Path directory, String expectedDigest, String engine) throws IOException {
    String digest = BundleDigest.verify(directory, expectedDigest);
    ModelMetadata metadata = readMetadata(directory);
    FeaturePipeline pipeline = new FeaturePipeline(metadata.features());
    ModelRunner runner = ModelRunner.open(directory, metadata, engine);
    try {
      ModelContract.check(metadata, runner, pipeline);
    } catch (InvalidBundleException e) {
      runner.close();
      throw e;
    }
    return new ModelBundle(directory, digest, metadata, pipeline, runner);
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
    MetadataRules.check(metadata);
    return metadata;
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
