import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { openBag } from "../../src/bag";
import { BagError } from "../../src/errors";
import { GROUNDING_STATUS, type GroundingResult } from "../../src/msgs";
import { defaultParameters } from "../../src/params/declarations";
import { OUTPUT_TOPICS, replayBag, type ReplayResult } from "../../src/replay";
import { makeTempDir, readAll, REAL_BAGS, RecordingLogger } from "../bag/helpers";
import { FakeEngine } from "./fake-engine";

interface Case {
  bag: string;
  imageTopic?: string;
  /** Expected frame counts and rejection reasons. */
  processed: number;
  rejected?: Record<string, number>;
}

const CASES: Case[] = [
  { bag: "amber_soccer_goal_split", processed: 2 },
  { bag: "ait_ros2bag_tools_images.bag", processed: 3 },
  { bag: "rosbags-rs_test_bag_mcap", imageTopic: "/test/sensor_msgs/image", processed: 0, rejected: { size_mismatch: 2 } },
  { bag: "repro/repro_padded_step_rgb8.mcap", imageTopic: "/camera/color/image_padded", processed: 3 },
  { bag: "repro/repro_padded_step_rgb8.mcap", imageTopic: "/camera/color/image_unpadded", processed: 3 },
  { bag: "repro/repro_rgb8_vs_bgr8.mcap", processed: 2 },
  { bag: "repro/repro_rgb8_vs_bgr8.mcap", imageTopic: "/camera/bgr8/image_raw", processed: 2 },
  { bag: "repro/repro_missing_schema.mcap", imageTopic: "/camera/right/image_raw", processed: 2 },
  { bag: "repro/repro_missing_schema.mcap", imageTopic: "/camera/color/image_raw/compressed", processed: 2 },
  { bag: "repro/repro_msg_qualified_deps.mcap", processed: 2 },
  { bag: "repro/repro_overlapping_chunks_lz4.mcap", processed: 6 },
  { bag: "repro/repro_file_compressed_mcap_zstd", processed: 3 },
  { bag: "repro/repro_foxy_sqlite3_wal", processed: 3 },
  { bag: "repro/repro_foxy_sqlite3_wal", imageTopic: "/image_raw/compressed", processed: 3 },
  { bag: "repro/repro_humble_mcap_zstd", processed: 4 },
  { bag: "repro/repro_humble_mcap_zstd", imageTopic: "/camera/image_raw/compressed", processed: 4 },
  { bag: "repro/repro_jazzy_sqlite3_simtime", processed: 3 },
  { bag: "repro/repro_jazzy_sqlite3_simtime", imageTopic: "/camera/color/image_raw/compressed", processed: 3 },
  ...["/cam/a", "/cam/b", "/cam/c", "/cam/d", "/cam/e", "/cam/f"].map((topic) => ({
    bag: "repro/repro_compressed_formats.mcap",
    imageTopic: `${topic}/compressed`,
    processed: 1,
  })),
];

