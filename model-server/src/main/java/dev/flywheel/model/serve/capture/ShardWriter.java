package dev.flywheel.model.serve.capture;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Appends captured lines to CSV shards {@code <prefix><seq>.csv} in one directory: each shard is written as
 * {@code .csv.tmp} and renamed to {@code .csv} once closed — at maxRows rows, after maxAge, or at close — so a reader
 * never sees half a shard. A failed write abandons that shard (deleted, its rows counted failed) and the next line
 * starts a new one. Used by one thread.
 */
final class ShardWriter implements AutoCloseable {
  private final Path directory;
  private final String prefix;
  private final String header;
  private final int maxRows;
  private final Duration maxAge;
  private final Clock clock;
  private final CaptureCounts counts;
  private final PrintStream log;
  private int sequence;
  private Path temporary;
  private Path target;
  private FileChannel channel;
  private Writer writer;
  private int rows;
  private Instant opened;
  private boolean failing;

  ShardWriter(Path directory, String prefix, String header, int maxRows, Duration maxAge, Clock clock, CaptureCounts counts, PrintStream log) {
    this.directory = directory;
    this.prefix = prefix;
    this.header = header;
    this.maxRows = maxRows;
    this.maxAge = maxAge;
    this.clock = clock;
    this.counts = counts;
    this.log = log;
  }

  /** Appends one line (without its line break), opening a shard first if none is open. */
  void append(String line) {
    try {
      if (writer == null) {
        open();
      }
      writer.write(line);
      writer.write('\n');
      rows++;
    } catch (IOException e) {
      abandon(e, 1);
      return;
    }
    if (rows >= maxRows) {
      closeShard();
    }
  }

  /** Hands what is buffered to the file (not yet visible to readers: the shard is still .csv.tmp). */
  void flush() {
    if (writer != null) {
      try {
        writer.flush();
      } catch (IOException e) {
        abandon(e, 0);
      }
    }
  }

  /** Closes the open shard if it has been open maxAge or longer. */
  void rotateIfDue() {
    if (writer != null && !clock.instant().isBefore(opened.plus(maxAge))) {
      closeShard();
    }
  }

  /** The open shard's name, or null: for tests. */
  Path openShard() {
    return temporary;
  }

  @Override
  public void close() {
    if (writer != null) {
      closeShard();
    }
  }

  private void open() throws IOException {
    sequence++;
    String name = prefix + String.format("%06d", sequence) + ".csv";
    target = directory.resolve(name);
    temporary = directory.resolve(name + ".tmp");
    channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8), 1 << 16);
    writer.write(header);
    writer.write('\n');
    rows = 0;
    opened = clock.instant();
  }

  private void closeShard() {
    try {
      writer.flush();
      channel.force(true);
      writer.close();
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      abandon(e, 0);
      return;
    }
    counts.add(CaptureCounts.CAPTURED, rows);
    counts.shardClosed();
    if (failing) {
      log.println("capture: writing shards to " + directory + " works again");
      failing = false;
    }
    writer = null;
    channel = null;
    temporary = null;
  }

  /** The open shard cannot be trusted: delete it, count its rows (and lost, the line that failed) as failed. */
  private void abandon(IOException e, int lost) {
    counts.add(CaptureCounts.FAILED, rows + lost);
    if (!failing) {
      log.println("capture: cannot write " + (temporary == null ? "a shard in " + directory : temporary) + ": " + e
          + " (its rows are counted as failed; the next row starts a new shard)");
      failing = true;
    }
    try {
      if (writer != null) {
        writer.close();
      } else if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // the shard is being thrown away
    }
    try {
      if (temporary != null) {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException ignored) {
      // nothing more to do: readers skip .csv.tmp files
    }
    writer = null;
    channel = null;
    temporary = null;
    rows = 0;
  }
}
