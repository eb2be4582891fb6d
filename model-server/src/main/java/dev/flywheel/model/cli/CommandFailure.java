package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A command that ran and failed, with what it found before failing (for example digestMatch: false). */
final class CommandFailure extends Exception {
  private final transient ObjectNode partial;

  CommandFailure(String reason, ObjectNode partial) {
    super(reason);
    this.partial = partial;
  }

  ObjectNode partial() {
    return partial;
  }
}