describe("replay: real bags and reproducers", function () {
  const temp = makeTempDir("replay-real");
  after(() => temp.remove());
  before(function () {
    if (!existsSync(REAL_BAGS)) {
      console.warn(`Skipping real-bag replay tests: ${REAL_BAGS} is absent.`);
      this.skip();
    }
  });

  async function replay(bag: string, imageTopic: string | undefined, outName: string): Promise<ReplayResult> {
    return replayBag({
      bagPath: join(REAL_BAGS, bag),
      engine: new FakeEngine(),
      parameters: defaultParameters(),
      commands: [{ timeS: 0, text: "grab the thing in the middle" }],
      rate: "max",
      imageTopic,
      outPath: join(temp.dir, outName),
      logger: new RecordingLogger(),
    });
  }

  CASES.forEach((testCase, index) => {
    it(`${testCase.bag} ${testCase.imageTopic ?? "(default topic)"}`, async function () {
      const outPath = join(temp.dir, `case-${index}.mcap`);
      const { summary } = await replay(testCase.bag, testCase.imageTopic, `case-${index}.mcap`);
      assert.equal(summary.frames.processed, testCase.processed, JSON.stringify(summary.frames));
      assert.deepEqual(summary.rejected, testCase.rejected ?? {});

      // The output bag is complete and contains one result per processed frame.
      const output = await openBag(outPath);
      const results = (await readAll(output)).filter((message) => message.topic === OUTPUT_TOPICS.result.name);
      const statuses = results.map((message) => (message.decode() as GroundingResult).status);
      assert.equal(statuses.filter((status) => status === GROUNDING_STATUS.GROUNDED).length, testCase.processed);
      assert.equal(statuses.filter((status) => status === GROUNDING_STATUS.REJECTED_INPUT).length, summary.frames.rejected);
      await output.close();
    });
  });

  it("copies input topics with their recorded QoS", async function () {
    const outPath = join(temp.dir, "humble-input.mcap");
    await replayBag({
      bagPath: join(REAL_BAGS, "repro/repro_humble_mcap_zstd"),
      engine: new FakeEngine(),
      parameters: defaultParameters(),
      commands: [{ timeS: 0, text: "the goal" }],
      rate: "max",
      outPath,
      includeInput: true,
    });
    const output = await openBag(outPath);
    const image = output.topics.find((topic) => topic.name === "/camera/image_raw");
    assert.equal(image?.messageCount, 4);
    assert.equal(image?.qos[0]?.reliability, "best_effort");
    await output.close();
  });

  it("rosbags-rs compressed image: the truncated JPEG is rejected", async function () {
    const { summary } = await replay("rosbags-rs_test_bag_mcap", "/test/sensor_msgs/compressed_image", "rosbags-compressed.mcap");
    assert.equal(summary.frames.processed, 0);
    assert.equal(summary.frames.rejected, 2);
    assert.equal(Object.values(summary.rejected).reduce((sum, count) => sum + count, 0), 2);
  });

  it("encoding zoo: supported encodings ground, others are rejected with a reason", async function () {
    const supported = ["rgb8", "bgr8", "rgba8", "bgra8", "mono8", "8UC1", "8UC3"];
    for (const encoding of ["rgb8", "bgr8", "rgba8", "bgra8", "mono8", "8UC1", "8UC3", "mono16", "16UC1", "32FC1", "yuv422", "yuv422_yuy2", "bayer_rggb8"]) {
      const { summary } = await replay("repro/repro_encoding_zoo.mcap", `/zoo/${encoding}`, `zoo-${encoding}.mcap`);
      if (supported.includes(encoding)) {
        assert.equal(summary.frames.processed, 1, `${encoding}: ${JSON.stringify(summary.rejected)}`);
      } else {
        assert.equal(summary.frames.processed + summary.frames.rejected, 1, encoding);
      }
      if (summary.frames.rejected > 0) {
        assert.equal(Object.keys(summary.rejected).length, 1, `${encoding} has one rejection reason`);
      }
    }
  });

  it("compressed depth topics are grounded or rejected, never crash", async function () {
    for (const topic of ["/depth/g/compressed", "/depth/h/compressedDepth", "/depth/i/compressedDepth"]) {
      const { summary } = await replay("repro/repro_compressed_formats.mcap", topic, `depth-${topic.split("/")[2]}.mcap`);
      assert.equal(summary.frames.processed + summary.frames.rejected, 1, `${topic}: ${JSON.stringify(summary)}`);
    }
  });

  it("wrong_rmw bag: rejected for its unsupported message encoding", async function () {
    await assert.rejects(replay("rosbag2_wrong_rmw_test_mcap", undefined, "wrong.mcap"), (error: unknown) => {
      assert.ok(error instanceof BagError);
      assert.match(error.message, /no readable sensor_msgs\/msg\/Image/);
      assert.match(error.message, /encoding wrong_format/);
      return true;
    });
    assert.ok(!existsSync(join(temp.dir, "wrong.mcap")));
  });
});
