import { invalid } from './errors.js';

/**
 * A real parser for the RFC 7644 §3.4.2.2 filter grammar, with limits enforced while parsing. It accepts the
 * full grammar so that a client sending `co`, `or`, `not` or a value path gets a precise "not supported"
 * answer; `eqClauses` then narrows the tree to Identity Center's dialect ("Only `eq` with `and`", [doc]
 * SCIMDG limitations). Error messages never echo the filter text.
 */
export const MAX_FILTER_LENGTH = 1024;
export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_CLAUSES = 16;

export type CompValue = string | number | boolean | null;
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterNode =
  | { readonly kind: 'compare'; readonly path: string; readonly op: CompareOp; readonly value: CompValue }
  | { readonly kind: 'present'; readonly path: string }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly inner: FilterNode }
  | { readonly kind: 'valuePath'; readonly path: string; readonly filter: FilterNode };

type Token =
  | { readonly t: '(' | ')' | '[' | ']' }
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number };

const OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// attrPath = [URI ":"] ATTRNAME *1subAttr — URNs bring ':' and '.', and '$ref' brings '$'.
const WORD = /[A-Za-z0-9_:.$-]/;

export function tokenize(text: string): Token[] {
  if (text.length > MAX_FILTER_LENGTH) throw invalid(`Filter exceeds ${MAX_FILTER_LENGTH} characters.`);
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw invalid('Filter has an unterminated string.');
      let v: unknown;
      try {
        v = JSON.parse(text.slice(i, j + 1));
      } catch {
        throw invalid('Filter has an invalid string literal.');
      }
      out.push({ t: 'string', v: v as string });
      i = j + 1;
      continue;
    }
    if (WORD.test(c)) {
      let j = i;
      while (j < text.length && WORD.test(text[j] as string)) j++;
      const w = text.slice(i, j);
      if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(w)) out.push({ t: 'number', v: Number(w) });
      else out.push({ t: 'word', v: w });
      i = j;
      continue;
    }
    throw invalid('Filter contains an unexpected character.');
  }
  return out;
}

class Parser {
  private pos = 0;
  private clauses = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.orExpr(0);
    if (this.pos !== this.tokens.length) throw invalid('Filter has trailing input.');
    return node;
  }

  private peekWord(): string | undefined {
    const tok = this.tokens[this.pos];
    return tok?.t === 'word' ? tok.v.toLowerCase() : undefined;
  }

  private orExpr(depth: number): FilterNode {
    let left = this.andExpr(depth);
    while (this.peekWord() === 'or') {
      this.pos++;
      left = { kind: 'or', left, right: this.andExpr(depth) };
    }
    return left;
  }

  private andExpr(depth: number): FilterNode {
    let left = this.unary(depth);
    while (this.peekWord() === 'and') {
      this.pos++;
      left = { kind: 'and', left, right: this.unary(depth) };
    }
    return left;
  }

  private unary(depth: number): FilterNode {
    if (depth > MAX_FILTER_DEPTH) throw invalid(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels.`);
    const tok = this.tokens[this.pos];
    if (!tok) throw invalid('Filter ended unexpectedly.');
    if (tok.t === 'word' && tok.v.toLowerCase() === 'not' && this.tokens[this.pos + 1]?.t === '(') {
      this.pos++;
      return { kind: 'not', inner: this.group(depth + 1) };
    }
    if (tok.t === '(') return this.group(depth + 1);
    if (tok.t !== 'word') throw invalid('Filter expected an attribute path.');
    this.pos++;
    const path = tok.v;
    if (!/^[A-Za-z]|^urn:/i.test(path)) throw invalid('Filter has an invalid attribute path.');
    if (this.tokens[this.pos]?.t === '[') {
      this.pos++;
      const filter = this.orExpr(depth + 1);
      if (this.tokens[this.pos]?.t !== ']') throw invalid('Filter has an unclosed value path.');
      this.pos++;
      return { kind: 'valuePath', path, filter };
    }
    if (++this.clauses > MAX_FILTER_CLAUSES) throw invalid(`Filter has more than ${MAX_FILTER_CLAUSES} clauses.`);
    const opTok = this.tokens[this.pos];
    if (opTok?.t !== 'word') throw invalid('Filter expected an operator.');
    const op = opTok.v.toLowerCase();
    this.pos++;
    if (op === 'pr') return { kind: 'present', path };
    if (!OPS.has(op)) throw invalid('Filter has an unknown operator.');
    const valTok = this.tokens[this.pos];
    this.pos++;
    let value: CompValue;
    if (valTok?.t === 'string' || valTok?.t === 'number') value = valTok.v;
    else if (valTok?.t === 'word' && ['true', 'false', 'null'].includes(valTok.v.toLowerCase())) {
      const w = valTok.v.toLowerCase();
      value = w === 'null' ? null : w === 'true';
    } else throw invalid('Filter expected a comparison value.');
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  private group(depth: number): FilterNode {
    if (this.tokens[this.pos]?.t !== '(') throw invalid('Filter expected "(".');
    this.pos++;
    const inner = this.orExpr(depth);
    if (this.tokens[this.pos]?.t !== ')') throw invalid('Filter has an unbalanced parenthesis.');
    this.pos++;
    return inner;
  }
}

export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw invalid('Filter is empty.');
  return new Parser(tokens).parse();
}

export interface EqClause {
  readonly path: string;
  readonly value: string;
}

/**
 * Flattens a tree that is only `eq` comparisons joined by `and` (Identity Center's whole dialect); anything
 * else is a 400 ValidationException naming the unsupported construct.
 */
export function eqClauses(node: FilterNode): EqClause[] {
  switch (node.kind) {
    case 'and':
      return [...eqClauses(node.left), ...eqClauses(node.right)];
    case 'or':
      throw invalid('Filter operator "or" is not supported; only "eq" with "and" is supported.');
    case 'not':
      throw invalid('Filter operator "not" is not supported; only "eq" with "and" is supported.');
    case 'present':
      throw invalid('Filter operator "pr" is not supported; only "eq" with "and" is supported.');
    case 'valuePath':
      throw invalid('Filter value paths are not supported; only "eq" with "and" is supported.');
    case 'compare':
      if (node.op !== 'eq')
        throw invalid(`Filter operator "${node.op}" is not supported; only "eq" with "and" is supported.`);
      if (typeof node.value !== 'string') throw invalid('Filter values must be strings.');
      return [{ path: node.path, value: node.value }];
  }
}
