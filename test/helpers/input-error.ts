import { expect } from 'vitest';
import { InputError } from '../../src/model/errors.js';

/** The InputError a piece of work is refused with; fails the test when it succeeds or fails otherwise. */
export async function rejectedInput(work: Promise<unknown>): Promise<InputError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}
