/**
 * Build small ONNX graphs in code: the generator's tests, the op tests and the differential
 * fuzzer (`fuzz.ts`) write their models with these instead of an exporter.
 */
import { onnx, type ModelProto, type TensorProto } from './onnx-io.ts';

/** A dimension: a fixed size, or a symbolic name (`'N'` for a batch). */
export type Dim = number | string;

export interface GraphNode {
  opType: string;
  input: string[];
  output: string[];
  name?: string;
  attribute?: { name: string; i?: number; f?: number; type: number }[];
}

export interface GraphSpec {
  /** The graph's name (`loadModel` uses it when no name is given). */
  name: string;
  /** The one float32 graph input, `x` unless named. */
  input: { name?: string; dims: Dim[] };
  /** The one graph output, `y` unless named; float32 unless `type`; no shape when `dims` is absent. */
  output: { name?: string; dims?: Dim[]; type?: number };
  nodes: GraphNode[];
  initializers: TensorProto[];
  /** Default opset 13. */
  opset?: number;
}

const { FLOAT, INT8, UINT8 } = onnx.TensorProto.DataType;

/** An INT attribute (`AttributeProto.AttributeType.INT`). */
export const intAttr = (name: string, i: number) => ({ name, i, type: 2 });

function valueInfo(name: string, elemType: number, dims?: Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        ...(dims
          ? {
              shape: {
                dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
              },
            }
          : {}),
      },
    },
  };
}

/** The model's protobuf bytes (what onnxruntime loads and a `.onnx` file holds). */
export function onnxBytes(spec: GraphSpec): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
      graph: {
        name: spec.name,
        input: [valueInfo(spec.input.name ?? 'x', FLOAT, spec.input.dims)],
        output: [valueInfo(spec.output.name ?? 'y', spec.output.type ?? FLOAT, spec.output.dims)],
        initializer: spec.initializers,
        node: spec.nodes,
      },
    }),
  ).finish();
}

/** The model decoded from its bytes, exactly as `loadModel` would read it from a file. */
export function onnxModel(spec: GraphSpec): ModelProto {
  return onnx.ModelProto.decode(onnxBytes(spec));
}

/** An int8 (or uint8) initializer, values in `int32Data` as ONNX stores small integer types. */
export function int8Tensor(
  name: string,
  dims: number[],
  values: number[],
  unsigned = false,
): TensorProto {
  return { name, dims, dataType: unsigned ? UINT8 : INT8, int32Data: values };
}

/** `count` deterministic integers in [-r, r] from `seed` (a linear congruential sequence). */
export function smallInts(seed: number, count: number, r: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s % (2 * r + 1)) - r;
  });
}
