/** One hand-written value per message type, for round-trip tests. */
import type {
  Clock,
  DiagnosticArray,
  Detection2DArray,
  GroundingResult,
  GroundRequest,
  GroundResponse,
  Header,
  Image,
  ImageAnnotations,
  CompressedImage,
  StringMessage,
} from "../../src/msgs";
import { GROUNDING_STATUS, POINTS_ANNOTATION_TYPE } from "../../src/msgs";

export const header: Header = { stamp: { sec: 1_717_000_000, nanosec: 123_456_789 }, frame_id: "camera_color_optical_frame" };

export const image: Image = {
  header,
  height: 2,
  width: 3,
  encoding: "bgr8",
  is_bigendian: 0,
  step: 10,
  data: Uint8Array.from({ length: 20 }, (_, index) => index * 7),
};

export const compressedImage: CompressedImage = {
  header,
  format: "rgb8; jpeg compressed bgr8",
  data: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
};

export const stringMessage: StringMessage = { data: "grab the small blue mug left of the bowl" };

export const groundingResult: GroundingResult = {
  header,
  transcript: "uh grab the small blue mug",
  expression: "the small blue mug",
  status: GROUNDING_STATUS.GROUNDED,
  bbox: { center: { position: { x: 320.5, y: 240.25 }, theta: 0 }, size_x: 64, size_y: 48.5 },
  score: 0.875,
  executed_blocks: ["stage3.res1", "fuse.s8", "head.s8"],
  compute_ratio: 0.625,
  latency_ms: 41.5,
  budget_ms: 50,
  policy: "budget",
  command_id: 7,
};

export const detections: Detection2DArray = {
  header,
  detections: [
    {
      header,
      results: [
        {
          hypothesis: { class_id: "the small blue mug", score: 0.875 },
          pose: {
            pose: { position: { x: 320.5, y: 240.25, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
            covariance: Array.from({ length: 36 }, (_, index) => (index % 7 === 0 ? 1 : 0)),
          },
        },
      ],
      bbox: groundingResult.bbox,
      id: "7",
    },
  ],
};

export const diagnostics: DiagnosticArray = {
  header,
  status: [
    {
      level: 1,
      name: "softskip_grounding: pipeline",
      message: "over budget on 3 of the last 100 frames",
      hardware_id: "cpu",
      values: [
        { key: "frames_dropped", value: "12" },
        { key: "latency_p90_ms", value: "47.2" },
      ],
    },
  ],
};

const green = { r: 0, g: 0.9, b: 0.46, a: 1 };

export const annotations: ImageAnnotations = {
  circles: [
    {
      timestamp: header.stamp,
      position: { x: 320.5, y: 240.25 },
      diameter: 6,
      thickness: 2,
      fill_color: green,
      outline_color: green,
    },
  ],
  points: [
    {
      timestamp: header.stamp,
      type: POINTS_ANNOTATION_TYPE.LINE_LOOP,
      points: [
        { x: 288.5, y: 216 },
        { x: 352.5, y: 216 },
        { x: 352.5, y: 264.5 },
        { x: 288.5, y: 264.5 },
      ],
      outline_color: green,
      outline_colors: [],
      fill_color: { r: 0, g: 0, b: 0, a: 0 },
      thickness: 2,
    },
  ],
  texts: [
    {
      timestamp: header.stamp,
      position: { x: 288.5, y: 212 },
      text: "the small blue mug 0.88",
      font_size: 14,
      text_color: { r: 0, g: 0, b: 0, a: 1 },
      background_color: green,
    },
  ],
};

export const clock: Clock = { clock: { sec: 12, nanosec: 300_000_000 } };

export const groundRequest: GroundRequest = { text: "the red cup", policy: "", image: { ...image, data: new Uint8Array() } };

export const groundResponse: GroundResponse = { result: groundingResult };
