import * as snarkjs from 'snarkjs';
import { buildReferenceArtifacts } from '@zkpin/circuits/build-circuits';
import { loadWitnessCalculator } from '@zkpin/circuits/witness';
import { circuitInput, generateDeviceKeys, signReading } from '@zkpin/sdk';
import { NativeGroth16 } from '../oracle/src/prover/native-groth16.ts';
const a = await buildReferenceArtifacts();
const wc = await loadWitnessCalculator(a.circuit.wasm);
const keys = await generateDeviceKeys();
const r = signReading(keys, { network: new Uint8Array(32), seq: 1n, timestamp: 5n, modelId: 1, readings: new Array(16).fill(3), salt: new Uint8Array(32) });
const wtns = await wc.wtns(circuitInput(r));
(await import('node:fs')).writeFileSync('/tmp/zk/w.wtns', wtns); console.log(a.circuit.zkey);
const n = await NativeGroth16.start(a.circuit.zkey);
const ts: number[] = [];
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  const { proof, publicSignals } = await n.prove(wtns);
  ts.push(performance.now() - t);
  if (i === 0) console.log(JSON.stringify(proof).slice(0, 200), publicSignals, await snarkjs.groth16.verify(a.circuit.vk, publicSignals, proof));
}
console.log(ts.map((x) => x.toFixed(1)).join(' '));
n.close();
process.exit(0);
