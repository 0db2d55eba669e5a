/**
 * The node's ROS interface: topic and service names, types and QoS. Names are relative
 * (or private, `~/`) so that they remap in the usual way. docs/architecture.md documents
 * the same table, and the tests check the node against it row by row.
 */
import type { ImageTransport } from "../params/declarations";
import type { QosProfile, ServiceSpec, TopicSpec } from "./transport";

/**
 * Sensor-data QoS (rclcpp's SensorDataQoS): best effort, keep last. A depth of 1 keeps only
 * the newest frame, because the node grounds the latest image and large images arriving
 * over rclnodejs must not queue.
 */
export const SENSOR_DATA_QOS: QosProfile = { reliability: "best_effort", depth: 1 };

/** Reliable, keep last 10: the ROS 2 default profile. */
export const RELIABLE_QOS: QosProfile = { reliability: "reliable", depth: 10 };

export const IMAGE_TOPIC: TopicSpec = { name: "image", type: "sensor_msgs/msg/Image", qos: SENSOR_DATA_QOS };

export const COMPRESSED_IMAGE_TOPIC: TopicSpec = {
  name: "image/compressed",
  type: "sensor_msgs/msg/CompressedImage",
  qos: SENSOR_DATA_QOS,
};

export const TRANSCRIPT_TOPIC: TopicSpec = { name: "transcript", type: "std_msgs/msg/String", qos: RELIABLE_QOS };

export const RESULT_TOPIC: TopicSpec = {
  name: "~/result",
  type: "softskip_msgs/msg/GroundingResult",
  qos: RELIABLE_QOS,
};

export const DETECTIONS_TOPIC: TopicSpec = {
  name: "~/detections",
  type: "vision_msgs/msg/Detection2DArray",
  qos: RELIABLE_QOS,
};

export const ANNOTATIONS_TOPIC: TopicSpec = {
  name: "~/annotations",
  type: "foxglove_msgs/msg/ImageAnnotations",
  qos: RELIABLE_QOS,
};

/**
 * QoS of the debug image: reliable, keep last 1. A reliable publisher also serves
 * best-effort subscribers, and RViz's Image display subscribes reliable by default, which
 * a best-effort publisher cannot serve. Depth 1 keeps one frame in memory.
 */
export const DEBUG_IMAGE_QOS: QosProfile = { reliability: "reliable", depth: 1 };

export const DEBUG_IMAGE_TOPIC: TopicSpec = {
  name: "~/debug_image",
  type: "sensor_msgs/msg/Image",
  qos: DEBUG_IMAGE_QOS,
};

export const DIAGNOSTICS_TOPIC: TopicSpec = {
  name: "/diagnostics",
  type: "diagnostic_msgs/msg/DiagnosticArray",
  qos: RELIABLE_QOS,
};

export const GROUND_SERVICE: ServiceSpec = { name: "~/ground", type: "softskip_msgs/srv/Ground" };

/** Period of the /diagnostics publication, in ms (1 Hz, as diagnostic_updater publishes). */
export const DIAGNOSTICS_PERIOD_MS = 1000;

/** Returns the image subscription for the `image_transport` parameter. */
export function imageTopicFor(transport: ImageTransport): TopicSpec {
  return transport === "compressed" ? COMPRESSED_IMAGE_TOPIC : IMAGE_TOPIC;
}
