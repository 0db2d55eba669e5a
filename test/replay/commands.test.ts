import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import type { BagTopic } from "../../src/bag";
import { ArgumentError, BagError } from "../../src/errors";
import { parseCommands, readCommandsFile, selectReplayTopics } from "../../src/replay";
import { makeTempDir } from "../bag/helpers";

function topic(name: string, type: string, definitionSource: BagTopic["definitionSource"] = "bag"): BagTopic {
  return { name, type, encoding: "cdr", qos: [], messageCount: 1, definitionSource };
}

describe("replay: commands files", function () {
  const temp = makeTempDir("commands");
  after(() => temp.remove());

  it("reads YAML and sorts by time", function () {
    const path = join(temp.dir, "commands.yaml");
    writeFileSync(path, "- time_s: 4.5\n  text: now the bowl\n- time_s: 0\n  text: grab the red mug\n");
    assert.deepEqual(readCommandsFile(path), [
      { timeS: 0, text: "grab the red mug", source: "--commands entry 2" },
      { timeS: 4.5, text: "now the bowl", source: "--commands entry 1" },
    ]);
  });

  it("keeps stop entries", function () {
    assert.deepEqual(parseCommands('[{"time_s": 0, "text": "the cup"}, {"time_s": 2, "text": "never mind"}]', "inline.json"), [
      { timeS: 0, text: "the cup", source: "--commands entry 1" },
      { timeS: 2, text: "never mind", source: "--commands entry 2" },
    ]);
  });

  it("keeps entries that only point", function () {
    assert.deepEqual(parseCommands('[{"time_s": 1, "text": "the cup"}, {"time_s": 2, "text": "pick it up"}]', "inline.json")[1], {
      timeS: 2,
      text: "pick it up",
      source: "--commands entry 2",
    });
  });

  it("reads JSON", function () {
    assert.deepEqual(parseCommands('[{"time_s": 1, "text": "the cup"}]', "inline.json"), [{ timeS: 1, text: "the cup", source: "--commands entry 1" }]);
  });

  const invalid: [string, string, RegExp][] = [
    ["a map", "time_s: 1\ntext: x\n", /must contain a list of \{time_s, text\} entries but contains object/],
    ["a negative time", "- {time_s: -1, text: x}\n", /entry 1: time_s must be a number of seconds >= 0 but is -1/],
    ["a misspelled key", "- {time: 1, text: the cup}\n", /entry 1 has the unknown key "time"; each entry has exactly time_s and text/],
    ["a missing time", "- {text: x}\n", /entry 1: time_s must be a number/],
    ["a bare string", '- {time_s: 1, text: "the cup"}\n- "the red mug"\n', /entry 2 is "the red mug" but must be a mapping such as \{time_s: 2\.0, text: "the red mug"\}/],
    ["an empty text", '- {time_s: 1, text: ""}\n', /entry 1: text must be a non-empty string but is ""/],
    ["broken YAML", "- [unclosed\n", /is not valid YAML or JSON: [^\n]* at line \d+, column \d+\.$/],
    ["a filler-only text", '- {time_s: 1, text: "hmm"}\n', /entry 1: text "hmm" contains no referring expression; name the object, or write "stop" to cancel/],
  ];
  for (const [name, text, message] of invalid) {
    it(`rejects ${name}`, function () {
      assert.throws(() => parseCommands(text, "commands.yaml"), (error: unknown) => {
        assert.ok(error instanceof ArgumentError);
        assert.match(error.message, message);
        assert.match(error.message, /commands\.yaml/);
        return true;
      });
    });
  }

  it("rejects a missing file", function () {
    assert.throws(() => readCommandsFile(join(temp.dir, "absent.yaml")), /Cannot read --commands file .*absent\.yaml/);
  });
});

