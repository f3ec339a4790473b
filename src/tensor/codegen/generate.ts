// Generates the typed op wrappers (ops.generated.ts) and Tensor methods (methods.generated.ts) from the
// schemas of the libtorch in use. Run with `npm run gen:ops`; `--check` only compares with the checked-in
// files (the test suite does this, so a libtorch whose schemas differ is noticed).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getNative, packageRoot, type OpSchema, type OpSchemaArg } from '../../engine/native.js';
import { libtorchInfo } from '../../engine/libtorch.js';
import { OPS, type OpSpec } from './spec.js';
import { qualifiedName } from '../op.js';

/** Tensor members that are not ops: no generated method may shadow them. */
const RESERVED = new Set([
  'h', 'shape', 'rank', 'size', 'dtype', 'device', 'toTypedArray', 'toNumbers', 'item', 'to', 'requiresGrad',
  'requiresGrad_', 'backward', 'grad', 'zeroGrad', 'gradFn', 'dispose', 'isDisposed', 'toString', 'constructor',
]);

interface Param {
  name: string;
  tsType: string;
  optional: boolean;
  toNative: string; // expression converting the TS value to what the addon takes
}

function tsIdent(name: string): string {
  const reserved = ['function', 'default', 'in', 'var', 'new', 'delete', 'from'];
  const camel = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return reserved.includes(camel) ? `${camel}_` : camel;
}

function paramOf(arg: OpSchemaArg): Param {
  const name = tsIdent(arg.name);
  const optionalType = arg.type.endsWith('?');
  const base = optionalType ? arg.type.slice(0, -1) : arg.type;
  const orNull = optionalType ? ' | null' : '';
  const optional = arg.hasDefault || optionalType;
  const simple = (tsType: string): Param => ({ name, tsType: tsType + orNull, optional, toNative: name });
  switch (base) {
    case 'Tensor':
      return { name, tsType: 'Tensor' + orNull, optional, toNative: optional ? `${name} == null ? ${name} : ${name}.h` : `${name}.h` };
    case 'Tensor[]':
      return { name, tsType: 'Tensor[]' + orNull, optional, toNative: `${name}${optional ? '?' : ''}.map((t) => t.h)` };
    case 'Tensor?[]':
      return { name, tsType: '(Tensor | null)[]' + orNull, optional, toNative: `${name}${optional ? '?' : ''}.map((t) => (t == null ? null : t.h))` };
    case 'int':
    case 'SymInt':
    case 'float':
      return simple('number');
    case 'int[]':
    case 'SymInt[]':
      return simple(arg.n > 0 ? 'number | number[]' : 'number[]');
    case 'float[]':
      return simple('number[]');
    case 'bool':
      return simple('boolean');
    case 'bool[]':
      return simple('boolean[]');
    case 'Scalar':
      return simple('Scalar');
    case 'ScalarType':
      return simple('DType');
    case 'Device':
      return simple('string');
    case 'Layout':
      return simple("'strided'");
    case 'MemoryFormat':
      return simple('MemoryFormat');
    case 'str':
      return simple('string');
    case 'Generator':
      return { name, tsType: 'null', optional: true, toNative: name };
    default:
      throw new Error(`codegen: ${arg.name}: schema type '${arg.type}' has no TypeScript mapping`);
  }
}

function returnOf(schema: OpSchema): { tsType: string; convert: (r: string) => string } {
  const one = (type: string, r: string): [string, string] => {
    switch (type) {
      case 'Tensor':
        return ['Tensor', `new Tensor(${r})`];
      case 'Tensor[]':
        return ['Tensor[]', `(${r} as Handle[]).map((h) => new Tensor(h))`];
      case 'int':
      case 'SymInt':
      case 'float':
      case 'Scalar':
        return ['number', `${r} as number`];
      case 'bool':
        return ['boolean', `${r} as boolean`];
      default:
        throw new Error(`codegen: ${schema.schema}: return type '${type}' has no TypeScript mapping`);
    }
  };
  if (schema.returns.length === 0) return { tsType: 'void', convert: () => '' };
  if (schema.returns.length === 1) {
    const [tsType, expr] = one(schema.returns[0].type, 'r');
    return { tsType, convert: () => expr };
  }
  const parts = schema.returns.map((ret, i) => one(ret.type, `r[${i}]`));
  return { tsType: `[${parts.map((p) => p[0]).join(', ')}]`, convert: () => `[${parts.map((p) => p[1]).join(', ')}]` };
}

