import { AttestedNetwork } from '../bench/attestation-scenario.ts';
import BN from 'bn.js';
const n = await AttestedNetwork.create();
const first = await n.submit();
console.log('FIRST', first.computeUnits);
n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
const ok = await n.submit(n.nextParams());
console.log('SECOND', ok.computeUnits);
for (const l of ok.logs) console.log(l);
