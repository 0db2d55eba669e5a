import { strict as assert } from "node:assert";

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Builds a validator for assert.throws and assert.rejects that checks the error class and
 * then each message fragment with its own assert, so a failure names the missing part.
 */
export function errorMatching(errorClass: ErrorClass, ...fragments: Array<string | RegExp>): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name} but got ${String(error)}`);
    for (const fragment of fragments) {
      if (typeof fragment === "string") {
        assert.ok(error.message.includes(fragment), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(fragment)}`);
      } else {
        assert.match(error.message, fragment);
      }
    }
    return true;
  };
}
