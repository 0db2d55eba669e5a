import { COMMON_MSG_TEXTS } from "./common";
import { FOXGLOVE_MSG_TEXTS } from "./foxglove";
import { SOFTSKIP_MSG_TEXTS } from "./softskip";
import { VISION_MSG_TEXTS } from "./vision";

/** Every embedded .msg text, keyed by full type name ("pkg/msg/Type" or "pkg/srv/Type_Request"). */
export const EMBEDDED_MSG_TEXTS: Readonly<Record<string, string>> = {
  ...COMMON_MSG_TEXTS,
  ...VISION_MSG_TEXTS,
  ...FOXGLOVE_MSG_TEXTS,
  ...SOFTSKIP_MSG_TEXTS,
};
