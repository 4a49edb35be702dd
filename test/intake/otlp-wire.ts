import { ProtobufReader } from '../../src/ingest/protocols/protobuf.js';

/** Reads a google.rpc.Status { int32 code = 1; string message = 2 } error body. */
export function decodeRpcStatusForTest(bytes: Uint8Array): { code: number; message: string } {
  const reader = new ProtobufReader(bytes);
  const out = { code: 0, message: '' };
  while (reader.hasMore()) {
    const { field, wireType } = reader.readTag();
    if (field === 1) out.code = reader.readVarint();
    else if (field === 2) out.message = reader.readString();
    else reader.skip(wireType);
  }
  return out;
}
