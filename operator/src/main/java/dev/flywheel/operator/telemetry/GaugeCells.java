package dev.flywheel.operator.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The samples of one gauge, one per label set, each value held here (Micrometer keeps only a reference to a gauge's
 * state) and set, read or removed atomically per label set, so concurrent reconciles never leave a registered gauge
 * without its value or a value without its gauge.
 */
final class GaugeCells {
  private record Cell(AtomicLong bits, Gauge gauge) {}

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final ConcurrentMap<Tags, Cell> cells = new ConcurrentHashMap<>();

  GaugeCells(MeterRegistry registry, String name, String description) {
    this.registry = registry;
    this.name = name;
    this.description = description;
  }

  /** Sets the sample of these labels, registering its gauge the first time. */
  void set(Tags tags, double value) {
    long bits = Double.doubleToRawLongBits(value);
    cells.compute(tags, (key, cell) -> {
      if (cell != null) {
        cell.bits().set(bits);
        return cell;
      }
      AtomicLong state = new AtomicLong(bits);
      Gauge gauge = Gauge.builder(name, state, s -> Double.longBitsToDouble(s.get()))
          .description(description).tags(key).strongReference(true).register(registry);
      return new Cell(state, gauge);
    });
  }

  /** Removes the sample of these labels (its gauge leaves the registry, so the series ends). */
  void remove(Tags tags) {
    cells.computeIfPresent(tags, (key, cell) -> {
      registry.remove(cell.gauge());
      return null;
    });
  }

  /** Removes every sample whose labels match. */
  void removeWhere(Predicate<Tags> which) {
    cells.keySet().stream().filter(which).toList().forEach(this::remove);
  }

  /** The current value of these labels, if there is a sample. */
  Optional<Double> value(Tags tags) {
    return Optional.ofNullable(cells.get(tags)).map(cell -> Double.longBitsToDouble(cell.bits().get()));
  }
}
