/**
 * Implicit-feedback matrix factorisation (weighted alternating least squares, Hu, Koren and Volinsky
 * 2008) of the document × technique matrix, and the fold-in of a new observation. Small dense
 * linear algebra only: k is 16–48 and the corpus a few thousand documents, so a Cholesky solve of a
 * k×k system per row is all it needs.
 */

export interface AlsOptions {
  factors: number;
  iterations: number;
  /** L2 regularisation. */
  regularisation: number;
  /** Confidence of an observed cell: 1 + alpha × weight. */
  alpha: number;
  seed: number;
}

export interface AlsModel {
  factors: number;
  regularisation: number;
  alpha: number;
  /** Item factors, row-major items × factors. */
  itemFactors: Float64Array;
  /** YᵀY, factors × factors (reused by every fold-in). */
  gram: Float64Array;
}

/** Rows of the matrix: each the item indices it holds and the weight of each cell. */
export interface SparseRows {
  items: Int32Array[];
  weights: Float64Array[];
}

/** Factorises `rows` (documents) × `itemCount` items. */
export function trainAls(rows: SparseRows, itemCount: number, options: AlsOptions): AlsModel {
  const k = options.factors;
  const random = mulberry32(options.seed);
  const userFactors = new Float64Array(rows.items.length * k).map(() => (random() - 0.5) * 0.1);
  const itemFactors = new Float64Array(itemCount * k).map(() => (random() - 0.5) * 0.1);
  // The transpose, for the item half-steps.
  const columnUsers: number[][] = Array.from({ length: itemCount }, () => []);
  const columnWeights: number[][] = Array.from({ length: itemCount }, () => []);
  rows.items.forEach((items, u) => {
    const weights = rows.weights[u]!;
    items.forEach((i, n) => {
      columnUsers[i]!.push(u);
      columnWeights[i]!.push(weights[n]!);
    });
  });
  const columns: SparseRows = { items: columnUsers.map((c) => Int32Array.from(c)), weights: columnWeights.map((w) => Float64Array.from(w)) };
  for (let iteration = 0; iteration < options.iterations; iteration += 1) {
    solveSide(userFactors, itemFactors, rows, k, options);
    solveSide(itemFactors, userFactors, columns, k, options);
  }
  return { factors: k, regularisation: options.regularisation, alpha: options.alpha, itemFactors, gram: gramOf(itemFactors, itemCount, k) };
}

/** Scores of every item for an observation (item indices with weights): the folded-in user vector × item factors. */
export function foldIn(model: AlsModel, items: readonly number[], weights: readonly number[], itemCount: number): Float64Array {
  const k = model.factors;
  const a = Float64Array.from(model.gram);
  const b = new Float64Array(k);
  accumulate(a, b, model.itemFactors, items, weights, k, model.alpha);
  for (let f = 0; f < k; f += 1) a[f * k + f]! += model.regularisation;
  const x = choleskySolve(a, b, k);
  const scores = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i += 1) {
    let s = 0;
    for (let f = 0; f < k; f += 1) s += x[f]! * model.itemFactors[i * k + f]!;
    scores[i] = s;
  }
  return scores;
}

function solveSide(target: Float64Array, fixed: Float64Array, rows: SparseRows, k: number, options: AlsOptions): void {
  const fixedCount = fixed.length / k;
  const gram = gramOf(fixed, fixedCount, k);
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  rows.items.forEach((items, u) => {
    a.set(gram);
    b.fill(0);
    accumulate(a, b, fixed, items, rows.weights[u]!, k, options.alpha);
    for (let f = 0; f < k; f += 1) a[f * k + f]! += options.regularisation;
    target.set(choleskySolve(a, b, k), u * k);
  });
}

/** Adds Σ (c−1) y yᵀ to `a` and Σ c y to `b` over the observed cells (preference 1, confidence c = 1 + alpha·w). */
function accumulate(a: Float64Array, b: Float64Array, factors: Float64Array, items: ArrayLike<number>, weights: ArrayLike<number>, k: number, alpha: number): void {
  for (let n = 0; n < items.length; n += 1) {
    const base = items[n]! * k;
    const extra = alpha * weights[n]!;
    for (let f = 0; f < k; f += 1) {
      const yf = factors[base + f]!;
      b[f]! += (1 + extra) * yf;
      const scaled = extra * yf;
      for (let g = 0; g <= f; g += 1) a[f * k + g]! += scaled * factors[base + g]!;
    }
  }
  for (let f = 0; f < k; f += 1) for (let g = 0; g < f; g += 1) a[g * k + f] = a[f * k + g]!;
}

function gramOf(factors: Float64Array, count: number, k: number): Float64Array {
  const gram = new Float64Array(k * k);
  for (let i = 0; i < count; i += 1) {
    const base = i * k;
    for (let f = 0; f < k; f += 1) {
      const yf = factors[base + f]!;
      for (let g = 0; g <= f; g += 1) gram[f * k + g]! += yf * factors[base + g]!;
    }
  }
  for (let f = 0; f < k; f += 1) for (let g = 0; g < f; g += 1) gram[g * k + f] = gram[f * k + g]!;
  return gram;
}

/** Solves a x = b for a symmetric positive definite a (k×k, row-major); `a` is overwritten. */
function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let j = 0; j < k; j += 1) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p += 1) d -= a[j * k + p]! * a[j * k + p]!;
    const root = Math.sqrt(Math.max(d, 1e-12));
    a[j * k + j] = root;
    for (let i = j + 1; i < k; i += 1) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p += 1) s -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = s / root;
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i += 1) {
    let s = b[i]!;
    for (let p = 0; p < i; p += 1) s -= a[i * k + p]! * y[p]!;
    y[i] = s / a[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i -= 1) {
    let s = y[i]!;
    for (let p = i + 1; p < k; p += 1) s -= a[p * k + i]! * x[p]!;
    x[i] = s / a[i * k + i]!;
  }
  return x;
}

/** A small deterministic PRNG: the same corpus trains the same model. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
