export {
  annotationsFromEvent,
  boundingBoxOrEmpty,
  commandEndedMessages,
  detectionsFromEvent,
  groundingResultFromEvent,
  noImageResult,
  REFERENT_CLASS_ID,
  rejectedInputResult,
} from "./result-messages";
export type { UngroundedResultFields } from "./result-messages";
