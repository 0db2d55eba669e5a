/**
 * softskip_msgs texts, keyed by full type name, with the comments of
 * ros_pkg/softskip_msgs left out. A test checks that both parse to the same fields.
 * Service halves use the names rosidl generates: `Ground_Request` and `Ground_Response`.
 */
export const SOFTSKIP_MSG_TEXTS: Readonly<Record<string, string>> = {
  "softskip_msgs/msg/GroundingResult": [
    "uint8 STATUS_GROUNDED=0",
    "uint8 STATUS_NOT_FOUND=1",
    "uint8 STATUS_NO_IMAGE=2",
    "uint8 STATUS_REJECTED_INPUT=3",
    "std_msgs/Header header",
    "string transcript",
    "string expression",
    "uint8 status",
    "vision_msgs/BoundingBox2D bbox",
    "float32 score",
    "string[] executed_blocks",
    "float32 compute_ratio",
    "float32 latency_ms",
    "float32 budget_ms",
    "string policy",
    "uint32 command_id",
    "",
  ].join("\n"),
  "softskip_msgs/srv/Ground_Request": "string text\nstring policy\nsensor_msgs/Image image\n",
  "softskip_msgs/srv/Ground_Response": "softskip_msgs/GroundingResult result\n",
};
