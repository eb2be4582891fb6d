package dev.flywheel.sandbox.story;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the sandbox's story found, step by step: written to summary.json and printed as the closing table. Each step
 * has its time (seconds since the start) and its facts; the loop closed only when every step of it was reached.
 */
public final class StoryReport {
  /** One step of the loop: its name, when it was reached, and what was seen then. */
  public record Step(String name, long atSeconds, Map<String, Object> facts) {}

  private final List<Step> steps = new ArrayList<>();
  private final Map<String, Object> facts = new LinkedHashMap<>();
  private boolean loopClosed;
  private String failure;

  public synchronized void step(String name, long atSeconds, Map<String, Object> stepFacts) {
    steps.add(new Step(name, atSeconds, new LinkedHashMap<>(stepFacts)));
  }

  /** A fact about the whole run (versions, drift and accuracy before and after, …). */
  public synchronized void fact(String key, Object value) {
    facts.put(key, value);
  }

  public synchronized void closed() {
    loopClosed = true;
  }

  public synchronized void failed(String why) {
    failure = why;
  }

  public synchronized boolean loopClosed() {
    return loopClosed;
  }

  public synchronized List<Step> steps() {
    return List.copyOf(steps);
  }

  public synchronized void write(Path file) throws IOException {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("loopClosed", loopClosed);
    if (failure != null) {
      summary.put("failure", failure);
    }
    summary.put("steps", steps);
    summary.putAll(facts);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
  }

  /** The closing table: one row a step. */
  public synchronized void print(PrintStream out) {
    out.println();
    out.printf("  %-6s %-28s %s%n", "time", "step", "what was seen");
    for (Step step : steps) {
      out.printf(Locale.ROOT, "  %02d:%02d  %-28s %s%n", step.atSeconds() / 60, step.atSeconds() % 60, step.name(),
          step.facts());
    }
    out.println();
    out.println(loopClosed ? "  the loop closed." : "  the loop did NOT close: " + failure);
  }
}