describe("replay: topic selection", function () {
  const topics = [
    topic("/zed/left/image_raw", "sensor_msgs/msg/Image"),
    topic("/camera/image_raw", "sensor_msgs/msg/Image"),
    topic("/camera/image_raw/compressed", "sensor_msgs/msg/CompressedImage"),
    topic("/speech/transcript", "std_msgs/msg/String"),
    topic("/softskip/ground_truth", "softskip_msgs/msg/GroundingResult"),
  ];

  it("prefers the usual camera names", function () {
    const raw = selectReplayTopics(topics, { transport: "raw", useTranscripts: true, bagPath: "session.mcap" });
    assert.deepEqual(raw.image, { name: "/camera/image_raw", kind: "raw" });
    assert.equal(raw.transcript, "/speech/transcript");
    assert.equal(raw.groundTruth, "/softskip/ground_truth");

    const compressed = selectReplayTopics(topics, { transport: "compressed", useTranscripts: false, bagPath: "session.mcap" });
    assert.deepEqual(compressed.image, { name: "/camera/image_raw/compressed", kind: "compressed" });
    assert.equal(compressed.transcript, null);
  });

  it("falls back to the first topic of the right type", function () {
    const selected = selectReplayTopics([topics[0], topics[2]], { transport: "raw", useTranscripts: true, bagPath: "session.mcap" });
    assert.deepEqual(selected.image, { name: "/zed/left/image_raw", kind: "raw" });
    assert.equal(selected.transcript, null);
  });

  it("skips depth and empty topics", function () {
    const rgbd = [
      topic("/camera/depth/image_rect_raw", "sensor_msgs/msg/Image"),
      { ...topic("/camera/image_raw", "sensor_msgs/msg/Image"), messageCount: 0 },
      topic("/camera/color/image_raw", "sensor_msgs/msg/Image"),
    ];
    assert.equal(selectReplayTopics(rgbd, { transport: "raw", useTranscripts: false, bagPath: "rgbd.mcap" }).image.name, "/camera/color/image_raw");
    // Only depth: still chosen, so that replay names its encoding in the rejection.
    assert.equal(selectReplayTopics(rgbd.slice(0, 1), { transport: "raw", useTranscripts: false, bagPath: "rgbd.mcap" }).image.name, "/camera/depth/image_rect_raw");
  });

  it("takes explicit topics", function () {
    const selected = selectReplayTopics(topics, { transport: "raw", imageTopic: "/camera/image_raw/compressed", transcriptTopic: "/speech/transcript", useTranscripts: false, bagPath: "session.mcap" });
    assert.deepEqual(selected.image, { name: "/camera/image_raw/compressed", kind: "compressed" });
    assert.equal(selected.transcript, "/speech/transcript");
  });

  it("finds the compressed topic of a base name", function () {
    const compressedOnly = [topic("/cam/a/compressed", "sensor_msgs/msg/CompressedImage")];
    assert.deepEqual(selectReplayTopics(compressedOnly, { transport: "raw", imageTopic: "/cam/a", useTranscripts: false, bagPath: "session.mcap" }).image, {
      name: "/cam/a/compressed",
      kind: "compressed",
    });
    const both = [topic("/cam/a", "sensor_msgs/msg/Image"), ...compressedOnly];
    assert.equal(selectReplayTopics(both, { transport: "raw", imageTopic: "/cam/a", useTranscripts: false, bagPath: "session.mcap" }).image.name, "/cam/a");
    assert.equal(selectReplayTopics(both, { transport: "compressed", imageTopic: "/cam/a", useTranscripts: false, bagPath: "session.mcap" }).image.name, "/cam/a/compressed");
  });

  it("rejects topics the bag lacks", function () {
    assert.throws(() => selectReplayTopics(topics, { transport: "raw", imageTopic: "/speech/transcript", useTranscripts: true, bagPath: "session.mcap" }), (error: unknown) => {
      assert.ok(error instanceof ArgumentError);
      assert.match(error.message, /Invalid --image-topic \/speech\/transcript/);
      assert.match(error.message, /\/camera\/image_raw \(sensor_msgs\/msg\/Image\)/);
      return true;
    });
    assert.throws(() => selectReplayTopics(topics, { transport: "raw", transcriptTopic: "/asr", useTranscripts: false, bagPath: "session.mcap" }), /Invalid --transcript-topic \/asr: .*String topics: \/speech\/transcript/);
  });

  it("rejects a bag without readable images", function () {
    const unreadable = [topic("/camera/image_raw", "sensor_msgs/msg/Image", "none")];
    assert.throws(
      () => selectReplayTopics(unreadable, { transport: "raw", useTranscripts: true, bagPath: "session.mcap" }),
      (error: unknown) => {
        // A bag problem (exit code 1), not a usage error: no option can fix it.
        assert.ok(error instanceof BagError);
        assert.equal(error.file, "session.mcap");
        assert.match(error.message, /no readable sensor_msgs\/msg\/Image or CompressedImage topic.*\/camera\/image_raw \(sensor_msgs\/msg\/Image, unreadable/);
        return true;
      },
    );
  });
});
