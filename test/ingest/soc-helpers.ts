import { expect } from 'vitest';
import { formatLocation, InputError } from '../../src/model/errors.js';

/** The one line a person is shown for a refused input: `file: line N: $.path: reason`. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const e = error as InputError;
  return `${formatLocation(e.location)}: ${e.message}`;
}
