export { GroundingDiagnostics, percentile } from "./diagnostics";
export type { DiagnosticsContext } from "./diagnostics";
export { GroundingNode } from "./grounding-node";
export type { CreateStream, GroundingNodeOptions, LoadEngine, RenderDebugImage } from "./grounding-node";
export { ModelSlot } from "./model-slot";
export { handleGroundRequest } from "./ground-service";
export { LifecycleStateMachine } from "./lifecycle";
export type { LifecycleState, Transition } from "./lifecycle";
export { loadRclnodejs, RclnodejsUnavailableError } from "./load-rclnodejs";
export { checkParameterChange, checkParameterValue, NodeParameters, rosParameterDeclarations } from "./parameters";
export type { RclnodejsModule } from "./rclnodejs-api";
export { RclnodejsTransport } from "./rclnodejs-transport";
export { startGroundingNode } from "./run-node";
export type { RunningNode, SignalSource, StartNodeOptions } from "./run-node";
export {
  ANNOTATIONS_TOPIC,
  COMPRESSED_IMAGE_TOPIC,
  DEBUG_IMAGE_TOPIC,
  DETECTIONS_TOPIC,
  DIAGNOSTICS_PERIOD_MS,
  DIAGNOSTICS_TOPIC,
  GROUND_SERVICE,
  IMAGE_TOPIC,
  imageTopicFor,
  RELIABLE_QOS,
  RESULT_TOPIC,
  SENSOR_DATA_QOS,
  TRANSCRIPT_TOPIC,
} from "./topics";
export type * from "./transport";
