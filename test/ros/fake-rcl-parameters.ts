/**
 * Fake rclnodejs 2.2.0 parameter classes: Parameter, ParameterDescriptor,
 * FloatingPointRange and IntegerRange, with the checks and defaults of lib/parameter.js.
 * Integer values become BigInt. A FloatingPointRange's step defaults to 1, a step of 0
 * accepts any value in range, and the tolerance is 1e-6.
 */
import {
  PARAMETER_TYPE,
  RclParameter,
  RclParameterDescriptor,
  RclRange,
} from "../../src/ros/rclnodejs-api";

const TOLERANCE = 1e-6;

export class FakeParameter implements RclParameter {
  readonly name: string;
  readonly type: number;
  value: unknown;

  constructor(name: string, type: number, value?: unknown) {
    this.name = name;
    this.type = type;
    this.value = type === PARAMETER_TYPE.INTEGER ? BigInt(value as number | bigint) : value;
    this.validate();
  }

  /** Throws TypeError when the value does not match the type, as rclnodejs does. */
  validate(): void {
    if (typeof this.name !== "string" || this.name.trim() === "") {
      throw new TypeError("Invalid name");
    }
    const expected: Record<number, string> = {
      [PARAMETER_TYPE.BOOL]: "boolean",
      [PARAMETER_TYPE.INTEGER]: "bigint",
      [PARAMETER_TYPE.DOUBLE]: "number",
      [PARAMETER_TYPE.STRING]: "string",
    };
    const kind = expected[this.type];
    if (this.type !== PARAMETER_TYPE.NOT_SET && typeof this.value !== kind) {
      throw new TypeError(`Incompatible value type for parameter ${this.name}`);
    }
  }
}

export class FakeFloatingPointRange implements RclRange {
  constructor(
    readonly fromValue: number,
    readonly toValue: number,
    readonly step: number = 1,
    readonly tolerance: number = TOLERANCE,
  ) {}

  isValidType(type: number): boolean {
    return type === PARAMETER_TYPE.DOUBLE;
  }

  inRange(value: number): boolean {
    const min = Math.min(this.fromValue, this.toValue);
    const max = Math.max(this.fromValue, this.toValue);
    if (Math.abs(value - min) <= this.tolerance || Math.abs(value - max) <= this.tolerance) {
      return true;
    }
    if (value < min || value > max) {
      return false;
    }
    if (this.step !== 0) {
      const steps = Math.round((value - min) / this.step);
      return Math.abs(min + steps * this.step - value) <= this.tolerance;
    }
    return true;
  }
}

export class FakeIntegerRange implements RclRange {
  constructor(
    readonly fromValue: bigint,
    readonly toValue: bigint,
    readonly step: bigint = 1n,
  ) {}

  isValidType(type: number): boolean {
    return type === PARAMETER_TYPE.INTEGER;
  }

  inRange(value: bigint): boolean {
    if (value < this.fromValue || value > this.toValue) {
      return false;
    }
    return this.step === 0n || (value - this.fromValue) % this.step === 0n;
  }
}

type FakeRange = FakeFloatingPointRange | FakeIntegerRange;

export class FakeParameterDescriptor implements RclParameterDescriptor {
  additionalConstraints = "";
  range: RclRange | null;

  constructor(
    readonly name: string,
    readonly type: number,
    readonly description: string = "no description",
    readonly readOnly: boolean = false,
    range: RclRange | null = null,
  ) {
    this.range = range;
    this.validate();
  }

  static fromParameter(parameter: RclParameter): FakeParameterDescriptor {
    return new FakeParameterDescriptor(parameter.name, parameter.type);
  }

  hasRange(): boolean {
    return Boolean(this.range);
  }

  /** Throws TypeError for a range that does not fit the type, as rclnodejs does. */
  validate(): void {
    if (this.hasRange() && !(this.range as FakeRange).isValidType(this.type)) {
      throw new TypeError(`Incompatible parameter descriptor range for ${this.name}`);
    }
  }

  /** Throws when the parameter's name, type or value does not fit this descriptor. */
  validateParameter(parameter: RclParameter): void {
    if (parameter.name !== this.name) {
      throw new TypeError("Name mismatch");
    }
    if (parameter.type !== this.type) {
      throw new TypeError(`Parameter type mismatch for ${this.name}`);
    }
    if (this.hasRange() && !(this.range as FakeRange).inRange(parameter.value as never)) {
      throw new RangeError(`Parameter value of ${this.name} is out of range`);
    }
  }
}
