package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the API server does to an object before it is stored: validation (refusing with ApiException) and defaults. */
@FunctionalInterface
public interface Admission {
  /** What a write does: create, update of the main resource, or update of the status subresource. */
  enum Write { CREATE, UPDATE, STATUS }

  /**
   * @param stored the object as stored before the write (null on create)
   * @param proposed the object the write would store
   * @return the object to store (defaults applied)
   */
  ObjectNode admit(ResourceType type, ObjectNode stored, ObjectNode proposed, Write write, WriteOptions options);

  /** This admission, then the next one on its result. */
  default Admission then(Admission next) {
    return (type, stored, proposed, write, options) ->
        next.admit(type, stored, admit(type, stored, proposed, write, options), write, options);
  }
}
