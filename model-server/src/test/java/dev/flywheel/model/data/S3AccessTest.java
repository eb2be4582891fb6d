package dev.flywheel.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading s3:// datasets and bundles: AWS Signature V4 against AWS's published example, the protocol against s3rver. */
class S3AccessTest {
  @TempDir Path tmp;

  @Test
  void signatureMatchesAwsPublishedGetObjectExample() {
    Map<String, String> headers = new TreeMap<>(Map.of(
        "Host", "examplebucket.s3.amazonaws.com",
        "Range", "bytes=0-9",
        "x-amz-content-sha256", S3Signer.EMPTY_PAYLOAD,
        "x-amz-date", "20130524T000000Z"));
    assertThat(S3Signer.authorization("GET", "/test.txt", headers, "20130524T000000Z", "us-east-1",
        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
        .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assertThat(S3Signer.encodePath("/bucket/data 2026/churn+é.csv")).isEqualTo("/bucket/data%202026/churn%2B%C3%A9.csv");
    assertThat(S3Signer.canonicalQuery(Map.of("prefix", "bundles/churn v1/", "list-type", "2")))
        .isEqualTo("list-type=2&prefix=bundles%2Fchurn%20v1%2F");
  }

  @Test
  void datasetsAreReadFromAnS3CompatibleStore() throws Exception {
    try (S3Fixture s3 = new S3Fixture(tmp.resolve("s3"), "analytics")) {
      Path csv = SyntheticData.churn(tmp, 50, 1);
      s3.put("churn/2026-11.csv", csv);
      Path read = DataSource.fetch("s3://analytics/churn/2026-11.csv", tmp.resolve("scratch"), s3.env());
      assertThat(Files.readString(read)).isEqualTo(Files.readString(csv));

      Map<String, String> unknownKey = new TreeMap<>(s3.env());
      unknownKey.put("AWS_ACCESS_KEY_ID", "NOBODY");
      assertThatThrownBy(() -> DataSource.fetch("s3://analytics/churn/2026-11.csv", tmp.resolve("scratch"), unknownKey))
          .isInstanceOf(DataError.class)
          .hasMessage("reading s3://analytics/churn/2026-11.csv failed: HTTP 403 (check the credentials in the referenced Secret)");
      assertThatThrownBy(() -> DataSource.fetch("s3://analytics/missing.csv", tmp.resolve("scratch"), s3.env()))
          .hasMessage("reading s3://analytics/missing.csv failed: HTTP 404");
      assertThatThrownBy(() -> DataSource.fetch("s3://analytics", tmp, s3.env())).hasMessage("s3 URI needs a bucket and a key: s3://analytics");
    }
  }

  @Test
  void aPrefixEndingInASlashIsADirectoryOfShardsListedPageByPage() throws Exception {
    try (S3Fixture s3 = new S3Fixture(tmp.resolve("s3"), "analytics")) {
      Path local = Files.createDirectories(tmp.resolve("local"));
      for (int i = 0; i < 5; i++) {
        Files.writeString(local.resolve("capture-" + i + ".csv"), "a,y\n" + i + ",yes\n" + (10 + i) + ",no\n");
      }
      for (int i : new int[] {3, 0, 4, 1, 2}) {
        s3.put("capture/capture-" + i + ".csv", local.resolve("capture-" + i + ".csv"));
      }
      Files.writeString(tmp.resolve("half.csv.tmp"), "a,y\n5,ye");
      s3.put("capture/capture-5.csv.tmp", tmp.resolve("half.csv.tmp"));
      s3.put("capture/.hidden.csv", local.resolve("capture-0.csv"));
      s3.put("capture/older/capture-9.csv", local.resolve("capture-0.csv"));
      s3.put("capture-elsewhere.csv", local.resolve("capture-0.csv"));

      S3Client client = new S3Client(s3.env());
      assertThat(client.list("analytics", "capture/", 2)).as("three pages of two keys").hasSize(8);

      Dataset.Read read = Dataset.read(List.of("s3://analytics/capture/"), null, tmp.resolve("scratch"), s3.env());
      assertThat(read.shards()).isEqualTo(5);
      assertThat(read.table().rows().stream().map(r -> r[0]).toList()).containsExactly("0", "10", "1", "11", "2", "12", "3", "13", "4", "14");
      assertThat(read.digest()).as("the same shards on a local disk give the same digest")
          .isEqualTo(Dataset.read(List.of(local + "/"), null, tmp.resolve("scratch"), Map.of()).digest());
      assertThat(read.table().where(2)).isEqualTo("line 2 of s3://analytics/capture/capture-1.csv");
    }
  }

  @Test
  void bundlesAreDownloadedWholeAndStillVerifyTheirDigest() throws Exception {
    Path bundle = tmp.resolve("bundle");
    TrainingRun.Result trained = TrainingRun.run(SyntheticData.churn(tmp, 200, 2), "churned", null, Task.binaryClassification,
        new TrainingOptions(List.of(8), 2, 32, 0.01, 1, 0.2), bundle);
    try (S3Fixture s3 = new S3Fixture(tmp.resolve("s3"), "models"); Stream<Path> files = Files.list(bundle)) {
      for (Path file : files.toList()) {
        s3.put("churn/v1/" + file.getFileName(), file);
      }
      s3.put("churn/v10/unrelated.txt", bundle.resolve("flywheel-model.json"));
      Path fetched = BundleSource.fetch("s3://models/churn/v1", tmp.resolve("scratch"), s3.env());
      assertThat(BundleDigest.verify(fetched, trained.bundleDigest())).as("only the bundle's own objects").isEqualTo(trained.bundleDigest());
      assertThatThrownBy(() -> BundleSource.fetch("s3://models/churn/v2", tmp.resolve("scratch"), s3.env()))
          .hasMessage("no bundle at s3://models/churn/v2: no objects under that prefix");
    }
  }
}
