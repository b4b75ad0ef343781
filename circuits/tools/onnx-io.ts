/** ONNX protobuf reading/writing through `onnx-proto` (protobufjs static module). */
import { readFileSync, writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;

export function readOnnx(path: string): ModelProto {
  return onnx.ModelProto.decode(readFileSync(path));
}

export function writeOnnx(path: string, model: ModelProto): void {
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  writeFileSync(path, bytes);
}

/** Float32 tensor initializer (values stored as float_data). */
export function floatTensor(name: string, dims: number[], values: number[]): TensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: values };
}

/** Values of an initializer as JS numbers (float32, int8, uint8, int32 and int64 supported). */
export function tensorValues(t: TensorProto): {
  dims: number[];
  values: number[];
  dataType: number;
} {
  const dims = (t.dims ?? []).map((d) => Number(d));
  const count = dims.reduce((a, b) => a * b, 1);
  const DT = onnx.TensorProto.DataType;
  let values: number[];
  const raw = t.rawData && t.rawData.length > 0 ? Buffer.from(t.rawData) : undefined;
  switch (t.dataType) {
    case DT.FLOAT:
      values = raw
        ? Array.from({ length: count }, (_, i) => raw.readFloatLE(i * 4))
        : [...(t.floatData ?? [])];
      break;
    case DT.INT8:
      values = raw
        ? Array.from({ length: count }, (_, i) => raw.readInt8(i))
        : [...(t.int32Data ?? [])];
      break;
    case DT.UINT8:
      values = raw
        ? Array.from({ length: count }, (_, i) => raw.readUInt8(i))
        : [...(t.int32Data ?? [])];
      break;
    case DT.INT32:
      values = raw
        ? Array.from({ length: count }, (_, i) => raw.readInt32LE(i * 4))
        : [...(t.int32Data ?? [])];
      break;
    case DT.INT64:
      values = raw
        ? Array.from({ length: count }, (_, i) => Number(raw.readBigInt64LE(i * 8)))
        : (t.int64Data ?? []).map((v) => Number(v));
      break;
    default:
      throw new Error(
        `initializer ${t.name}: data type ${t.dataType} is not supported (use float32, int8, uint8, int32 or int64)`,
      );
  }
  if (values.length !== count)
    throw new Error(`initializer ${t.name}: expected ${count} values, found ${values.length}`);
  return { dims, values, dataType: t.dataType ?? 0 };
}
