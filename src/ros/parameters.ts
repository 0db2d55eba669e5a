/**
 * ROS parameters of the node, built from src/params/declarations.ts (the one source of
 * names, types, defaults, ranges and descriptions). Non-dynamic parameters are declared
 * read-only. Dynamic ones change at run time after the same validation as the parameter
 * file, and the stream applies them on its next frame.
 */
import { BehaviorSubject, Observable } from "rxjs";

import { describeError, ParameterError } from "../errors";
import type { Logger } from "../log";
import {
  GroundingParameters,
  PARAMETER_DECLARATIONS,
  PARAMETER_NAMES,
} from "../params/declarations";
import { validateParameter } from "../params/validate";
import type { ParameterDeclaration, RosTransport } from "./transport";

/** Converts the declarations to the shape the transport declares. */
export function rosParameterDeclarations(): ParameterDeclaration[] {
  return PARAMETER_NAMES.map((name) => {
    const declaration = PARAMETER_DECLARATIONS[name];
    const result: ParameterDeclaration = {
      name,
      type: declaration.type,
      default: declaration.default,
      description: declaration.description,
      readOnly: !declaration.dynamic,
    };
    if (declaration.range) {
      result.range = declaration.range;
    }
    if (declaration.allowed) {
      result.allowed = declaration.allowed;
    }
    return result;
  });
}

function isKnownParameter(name: string): name is keyof GroundingParameters {
  return (PARAMETER_NAMES as string[]).includes(name);
}

/** Returns null when `value` is valid for `name`, else the reason, naming the value. */
export function checkParameterValue(name: string, value: unknown): string | null {
  if (!isKnownParameter(name)) {
    // Parameters the node did not declare (use_sim_time, QoS overrides) belong to rclnodejs.
    return null;
  }
  try {
    validateParameter(name, value);
    return null;
  } catch (error) {
    if (error instanceof ParameterError) {
      return error.message;
    }
    throw error;
  }
}

/** Like checkParameterValue, and also rejects changes to parameters that are not dynamic. */
export function checkParameterChange(name: string, value: unknown): string | null {
  if (isKnownParameter(name) && !PARAMETER_DECLARATIONS[name].dynamic) {
    return `Parameter ${name} is read-only while the node runs; set it in the parameter file (or with -p) and restart the node.`;
  }
  return checkParameterValue(name, value);
}

/**
 * Declares the parameters on `transport` and keeps their current values. `changes`
 * emits the full parameter set at once and after every accepted change.
 */
export class NodeParameters {
  private readonly subject: BehaviorSubject<GroundingParameters>;

  private constructor(initial: GroundingParameters) {
    this.subject = new BehaviorSubject(initial);
  }

  /**
   * Declares every parameter (overrides from the command line and parameter files apply)
   * and starts watching for changes. Throws ParameterError for an invalid override.
   */
  static declare(transport: RosTransport, logger: Logger): NodeParameters {
    const values = transport.declareParameters(rosParameterDeclarations(), checkParameterValue);
    const initial = {} as Record<string, unknown>;
    for (const name of PARAMETER_NAMES) {
      initial[name] = validateParameter(name, values.get(name));
    }
    const parameters = new NodeParameters(initial as unknown as GroundingParameters);

    transport.watchParameters(checkParameterChange, (changes) => parameters.apply(changes, logger));
    return parameters;
  }

  get current(): GroundingParameters {
    return this.subject.value;
  }

  get changes(): Observable<GroundingParameters> {
    return this.subject.asObservable();
  }

  private apply(changes: ReadonlyMap<string, unknown>, logger: Logger): void {
    const next = { ...this.subject.value } as Record<string, unknown>;
    for (const [name, value] of changes) {
      if (!isKnownParameter(name)) {
        continue;
      }
      try {
        next[name] = validateParameter(name, value);
        logger.info(`Parameter ${name} set to ${JSON.stringify(next[name])}.`);
      } catch (error) {
        // Unreachable while the transport checks before storing; kept so a change can
        // never apply an unchecked value.
        logger.error(`Ignored parameter change: ${describeError(error)}`);
      }
    }
    this.subject.next(next as unknown as GroundingParameters);
  }

  complete(): void {
    this.subject.complete();
  }
}