function qualified(s: OpSchema): string {
  return qualifiedName(s.name, s.overload);
}

interface Generated {
  fn: string;
  method: string | null;
  methodDecl: string | null;
}

function generate(spec: OpSpec, schemas: Map<string, OpSchema>): Generated {
  const [tsName, ...names] = spec;
  const found = names.map((n) => {
    const s = schemas.get(n);
    if (!s) throw new Error(`codegen: '${tsName}': libtorch has no op ${n}`);
    return s;
  });
  const paramsPer = found.map((s) => s.args.map(paramOf));
  const params = paramsPer[0];
  // Two overloads: the same argument names, differing in one Tensor-vs-Scalar argument.
  let switchAt = -1;
  if (found.length === 2) {
    const [a, b] = paramsPer;
    if (a.length !== b.length || a.some((p, i) => p.name !== b[i].name)) {
      throw new Error(`codegen: '${tsName}': ${names.join(' and ')} do not take the same arguments`);
    }
    switchAt = a.findIndex((p, i) => p.tsType !== b[i].tsType);
    if (switchAt < 0 || a[switchAt].tsType !== 'Tensor' || b[switchAt].tsType !== 'Scalar') {
      throw new Error(`codegen: '${tsName}': ${names[0]} must take a Tensor where ${names[1]} takes a Scalar`);
    }
  } else if (found.length !== 1) {
    throw new Error(`codegen: '${tsName}': one schema, or a Tensor and a Scalar overload`);
  }
  // A parameter is optional in TypeScript only when every parameter after it is.
  const merged = params.map((p, i) => (i === switchAt ? { ...p, tsType: 'Tensor | Scalar', toNative: p.name } : p));
  for (let i = merged.length - 1, tail = true; i >= 0; i--) {
    tail = tail && merged[i].optional;
    merged[i] = { ...merged[i], optional: tail };
    if (!tail && params[i].optional && !merged[i].tsType.includes('undefined')) {
      merged[i] = { ...merged[i], tsType: merged[i].tsType + ' | undefined' };
    }
  }
  const sig = merged.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.tsType}`).join(', ');
  const idVar = (s: OpSchema) => `_${qualified(s).replace(/[^A-Za-z0-9]/g, '_')}`;
  const ret = returnOf(found[0]);
  const returnsArg = found[0].returnsArg;
  const callFor = (s: OpSchema, ps: Param[]) =>
    `call(${idVar(s)} ??= opId('${s.name}', '${s.overload}', '${s.args.map((a) => a.name).join(',')}'), ${ps.map((p) => p.toNative).join(', ')})`;
  const body = (s: OpSchema, ps: Param[]) => {
    if (returnsArg >= 0) return `${callFor(s, ps)};\nreturn ${ps[returnsArg].name};`;
    if (ret.tsType === 'void') return `${callFor(s, ps)};`;
    return `const r = ${callFor(s, ps)};\nreturn ${ret.convert('r')};`;
  };
  const indent = (text: string, n: number) => text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
  const argList = `[${merged.map((p) => p.name).join(', ')}]`;
  const docs = found.map((s) => ` * ${s.schema}`).join('\n');
  const retType = returnsArg >= 0 ? merged[returnsArg].tsType.replace(' | null', '') : ret.tsType;
  let inner: string;
  let errName: string;
  if (switchAt >= 0) {
    const p = merged[switchAt].name;
    const withTensor = paramsPer[0].map((q, i) => (i === switchAt ? { ...q, toNative: `${p}.h` } : q));
    inner = `    if (${p} instanceof Tensor) {\n${indent(body(found[0], withTensor), 6)}\n    }\n${indent(body(found[1], paramsPer[1]), 4)}`;
    errName = `${p} instanceof Tensor ? '${qualified(found[0])}' : '${qualified(found[1])}'`;
  } else {
    inner = indent(body(found[0], params), 4);
    errName = `'${qualified(found[0])}'`;
  }
  const lets = found.map((s) => `let ${idVar(s)}: number | undefined;`).join('\n');
  const fn = `${lets}
