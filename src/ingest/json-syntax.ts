/**
 * A minimal JSON scanner that reports the offset of the first syntax error (or undefined if none).
 * It keeps the open objects and arrays on an explicit stack rather than recursing, so input nested
 * any depth (100,000 levels and more) is scanned without exhausting the call stack.
 */
export function findSyntaxError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new ScanError(i, reason);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[i])}`);
  const str = () => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in string');
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else fail('invalid escape in string');
      } else if (c.charCodeAt(0) < 0x20) fail('control character in string');
      else i++;
    }
    fail('unterminated string');
  };
  const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const num = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0] === '' || m[0] === '-') fail(describe());
    i += m![0].length;
  };
  /** The open containers, innermost last: '{' or '['. */
  const open: string[] = [];
  /** An object member's name and colon; its value is read next. */
  const memberName = (): void => {
    ws();
    if (text[i] !== '"') fail(`expected a double-quoted property name, ${describe()}`);
    str();
    ws();
    if (text[i] !== ':') fail(`expected ':' after property name, ${describe()}`);
    i++;
  };
  try {
    // One loop: either a value is due (a scalar is read whole; an opening bracket is pushed and
    // its first member is then due), or the innermost open container takes ',' or its closing bracket.
    let valueDue = true;
    for (;;) {
      if (valueDue) {
        ws();
        const c = text[i];
        if (c === '{' || c === '[') {
          i++;
          ws();
          if (text[i] === (c === '{' ? '}' : ']')) {
            i++;
            valueDue = false;
            continue;
          }
          open.push(c);
          if (c === '{') memberName();
          continue;
        }
        valueDue = false;
        if (c === '"') str();
        else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
        else {
          const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
          if (word === undefined) fail(describe());
          i += word!.length;
        }
        continue;
      }
      if (open.length === 0) break;
      ws();
      const top = open[open.length - 1]!;
      if (text[i] === ',') {
        i++;
        if (top === '{') memberName();
        valueDue = true;
        continue;
      }
      if (text[i] === (top === '{' ? '}' : ']')) {
        i++;
        open.pop();
        continue;
      }
      fail(top === '{' ? `expected ',' or '}' after property value, ${describe()}` : `expected ',' or ']' after array element, ${describe()}`);
    }
    ws();
    if (i < text.length) fail(`unexpected content after the JSON value: ${JSON.stringify(text[i])}`);
    return undefined;
  } catch (error) {
    if (error instanceof ScanError) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}
