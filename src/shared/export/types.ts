/** The audit-export/1 line types, as the spec pins them. */
export const EXPORT_FORMAT = 'audit-export/1';
export const ZERO_HASH = '0'.repeat(64);

export interface ExportKey {
  key_id: string;
  alg: string;
  public_key: string;
}

export interface ExportHeader {
  type: 'header';
  format: string;
  export_id: string;
  chain_id: string;
  genesis: string;
  first_seq: number;
  created_at: string;
  exporter: { name: string; version: string };
  keys: ExportKey[];
}

export interface Checkpoint {
  type: 'checkpoint';
  seq_hi: number;
  tree_size: number;
  head_hash: string;
  merkle_root: string;
  ts: string;
  key_id: string;
  final: boolean;
  sig: string;
}

export interface TrustedKey {
  key_id: string;
  alg: string;
  public_key: string;
  revoked_at?: string;
}

export interface TrustStore {
  keys: TrustedKey[];
}