/**
${docs}
 */
export function ${tsName}(${sig}): ${retType} {
  try {
${inner}
  } catch (e) {
    throw opError(${errName}, ${argList}, e);
  }
}
`;
  const first = found[0].args[0];
  const isMethod = first && first.name === 'self' && first.type === 'Tensor' && !RESERVED.has(tsName) && returnsArg <= 0;
  if (!isMethod) return { fn, method: null, methodDecl: null };
  const rest = merged.slice(1);
  const restSig = rest.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.tsType}`).join(', ');
  const methodRet = returnsArg === 0 ? 'this' : retType;
  return {
    fn,
    methodDecl: `    ${tsName}(${restSig}): ${methodRet};`,
    method: `Tensor.prototype.${tsName} = function (this: Tensor, ...args: any[]) {\n  return (ops.${tsName} as (...a: any[]) => any)(this, ...args);\n};`,
  };
}

export function generateSources(): { ops: string; methods: string } {
  const native = getNative();
  const schemas = new Map<string, OpSchema>();
  for (const s of native.opSchemas()) schemas.set(qualified(s), s);
  const seen = new Set<string>();
  const parts = OPS.map((spec) => {
    if (seen.has(spec[0])) throw new Error(`codegen: '${spec[0]}' is listed twice`);
    seen.add(spec[0]);
    return generate(spec, schemas);
  });
  const version = libtorchInfo().version;
  const header = `// Generated by src/tensor/codegen/generate.ts from the op schemas of libtorch ${version}. Do not edit:\n// add ops to src/tensor/codegen/spec.ts and run \`npm run gen:ops\`.\n`;
  const ops = `${header}/* eslint-disable */
import type { Handle } from '../engine/native.js';
import type { DType } from './dtype.js';
import { call, opError, opId, wrappersGeneratedFor } from './op.js';
import { Tensor } from './tensor.js';

/** The libtorch these wrappers were generated from: on another one, each op's schema is checked on first use. */
export const GENERATED_FOR_LIBTORCH = '${version}';
wrappersGeneratedFor(GENERATED_FOR_LIBTORCH);

/** A number or boolean passed to libtorch as a Scalar: whole numbers are integers, as in Python. */
export type Scalar = number | boolean;
export type MemoryFormat = 'contiguous' | 'preserve' | 'channels_last' | 'channels_last_3d';

${parts.map((p) => p.fn).join('\n')}`;
  const methods = `${header}/* eslint-disable */
import type { DType } from './dtype.js';
import * as ops from './ops.generated.js';
import type { MemoryFormat, Scalar } from './ops.generated.js';
import { Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
${parts.filter((p) => p.methodDecl).map((p) => p.methodDecl).join('\n')}
  }
}

${parts.filter((p) => p.method).map((p) => p.method).join('\n')}
`;
  return { ops, methods };
}

export const generatedFiles = {
  ops: path.join(packageRoot, 'src', 'tensor', 'ops.generated.ts'),
  methods: path.join(packageRoot, 'src', 'tensor', 'methods.generated.ts'),
};

function main(): void {
  const { ops, methods } = generateSources();
  if (process.argv.includes('--check')) {
    const stale = Object.entries({ ops, methods }).filter(
      ([k, text]) => readFileSync(generatedFiles[k as 'ops' | 'methods'], 'utf8') !== text,
    );
    if (stale.length) {
      console.error(`stale generated files: ${stale.map(([k]) => generatedFiles[k as 'ops']).join(', ')}; run npm run gen:ops`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(generatedFiles.ops, ops);
  writeFileSync(generatedFiles.methods, methods);
  console.log(`wrote ${generatedFiles.ops} and ${generatedFiles.methods} (${OPS.length} ops)`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
