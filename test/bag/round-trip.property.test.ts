import assert from "node:assert/strict";
import { join } from "node:path";

import fc from "fast-check";

import { McapBagWriter, openBag } from "../../src/bag";
import { serializeMessage } from "../../src/msgs";
import { makeTempDir, readAll } from "./helpers";

const TOPICS = ["/a", "/b", "/c"];

describe("bag: writer and reader round trip", function () {
  const temp = makeTempDir("property");
  after(() => temp.remove());

  it("returns every message in log-time order", async function () {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ topic: fc.constantFrom(...TOPICS), timeNs: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), text: fc.string({ maxLength: 40 }) }), { maxLength: 40 }),
        fc.constantFrom("zstd" as const, "none" as const),
        fc.integer({ min: 16, max: 4096 }),
        async (messages, compression, chunkSize) => {
          const path = join(temp.dir, `run-${run++}.mcap`);
          const writer = await McapBagWriter.create(path, { compression, chunkSize });
          for (const topic of TOPICS) {
            await writer.addTopic({ name: topic, type: "std_msgs/String" });
          }
          for (const message of messages) {
            await writer.write(message.topic, message.timeNs, serializeMessage("std_msgs/msg/String", { data: message.text }));
          }
          await writer.close();

          const bag = await openBag(path);
          const read = (await readAll(bag)).map((message) => ({ topic: message.topic, timeNs: message.logTimeNs, text: (message.decode() as { data: string }).data }));
          await bag.close();

          // The reader's order for equal times is not specified, so compare as sorted lists.
          const key = (entry: { topic: string; timeNs: bigint; text: string }): string => `${entry.timeNs.toString().padStart(20, "0")} ${entry.topic} ${entry.text}`;
          assert.deepEqual(read.map(key).sort(), messages.map(key).sort());
          const times = read.map((entry) => entry.timeNs);
          assert.ok(times.every((time, index) => index === 0 || times[index - 1] <= time), "log-time order");
        },
      ),
      { numRuns: 25 },
    );
  });
});
