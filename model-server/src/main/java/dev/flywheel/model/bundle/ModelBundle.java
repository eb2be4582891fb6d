package dev.flywheel.model.bundle;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidBundleException(ModelMetadata.FILE + " has an unknown field '" + e.getPropertyName() + "'" + at(e)
          + "; known there: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList());
    } catch (MismatchedInputException e) {
      throw new InvalidBundleException(ModelMetadata.FILE + " is not valid" + at(e) + ": expected " + kind(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new InvalidBundleException(ModelMetadata.FILE + " is not valid" + at(e) + ": " + e.getOriginalMessage());
    } catch (JacksonException e) {
      throw new InvalidBundleException(ModelMetadata.FILE + " is not valid: " + e.getOriginalMessage());
    }
    MetadataRules.check(metadata);
    return metadata;
  }

  /** What a JSON value of the given Java type looks like, for a refusal. */
  private static String kind(Class<?> type) {
    if (type == null) {
      return "another type of value";
    }
    if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
      return "a number";
    }
    return type == boolean.class || type == Boolean.class ? "true or false" : "an object";
  }

  /** " at features[1].vocabulary" — where in the file a mapping error is, or "" at the top level. */
  private static String at(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    List<JsonMappingException.Reference> references = e.getPath();
    for (int i = 0; i < references.size() - (e instanceof UnrecognizedPropertyException ? 1 : 0); i++) {
      JsonMappingException.Reference reference = references.get(i);
      path.append(reference.getFieldName() != null ? (path.isEmpty() ? "" : ".") + reference.getFieldName() : "[" + reference.getIndex() + "]");
    }
    return path.isEmpty() ? "" : " at " + path;
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
