package dev.flywheel.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.model.testdata.ImportedBundles;
import dev.flywheel.model.testdata.ImportedBundles.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The imported bundles users copy, committed under examples/bring-your-own-model/bundles/: each is exactly what
 * {@link ImportedBundles} builds (regenerate with {@code -Dflywheel.examples.update=true}) and opens as committed —
 * digest file, description and network agreeing.
 */
class ExampleBundlesTest {
  private static final Path COMMITTED = Path.of(System.getProperty("repository.root", ".."), "examples/bring-your-own-model/bundles")
      .toAbsolutePath().normalize();
  private static final List<String> FILES = List.of("flywheel-model.json", "flywheel-model.sha256", "model.onnx");
  @TempDir Path tmp;

  static Stream<Example> kinds() {
    return Stream.of(ImportedBundles.binary(), ImportedBundles.multiclass(), ImportedBundles.regression(), ImportedBundles.categorical());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void theCommittedExampleIsWhatTheTestsBuildAndOpens(Example example) throws Exception {
    Path committed = COMMITTED.resolve(example.name());
    if (Boolean.getBoolean("flywheel.examples.update")) {
      example.write(committed);
    }
    Path built = example.write(tmp.resolve(example.name()));
    try (Stream<Path> listing = Files.list(committed)) {
      assertThat(listing.map(f -> f.getFileName().toString()).sorted()).as("files of %s", committed).containsExactlyElementsOf(FILES);
    }
    for (String file : FILES) {
      assertThat(Files.readAllBytes(committed.resolve(file)))
          .as("%s/%s is out of date: run the model-server tests with -Dflywheel.examples.update=true", committed, file)
          .isEqualTo(Files.readAllBytes(built.resolve(file)));
    }
    try (ModelBundle bundle = ModelBundle.open(committed, null, "auto")) {
      float[][] scores = bundle.score(new float[][] {bundle.pipeline().encode(bundle.pipeline().typicalRow())});
      for (float score : scores[0]) {
        assertThat(Float.isFinite(score)).as("%s scores a typical row: %s", example, score).isTrue();
      }
    }
  }
}
