/**
 * Which record tree the relayer appends to: the one given at start, else the Network
 * account's current one; read again when the program says the network rotated it.
 */
import type { Provider } from '@coral-xyz/anchor';
import type { PublicKey } from '@solana/web3.js';
import { deviceRegistryProgram, type Chain } from '@zkpin/sdk';

const registryCoder = deviceRegistryProgram({} as Provider).coder;

export class RecordTreeSource {
  constructor(
    private readonly chain: Chain,
    private readonly network: PublicKey,
    private tree?: PublicKey,
  ) {}

  /** The current record tree; `refresh` reads the Network account again. */
  async current(refresh = false): Promise<PublicKey> {
    if (this.tree && !refresh) return this.tree;
    const info = await this.chain.getAccountInfo(this.network);
    if (!info) throw new Error(`network account ${this.network.toBase58()} not found`);
    const n = registryCoder.accounts.decode<{ recordTree: PublicKey }>('network', info.data);
    this.tree = n.recordTree;
    return this.tree;
  }
}
