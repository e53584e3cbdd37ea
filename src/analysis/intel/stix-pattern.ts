/**
 * STIX 2.1 patterning (OASIS STIX 2.1, section 9): a tokenizer and a recursive-descent parser of the
 * whole grammar (observation expressions in brackets joined by AND, OR and FOLLOWEDBY, with WITHIN,
 * REPEATS and START/STOP qualifiers; comparison expressions joined by AND and OR; the operators
 * =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET, EXISTS and NOT; string, integer,
 * float, boolean, binary, hex and timestamp literals). What Hindsight can evaluate is decided apart,
 * in stix-evaluate.ts. Pure: no I/O.
 */

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'binary'; value: string }
  | { type: 'hex'; value: string }
  | { type: 'timestamp'; value: string };

/** `file:hashes.'SHA-256'` is { objectType: 'file', steps: ['hashes', 'SHA-256'] }; list indexes are numbers or '*'. */
export interface ObjectPath {
  objectType: string;
  steps: (string | number | '*')[];
}

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type Comparison =
  | { kind: 'and' | 'or'; items: Comparison[] }
  | { kind: 'test'; path: ObjectPath; negated: boolean; operator: ComparisonOperator; value: Literal | Literal[] }
  | { kind: 'exists'; path: ObjectPath };

export type Qualifier = { kind: 'within'; seconds: number } | { kind: 'repeats'; times: number } | { kind: 'start-stop'; start: string; stop: string };

export type Observation =
  | { kind: 'observation'; comparison: Comparison; qualifiers: Qualifier[] }
  | { kind: 'and' | 'or' | 'followedby'; items: Observation[]; qualifiers: Qualifier[] };

export class PatternSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based column of the pattern where the problem is. */
    readonly column: number,
  ) {
    super(`${message} (column ${column})`);
    this.name = 'PatternSyntaxError';
  }
}

/** Longest pattern read, and deepest nesting of brackets and parentheses: hostile input stays cheap. */
export const MAX_PATTERN_LENGTH = 65_536;
const MAX_DEPTH = 64;

type TokenType = 'ident' | 'keyword' | 'string' | 'int' | 'float' | 'bool' | 'binary' | 'hex' | 'timestamp' | 'punct' | 'op' | 'end';
interface Token {
  type: TokenType;
  text: string;
  /** The decoded value of a literal. */
  value?: string | number | boolean;
  at: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'LAST', 'IN', 'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES', 'EXISTS']);
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;

/** The tokens of a pattern; throws PatternSyntaxError at the first character that starts no token. */
export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    // Quoted literals: '…' strings, and b'…', h'…', t'…' (binary, hex, timestamp).
    const prefixed = (c === 'b' || c === 'h' || c === 't') && pattern[i + 1] === "'";
    if (c === "'" || prefixed) {
      if (prefixed) i++;
      const text = readQuoted(pattern, i);
      i = text.end;
      if (!prefixed) tokens.push({ type: 'string', text: pattern.slice(start, i), value: text.value, at: start });
      else if (c === 'b') {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.value) || text.value.length % 4 !== 0) throw new PatternSyntaxError('a binary literal must be base64', start + 1);
        tokens.push({ type: 'binary', text: pattern.slice(start, i), value: text.value, at: start });
      } else if (c === 'h') {
        if (!/^([0-9A-Fa-f]{2})*$/.test(text.value)) throw new PatternSyntaxError('a hex literal must be pairs of hexadecimal digits', start + 1);
        tokens.push({ type: 'hex', text: pattern.slice(start, i), value: text.value, at: start });
      } else {
        if (!TIMESTAMP.test(text.value)) throw new PatternSyntaxError(`a timestamp literal must be RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.s]Z), not '${text.value.slice(0, 40)}'`, start + 1);
        tokens.push({ type: 'timestamp', text: pattern.slice(start, i), value: text.value, at: start });
      }
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_-]/.test(pattern[i] as string)) i++;
      const word = pattern.slice(start, i);
      if (KEYWORDS.has(word)) tokens.push({ type: 'keyword', text: word, at: start });
      else if (word === 'true' || word === 'false') tokens.push({ type: 'bool', text: word, value: word === 'true', at: start });
      else tokens.push({ type: 'ident', text: word, at: start });
      continue;
    }
    const number = /^[-+]?(\d+\.\d+|\d+)/.exec(pattern.slice(i, i + 64));
    if (number && (/\d/.test(c) || ((c === '-' || c === '+') && /\d/.test(pattern[i + 1] ?? '')))) {
      i += number[0].length;
      const isFloat = number[0].includes('.');
      tokens.push({ type: isFloat ? 'float' : 'int', text: number[0], value: Number(number[0]), at: start });
      continue;
    }
    const two = pattern.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ type: 'op', text: two === '==' ? '=' : two === '<>' ? '!=' : two, at: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ type: 'op', text: c, at: start });
      i++;
      continue;
    }
    if ('[](),:.*'.includes(c)) {
      tokens.push({ type: 'punct', text: c, at: start });
      i++;
      continue;
    }
    throw new PatternSyntaxError(`unexpected character ${JSON.stringify(c)}`, start + 1);
  }
  tokens.push({ type: 'end', text: '', at: n });
  return tokens;
}

