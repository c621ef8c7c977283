/**
 * Junk floods and honest exports of any size, written in chunks (flat memory)
 * and fast (event lines in canonical member order by hand, no object per
 * event): for the flood tests in big-inputs.test.ts and for
 * bench/floods.bench.ts. Each file appears under its name only when complete.
 */
import { createPrivateKey, hash, sign, type KeyObject } from 'node:crypto';
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { canonicalize } from '../../src/shared/json/canonical';
import { IncrementalMerkleTree } from '../../src/shared/verify/merkle';
import { toHex } from '../../src/shared/hex';
import { nodeSha256 } from '../../src/main/node/read/hashes';

export interface FloodKey {
  keyId: string;
  secretKeyHex: string;
  publicKeyHex: string;
}

/** Writes through a 4 MiB buffer into "<file>.tmp", renamed to the file by close(). */
class Out {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(4 << 20);
  private used = 0;
  constructor(private readonly file: string) {
    this.fd = openSync(`${file}.tmp`, 'w');
  }
  write(text: string | Buffer): void {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    if (this.used + bytes > this.buf.length) this.flush();
    if (bytes > this.buf.length) {
      writeSync(this.fd, typeof text === 'string' ? Buffer.from(text) : text);
      return;
    }
    this.used += typeof text === 'string' ? this.buf.write(text, this.used) : text.copy(this.buf, this.used);
  }
  private flush(): void {
    if (this.used) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(`${this.file}.tmp`, this.file);
  }
}

const ZERO = '0'.repeat(64);
const BASE_MS = Date.UTC(2026, 10, 25, 3, 0, 0);
const sha256Hex = (text: string) => hash('sha256', text, 'hex');

export class FloodWriter {
  private readonly privateKey: KeyObject;
  /** Line 1 of every file, with its "\n": a valid audit-export/1 header naming the key. */
  readonly header: string;

  constructor(private readonly key: FloodKey) {
    this.privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(key.secretKeyHex, 'hex')]), format: 'der', type: 'pkcs8' });
    this.header =
      canonicalize({
        type: 'header',
        format: 'audit-export/1',
        export_id: 'exp-floods',
        chain_id: 'floods',
        genesis: ZERO,
        first_seq: 0,
        created_at: '2026-11-25T03:00:00.000Z',
        exporter: { name: 'floods', version: '1' },
        keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }],
      }) + '\n';
  }

  /** The trust store that anchors these files. */
  trust(): { keys: { key_id: string; alg: string; public_key: string }[] } {
    return { keys: [{ key_id: this.key.keyId, alg: 'ed25519', public_key: this.key.publicKeyHex }] };
  }

  private checkpoint(tree: IncrementalMerkleTree, count: number, head: string, final: boolean): string {
    const body = {
      type: 'checkpoint',
      seq_hi: count - 1,
      tree_size: count,
      head_hash: head,
      merkle_root: toHex(tree.root()),
      ts: new Date(BASE_MS + count).toISOString(),
      key_id: this.key.keyId,
      final,
    };
    return canonicalize({ ...body, sig: sign(null, Buffer.from(canonicalize(body)), this.privateKey).toString('hex') }) + '\n';
  }

  /**
   * An honest export of small events, a signed checkpoint every 1,000 and a
   * final one. tsStep -1: each event a millisecond earlier than the one
   * before, so every event but the first is a ts-regression warning and
   * nothing else. `after(i)` is written after event i (forged checkpoints).
   */
  events(file: string, events: number, options: { tsStep?: 1 | -1; after?: (i: number) => string } = {}): string {
    const step = options.tsStep ?? 1;
    const out = new Out(file);
    out.write(this.header);
    const tree = new IncrementalMerkleTree(nodeSha256);
    let prev = ZERO;
    for (let i = 0; i < events; i++) {
      const ts = new Date(BASE_MS + step * i).toISOString();
      const head = `{"actor":{"id":"agent-${i % 3}","type":"agent"},"data":{"args":{"amount":${100 + (i % 997)}},"request_id":"req-${i}","tool":"pay_invoice"},`;
      const tail = `"kind":"action.requested","prev_hash":"${prev}","seq":${i},"ts":"${ts}","type":"event"}`;
      const h = sha256Hex(head + tail);
      out.write(`${head}"hash":"${h}",${tail}\n`);
      tree.append(Buffer.from(h, 'hex'));
      prev = h;
      if (options.after) out.write(options.after(i));
      if ((i + 1) % 1000 === 0 && i + 1 < events) out.write(this.checkpoint(tree, i + 1, prev, false));
    }
    out.write(this.checkpoint(tree, events, prev, true));
    out.close();
    return file;
  }

  /** After event i, every `every` events: a checkpoint nobody signed, its tree_size below the events read so far. */
  forgedCheckpoints(every: number): (i: number) => string {
    return (i) => {
      const count = i + 1;
      if (count % every !== 0) return '';
      const size = Math.max(1, count - Math.floor(every / 2));
      const fake = sha256Hex(`forged ${i}`);
      return (
        canonicalize({
          type: 'checkpoint',
          seq_hi: size - 1,
          tree_size: size,
          head_hash: fake,
          merkle_root: sha256Hex(fake),
          ts: new Date(BASE_MS + count).toISOString(),
          key_id: this.key.keyId,
          final: false,
          sig: fake + fake,
        }) + '\n'
      );
    };
  }

  /** The header, then `lines` copies of `line` (with its "\n"): `{}\n`, `\n`, … */
  repeated(file: string, line: string, lines: number): string {
    const out = new Out(file);
    out.write(this.header);
    const block = Buffer.from(line.repeat(100_000));
    for (let i = 0; i < Math.floor(lines / 100_000); i++) out.write(block);
    out.write(line.repeat(lines % 100_000));
    out.close();
    return file;
  }

  /**
   * The header, then `lines` lines of `bytes` each: `{"data":{"x":[0, 0, …]},"seq":0,"type":"event"}`,
   * event-shaped, not canonical (the spaces), a list of millions of numbers: the slowest line to judge.
   */
  giant(file: string, lines: number, bytes = 15 << 20): string {
    const out = new Out(file);
    out.write(this.header);
    const open = '{"data":{"x":[';
    const close = ']},"seq":0,"type":"event"}\n';
    const body = Buffer.from('0, '.repeat(Math.floor((bytes - open.length - close.length - 1) / 3)) + '0');
    for (let i = 0; i < lines; i++) {
      out.write(open);
      out.write(body);
      out.write(close);
    }
    out.close();
    return file;
  }
}
