/**
 * vision_msgs 4.x .msg texts (ROS 2 Humble and later), keyed by full type name. In 4.x
 * `BoundingBox2D.center` is a `vision_msgs/Pose2D` whose point is under `position`;
 * releases before 4.0 used geometry_msgs/Pose2D with `x` and `y` directly.
 */
export const VISION_MSG_TEXTS: Readonly<Record<string, string>> = {
  "vision_msgs/msg/Point2D": "float64 x\nfloat64 y\n",
  "vision_msgs/msg/Pose2D": "vision_msgs/Point2D position\nfloat64 theta\n",
  "vision_msgs/msg/BoundingBox2D": "vision_msgs/Pose2D center\nfloat64 size_x\nfloat64 size_y\n",
  "vision_msgs/msg/ObjectHypothesis": "string class_id\nfloat64 score\n",
  "vision_msgs/msg/ObjectHypothesisWithPose":
    "vision_msgs/ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose\n",
  "vision_msgs/msg/Detection2D": [
    "std_msgs/Header header",
    "vision_msgs/ObjectHypothesisWithPose[] results",
    "vision_msgs/BoundingBox2D bbox",
    "string id",
    "",
  ].join("\n"),
  "vision_msgs/msg/Detection2DArray": "std_msgs/Header header\nvision_msgs/Detection2D[] detections\n",
};
