import { formatLocation } from '../../src/model/errors.js';
import { rejectedInput } from '../helpers/input-error.js';

/** The one line a person is shown for a refused input: `file: line N: $.path: reason`. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const e = await rejectedInput(promise);
  return `${formatLocation(e.location)}: ${e.message}`;
}
