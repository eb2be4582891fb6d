package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.validation.FieldError;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest under src/test/resources/invalid* is refused, for the reason its header names and no other. */
class InvalidManifestsTest {
  private static final ManifestValidator VALIDATOR = ManifestValidator.fromDirectory(RepoPaths.chartCrds());

  static Stream<ManifestCase> creates() {
    return ManifestCase.in("invalid");
  }

  static Stream<ManifestCase> updates() {
    return ManifestCase.in("invalid-updates");
  }

  @ParameterizedTest
  @MethodSource("creates")
  void refusedOnCreateNamingTheField(ManifestCase invalid) {
    assertThat(invalid.documents()).hasSize(1);
    assertRefused(invalid, VALIDATOR.validateCreate(invalid.documents().get(0)).errors());
  }

  @ParameterizedTest
  @MethodSource("updates")
  void refusedOnUpdateNamingTheField(ManifestCase invalid) {
    assertThat(invalid.documents()).hasSize(2);
    assertThat(VALIDATOR.validateCreate(invalid.documents().get(0)).errors()).as("the stored object is valid").isEmpty();
    assertThat(VALIDATOR.validateCreate(invalid.documents().get(1)).errors()).as("the update alone would be valid").isEmpty();
    assertRefused(invalid, VALIDATOR.validateUpdate(invalid.documents().get(0), invalid.documents().get(1)).errors());
  }

  @Test
  void thereAreAtLeastTwentyFiveInvalidManifests() {
    assertThat(creates().count() + updates().count()).isGreaterThanOrEqualTo(25);
  }

  private static void assertRefused(ManifestCase invalid, List<FieldError> errors) {
    assertThat(errors).as("%s must be refused", invalid).isNotEmpty();
    assertThat(errors)
        .as("%s: every refusal names %s", invalid, invalid.expectedField())
        .allSatisfy(e -> assertThat(e.field()).isEqualTo(invalid.expectedField()));
    assertThat(errors.get(0).toString()).contains(invalid.expectedMessage());
  }
}
