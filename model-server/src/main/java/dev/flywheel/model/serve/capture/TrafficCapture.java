package dev.flywheel.model.serve.capture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeatureSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Captures labelled production traffic for retraining: the rows of sampled requests wait in memory (bounded,
 * {@link PendingRows}) until /v1/feedback brings their labels; each joined row — the features as sent, in the
 * model's order, then the label under the training data's label column — goes to one writer thread that appends
 * it to CSV shards ({@link ShardWriter}) named {@code capture-<host>-<pid>-<start millis>-<seq>.csv}, so pods
 * sharing a directory never collide. {@link #close()} writes every labelled row and closes the shard.
 * Nothing here changes what the server answers; {@link #OFF} captures nothing.
 */
public final class TrafficCapture implements AutoCloseable {
  /** Captures nothing. */
  public static final TrafficCapture OFF = new TrafficCapture();

  private static final long TICK_MILLIS = 100;

  private final CaptureSettings settings;
  private final boolean classification;
  private final PendingRows pending;
  private final BlockingQueue<String> lines;
  private final CaptureCounts counts = new CaptureCounts();
  private final ShardWriter writer;
  private final Thread thread;
  private final PrintStream log;
  private volatile boolean closing;

  private TrafficCapture() {
    settings = null;
    classification = false;
    pending = new PendingRows(0);
    lines = null;
    writer = null;
    thread = null;
    log = null;
    closing = true;
  }

  private TrafficCapture(CaptureSettings settings, ModelMetadata metadata, Clock clock, PrintStream log) {
    this.settings = settings;
    this.classification = metadata.isClassification();
    this.pending = new PendingRows(settings.maxPending());
    this.lines = new ArrayBlockingQueue<>(settings.maxPending());
    this.log = log;
    String header = CsvLines.header(metadata.features().stream().map(FeatureSpec::name).toList(), metadata.label());
    this.writer = new ShardWriter(settings.directory(), shardPrefix(clock.millis()), header, settings.maxRowsPerShard(),
        settings.maxShardAge(), clock, counts, log);
    this.thread = new Thread(this::writeUntilClosed, "capture-writer");
    thread.setDaemon(true);
  }

  /**
   * Starts capturing: creates the directory and checks that it takes files; refuses a model whose bundle does not
   * name its label column (an imported model without "label" in flywheel-model.json).
   *
   * @param log where the one-line notes of the writer go (stderr)
   */
  public static TrafficCapture start(CaptureSettings settings, ModelMetadata metadata, Clock clock, PrintStream log) throws IOException {
    if (metadata.label() == null || metadata.label().isBlank()) {
      throw new IllegalArgumentException("the bundle's flywheel-model.json names no label column (\"label\"), which captured shards need");
    }
    if (metadata.features().stream().anyMatch(f -> f.name().equals(metadata.label()))) {
      throw new IllegalArgumentException("the label column '" + metadata.label() + "' is also a feature of the model");
    }
    Path directory = Files.createDirectories(settings.directory());
    Path probe = Files.createTempFile(directory, ".capture-probe-", ".tmp");
    Files.delete(probe);
    TrafficCapture capture = new TrafficCapture(settings, metadata, clock, log);
    capture.thread.start();
    return capture;
  }

  public static TrafficCapture start(CaptureSettings settings, ModelMetadata metadata, PrintStream log) throws IOException {
    return start(settings, metadata, Clock.systemUTC(), log);
  }

  public boolean enabled() {
    return settings != null;
  }

  /** A request was scored and answered with this id: hold its raw rows for their labels if it is sampled. */
  public void scored(String id, Object[][] rows) {
    if (closing || !sampled(id, settings.sampleRate())) {
      return;
    }
    counts.add(CaptureCounts.EXPIRED, pending.add(id, rows));
  }

  /** Labels arrived for a request (already checked against the model: one per row, each a class or a number). */
  public void labelled(String id, JsonNode labels) {
    if (closing) {
      return;
    }
    Object[][] rows = pending.take(id);
    if (rows == null) {
      return;
    }
    if (labels.size() != rows.length) {
      counts.add(CaptureCounts.DROPPED, rows.length);
      return;
    }
    for (int r = 0; r < rows.length; r++) {
      JsonNode label = labels.get(r);
      String text = !classification && label.isNumber() ? CsvLines.number(label.asDouble()) : label.asText();
      if (!CsvLines.usable(rows[r]) || !lines.offer(CsvLines.line(rows[r], text))) {
        counts.add(CaptureCounts.DROPPED, 1);
      }
    }
  }

  /** Sampling by request id: the same id is always in or always out, ids spread evenly. */
  static boolean sampled(String id, double rate) {
    if (rate >= 1) {
      return true;
    }
    long h = id.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53 < rate;
  }

  public CaptureCounts counts() {
    return counts;
  }

  /** Rows waiting for their labels. */
  public int pendingRows() {
    return pending.rows();
  }

  /**
   * Stops capturing: every labelled row is written and the open shard closed (renamed to .csv); rows still waiting
   * for labels are let go (expired). Call after the last request and feedback were handled.
   */
  @Override
  public void close() {
    if (!enabled() || closing) {
      return;
    }
    closing = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int waiting = pending.clear();
    counts.add(CaptureCounts.EXPIRED, waiting);
    log.printf("capture: %d rows captured in %d shards in %s; %d rows still waiting for labels were let go%n",
        counts.rows(CaptureCounts.CAPTURED), counts.shards(), settings.directory(), waiting);
    log.flush();
  }

  private void writeUntilClosed() {
    try {
      while (true) {
        boolean last = closing;
        String line = lines.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
        if (line != null) {
          do {
            writer.append(line);
          } while ((line = lines.poll()) != null);
          writer.flush();
        }
        writer.rotateIfDue();
        if (last && lines.isEmpty()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      writer.close();
      counts.add(CaptureCounts.DROPPED, lines.size());
      lines.clear();
    }
  }

  /** capture-<host>-<pid>-<start millis>- : unique per process, so pods that share a directory never collide. */
  private static String shardPrefix(long startMillis) {
    return "capture-" + host() + "-" + ProcessHandle.current().pid() + "-" + startMillis + "-";
  }

  private static String host() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        name = "localhost";
      }
    }
    return name.replaceAll("[^A-Za-z0-9.-]", "-");
  }

  /** The writer's open shard (.csv.tmp), or null: for tests. */
  Path openShard() {
    return writer.openShard();
  }
}
