export { openBag } from "./reader";
export { McapBagWriter } from "./writer";
export type { ChunkCompression, McapBagWriterOptions, WriterTopic } from "./writer";
export { parseQosProfiles } from "./qos";
export type { BagMessage, BagReader, BagTopic, OpenBagOptions, QosProfile, SkippedMessages } from "./types";
export type { SkippedChunk } from "./mcap-recovery";
export { loggedText } from "./mcap-records";
