package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.operator.metrics.QueryResult.Outcome;
import org.junit.jupiter.api.Test;

/** A query result holds a value exactly when it is one, never NaN, and a one-line message. */
class QueryResultTest {
  @Test
  void onlyValueIsAvailable() {
    assertThat(QueryResult.value(1).available()).isTrue();
    assertThat(QueryResult.noData("x").available()).isFalse();
    assertThat(QueryResult.notANumber("x").available()).isFalse();
    assertThat(QueryResult.queryError("x").available()).isFalse();
    assertThat(QueryResult.unreachable("x").available()).isFalse();
  }

  @Test
  void aValueIsGivenExactlyForValueAndIsNeverNan() {
    assertThatThrownBy(() -> new QueryResult(Outcome.VALUE, null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueryResult(Outcome.NO_DATA, 1.0, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> QueryResult.value(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void messagesAreOneShortLine() {
    assertThat(QueryResult.queryError("a\nb\r\n\tc ").message()).isEqualTo("a b c");
    assertThat(QueryResult.queryError("x".repeat(2000)).message()).hasSize(512).endsWith("…");
    assertThat(QueryResult.noData(null).message()).isEmpty();
    assertThat(QueryResult.value(1e-4).message()).isEqualTo("0.0001");
  }
}
