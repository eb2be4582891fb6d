package dev.flywheel.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Data validation before training: each refusal is one line that names the column and the line. */
class TabularDataTest {
  @TempDir Path tmp;

  private static String rows(int n, String pattern) {
    return IntStream.range(0, n).mapToObj(i -> String.format(pattern, i, i % 2 == 0 ? "yes" : "no")).collect(Collectors.joining("\n"));
  }

  private static TabularData read(String csv, String label, List<String> features, Task task) throws Exception {
    return TabularData.from(CsvTable.read(new StringReader(csv)), label, features, task);
  }

  private static void refused(String csv, String label, List<String> features, Task task, String reason) {
    assertThatThrownBy(() -> read(csv, label, features, task)).isInstanceOf(DataError.class).hasMessage(reason);
  }

  @Test
  void missingOrEmptyFilesAreRefused() {
    assertThatThrownBy(() -> DataSource.fetch(tmp.resolve("absent.csv").toString(), tmp))
        .isInstanceOf(DataError.class).hasMessageStartingWith("data file not found: ");
    assertThatThrownBy(() -> DataSource.fetch("ftp://host/data.csv", tmp)).hasMessageStartingWith("unsupported data URI scheme");
    refused("", "y", null, Task.binaryClassification, "dataset is empty: a CSV file with a header row is required");
    refused("a,y\n", "y", null, Task.binaryClassification, "dataset has a header row but no data rows");
  }

  @Test
  void labelAndFeatureColumnsMustExist() {
    String csv = "a,b,y\n" + rows(20, "%d,1,%s");
    refused(csv, "churned", null, Task.binaryClassification, "label column 'churned' not found (columns: a, b, y)");
    refused(csv, "y", List.of("a", "c"), Task.binaryClassification, "feature column 'c' not found (columns: a, b, y)");
    refused(csv, "y", List.of("a", "y"), Task.binaryClassification, "label column 'y' must not also be a feature");
    refused(csv, "y", List.of("a", "b", "a"), Task.binaryClassification, "feature column 'a' is listed twice");
  }

  @Test
  void badValuesAreNamedByColumnAndLine() {
    refused("a,y\n" + rows(20, "%d,%s") + "\nabc,yes", "y", null, Task.binaryClassification,
        "column 'a' is numeric, but line 22 has 'abc'");
    refused("a,y\n" + rows(20, "%d,%s") + "\nNaN,yes", "y", null, Task.binaryClassification,
        "column 'a' has NaN or infinity at line 22: 'NaN'");
    refused("a,y\n" + rows(20, "%d,%s") + "\n-Infinity,yes", "y", null, Task.binaryClassification,
        "column 'a' has NaN or infinity at line 22: '-Infinity'");
    refused("a,y\n" + rows(20, "%d,%s") + "\n,yes", "y", null, Task.binaryClassification,
        "column 'a' is empty at line 22 (missing values are not supported)");
    refused("a,y\n1,yes,extra\n" + rows(20, "%d,%s"), "y", null, Task.binaryClassification, "line 2 has 3 fields, the header has 2");
    refused("a,y\n\"1,yes\n", "y", null, Task.binaryClassification, "line 2 has a quoted field that is never closed");
    refused("a,a,y\n1,2,yes", "y", null, Task.binaryClassification, "the header row names column 'a' twice");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "binaryClassification|label column 'y' has a single class 'yes': classification needs at least two",
      "multiclassClassification|label column 'y' has a single class 'yes': classification needs at least two"})
  void classificationNeedsTwoClasses(String task, String reason) {
    refused("a,y\n" + rows(20, "%d,yes"), "y", null, Task.parse(task), reason);
  }

  @Test
  void tooFewRowsWrongClassCountsAndTextRegressionLabelsAreRefused() {
    refused("a,y\n" + rows(5, "%d,%s"), "y", null, Task.binaryClassification, "too few rows: 5 (at least 10 are needed)");
    refused("a,y\n" + IntStream.range(0, 30).mapToObj(i -> i + "," + "abc".charAt(i % 3)).collect(Collectors.joining("\n")), "y", null,
        Task.binaryClassification, "binaryClassification needs exactly two classes, but label column 'y' has 3 (a, b, c): use multiclassClassification");
    refused("a,y\n" + rows(20, "%d,%s"), "y", null, Task.regression, "label column 'y' must be numeric for regression, but line 2 has 'yes'");
    assertThatThrownBy(() -> Task.parse("clustering")).hasMessageStartingWith("unknown task 'clustering'");
  }

  @Test
  void textColumnsBecomeCategoriesAndQuotedFieldsAreRead() throws Exception {
    TabularData data = read("city,\"income, net\",y\n" + rows(20, "\"Paris, FR\",%d,%s").replace("Paris, FR\",1", "Oslo\",1"), "y", null,
        Task.binaryClassification);
    assertThat(data.featureNames()).containsExactly("city", "income, net");
    assertThat(data.isNumeric(0)).isFalse();
    assertThat(data.isNumeric(1)).isTrue();
    assertThat(data.classes()).containsExactly("no", "yes");
    assertThat(data.rows().get(0)[0]).isEqualTo("Paris, FR");
  }
}
