import { resolve } from "node:path";

/**
 * Folder of real ROS 2 bags and bug reproducers that the bag and replay tests read:
 * `SOFTSKIP_REAL_BAGS` when set, else `../shared/data/real-bags` beside the repository.
 * Tests that need it skip with a message when it is absent.
 */
export const REAL_BAGS = process.env.SOFTSKIP_REAL_BAGS ?? resolve(__dirname, "../../..", "shared/data/real-bags");
