/** Errors answered by the emulator, always as Connect's `{error_code, errors[]}` body. */
export type ErrorBody = { error_code: string; errors: string[] };

/** An error the HTTP layer turns into `status` + `{error_code, errors}`. */
export class EmulatorHttpError extends Error {
  override readonly name = 'EmulatorHttpError';
  readonly status: number;
  readonly errorCode: string;
  readonly errors: string[];

  constructor(status: number, errorCode: string, errors: string[], options?: { cause?: unknown }) {
    super(errors.join('; '), options);
    this.status = status;
    this.errorCode = errorCode;
    this.errors = errors;
  }

  toBody(): ErrorBody {
    return { error_code: this.errorCode, errors: [...this.errors] };
  }
}

/** 400 `VAL_001`: a body or query that does not validate (Connect's documented validation code). */
export const validationError = (...errors: string[]): EmulatorHttpError =>
  new EmulatorHttpError(400, 'VAL_001', errors);

/** 400 `EMU_STATE`: the object is not in a state that allows the action (Connect documents no `REQ_…` code). */
export const stateError = (message: string): EmulatorHttpError =>
  new EmulatorHttpError(400, 'EMU_STATE', [message]);

/** 404 `EMU_NOT_FOUND`. */
export const notFoundError = (message: string): EmulatorHttpError =>
  new EmulatorHttpError(404, 'EMU_NOT_FOUND', [message]);

/** 401 `AUTH_001`, exactly as Connect answers a bad or missing API key. */
export const unauthorizedError = (): EmulatorHttpError =>
  new EmulatorHttpError(401, 'AUTH_001', ['API request is unauthorized.']);
