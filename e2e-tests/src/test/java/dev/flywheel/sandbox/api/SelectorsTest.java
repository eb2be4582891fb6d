package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Label and field selectors of list and watch requests. */
class SelectorsTest {
  private static final JsonNode POD = read(
      "{'metadata':{'name':'p','namespace':'ml','labels':{'app':'churn','track':'canary'}},'spec':{'nodeName':'local'}}");

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void labelSelectorsOfEveryForm() {
    assertThat(Selectors.of("app=churn,track==canary", null).test(POD)).isTrue();
    assertThat(Selectors.of("app!=churn", null).test(POD)).isFalse();
    assertThat(Selectors.of("track in (stable, canary)", null).test(POD)).isTrue();
    assertThat(Selectors.of("track notin (canary)", null).test(POD)).isFalse();
    assertThat(Selectors.of("app,!missing", null).test(POD)).isTrue();
    assertThat(Selectors.of("!app", null).test(POD)).isFalse();
  }

  @Test
  void fieldSelectorsOnAnyField() {
    assertThat(Selectors.of(null, "metadata.name=p,metadata.namespace=ml").test(POD)).isTrue();
    assertThat(Selectors.of(null, "spec.nodeName!=local").test(POD)).isFalse();
    assertThatThrownBy(() -> Selectors.of(null, "metadata.name")).isInstanceOf(ApiException.class);
  }
}
