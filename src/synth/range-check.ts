import { ArgumentError } from "../errors";

/**
 * Throws ArgumentError unless `value` is in [min, max], and also an integer when `integer` is true.
 * `option` names the value as the user typed it: the command-line flag where there is one.
 */
export function checkRange(option: string, value: number, min: number, max: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ArgumentError(`${option} must be ${integer ? "an integer" : "a number"} from ${min} to ${max} but is ${value}; pass a value in that range.`);
  }
}
