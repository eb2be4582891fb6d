package dev.flywheel.model.serve.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.CsvTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture without a model or HTTP: the join of rows and labels, the memory bound, shard rotation and naming, failures. */
class TrafficCaptureTest {
  private static final String SHARD_NAME = "capture-[A-Za-z0-9.-]+-\\d+-\\d{13}-\\d{6}\\.csv";
  @TempDir Path tmp;
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);

  /** A clock the test steps by hand. */
  static final class StepClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-01T10:00:00Z");

    void step(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  static ModelMetadata churn() throws Exception {
    return Json.MAPPER.readValue("""
        {"formatVersion": 1, "format": "flywheel-mlp", "task": "binaryClassification", "label": "churned", "classes": ["no", "yes"],
         "outputs": "logits", "features": [
           {"name": "tenure_months", "type": "numeric", "mean": 30, "std": 20},
           {"name": "contract", "type": "categorical", "vocabulary": ["month-to-month", "one-year"]},
           {"name": "income, net", "type": "numeric", "mean": 0, "std": 1}]}""", ModelMetadata.class);
  }

  private static JsonNode labels(Object... values) {
    return Json.MAPPER.valueToTree(List.of(values));
  }

  private List<Path> shards(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void rowsAreJoinedWithTheirLabelsFeaturesAsSentLabelAsFedBack() throws Exception {
    Path dir = tmp.resolve("capture");
    TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir), churn(), Clock.systemUTC(), log);
    capture.scored("r1", new Object[][] {{3.0, "month-to-month", 95.25}});
    capture.scored("r2", new Object[][] {{70.0, "one-year", -1.5e-7}, {12.0, "a \"new\", plan", 1e20}});
    capture.scored("never-labelled", new Object[][] {{1.0, "one-year", 2.0}});
    capture.labelled("r2", labels("no", "yes"));
    capture.labelled("r1", labels("yes"));
    capture.labelled("r1", labels("no"));
    capture.labelled("unknown", labels("no"));
    assertThat(capture.pendingRows()).isEqualTo(1);
    capture.close();

    List<Path> files = shards(dir);
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).matches(SHARD_NAME);
    assertThat(Files.readString(files.get(0))).isEqualTo("""
        tenure_months,contract,"income, net",churned
        70,one-year,-1.5E-7,no
        12,"a ""new"", plan",1.0E20,yes
        3,month-to-month,95.25,yes
        """);
    CsvTable table = CsvTable.read(new StringReader(Files.readString(files.get(0))));
    assertThat(table.header()).containsExactly("tenure_months", "contract", "income, net", "churned");
    assertThat(table.rows().get(1)).containsExactly("12", "a \"new\", plan", "1.0E20", "yes");
    assertThat(Double.parseDouble(table.rows().get(0)[2])).isEqualTo(-1.5e-7);
    assertThat(capture.counts().rows(CaptureCounts.CAPTURED)).isEqualTo(3);
    assertThat(capture.counts().rows(CaptureCounts.EXPIRED)).as("the row never labelled, let go at close").isEqualTo(1);
    assertThat(capture.counts().shards()).isEqualTo(1);
    assertThat(logged.toString()).contains("capture: 3 rows captured in 1 shards in " + dir + "; 1 rows still waiting for labels were let go");
  }

  @Test
  void regressionLabelsAreWrittenAsNumbersAndRowsTrainingWouldRefuseAreDropped() throws Exception {
    ModelMetadata prices = Json.MAPPER.readValue("""
        {"formatVersion": 1, "format": "flywheel-mlp", "task": "regression", "label": "price", "outputs": "logits",
         "features": [{"name": "size_m2", "type": "numeric"}, {"name": "city", "type": "categorical", "vocabulary": ["Oslo"]}]}""",
        ModelMetadata.class);
    Path dir = tmp.resolve("capture");
    TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir), prices, Clock.systemUTC(), log);
    capture.scored("a", new Object[][] {{80.0, "Oslo"}, {55.5, " "}});
    capture.labelled("a", labels(250000, 199999.5));
    capture.close();
    assertThat(Files.readString(shards(dir).get(0))).isEqualTo("size_m2,city,price\n80,Oslo,250000\n");
    assertThat(capture.counts().rows(CaptureCounts.DROPPED)).as("an empty category would make training refuse the shard").isEqualTo(1);
  }

  @Test
  void unlabelledRowsExpireSoMemoryStaysBounded() throws Exception {
    Path dir = tmp.resolve("capture");
    TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir).withLimits(1_000, 100_000, Duration.ofHours(1)),
        churn(), Clock.systemUTC(), log);
    int most = 0;
    for (int i = 0; i < 100_000; i++) {
      capture.scored("req-" + i, new Object[][] {{(double) i, "one-year", 1.0}});
      most = Math.max(most, capture.pendingRows());
    }
    assertThat(most).isEqualTo(1_000);
    assertThat(capture.counts().rows(CaptureCounts.EXPIRED)).isEqualTo(99_000);
    capture.labelled("req-5", labels("yes"));
    for (int i = 99_000; i < 100_000; i++) {
      capture.labelled("req-" + i, labels(i % 2 == 0 ? "yes" : "no"));
    }
    assertThat(capture.pendingRows()).isZero();
    capture.scored("too-big", new Object[1_001][]);
    assertThat(capture.pendingRows()).as("a request larger than the bound is not held").isZero();
    capture.close();
    assertThat(capture.counts().rows(CaptureCounts.CAPTURED)).isEqualTo(1_000);
    assertThat(capture.counts().rows(CaptureCounts.EXPIRED)).isEqualTo(99_000 + 1_001);
    List<String> lines = Files.readAllLines(shards(dir).get(0));
    assertThat(lines).hasSize(1_001);
    assertThat(lines.get(1)).isEqualTo("99000,one-year,1,yes");
  }

  @Test
  void shardsRotateByRowsAndAgeAndAreVisibleOnlyOnceClosed() throws Exception {
    Path dir = tmp.resolve("capture");
    StepClock clock = new StepClock();
    TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir).withLimits(100, 3, Duration.ofMinutes(10)), churn(), clock, log);
    for (int i = 0; i < 7; i++) {
      capture.scored("r" + i, new Object[][] {{(double) i, "one-year", 0.5}});
      capture.labelled("r" + i, labels("no"));
    }
    awaitTrue(() -> capture.counts().shards() == 2 && capture.openShard() != null, "two full shards closed, a third open");
    Path open = capture.openShard();
    assertThat(open.getFileName().toString()).endsWith(".csv.tmp");
    List<String> names = shards(dir).stream().map(p -> p.getFileName().toString()).toList();
    assertThat(names).hasSize(3).allMatch(n -> n.matches(SHARD_NAME) || n.equals(open.getFileName().toString()));

    clock.step(Duration.ofMinutes(9));
    Thread.sleep(300);
    assertThat(capture.openShard()).as("not old enough yet").isEqualTo(open);
    clock.step(Duration.ofMinutes(1));
    awaitTrue(() -> capture.openShard() == null, "the shard closed by age");
    List<Path> closed = shards(dir);
    assertThat(closed).hasSize(3).allMatch(p -> p.getFileName().toString().matches(SHARD_NAME));
    assertThat(closed.get(0).getFileName().toString()).endsWith("-000001.csv");
    assertThat(closed.get(2).getFileName().toString()).endsWith("-000003.csv");
    List<Integer> rows = new ArrayList<>();
    for (Path shard : closed) {
      rows.add(Files.readAllLines(shard).size() - 1);
    }
    assertThat(rows).containsExactly(3, 3, 1);
    assertThat(Files.readAllLines(closed.get(2))).containsExactly("tenure_months,contract,\"income, net\",churned", "6,one-year,0.5,no");

    capture.close();
    assertThat(shards(dir)).as("close does not leave an empty shard").hasSize(3);
    assertThat(capture.counts().rows(CaptureCounts.CAPTURED)).isEqualTo(7);
  }

  @Test
  void aFailedWriteCountsItsRowsAsFailedAndCaptureGoesOn() throws Exception {
    Path dir = tmp.resolve("capture");
    TrafficCapture capture = TrafficCapture.start(CaptureSettings.defaults(dir).withLimits(100, 2, Duration.ofHours(1)), churn(), Clock.systemUTC(), log);
    capture.scored("a", new Object[][] {{1.0, "one-year", 0.0}});
    capture.labelled("a", labels("no"));
    // The shard is named before its file exists: wait for the file itself.
    awaitTrue(() -> capture.openShard() != null && Files.exists(capture.openShard()), "a shard open on disk");
    Files.delete(capture.openShard());
    Files.delete(dir);
    capture.scored("b", new Object[][] {{2.0, "one-year", 0.0}, {3.0, "one-year", 0.0}});
    capture.labelled("b", labels("no", "yes"));
    awaitTrue(() -> capture.counts().rows(CaptureCounts.FAILED) == 3, "the shard whose directory went away failed");
    Files.createDirectories(dir);
    capture.scored("c", new Object[][] {{4.0, "one-year", 0.0}});
    capture.labelled("c", labels("yes"));
    capture.close();
    assertThat(capture.counts().rows(CaptureCounts.CAPTURED)).isEqualTo(1);
    assertThat(Files.readAllLines(shards(dir).get(0))).endsWith("4,one-year,0,yes");
    assertThat(logged.toString()).contains("capture: cannot write").contains("capture: writing shards to " + dir + " works again");
  }

  @Test
  void samplingIsByRequestIdEvenAndRepeatable() {
    int in = 0;
    for (int i = 0; i < 20_000; i++) {
      boolean sampled = TrafficCapture.sampled("id-" + i, 0.25);
      assertThat(TrafficCapture.sampled("id-" + i, 0.25)).isEqualTo(sampled);
      in += sampled ? 1 : 0;
    }
    assertThat(in).isBetween(4_600, 5_400);
    assertThat(TrafficCapture.sampled("any", 1.0)).isTrue();
  }

  @Test
  void captureRefusesADirectoryItCannotWriteAndAModelWithoutALabelColumn() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertThatThrownBy(() -> TrafficCapture.start(CaptureSettings.defaults(file), churn(), log))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    ModelMetadata imported = Json.MAPPER.readValue("""
        {"formatVersion": 1, "format": "onnx", "task": "regression", "outputs": "logits", "features": [{"name": "x", "type": "numeric"}]}""",
        ModelMetadata.class);
    assertThatThrownBy(() -> TrafficCapture.start(CaptureSettings.defaults(tmp.resolve("c")), imported, log))
        .hasMessage("the bundle's flywheel-model.json names no label column (\"label\"), which captured shards need");
    TrafficCapture.OFF.scored("a", new Object[][] {{1.0}});
    TrafficCapture.OFF.close();
    assertThat(TrafficCapture.OFF.pendingRows()).isZero();
  }
}