/** A quoted string from the quote at `open`: `\'` and `\\` are the only escapes. */
function readQuoted(pattern: string, open: number): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== "'" && next !== '\\') throw new PatternSyntaxError(`only \\' and \\\\ are escapes in a string literal, not \\${next ?? ''}`, i + 1);
      value += next;
      i += 2;
      continue;
    }
    if (c === "'") return { value, end: i + 1 };
    value += c;
    i++;
  }
  throw new PatternSyntaxError('a string literal is not closed', open + 1);
}

/** Parses a STIX 2.1 pattern; throws PatternSyntaxError naming the column of the first fault. */
export function parsePattern(pattern: string): Observation {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternSyntaxError(`a pattern longer than ${MAX_PATTERN_LENGTH} characters`, 1);
  return new Parser(tokenize(pattern)).parse();
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Observation {
    const result = this.observationExpressions();
    const rest = this.peek();
    if (rest.type !== 'end') throw this.error(`unexpected ${describe(rest)} after the pattern`, rest);
    return result;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.i++;
    return token;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.type === 'keyword' && t.text === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.type === 'punct' && t.text === p;
  }

  private expectPunct(p: string, what: string): void {
    if (!this.isPunct(p)) throw this.error(`expected ${what}, found ${describe(this.peek())}`, this.peek());
    this.next();
  }

  private error(message: string, token: Token): PatternSyntaxError {
    return new PatternSyntaxError(message, token.at + 1);
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH} levels`, token);
  }

  // observationExpressions: observationExpressionOr (FOLLOWEDBY observationExpressionOr)*
  private observationExpressions(): Observation {
    return this.joined('FOLLOWEDBY', 'followedby', () => this.joined('OR', 'or', () => this.joined('AND', 'and', () => this.observationExpression())));
  }

  private joined(keyword: string, kind: 'and' | 'or' | 'followedby', item: () => Observation): Observation {
    const items = [item()];
    while (this.isKeyword(keyword)) {
      this.next();
      items.push(item());
    }
    return items.length === 1 ? (items[0] as Observation) : { kind, items, qualifiers: [] };
  }

  // observationExpression: '[' comparisonExpression ']' qualifier* | '(' observationExpressions ')' qualifier*
  private observationExpression(): Observation {
    const open = this.peek();
    let result: Observation;
    if (this.isPunct('[')) {
      this.enter(open);
      this.next();
      const comparison = this.comparisonExpression();
      this.expectPunct(']', "']' closing the observation expression");
      this.depth--;
      result = { kind: 'observation', comparison, qualifiers: [] };
    } else if (this.isPunct('(')) {
      this.enter(open);
      this.next();
      const inner = this.observationExpressions();
      this.expectPunct(')', "')'");
      this.depth--;
      result = inner.kind === 'observation' ? { ...inner, qualifiers: [...inner.qualifiers] } : { ...inner, qualifiers: [...inner.qualifiers] };
    } else {
      throw this.error(`expected '[' starting an observation expression, found ${describe(open)}`, open);
    }
    for (let q = this.qualifier(); q; q = this.qualifier()) result.qualifiers.push(q);
    return result;
  }

  private qualifier(): Qualifier | undefined {
    const t = this.peek();
    if (this.isKeyword('WITHIN')) {
      this.next();
      const n = this.next();
      if ((n.type !== 'int' && n.type !== 'float') || Number(n.value) <= 0) throw this.error('WITHIN takes a positive number of seconds', n);
      if (!this.isKeyword('SECONDS')) throw this.error('expected SECONDS after WITHIN n', this.peek());
      this.next();
      return { kind: 'within', seconds: Number(n.value) };
    }
    if (this.isKeyword('REPEATS')) {
      this.next();
      const n = this.next();
      if (n.type !== 'int' || Number(n.value) <= 0) throw this.error('REPEATS takes a positive whole number', n);
      if (!this.isKeyword('TIMES')) throw this.error('expected TIMES after REPEATS n', this.peek());
      this.next();
      return { kind: 'repeats', times: Number(n.value) };
    }
    if (this.isKeyword('START')) {
      this.next();
      const start = this.next();
      if (start.type !== 'timestamp') throw this.error("START takes a timestamp literal (t'…')", start);
      if (!this.isKeyword('STOP')) throw this.error('expected STOP after START t…', this.peek());
      this.next();
      const stop = this.next();
      if (stop.type !== 'timestamp') throw this.error("STOP takes a timestamp literal (t'…')", stop);
      return { kind: 'start-stop', start: String(start.value), stop: String(stop.value) };
    }
    if (t.type === 'keyword' && (t.text === 'SECONDS' || t.text === 'TIMES' || t.text === 'STOP')) throw this.error(`unexpected ${t.text}`, t);
    return undefined;
  }

  // comparisonExpression: comparisonExpressionAnd (OR comparisonExpressionAnd)*; AND binds tighter.
  private comparisonExpression(): Comparison {
    const items = [this.comparisonAnd()];
    while (this.isKeyword('OR')) {
      this.next();
      items.push(this.comparisonAnd());
    }
    return items.length === 1 ? (items[0] as Comparison) : { kind: 'or', items };
  }

  private comparisonAnd(): Comparison {
    const items = [this.propTest()];
    while (this.isKeyword('AND')) {
      this.next();
      items.push(this.propTest());
    }
    return items.length === 1 ? (items[0] as Comparison) : { kind: 'and', items };
  }

  private propTest(): Comparison {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.enter(t);
      this.next();
      const inner = this.comparisonExpression();
      this.expectPunct(')', "')'");
      this.depth--;
      return inner;
    }
    if (this.isKeyword('EXISTS')) {
      this.next();
      return { kind: 'exists', path: this.objectPath() };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.next();
      negated = true;
    }
    const op = this.next();
    if (op.type === 'op') {
      const operator = op.text as ComparisonOperator;
      const value = this.literal();
      if ((operator === '<' || operator === '<=' || operator === '>' || operator === '>=') && value.type === 'bool') throw this.error(`${operator} cannot compare a boolean`, op);
      return { kind: 'test', path, negated, operator, value };
    }
    if (op.type === 'keyword' && op.text === 'IN') return { kind: 'test', path, negated, operator: 'IN', value: this.setLiteral() };
    if (op.type === 'keyword' && (op.text === 'LIKE' || op.text === 'MATCHES' || op.text === 'ISSUBSET' || op.text === 'ISSUPERSET')) {
      const value = this.literal();
      if (value.type !== 'string') throw this.error(`${op.text} takes a string literal`, op);
      return { kind: 'test', path, negated, operator: op.text, value };
    }
    throw this.error(`expected a comparison operator (=, !=, <, >, IN, LIKE, MATCHES...), found ${describe(op)}`, op);
  }

  // objectPath: objectType ':' firstPathComponent ('.' component | '[' index ']')*
  private objectPath(): ObjectPath {
    const type = this.next();
    if (type.type !== 'ident' || !/^[a-z0-9][a-z0-9-]*$/.test(type.text) || type.text.length < 3 || type.text.length > 250) {
      throw this.error(`expected an object type (e.g. ipv4-addr), found ${describe(type)}`, type);
    }
    this.expectPunct(':', "':' after the object type");
    const steps: ObjectPath['steps'] = [this.pathName()];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        steps.push(this.pathName());
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.next();
        if (index.type === 'int') steps.push(Number(index.value));
        else if (index.type === 'punct' && index.text === '*') steps.push('*');
        else throw this.error(`expected a list index or *, found ${describe(index)}`, index);
        this.expectPunct(']', "']' closing the list index");
      } else break;
    }
    return { objectType: type.text, steps };
  }

  private pathName(): string {
    const t = this.next();
    if (t.type === 'ident' || t.type === 'bool') return t.text;
    if (t.type === 'string') return String(t.value);
    throw this.error(`expected a property name, found ${describe(t)}`, t);
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.type) {
      case 'string':
      case 'binary':
      case 'hex':
      case 'timestamp':
        return { type: t.type, value: String(t.value) };
      case 'int':
      case 'float':
        return { type: t.type, value: Number(t.value) };
      case 'bool':
        return { type: 'bool', value: Boolean(t.value) };
      default:
        throw this.error(`expected a literal value, found ${describe(t)}`, t);
    }
  }

  private setLiteral(): Literal[] {
    this.expectPunct('(', "'(' starting the set of IN");
    const values: Literal[] = [];
    if (!this.isPunct(')')) {
      values.push(this.literal());
      while (this.isPunct(',')) {
        this.next();
        values.push(this.literal());
      }
    }
    this.expectPunct(')', "')' closing the set of IN");
    return values;
  }
}

function describe(token: Token): string {
  if (token.type === 'end') return 'the end of the pattern';
  const text = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return `'${text}'`;
}

/** An object path as STIX writes it: `file:hashes.'SHA-256'`, `email-message:to_refs[*].value`. */
export function formatObjectPath(path: ObjectPath): string {
  let out = `${path.objectType}:`;
  path.steps.forEach((step, i) => {
    if (typeof step === 'number' || step === '*') out += `[${step}]`;
    else out += (i === 0 ? '' : '.') + (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step) ? step : `'${step.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  });
  return out;
}
