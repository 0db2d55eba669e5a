import { strict as assert } from "node:assert";

import { describeError, InputError, SoftSkipError } from "../../src/errors";
import { Logger, RateLimitedLog } from "../../src/log";

function recordingLogger(lines: string[]): Logger {
  const record = (message: string): void => {
    lines.push(message);
  };
  return { debug: record, info: record, warn: record, error: record };
}

describe("RateLimitedLog", () => {
  it("passes one line per key and interval and counts the rest", () => {
    let now = 0;
    const lines: string[] = [];
    const log = new RateLimitedLog(recordingLogger(lines), 1000, () => now);

    log.warn("bad-encoding", "first");
    log.warn("bad-encoding", "second");
    log.warn("other", "other key");
    now = 1500;
    log.warn("bad-encoding", "third");

    assert.deepEqual(lines, ["first", "other key", "third (1 similar messages suppressed)"]);
  });
});

describe("errors", () => {
  it("carries a stable code and the input's origin", () => {
    const error = new InputError("/camera/image_raw", "encoding", "unsupported_encoding", "Unsupported encoding yuv422.");
    assert.ok(error instanceof SoftSkipError);
    assert.equal(error.code, "INVALID_INPUT");
    assert.equal(error.name, "InputError");
    assert.equal(error.source, "/camera/image_raw");
  });

  it("describes non-Error values", () => {
    assert.equal(describeError("plain"), "plain");
    assert.equal(describeError(new Error("boom")), "boom");
  });
});
